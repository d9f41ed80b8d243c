import { countRecords, type Sink, SinkStats } from "./sink.ts";

/**
 * Records to standard output, one JSON text per line. Each batch arrives already encoded and is written at once
 * (about 1 MiB per system call). Writes are synchronous: a reader that stops reading pushes back on capture, as a
 * pipe should (libpcap then counts kernel drops in live mode).
 */
export class StdoutSink implements Sink {
  readonly name = "stdout";
  readonly stats = new SinkStats();
  readonly #writeAll: (bytes: Uint8Array) => void;

  constructor(target: { writeSync(p: Uint8Array): number } = Deno.stdout) {
    this.#writeAll = syncWriter(target);
  }

  write(records: Uint8Array): void {
    this.#writeAll(records);
    this.stats.written += countRecords(records);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A `writeAll` for anything with `writeSync` (Deno.stdout, Deno.FsFile), looping over short writes. */
export function syncWriter(target: { writeSync(p: Uint8Array): number }): (bytes: Uint8Array) => void {
  return (bytes) => {
    let offset = 0;
    while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
  };
}
