/**
 * One small interface for every output. A record is encoded once (a JSON text without the newline) and handed
 * to each sink; `flush` is awaited at the end of every capture batch and at exit, `close` once at exit.
 */
export interface Sink {
  readonly name: string;
  write(line: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Hands each record to several sinks. */
export class FanOut implements Sink {
  readonly name = "fan-out";
  constructor(readonly sinks: Sink[]) {}

  write(line: string): void {
    for (const sink of this.sinks) sink.write(line);
  }

  async flush(): Promise<void> {
    for (const sink of this.sinks) await sink.flush();
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close();
  }
}
