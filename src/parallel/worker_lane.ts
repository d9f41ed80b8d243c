/**
 * One lookup worker as the main thread sees it (src/parallel/remote_stage.ts): the worker, its output slots and the
 * order of its record buffers, what it has done, and its counts already added to the run's.
 *
 * @module
 */

import { addToCounter, COUNTER_NAMES, type Counters } from "../metrics/counters.ts";
import type { StdoutSink } from "../sinks/stdout_sink.ts";
import { OUTPUT_SLOT_BYTES } from "./lookup_worker_sizes.ts";
import type { OutputSlots, ToWorker, WorkerCounts } from "./lookup_protocol.ts";
import { RecordOrder, WorkerProgress } from "./worker_signals.ts";

/**
 * Output slots per worker: it writes into one while the main thread writes out another (and the last one announced
 * waits in the message queue). 3 × 640 KiB bound the records in flight.
 */
export const OUTPUT_SLOTS = 3;

export class WorkerLane {
  worker: Worker | null = null;
  readonly slots: OutputSlots;
  readonly #slotState: Int32Array<SharedArrayBuffer>;
  /** The order in which this worker's record buffers go to the sinks. */
  readonly order = new RecordOrder();
  readonly progress: WorkerProgress;
  /** Buffers of `records` messages (announced with slot -1) not yet handed on, oldest first. */
  readonly oversized: ArrayBuffer[] = [];
  /**
   * The worker is done: `finished` came (every record of it was announced before), or it failed, or it stopped
   * because another failed.
   */
  ended = false;
  /** The worker's counts already added to the run's counters. */
  readonly #added = new Float64Array(COUNTER_NAMES.length);
  readonly #addedErrors = new Map<string, number>();

  /** `progress`: the buffer all the run's workers share (WorkerProgress.buffer). */
  constructor(readonly index: number, progress: SharedArrayBuffer, overflowMaxBytes: number) {
    this.progress = new WorkerProgress(progress, index);
    this.slots = {
      buffers: Array.from({ length: OUTPUT_SLOTS }, () => new SharedArrayBuffer(OUTPUT_SLOT_BYTES)),
      overflow: new SharedArrayBuffer(0, { maxByteLength: overflowMaxBytes }),
      state: new SharedArrayBuffer((OUTPUT_SLOTS + 1) * Int32Array.BYTES_PER_ELEMENT),
      order: this.order.buffer,
    };
    this.#slotState = new Int32Array(this.slots.state);
  }

  /**
   * Never with a transfer list: detaching an ArrayBuffer, once, invalidates a V8 protector, and every optimized
   * function reading a typed array is deoptimized and recompiled with a detach check on each access (measured: every
   * hot function of both threads, early in the run). Batches are shared memory instead.
   */
  post(message: ToWorker): void {
    this.worker!.postMessage(message);
  }

  /** The records of slot `slot` (the overflow's: slot `OUTPUT_SLOTS`). */
  slotRecords(slot: number, used: number): Uint8Array {
    const buffer = slot < OUTPUT_SLOTS ? this.slots.buffers[slot] : this.slots.overflow;
    return new Uint8Array(buffer, 0, used);
  }

  /** The records of `slot` were handed to the sinks: the worker may fill it again. */
  freeSlot(slot: number): void {
    Atomics.store(this.#slotState, slot, 0);
    Atomics.notify(this.#slotState, slot);
  }

  /** Add what the worker counted since its last report. */
  addCounts(counts: WorkerCounts, counters: Counters, stdout: StdoutSink | null): void {
    const added = this.#added;
    for (let i = 0; i < COUNTER_NAMES.length; i++) {
      const value = counts.counters[i];
      if (value !== added[i]) {
        addToCounter(counters, COUNTER_NAMES[i], value - added[i]);
        added[i] = value;
      }
    }
    for (const [code, value] of counts.decodeErrors) {
      const before = this.#addedErrors.get(code) ?? 0;
      if (value === before) continue;
      counters.decodeErrors.set(code, (counters.decodeErrors.get(code) ?? 0) + value - before);
      this.#addedErrors.set(code, value);
    }
    if (counts.stdout !== null) stdout?.addRemote(counts.stdout);
  }
}
