/**
 * The lookup worker (`-numprocs` 2 or more): runs the post-decode stage (src/lookup_stage.ts) on the datagram batches
 * the decoding thread sends (src/parallel/datagram_batch.ts), in the order sent, and sends back its record buffers
 * in order, each with the number of records it holds. It sees every datagram of the run, so pairing, table bounds,
 * expiry and duplicates are exactly those of `-numprocs 1`.
 *
 * Protocol: see src/parallel/lookup_protocol.ts. A failure is reported as one `failed` message, after which the
 * worker does nothing more.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type LookupStage, newLookupStage } from "../lookup_stage.ts";
import { COUNTER_NAMES, Counters } from "../metrics/counters.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { BatchReader } from "./datagram_batch.ts";
import type { FromWorker, ToWorker } from "./lookup_protocol.ts";

/**
 * Records are sent once this many bytes are waiting (and at each capture batch end): half the inline path's batch,
 * as the buffers in flight count twice (here and on the main thread); the writes stay large enough to cost little.
 */
const WORKER_OUTPUT_BYTES = 2 << 20;
const OUTPUT_CAPACITY = WORKER_OUTPUT_BYTES + (WORKER_OUTPUT_BYTES >> 2);

const counters = new Counters();
const output = new RecordBuffer(OUTPUT_CAPACITY);
/**
 * Output buffers the main thread handed back once written. None is ever dropped: a new one is made only when none
 * is free, so there are never more than were once in flight together (dropped ones stayed resident until a full
 * collection: measured 20 MB more peak RSS).
 */
const free: ArrayBuffer[] = [];
/** `counters.records` when the last record buffer was sent. */
let recordsSent = 0;
let stage: LookupStage | null = null;
let reader: BatchReader | null = null;
let failed = false;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/** Send the records written so far, and go on in a free buffer. */
function sendRecords(): void {
  if (output.used === 0) return;
  const buffer = output.bytes.buffer as ArrayBuffer;
  post({ type: "records", buffer, used: output.used, count: counters.records - recordsSent }, [buffer]);
  recordsSent = counters.records;
  const next = free.pop();
  output.bytes = next === undefined ? new Uint8Array(OUTPUT_CAPACITY) : new Uint8Array(next);
  output.view = new DataView(output.bytes.buffer);
  output.used = 0;
}

function counts(): { counters: Float64Array; decodeErrors: [string, number][]; pending: number } {
  const values = new Float64Array(COUNTER_NAMES.length);
  for (let i = 0; i < COUNTER_NAMES.length; i++) values[i] = counters[COUNTER_NAMES[i]];
  return { counters: values, decodeErrors: [...counters.decodeErrors], pending: stage?.pendingCount ?? 0 };
}

function start(message: Extract<ToWorker, { type: "start" }>): void {
  const lookup = newLookupStage(message.options, counters, output, sendRecords, WORKER_OUTPUT_BYTES);
  stage = lookup;
  let datagrams = 0;
  const failAt = message.failAt;
  reader = new BatchReader(
    failAt > 0
      ? (d) => {
        if (++datagrams === failAt) throw new Error(`test hook: failing on datagram ${failAt} as asked`);
        lookup.handle(d);
      }
      : (d) => lookup.handle(d),
    (sec, nsec) => lookup.advanceClock(sec * 1000 + nsec / 1e6),
  );
}

function handle(message: ToWorker): void {
  switch (message.type) {
    case "start":
      return start(message);
    case "batch": {
      reader!.read(new Uint8Array(message.buffer), message.used);
      if (message.batchEnd) sendRecords();
      post({ type: "ack", buffer: message.buffer, ...counts() }, [message.buffer]);
      return;
    }
    case "recycle":
      if (message.buffer.byteLength >= OUTPUT_CAPACITY) free.push(message.buffer);
      return;
    case "finish":
      stage!.flush();
      sendRecords();
      post({ type: "finished", ...counts() });
      return;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  if (failed) return;
  try {
    handle(event.data);
  } catch (error) {
    failed = true;
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
  }
};
