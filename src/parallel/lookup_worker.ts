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
import { BATCH_END, RecordOrder, TurnGivenUp, WorkerProgress, WriteTurn } from "./worker_signals.ts";
import { OUTPUT_SLOT_BYTES, WORKER_OUTPUT_BYTES } from "./lookup_worker_sizes.ts";
import type { OutputFailure } from "../sinks/sink.ts";
import { type RemoteStdoutCounts, StdoutSink, stdoutWriter, trimStdoutFile } from "../sinks/stdout_sink.ts";
import { stalledReaderReason, StopAsked } from "../sinks/stdout_stall.ts";
import { formatReplay } from "./lookup_entry.ts";

const counters = new Counters();
/** The records written since the last send, in this thread's own memory (see `sendRecords`). */
const output = new RecordBuffer(OUTPUT_SLOT_BYTES);
let slots: OutputSlots | null = null;
let slotState: Int32Array<SharedArrayBuffer> = new Int32Array(new SharedArrayBuffer(4));
/** What this worker has done, and the order of its record buffers, shared with the main thread. */
let progress = new WorkerProgress();
let order = new RecordOrder();
/**
 * One of several workers: each batch's records are sent at its end, marked (or, to stdout, written in the batch's
 * turn), so that the main thread hands them on in batch order.
 */
let ordered = false;
let turn: WriteTurn | null = null;
/** The number of the batch being read. */
let seq = 0;
/** The output slot the next records go into. */
let slot = 0;
/** `counters.records` when the last record buffer was sent. */
let recordsSent = 0;
/** The capture chunks lookup entries name (responses read in place), by index. */
const chunks: Uint8Array[] = [];
let reader: BatchReader | null = null;
/** Each batch is read from a copy in this thread's own memory: see {@linkcode ownCopy}. */
let batchCopy = new Uint8Array(0);
let failed = false;
/** Stdout when this worker writes the records itself (stdout is the run's only sink), else null. */
let stdout: StdoutSink | null = null;
let stdoutFailure: OutputFailure | null = null;
let stdoutReported = false;
/** The stdout sink's counts already reported. */
let stdoutWritten = 0;
let stdoutFailed = 0;

/** Never with a transfer list: see `WorkerLane.post` (src/parallel/worker_lane.ts). */
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

/**
 * Send the records written so far: into the next output slot, once it is free (or, to stdout alone, written out here).
 * They are written in this thread's own memory and copied into the slot in one piece: V8 copies into shared memory
 * word by word only between addresses of the same alignment, else byte by byte, so the records' many small copies
 * (constants, names, sections) cost up to four times as much written in a slot (measured on the 1M-pair file, both
 * formats written in a slot: 0.2 CPU-s more in the transaction format), and one aligned copy of a slot costs about
 * 30 µs.
 */
function sendRecords(): void {
  if (output.used === 0) return;
  const count = counters.records - recordsSent;
  recordsSent = counters.records;
  if (stdout !== null) {
    // Written here, as the main thread's stdout sink would (its loop over short writes, its failure handling).
    turn?.waitFor(seq);
    stdout.write(output.records(), count);
  } else if (output.used > slots!.buffers[slot].byteLength) {
    // A record outgrew the slot: the records go through the overflow slot (or, larger still, in a message).
    sendOversized(count);
  } else {
    waitFree(slot);
    new Uint8Array(slots!.buffers[slot], 0, output.used).set(output.records());
    Atomics.store(slotState, slot, 1);
    announce(slot, output.used, count);
    post({ type: "records", buffer: null });
    slot = (slot + 1) % slots!.buffers.length;
  }
  output.reset();
  // A record larger than a slot grew the buffer: back to a slot's size, so that one large record is not kept.
  if (output.bytes.length > OUTPUT_SLOT_BYTES) {
    output.bytes = new Uint8Array(OUTPUT_SLOT_BYTES);
    output.view = new DataView(output.bytes.buffer);
  }
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

/**
 * The batch's `used` bytes copied into this thread's own memory (one copy, reused). The records copy spans out of a
 * batch with `set` (a walked response's sections, its question's name), and V8 copies out of shared memory word by
 * word only between addresses of the same alignment, else byte by byte: a 600-byte span into a record at any offset
 * took 164 ns against 50 ns from unshared memory (Deno 2.9), while the batch's one aligned copy costs about 20 µs.
 */
function ownCopy(buffer: ArrayBufferLike, used: number): Uint8Array {
  if (batchCopy.length < used) batchCopy = new Uint8Array(used);
  batchCopy.set(new Uint8Array(buffer, 0, used));
  return batchCopy;
}

/** With several workers: the batch's records go now, and the main thread (or the next batch's writer) is told. */
function endBatch(): void {
  sendRecords();
  if (turn !== null) {
    // In turn even when nothing was written: the turn passes from batch to batch in order.
    turn.waitFor(seq);
    turn.pass(seq);
  } else if (stdout === null) {
    // Handed on at this batch's `ack` (or by a burst's wait), which follows at once.
    announce(BATCH_END, 0, 0);
  }
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
  progress = new WorkerProgress(message.progress, message.lane);
  ordered = message.lanes > 1;
  if (message.turn !== null) turn = new WriteTurn(message.turn);
  slots = message.slots;
  slotState = new Int32Array(slots.state);
  order = new RecordOrder(slots.order);
  if (message.stdout !== null) stdout = openStdout(message.stdout);
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
      seq = message.seq;
      reader!.read(ownCopy(message.buffer, message.used), message.used);
      if (ordered) endBatch();
      else if (message.batchEnd) sendRecords();
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
    if (error instanceof TurnGivenUp) {
      // Not this worker's failure: the one that failed reports it. What this one wrote is counted all the same.
      post({ type: "stopped", ...counts() });
      return;
    }
    progress.fail();
    // The records it wrote to stdout since the last ack are counted all the same.
    const reason = error instanceof Error ? error.message : String(error);
    post({ type: "failed", message: reason, stdout: stdoutCounts() });
    // After the report, so that it comes before those of the workers this wakes.
    turn?.giveUp();
  }
}
