/**
 * One small interface for every output. Records are encoded once, by the format, into the pipeline's output
 * buffer; each sink receives them in batches of whole newline-terminated records. `write` is called when the
 * buffer fills and at the end of every capture batch, just before `flush`; `flush` is awaited at the end of every
 * capture batch and at exit, `close` once at exit.
 *
 * Zero-copy contract: the bytes handed to `write` alias the pipeline's reused buffer and are valid only during
 * the call; a sink that keeps them (a queue, a retry) copies them with `.slice()`.
 *
 * Two kinds of sink (the choice between blocking and dropping is per sink, stated and counted):
 * - synchronous (stdout, the file): `write` finishes the write before it returns, so a slow reader pushes back on
 *   capture, as a pipe should;
 * - queued (syslog, Fluentd, Kafka: {@linkcode QueuedSink}): `write` only enqueues; when the sink's bounded queue is
 *   full the batch is dropped and counted, so a slow or absent server never stalls capture or the other sinks.
 *
 * @module
 */

/** What one sink did with the records it was handed: the per-sink counters of the summary and the metrics. */
export class SinkStats {
  /** Records delivered (written, or acknowledged by the server). */
  written = 0;
  /** Records not taken because the sink's queue was full. */
  dropped = 0;
  /** Records given up on after errors (including those still queued when the close deadline passed). */
  failed = 0;
  /** Delivery attempts repeated after an error. */
  retried = 0;
  /** Records waiting in the sink's queue now (a gauge). */
  queued = 0;
}

/** A sink that stopped delivering: which one, and the error (a closed pipe is worth telling apart: see main.ts). */
export interface OutputFailure {
  readonly sink: string;
  readonly error: Error;
  /** The reader of a pipe went away (EPIPE): a Unix tool then stops quietly. */
  readonly brokenPipe: boolean;
}

/** The per-sink counter names, in summary order. */
export const SINK_STAT_NAMES = ["written", "dropped", "failed", "retried", "queued"] as const;

export interface Sink {
  /** Short lower-case name used in counters and messages (`stdout`, `file`, `syslog`, `fluentd`, `kafka`). */
  readonly name: string;
  readonly stats: SinkStats;
  /**
   * One or more whole records, each ending with a newline (UTF-8; the default format is pure ASCII). `count` is the
   * number of records when the caller knows it (the pipeline does); without it the sink counts the newlines, which
   * costs about 0.25 s per million records, too much for the hot path.
   */
  write(records: Uint8Array, count?: number): void;
  /** Called after every capture batch: a synchronous sink finishes its writes; a queued one must not wait. */
  flush(): Promise<void>;
  /** At exit: deliver what is held within the sink's own deadline, count the rest as failed, release resources. */
  close(): Promise<void>;
}

/** The number of records (newline bytes) in a batch. */
export function countRecords(records: Uint8Array): number {
  let count = 0;
  let at = records.indexOf(0x0a);
  while (at !== -1) {
    count++;
    at = records.indexOf(0x0a, at + 1);
  }
  return count;
}

/** Hands each batch of records to several sinks, in the order given (the original's: stdout, file, ...). */
export class FanOut implements Sink {
  readonly name = "fan-out";
  readonly stats = new SinkStats();
  constructor(readonly sinks: Sink[]) {}

  write(records: Uint8Array, count: number = countRecords(records)): void {
    for (const sink of this.sinks) sink.write(records, count);
  }

  async flush(): Promise<void> {
    for (const sink of this.sinks) await sink.flush();
  }

  /** Closes every sink at once, so one sink's deadline does not delay the others'. */
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((sink) => sink.close()));
  }
}
