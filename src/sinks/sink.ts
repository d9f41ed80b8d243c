/**
 * One small interface for every output. Records are encoded once, by the format, into the pipeline's output
 * buffer; each sink receives them in batches of whole newline-terminated records. `write` is called when the
 * buffer fills and at the end of every capture batch, just before `flush`; `flush` is awaited at the end of every
 * capture batch and at exit, `close` once at exit.
 *
 * Zero-copy contract: the bytes handed to `write` alias the pipeline's reused buffer and are valid only during
 * the call; a sink that keeps them (a queue, a retry) copies them with `.slice()`.
 */
export interface Sink {
  readonly name: string;
  /** One or more whole records, each ending with a newline (UTF-8; the default format is pure ASCII). */
  write(records: Uint8Array): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Hands each batch of records to several sinks. */
export class FanOut implements Sink {
  readonly name = "fan-out";
  constructor(readonly sinks: Sink[]) {}

  write(records: Uint8Array): void {
    for (const sink of this.sinks) sink.write(records);
  }

  async flush(): Promise<void> {
    for (const sink of this.sinks) await sink.flush();
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close();
  }
}
