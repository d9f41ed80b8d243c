/**
 * The messages between the decoding thread (src/parallel/remote_stage.ts) and the lookup worker
 * (src/parallel/lookup_worker.ts). Buffers are transferred, never copied, and travel in a loop: datagram batches go
 * to the worker and come back with its `ack`; record buffers come from the worker and go back as `recycle` once the
 * sinks have taken them.
 *
 * Order is the contract: the worker handles messages one at a time in the order sent and answers in order, so the
 * records of a batch always arrive before its `ack`, and every record before `finished`.
 *
 * @module
 */

import type { LookupStageOptions } from "../lookup_stage.ts";

/** Main thread → worker. */
export type ToWorker =
  /** First message: the stage to build; `failAt` > 0 makes the worker throw on that datagram (a test hook). */
  | { type: "start"; options: LookupStageOptions; failAt: number }
  /** Datagrams and clock ticks (src/parallel/datagram_batch.ts); `batchEnd`: send the records written so far. */
  | { type: "batch"; buffer: ArrayBuffer; used: number; batchEnd: boolean }
  /** A record buffer the sinks have taken, for reuse. */
  | { type: "recycle"; buffer: ArrayBuffer }
  /** End of input: give up on what is pending, send the last records, then the counts. */
  | { type: "finish" };

/** The worker's counters: every numeric counter in `COUNTER_NAMES` order, and decode errors by code. */
export interface WorkerCounts {
  counters: Float64Array;
  decodeErrors: [string, number][];
  /** Lookups pending in the worker's table. */
  pending: number;
}

/** Worker → main thread. */
export type FromWorker =
  /** `count` records in `buffer[0, used)`. */
  | { type: "records"; buffer: ArrayBuffer; used: number; count: number }
  /** A datagram batch handled (its buffer handed back), with the counts after it. */
  | ({ type: "ack"; buffer: ArrayBuffer } & WorkerCounts)
  /** `finish` done: every record was sent before this. */
  | ({ type: "finished" } & WorkerCounts)
  /** The worker threw: it does nothing more. */
  | { type: "failed"; message: string };
