/**
 * The decoding thread's side of `-numprocs` 2 or more: the lookups the pairing engine hands its writer are packed into
 * batches (src/parallel/lookup_batch.ts) and sent, in order, to the lookup workers (src/parallel/lookup_worker.ts,
 * `-numprocs` minus one of them), each batch to the next worker in turn; they write the records and send their record
 * buffers back, which are handed to the sink in batch order (with several workers each marks where a batch's records
 * end; writing stdout themselves, they take turns: `WriteTurn`), so the output is the bytes of `-numprocs 1`. The
 * workers' counts are added to the run's counters as they come (with each batch's `ack`), so every counter ends at the
 * `-numprocs 1` total.
 *
 * Bounds: at each capture batch end the caller awaits {@linkcode RemoteStage.batchEnd}, which waits until at most
 * {@linkcode MAX_BATCHES_AFTER_END} lookup batches are in flight; the records of a batch come back before its
 * `ack`, so the record buffers in flight are bounded too.
 *
 * Small inputs: a worker costs tens of ms to start, so for a regular file none is started until a first batch fills
 * (`startBytes`); a file that ends before that is handed back whole ({@linkcode RemoteStage.takeUnstarted}) for the
 * caller to run inline, with the same result. A stream (a pipe, a FIFO) starts it at its first batch end, so that
 * its records are not held back.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { LOG_CATEGORY } from "../config/logging.ts";
import type { Counters } from "../metrics/counters.ts";
import type { LookupStageOptions } from "../lookup_stage.ts";
import { FanOut, type Sink } from "../sinks/sink.ts";
import { StdoutSink } from "../sinks/stdout_sink.ts";
import type { ChunkPool } from "../capture/_chunk_reader.ts";
import { BatchWriter } from "./lookup_batch.ts";
import { SharedBufferPool } from "./shared_buffer_pool.ts";
import { type FromWorker, OVERFLOW_MAX_BYTES } from "./lookup_protocol.ts";
import { BATCH_END, WorkerProgress, WriteTurn } from "./worker_signals.ts";
import { WorkerLane } from "./worker_lane.ts";

/**
 * Bytes of packed lookups per message to the worker, unless the options say otherwise: the transaction format's
 * (about 1 200 lookups of the benchmark's traffic), whose entries carry whole queries.
 */
export const BATCH_BYTES = 256 << 10;
/**
 * The default format's batches: about 6 000 lookups of the benchmark's traffic. Measured on the 1M-pair file
 * against 256 KiB (medians of 12 alternating runs): 1.32 against 1.36 s, the decoding thread's CPU 1.06 against
 * 1.10 s (half the messages and acknowledgements each way), 3 MB more peak RSS. The transaction format's records
 * gained less and its peak RSS is near its bound (4 MB more), so it keeps {@linkcode BATCH_BYTES}.
 */
export const DEFAULT_FORMAT_BATCH_BYTES = 512 << 10;
/**
 * Lookup batches that may still be in flight when a capture batch end returns (a 1 MiB chunk adds about 4), with one
 * worker; each further worker may have one more.
 */
export const MAX_BATCHES_AFTER_END = 2;
/**
 * Capture chunk size when the worker reads responses in place ({@linkcode ChunkPool}): a chunk is reused once the
 * batches naming it are done, so two to four are in use; 1 MiB keeps that near the single 4 MiB buffer of
 * one thread.
 */
export const SHARED_CHUNK_BYTES = 1 << 20;
/**
 * Lookup batches in flight at most while this thread waits for the worker in a burst (see `#holdBurst`): 1 MiB in
 * the transaction format, the only one that bursts (the default format packs only answered lookups). A
 * capture chunk's entries can fill more (in the transaction format, about ten), so the flow between two batch ends
 * may wait here too: measured on the 1M-pair file, no slower than at 16; the floods of issue 7 peak 2–5 MB lower.
 */
export const MAX_BATCHES_IN_BURST = 4;
/**
 * The first batch's bytes when the worker starts with the run (a large file, live capture); the next ones double up to
 * the batch size. The worker is ready 40–50 ms after it is created; a full first batch of the default format took this
 * thread's cold code 25–30 ms more to fill, while the worker waited (timeline of session 16). Measured on the 1M-pair
 * file, two threads, alternating runs: default format 966 against 971 ms median, 883 against 901 ms fastest (30 each);
 * transaction format 1717 against 1739 ms median (12 each). Small, within the machine's noise, in both directions.
 */
export const FIRST_BATCH_BYTES = 32 << 10;
/** A burst's wait gives up (and lets the batches grow) after the worker has made no progress for this long. */
const BURST_PATIENCE_MS = 10_000;
const BURST_WAIT_MS = 100;
/** After a worker failed, how long the others writing stdout themselves may take to stop and report what they wrote. */
const STOP_PATIENCE_MS = 5_000;
/** Chunks that may wait for the first batch before the worker is started (then the batch goes, and starts it). */
const UNSTARTED_CHUNKS = 4;

const log = getLogger([LOG_CATEGORY, "pipeline"]);
const EMPTY = new ArrayBuffer(0);

/** The lookup worker failed (it threw, or could not start): the run ends with status 1. */
export class LookupWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LookupWorkerError";
  }
}

export interface RemoteStageOptions {
  stage: LookupStageOptions;
  /** Lookup workers (default 1): `-numprocs` minus one. */
  workers?: number;
  /** Packed bytes held before the worker is started: 0 starts it at once (live capture must not hold records). */
  startBytes: number;
  /** Bytes per batch of packed lookups (default {@linkcode BATCH_BYTES}). */
  batchBytes?: number;
  /** > 0: the worker throws on this entry (a test hook, see `DENOPASSIVEDNS_TEST_WORKER_FAIL_AT`). */
  failAt?: number;
  /** The most the overflow slot grows to (tests make it small, to send larger records in messages). */
  overflowMaxBytes?: number;
}

export class RemoteStage implements ChunkPool {
  readonly writer: BatchWriter;
  /** The workers: batch n goes to `lanes[n % lanes.length]`. */
  readonly #lanes: WorkerLane[];
  /** The workers were started. */
  #started = false;
  #failure: LookupWorkerError | null = null;
  #failureThrown = false;
  #endingBatch = false;
  /** `finish` was sent: nothing more goes to the worker, and no new one is started. */
  #closed = false;
  /** The batch buffers, each freed once the worker has finished it (`#inFlight` says which, in order). */
  readonly #batches: SharedBufferPool;
  readonly #batchBytes: number;
  /** Batches sent (empty batch ends included), and freed: those the workers have finished (`#done`). */
  #batchesSent = 0;
  #batchesFreed = 0;
  /** The pool index of each batch in flight, oldest first (-1: a buffer not from the pool). */
  readonly #inFlight: number[] = [];
  /** Capture chunks the worker reads in place (ChunkPool), named by index in the entries. */
  readonly #chunks = new SharedBufferPool(SHARED_CHUNK_BYTES);
  /** Chunks the reader left: [index, the number of the last batch that may name it], free once that one is done. */
  readonly #retiredChunks: [number, number][] = [];
  /** With several workers: the batch whose records are handed on next (`#deliver`). */
  #delivering = 0;
  /** With several workers writing stdout themselves: whose turn it is (null otherwise). */
  readonly #turn: WriteTurn | null;
  /** Batches in flight when a capture batch end returns, and in a burst (one more per further worker). */
  readonly #maxAfterEnd: number;
  readonly #maxInBurst: number;
  /** Resolved at the next message from the worker (or its failure). */
  #waiters: (() => void)[] = [];

  /** Stdout when it is the only sink and the worker writes its records itself (see `soleStdout`), else null. */
  readonly #stdout: StdoutSink | null;

  constructor(readonly options: RemoteStageOptions, readonly counters: Counters, readonly sink: Sink) {
    this.#stdout = soleStdout(sink);
    const workers = Math.max(1, options.workers ?? 1);
    const progress = WorkerProgress.buffer(workers);
    const overflow = options.overflowMaxBytes ?? OVERFLOW_MAX_BYTES;
    this.#lanes = Array.from({ length: workers }, (_, i) => new WorkerLane(i, progress, overflow));
    this.#turn = workers > 1 && this.#stdout !== null ? new WriteTurn() : null;
    this.#maxAfterEnd = MAX_BATCHES_AFTER_END + workers - 1;
    this.#maxInBurst = MAX_BATCHES_IN_BURST + workers - 1;
    this.#batchBytes = options.batchBytes ?? BATCH_BYTES;
    this.#batches = new SharedBufferPool(this.#batchBytes);
    // A worker started when a first batch fills (`startBytes`) waits for a full one, as a small file needs none.
    const firstBytes = options.startBytes <= 0 ? FIRST_BATCH_BYTES : this.#batchBytes;
    this.writer = new BatchWriter(
      this.#batchBytes,
      (buffer, used) => this.#send(buffer, used),
      () => this.#buffer(),
      firstBytes,
    );
    this.writer.chunkIndexOf = (bytes) => this.chunkIndexOf(bytes);
    if (options.startBytes <= 0) this.#start();
  }

  /**
   * A capture batch ended: let the worker send the records it holds, and wait while it is too far behind. Before the
   * worker has started, `holdRecords` (a regular file) keeps everything held; otherwise the worker starts now.
   * @throws {LookupWorkerError} once, when the worker has failed
   */
  async batchEnd(holdRecords: boolean): Promise<void> {
    this.#check();
    if (!this.#started) {
      // A regular file's records may wait until a batch fills or the input ends; a stream's may not.
      if (holdRecords || this.#failure !== null || this.#closed) return;
      this.#start();
    }
    // A regular file's records wait until the worker's buffer fills (or the input ends): fewer, larger writes.
    if (!holdRecords) {
      this.#endingBatch = true;
      if (this.writer.used > 0) this.writer.sendNow();
      else this.#send(EMPTY, 0);
      this.#endingBatch = false;
    }
    while (this.#batchesSent - this.#done() > this.#maxAfterEnd && this.#failure === null && !this.#closed) {
      await this.#nextMessage();
    }
    this.#check();
  }

  /** Lookup batches made so far: as many as were ever in flight together (for tests). */
  get batchesMade(): number {
    return this.#batches.arrays.length;
  }

  /** The capture chunks by index (to read entries that name them on this thread: `takeUnstarted`). */
  get chunks(): readonly Uint8Array[] {
    return this.#chunks.arrays;
  }

  /**
   * The index of the capture chunk `bytes` is, or -1. The very array handed out, not another view of its memory: an
   * entry's offsets are into the chunk as the worker sees it.
   */
  chunkIndexOf(bytes: Uint8Array): number {
    const index = this.#chunks.indexOf(bytes.buffer);
    return index >= 0 && this.#chunks.arrays[index] === bytes ? index : -1;
  }

  take(minBytes: number): Uint8Array {
    const made = this.#chunks.arrays.length;
    const index = this.#chunks.take(minBytes);
    const chunk = this.#chunks.arrays[index];
    // A worker started later gets every chunk in its start message.
    if (index === made && this.#started && this.#failure === null && !this.#closed) {
      for (const lane of this.#lanes) lane.post({ type: "chunk", index, buffer: chunk.buffer });
    }
    return chunk;
  }

  retire(buffer: Uint8Array): void {
    const index = this.#chunks.indexOf(buffer.buffer);
    if (index < 0) return;
    // Entries naming it are in the batch being filled and the batches in flight. The one being filled goes now, so
    // that a chunk waits only for batches in flight, which batch ends bound, even when lookups are too rare to fill a
    // batch (a flood of unanswered queries packs nothing for many chunks). Before the worker is started, a few
    // chunks may wait with the batch, so that a small file still runs inline (`takeUnstarted`).
    const send = this.#started || this.#retiredChunks.length >= UNSTARTED_CHUNKS;
    if (send) this.writer.sendNow();
    this.#retiredChunks.push([index, this.writer.used > 0 ? this.#batchesSent : this.#batchesSent - 1]);
    this.#release();
  }

  /**
   * The batches finished, in order: with several workers, up to the first one not finished (each worker finishes
   * its own in order; worker i has batches i, i + n, i + 2n, ...).
   */
  #done(): number {
    const lanes = this.#lanes;
    if (lanes.length === 1) return lanes[0].progress.done;
    let done = this.#batchesSent;
    for (let i = 0; i < lanes.length; i++) done = Math.min(done, lanes[i].progress.done * lanes.length + i);
    return done;
  }

  #failed(): boolean {
    for (const lane of this.#lanes) if (lane.progress.failed) return true;
    return false;
  }

  /** Batches the workers have finished, and chunks whose last batch they have finished, are free again. */
  #release(): void {
    const done = this.#done();
    while (this.#batchesFreed < done) {
      const index = this.#inFlight.shift()!;
      // Free again: there are never more than were once in flight together.
      if (index >= 0) this.#batches.free(index);
      this.#batchesFreed++;
    }
    const retired = this.#retiredChunks;
    while (retired.length > 0 && retired[0][1] < done) this.#chunks.free(retired.shift()![0]);
  }

  /**
   * One message can give up a whole table at once (an expiry sweep, the end of input), and with the transaction format
   * each lookup given up is packed, all before this thread returns to its event loop: unbounded, a burst's batches
   * could hold as much as the table again (measured: 30 000 orphan 64 KB responses peaked at 177 MB against 131 MB
   * with one thread). So while more than {@linkcode MAX_BATCHES_IN_BURST} batches are in flight, this thread waits
   * for the worker here, blocking, and meanwhile hands the record buffers the worker announces to the sinks (the
   * worker may be waiting for an output slot). Not before the worker has finished a first batch (it may not have
   * started, which only the event loop would report), nor after it has failed (it says so in its progress), nor while
   * the next records come in a message (a record larger than the overflow slot), nor longer than
   * {@linkcode BURST_PATIENCE_MS} without any progress: never a hang.
   */
  #holdBurst(): void {
    if (!this.#started || this.#failure !== null || this.#closed) return;
    // Every worker's events are counted in one cell of the buffer they share: any lane's progress waits on them all.
    const progress = this.#lanes[0].progress;
    if (this.#done() === 0) return;
    let waitedMs = 0;
    for (;;) {
      const events = progress.events;
      if (!this.#deliver()) return;
      if (this.#batchesSent - this.#done() <= this.#maxInBurst || this.#failed()) return;
      // Returns at once if anything happened since `events` was read.
      if (progress.waitPast(events, BURST_WAIT_MS)) waitedMs = 0;
      else if ((waitedMs += BURST_WAIT_MS) >= BURST_PATIENCE_MS) return;
    }
  }

  /**
   * Hand the record buffers the worker announced to the sinks, in order, freeing their slots. Returns false when the
   * next one is the buffer of a `records` message not yet received (only the event loop brings it).
   */
  #deliver(): boolean {
    const lanes = this.#lanes;
    for (;;) {
      // One worker: its announcements in order. Several: the worker of the batch being handed on, up to its end.
      const lane = lanes.length === 1 ? lanes[0] : lanes[this.#delivering % lanes.length];
      const order = lane.order;
      if (!order.next()) return true;
      const { slot, used, count } = order;
      if (slot === BATCH_END) {
        this.#delivering++;
      } else if (slot < 0) {
        const buffer = lane.oversized.shift();
        if (buffer === undefined) return false;
        this.sink.write(new Uint8Array(buffer, 0, used), count);
      } else {
        // Sinks copy what they keep past `write` (src/sinks/sink.ts): the slot is free again once it returns.
        this.sink.write(lane.slotRecords(slot, used), count);
        lane.freeSlot(slot);
      }
      order.delivered();
    }
  }

  /** Without a worker started: the packed input so far (the caller runs it inline), else null. */
  takeUnstarted(): { bytes: Uint8Array; used: number } | null {
    if (this.#started || this.#failure !== null || this.#closed) return null;
    return { bytes: this.writer.bytes, used: this.writer.used };
  }

  /**
   * End of input: the worker gives up on what is pending and sends its last records, which are written before this
   * resolves; the worker is then ended.
   * @throws {LookupWorkerError} once, when the worker has failed
   */
  async finish(): Promise<void> {
    if (this.#started && this.#failure === null && !this.#closed) {
      this.writer.sendNow();
      this.#closed = true;
      for (const lane of this.#lanes) lane.post({ type: "finish" });
      while (!this.#lanes.every((lane) => lane.ended) && this.#failure === null) await this.#nextMessage();
    }
    if (this.#failure !== null && this.#turn !== null) await this.#othersEnded();
    this.#terminate();
    this.#closed = true;
    this.#wake(); // a batch end still waiting (after a signal's grace) waits no more
    this.#check();
  }

  #check(): void {
    if (this.#failure === null || this.#failureThrown) return;
    this.#failureThrown = true;
    throw this.#failure;
  }

  #start(): void {
    const lanes = this.#lanes;
    log.debug(`Starting ${lanes.length === 1 ? "the lookup worker" : `${lanes.length} lookup workers`} (-numprocs)`);
    this.#started = true;
    for (const lane of lanes) {
      const worker = new Worker(new URL("./lookup_worker.ts", import.meta.url), { type: "module" });
      lane.worker = worker;
      worker.onmessage = (event: MessageEvent<FromWorker>) => this.#receive(lane, event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#fail(event.message, lane);
      };
      worker.onmessageerror = () => this.#fail("a message from it could not be read", lane);
      lane.post({
        type: "start",
        options: this.options.stage,
        failAt: this.options.failAt ?? 0,
        slots: lane.slots,
        stdout: this.#stdout?.workerStopAsked ?? null,
        turn: this.#turn?.buffer ?? null,
        chunks: this.#chunks.arrays.map((chunk) => chunk.buffer),
        progress: lane.progress.buffer,
        lane: lane.index,
        lanes: lanes.length,
      });
    }
  }

  #send(buffer: ArrayBufferLike, used: number): void {
    // The run is ending (a failure, or a batch still delivering after the finish: main.ts's grace after a signal).
    if (this.#failure !== null || this.#closed) return;
    if (!this.#started) this.#start();
    const seq = this.#batchesSent++;
    // -1: a buffer the writer made for one oversized message (BatchWriter.reserve), copied, never reused.
    this.#inFlight.push(this.#batches.indexOf(buffer));
    const lanes = this.#lanes;
    const lane = lanes.length === 1 ? lanes[0] : lanes[seq % lanes.length];
    lane.post({ type: "batch", buffer, used, batchEnd: this.#endingBatch, seq });
  }

  /** After a failure: the other workers writing stdout stop at their next turn and report (`#fail`); not forever. */
  async #othersEnded(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const patience = new Promise<void>((resolve) => timer = setTimeout(resolve, STOP_PATIENCE_MS));
    while (!this.#lanes.every((lane) => lane.ended)) {
      if (await Promise.race([this.#nextMessage().then(() => false), patience.then(() => true)])) break;
    }
    clearTimeout(timer);
  }

  #terminate(): void {
    for (const lane of this.#lanes) {
      lane.worker?.terminate();
      lane.worker = null;
    }
  }

  #buffer(): SharedArrayBuffer {
    this.#holdBurst();
    this.#release();
    return this.#batches.arrays[this.#batches.take(this.#batchBytes)].buffer;
  }

  #nextMessage(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #receive(lane: WorkerLane, message: FromWorker): void {
    switch (message.type) {
      case "records":
        if (message.buffer !== null) lane.oversized.push(message.buffer);
        this.#deliver();
        break;
      case "ack":
        this.#release();
        lane.addCounts(message, this.counters, this.#stdout);
        // With several workers, a batch without records is announced only by its end.
        if (this.#lanes.length > 1) this.#deliver();
        break;
      case "finished":
      case "stopped":
        lane.addCounts(message, this.counters, this.#stdout);
        lane.ended = true;
        break;
      case "failed":
        if (message.stdout !== null) this.#stdout?.addRemote(message.stdout);
        this.#fail(message.message, lane);
        break;
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #fail(reason: string, lane: WorkerLane): void {
    if (this.#failure !== null) return;
    this.#failure = new LookupWorkerError(`The lookup worker failed: ${reason}; stopping`);
    const turn = this.#turn;
    if (turn === null) {
      // One worker, or records handed on by this thread, which writes no more of them: nothing left to count.
      this.#terminate();
    } else {
      // Several workers writing stdout themselves: the others stop at their next turn (or finish, idle) and report
      // what they wrote, which `finish` waits for.
      turn.giveUp();
      lane.worker?.terminate();
      lane.worker = null;
      lane.ended = true;
      for (const other of this.#lanes) if (other.worker !== null && !other.ended) other.post({ type: "finish" });
    }
    this.#wake();
  }
}

/**
 * The stdout sink when it is the run's only sink and a worker may write for it. Then the worker writes the records
 * to descriptor 1 itself: the main thread, the busier of the two, no longer spends the write(2) time on them
 * (README, "Threads"). With any other sink the records come here, as the others are not thread-safe to share.
 */
function soleStdout(sink: Sink): StdoutSink | null {
  const only = sink instanceof FanOut && sink.sinks.length === 1 ? sink.sinks[0] : sink;
  return only instanceof StdoutSink && only.workerStopAsked !== null ? only : null;
}
