/**
 * A bounded queue and a retry loop in front of a slow output (syslog, Fluentd, Kafka): the pipeline hands it
 * encoded batches and never waits; delivery runs in the background, one batch at a time, in order.
 *
 * - Bounded by bytes and by records: a batch that does not fit is dropped whole and counted (`dropped`), the
 *   newest data, as Vector's `when_full = "drop_newest"` does; what is queued is never reordered.
 * - A failed delivery is retried after a back-off with jitter (doubling from `retryInitialMs` to `retryMaxMs`),
 *   as long as the sink is open; each retry is counted (`retried`). The first error of an episode is reported
 *   once (`onError`), and the recovery after it too, so an outage does not flood stderr.
 * - `close()` waits until the queue is empty or `closeTimeoutMs` passed, then counts what is left as `failed`.
 *
 * @module
 */

import { countRecords, type Sink, SinkStats } from "./sink.ts";

/** The network end of a queued sink. */
export interface RecordTransport {
  /**
   * Deliver one batch of whole newline-terminated records (the sink's own copy, kept until this settles).
   * Resolve once the batch is delivered (acknowledged, where the protocol has acknowledgements); reject when none
   * of it can be taken to be delivered, and the queue retries the whole batch. A transport that can deliver part
   * of a batch keeps track of that itself, so a retry does not duplicate records.
   *
   * May resolve with the number of records of the batch that can never be delivered and were skipped (e.g. a record
   * too long for one UDP datagram): they are counted as `failed`, the rest as `written`.
   */
  send(records: Uint8Array, count: number): Promise<void | number>;
  /** Release connections; called once, after the last `send` settled. */
  close(): Promise<void>;
}

export interface QueuedSinkOptions {
  /** Most bytes held (default 64 MiB). */
  maxQueueBytes: number;
  /** Most records held (default 1 000 000). */
  maxQueueRecords: number;
  /** First back-off after a failed delivery (default 100 ms). */
  retryInitialMs: number;
  /** Longest back-off (default 5 s). */
  retryMaxMs: number;
  /** How long `close()` waits for the queue to empty (default 5 s). */
  closeTimeoutMs: number;
  /** Told once per episode of errors, and when delivery recovers (`error` null). */
  onError: (sink: string, error: unknown | null) => void;
}

export const DEFAULT_QUEUED_SINK_OPTIONS: QueuedSinkOptions = {
  maxQueueBytes: 64 << 20,
  maxQueueRecords: 1_000_000,
  retryInitialMs: 100,
  retryMaxMs: 5_000,
  closeTimeoutMs: 5_000,
  onError: () => {},
};

interface QueuedBatch {
  readonly bytes: Uint8Array;
  readonly count: number;
}

export class QueuedSink implements Sink {
  readonly stats = new SinkStats();
  readonly #options: QueuedSinkOptions;
  readonly #queue: QueuedBatch[] = [];
  #head = 0;
  #queuedBytes = 0;
  #pumping: Promise<void> | null = null;
  #closing = false;
  #inError = false;
  /** Wakes a back-off sleep early when the sink is closed (then the remaining time is the close deadline's). */
  #wake: (() => void) | null = null;

  constructor(
    readonly name: string,
    readonly transport: RecordTransport,
    options: Partial<QueuedSinkOptions> = {},
  ) {
    this.#options = { ...DEFAULT_QUEUED_SINK_OPTIONS, ...options };
  }

  /** Bytes waiting in the queue. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  write(records: Uint8Array, count: number = countRecords(records)): void {
    if (count === 0) return;
    if (
      this.#closing ||
      this.#queuedBytes + records.length > this.#options.maxQueueBytes ||
      this.stats.queued + count > this.#options.maxQueueRecords
    ) {
      this.stats.dropped += count;
      return;
    }
    this.#queue.push({ bytes: records.slice(), count });
    this.#queuedBytes += records.length;
    this.stats.queued += count;
    this.#pumping ??= this.#pump().finally(() => this.#pumping = null);
  }

  /** Never waits for delivery: capture must not stall behind a slow server. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#pumping !== null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, this.#options.closeTimeoutMs));
      this.#wake?.();
      await Promise.race([this.#pumping, deadline]);
      clearTimeout(timer);
    }
    // Whatever is still queued (or being sent) when the deadline passed is not delivered.
    this.stats.failed += this.stats.queued;
    this.stats.queued = 0;
    this.#queue.length = 0;
    this.#head = 0;
    this.#queuedBytes = 0;
    await this.transport.close();
  }

  async #pump(): Promise<void> {
    let backoff = this.#options.retryInitialMs;
    while (this.#head < this.#queue.length) {
      const batch = this.#queue[this.#head];
      let undeliverable: void | number;
      try {
        undeliverable = await this.transport.send(batch.bytes, batch.count);
      } catch (error) {
        if (!this.#inError) this.#options.onError(this.name, error);
        this.#inError = true;
        if (this.#closing && this.stats.queued === 0) return; // close() gave up on it meanwhile
        this.stats.retried += batch.count;
        await this.#sleep(backoff / 2 + Math.random() * backoff / 2);
        backoff = Math.min(backoff * 2, this.#options.retryMaxMs);
        continue;
      }
      if (this.#inError) this.#options.onError(this.name, null);
      this.#inError = false;
      backoff = this.#options.retryInitialMs;
      if (this.stats.queued === 0) return; // close() counted it as failed while it was in flight
      const skipped = typeof undeliverable === "number" ? Math.min(undeliverable, batch.count) : 0;
      this.stats.written += batch.count - skipped;
      this.stats.failed += skipped;
      this.stats.queued -= batch.count;
      this.#queuedBytes -= batch.bytes.length;
      this.#queue[this.#head++] = undefined as unknown as QueuedBatch; // let the batch be collected
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
    }
    this.#queue.length = 0;
    this.#head = 0;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#closing ? Math.min(ms, 50) : ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => this.#wake = null);
  }
}
