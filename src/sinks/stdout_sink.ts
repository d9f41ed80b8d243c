import { LineBuffer, syncWriter } from "./line_buffer.ts";
import type { Sink } from "./sink.ts";

/**
 * Records to standard output, one JSON text per line. Writes are synchronous: a reader that stops reading
 * pushes back on capture, as a pipe should (libpcap then counts kernel drops in live mode).
 */
export class StdoutSink implements Sink {
  readonly name = "stdout";
  readonly #lines: LineBuffer;

  constructor(target: { writeSync(p: Uint8Array): number } = Deno.stdout) {
    this.#lines = new LineBuffer(syncWriter(target));
  }

  write(line: string): void {
    this.#lines.append(line);
  }

  flush(): Promise<void> {
    this.#lines.drain();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.flush();
  }
}
