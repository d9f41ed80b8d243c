/**
 * The lookup worker (`-numprocs` 2 or more): writes the records of the lookups the pairing engine completes or gives up
 * on the decoding thread, packed for the format's writer (src/parallel/lookup_entry.ts,
 * src/parallel/transaction_entry.ts). It handles the batches in the order sent and sends back its record buffers in
 * order, each with the number of records it holds. The one pairing engine sees every message of the run, so
 * pairing, table bounds, expiry and duplicates are exactly those of `-numprocs 1`.
 *
 * Protocol: see src/parallel/lookup_protocol.ts. A failure is reported as one `failed` message, after which the
 * worker does nothing more.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { COUNTER_NAMES, Counters } from "../metrics/counters.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { BatchReader } from "./lookup_batch.ts";
import type { FromWorker, OutputSlots, ToWorker, WorkerCounts } from "./lookup_protocol.ts";
import { RecordOrder, WorkerProgress } from "./worker_signals.ts";
import { WORKER_OUTPUT_BYTES } from "./lookup_worker_sizes.ts";
import type { OutputFailure } from "../sinks/sink.ts";
import { type RemoteStdoutCounts, StdoutSink, stdoutWriter, trimStdoutFile } from "../sinks/stdout_sink.ts";
import { stalledReaderReason, StopAsked } from "../sinks/stdout_stall.ts";
import { formatReplay } from "./lookup_entry.ts";

const counters = new Counters();
const output = new RecordBuffer(0);
let slots: OutputSlots | null = null;
let slotState: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(4));
/** What this worker has done, and the order of its record buffers, shared with the main thread. */
let progress = new WorkerProgress();
let order = new RecordOrder();
/** The slot `output` writes into. */
let slot = 0;
/** `counters.records` when the last record buffer was sent. */
let recordsSent = 0;
/** The capture chunks lookup entries name (responses read in place), by index. */
const chunks: Uint8Array[] = [];
let reader: BatchReader | null = null;
let failed = false;
/** Stdout when this worker writes the records itself (stdout is the run's only sink), else null. */
let stdout: StdoutSink | null = null;
let stdoutFailure: OutputFailure | null = null;
let stdoutReported = false;
/** The stdout sink's counts already reported. */
let stdoutWritten = 0;
let stdoutFailed = 0;

/** Never with a transfer list: see RemoteStage's `#post`. */
function post(message: FromWorker): void {
  self.postMessage(message);
}

/** Announce `count` records in `used` bytes of slot `index` (-1: the buffer of the `records` message that follows). */
function announce(index: number, used: number, count: number): void {
  order.announce(index, used, count);
  progress.changed();
}

/** Wait until the main thread has handed the records of slot `index` (the overflow's too) to the sinks. */
function waitFree(index: number): void {
  // Blocks this thread only: the main thread frees slots without waiting on this one (a burst's wait frees them too).
  while (Atomics.load(slotState, index) !== 0) Atomics.wait(slotState, index, 1);
}

/** Write into output slot `index`, once it is free. */
function useSlot(index: number): void {
  waitFree(index);
  slot = index;
  const buffer = slots!.buffers[index];
  output.bytes = new Uint8Array(buffer);
  output.view = new DataView(buffer);
  output.used = 0;
}

/** Send the records written so far, and go on in the next slot. */
function sendRecords(): void {
  if (output.used === 0) return;
  const count = counters.records - recordsSent;
  recordsSent = counters.records;
  if (stdout !== null) {
    // Written here, as the main thread's stdout sink would (its loop over short writes, its failure handling).
    stdout.write(output.records(), count);
    output.reset();
    return;
  }
  if (output.bytes.buffer !== slots!.buffers[slot]) {
    // A record outgrew the slot (RecordBuffer grew into a buffer of its own): its records go through the overflow
    // slot (or, larger still, in a message), and the slot stays ours.
    sendOversized(count);
    useSlot(slot);
    return;
  }
  Atomics.store(slotState, slot, 1);
  announce(slot, output.used, count);
  post({ type: "records", buffer: null });
  useSlot((slot + 1) % slots!.buffers.length);
}

/** The records of a buffer grown past its slot: copied into the overflow slot, grown to fit, or sent in a message. */
function sendOversized(count: number): void {
  const overflow = slots!.overflow;
  if (output.used > overflow.maxByteLength) {
    announce(-1, output.used, count);
    post({ type: "records", buffer: output.bytes.buffer as ArrayBuffer });
    return;
  }
  const index = slots!.buffers.length;
  waitFree(index);
  if (overflow.byteLength < output.used) overflow.grow(output.used);
  new Uint8Array(overflow, 0, output.used).set(output.bytes.subarray(0, output.used));
  Atomics.store(slotState, index, 1);
  announce(index, output.used, count);
  post({ type: "records", buffer: null });
}

function counts(): WorkerCounts {
  const values = new Float64Array(COUNTER_NAMES.length);
  for (let i = 0; i < COUNTER_NAMES.length; i++) values[i] = counters[COUNTER_NAMES[i]];
  return {
    counters: values,
    decodeErrors: [...counters.decodeErrors],
    stdout: stdoutCounts(),
  };
}

/** What the stdout sink counted since the last report, and its failure the first time it is reported. */
function stdoutCounts(): RemoteStdoutCounts | null {
  if (stdout === null) return null;
  const { written, failed } = stdout.stats;
  const counts = { written: written - stdoutWritten, failed: failed - stdoutFailed, failure: null as null | Failure };
  stdoutWritten = written;
  stdoutFailed = failed;
  if (stdoutFailure !== null && !stdoutReported) {
    stdoutReported = true;
    counts.failure = { message: stdoutFailure.error.message, brokenPipe: stdoutFailure.brokenPipe };
  }
  return counts;
}

type Failure = NonNullable<RemoteStdoutCounts["failure"]>;

/** A stdout sink on this thread's own libc handle, giving up on a stalled reader by the main thread's stop flag. */
function openStdout(stopBuffer: SharedArrayBuffer): StdoutSink {
  const stop = new StopAsked(stopBuffer);
  const writer = stdoutWriter((waited) => stalledReaderReason(stop.signals, waited)) ?? Deno.stdout;
  return new StdoutSink(writer, { trimPartial: trimStdoutFile, onFailure: (failure) => stdoutFailure = failure });
}

async function start(message: Extract<ToWorker, { type: "start" }>): Promise<void> {
  for (const buffer of message.chunks) chunks.push(new Uint8Array(buffer));
  progress = new WorkerProgress(message.progress);
  slots = message.slots;
  slotState = new Int32Array(slots.state);
  order = new RecordOrder(slots.order);
  if (message.stdout !== null) {
    stdout = openStdout(message.stdout);
    // Slot 0, written out here and reused: the main thread never reads a slot, so none is ever taken.
    output.bytes = new Uint8Array(slots.buffers[0]);
    output.view = new DataView(output.bytes.buffer);
    output.used = 0;
  } else useSlot(0);
  let entries = 0;
  const failAt = message.failAt;
  const check = failAt > 0
    ? () => {
      if (++entries === failAt) throw new Error(`test hook: failing on entry ${failAt} as asked`);
    }
    : () => {};
  // The records of lookups paired on the decoding thread.
  reader = await formatReplay(message.options, counters, output, chunks, () => {
    if (output.used >= WORKER_OUTPUT_BYTES) sendRecords();
  }, check);
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "start":
      return await start(message);
    case "chunk":
      chunks[message.index] = new Uint8Array(message.buffer);
      return;
    case "batch": {
      reader!.read(new Uint8Array(message.buffer), message.used);
      if (message.batchEnd) sendRecords();
      // The batch and the chunks it names may be reused from now on.
      progress.batchDone();
      post({ type: "ack", ...counts() });
      return;
    }
    case "finish":
      sendRecords();
      post({ type: "finished", ...counts() });
      return;
  }
}

/** The messages handled so far: each waits for the one before (`start` may wait for an import), so order holds. */
let handled: Promise<void> = Promise.resolve();

self.onmessage = (event: MessageEvent<ToWorker>) => {
  handled = handled.then(() => receive(event.data));
};

async function receive(message: ToWorker): Promise<void> {
  if (failed) return;
  try {
    await handle(message);
  } catch (error) {
    failed = true;
    progress.fail();
    // The records it wrote to stdout since the last ack are counted all the same.
    const reason = error instanceof Error ? error.message : String(error);
    post({ type: "failed", message: reason, stdout: stdoutCounts() });
  }
}
