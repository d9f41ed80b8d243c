/**
 * Shared buffers named by index, for the two threads of `-numprocs`: the main thread fills a buffer and names it by
 * its index in a message, the worker reads the same memory, and the buffer is freed once the worker is done with it
 * (src/parallel/remote_stage.ts: the lookup batches, and the capture chunks messages are read from in place).
 * Nothing is transferred: see `WorkerLane.post` (src/parallel/worker_lane.ts).
 *
 * @module
 */

export class SharedBufferPool {
  /** Every buffer made, by index. */
  readonly arrays: Uint8Array<SharedArrayBuffer>[] = [];
  readonly #index = new Map<ArrayBufferLike, number>();
  readonly #free: number[] = [];

  /** `minBytes`: the size of a buffer made (or more, for a larger request). */
  constructor(readonly minBytes: number) {}

  /** The index of a free buffer of at least `bytes`, the one freed last if it fits, else a new one. */
  take(bytes: number): number {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      if (this.arrays[free[i]].length >= bytes) return free.splice(i, 1)[0];
    }
    const buffer = new SharedArrayBuffer(Math.max(bytes, this.minBytes));
    this.#index.set(buffer, this.arrays.length);
    this.arrays.push(new Uint8Array(buffer));
    return this.arrays.length - 1;
  }

  /** The index of the buffer whose memory `buffer` is, or -1 (not one of the pool's). */
  indexOf(buffer: ArrayBufferLike): number {
    return this.#index.get(buffer) ?? -1;
  }

  free(index: number): void {
    this.#free.push(index);
  }
}
