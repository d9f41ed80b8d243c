/**
 * The messages between the decoding thread (src/parallel/remote_stage.ts) and the lookup worker
 * (src/parallel/lookup_worker.ts). Lookup batches are shared buffers, neither copied nor transferred (a transfer
 * detaches, which slows every typed array access after it: see RemoteStage): one goes to the worker, which counts it
 * finished (src/parallel/worker_signals.ts WorkerProgress) before its `ack`. Records are written into a fixed ring of
 * shared output slots ({@linkcode OutputSlots}): the worker fills one, marks it taken, announces it in the shared order ring (`order`) and with a `records` message;
 * the main thread hands it to the sinks and marks it free, from its event loop or while it waits for the worker in a
 * burst (src/parallel/remote_stage.ts `#holdBurst`). The worker waits (Atomics.wait) when the next slot is still
 * taken, so the records in flight are bounded even when one lookup batch gives up on a whole table.
 *
 * Order is the contract: the worker handles messages one at a time in the order sent and answers in order, so the
 * records of a batch always arrive before its `ack`, and every record before `finished`. With several workers, each
 * batch goes to the next worker in turn; a worker sends (or writes) each batch's records at its end and marks the end
 * (src/parallel/worker_signals.ts `BATCH_END`, `WriteTurn`), so the main thread hands them on in batch order.
 *
 * @module
 */

import type { LookupStageOptions } from "../lookup_stage.ts";
import type { RemoteStdoutCounts } from "../sinks/stdout_sink.ts";

/**
 * The shared output ring: `buffers[i]` is slot i; `state[i]` is 0 while the worker may fill it, 1 while taken.
 * `overflow` (growable, up to {@linkcode OVERFLOW_MAX_BYTES}) takes records larger than a slot, as slot
 * `buffers.length` (its state is the last cell of `state`). `order` is a RecordOrder's buffer
 * (src/parallel/worker_signals.ts): the order in which the slots filled (or, slot -1, the buffers of `records`
 * messages, for records larger than the overflow) are to be handed to the sinks, readable without the event loop.
 */
export interface OutputSlots {
  buffers: SharedArrayBuffer[];
  overflow: SharedArrayBuffer;
  state: SharedArrayBuffer;
  order: SharedArrayBuffer;
}

/** The most the overflow slot grows to (address space reserved, memory used only as it grows). */
export const OVERFLOW_MAX_BYTES = 64 << 20;

/** Main thread → worker. */
export type ToWorker =
  /**
   * First message: the format's record writer to build (the pairing engine runs on the decoding thread); `failAt` > 0
   * makes the worker throw on that entry (a test hook).
   */
  | {
    type: "start";
    options: LookupStageOptions;
    failAt: number;
    slots: OutputSlots;
    /**
     * Stdout is the only sink and is written through libc: the worker writes the records to descriptor 1 itself
     * (no `records` messages) and reports its stdout sink's counts; the buffer is the stop flag its waits look at.
     */
    stdout: SharedArrayBuffer | null;
    /**
     * With several workers writing stdout themselves, a WriteTurn's buffer (src/parallel/worker_signals.ts): they
     * write each batch's records in its turn. Else null.
     */
    turn: SharedArrayBuffer | null;
    /** The capture chunks lookup entries name by index (src/capture/_chunk_reader.ts ChunkPool), so far. */
    chunks: SharedArrayBuffer[];
    /** A WorkerProgress buffer all the workers share (src/parallel/worker_signals.ts): what each has done. */
    progress: SharedArrayBuffer;
    /** This worker's number, and how many there are (its cells in `progress`; with more than one, batch order). */
    lane: number;
    lanes: number;
  }
  /** A new capture chunk, before any entry names it. */
  | { type: "chunk"; index: number; buffer: SharedArrayBuffer }
  /** Lookups (src/parallel/lookup_batch.ts); `batchEnd`: send the records written so far. */
  | {
    type: "batch";
    /** Shared, or (an oversized entry's, `BatchWriter.reserve`) copied. */
    buffer: ArrayBufferLike;
    used: number;
    batchEnd: boolean;
    /** The batch's number in the run (every worker's batches counted). */
    seq: number;
  }
  /** End of input: send the last records, then the counts. */
  | { type: "finish" };

/** The worker's counters: every numeric counter in `COUNTER_NAMES` order, and decode errors by code. */
export interface WorkerCounts {
  counters: Float64Array;
  decodeErrors: [string, number][];
  /** What the worker's stdout sink counted since the last report (when it writes stdout itself), else null. */
  stdout: RemoteStdoutCounts | null;
}

/** Worker → main thread. */
export type FromWorker =
  /**
   * Record buffers were announced in the order ring (`OutputSlots.order`); `buffer`: the one announced with slot -1
   * (records larger than the overflow slot, written into a grown buffer, copied), else null.
   */
  | { type: "records"; buffer: ArrayBuffer | null }
  /** A lookup batch handled (its buffer handed back), with the counts after it. */
  | ({ type: "ack" } & WorkerCounts)
  /** `finish` done: every record was sent before this. */
  | ({ type: "finished" } & WorkerCounts)
  /** The worker threw: it does nothing more. `stdout`: what its stdout sink wrote since the last report, if any. */
  | { type: "failed"; message: string; stdout: RemoteStdoutCounts | null }
  /** Another worker failed while this one waited for its turn to write stdout: it does nothing more. */
  | ({ type: "stopped" } & WorkerCounts);
