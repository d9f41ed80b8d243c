/**
 * When stdout's writer gives up on a reader that reads nothing: after a signal asked to stop, and once it has waited
 * {@linkcode STALLED_READER_MS} without progress. Shared by the main thread (main.ts) and the lookup worker, which
 * writes stdout's records itself when stdout is the only sink (src/parallel/lookup_worker.ts): the worker cannot ask
 * the main thread while it waits, so the main thread marks a shared cell ({@linkcode StopAsked}) at the first signal.
 *
 * @module
 */

/** After a signal, how long stdout may wait for a reader that reads nothing before the records are given up on. */
export const STALLED_READER_MS = 5000;

/** The reason to stop waiting for stdout's reader, or null to go on waiting. */
export function stalledReaderReason(signals: number, waitedMs: number): string | null {
  return signals >= 1 && waitedMs >= STALLED_READER_MS
    ? `its reader has read nothing for ${waitedMs / 1000} s, and a signal asked to stop`
    : null;
}

/** A flag shared between threads: set at the first stop signal (one Int32 in a SharedArrayBuffer). */
export class StopAsked {
  readonly #cell: Int32Array<SharedArrayBuffer>;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.#cell = new Int32Array(buffer);
  }

  set(): void {
    Atomics.store(this.#cell, 0, 1);
  }

  get signals(): number {
    return Atomics.load(this.#cell, 0);
  }
}
