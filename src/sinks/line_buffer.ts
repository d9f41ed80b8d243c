/**
 * Newline-terminated records gathered into one reused byte buffer and written with as few system calls as
 * possible. Records are encoded straight into the buffer (no intermediate string per batch).
 */
export class LineBuffer {
  #buffer: Uint8Array;
  #used = 0;
  readonly #encoder = new TextEncoder();

  /** @param writeAll writes the whole of `bytes` (looping over short writes) before returning. */
  constructor(readonly writeAll: (bytes: Uint8Array) => void, capacity = 1 << 20) {
    this.#buffer = new Uint8Array(capacity);
  }

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.#used;
  }

  append(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; +1 for the newline.
    const worst = line.length * 3 + 1;
    if (this.#used + worst > this.#buffer.length) {
      this.drain();
      if (worst > this.#buffer.length) this.#buffer = new Uint8Array(worst);
    }
    const { written } = this.#encoder.encodeInto(line, this.#buffer.subarray(this.#used));
    this.#used += written;
    this.#buffer[this.#used++] = 0x0a;
  }

  drain(): void {
    if (this.#used === 0) return;
    this.writeAll(this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }
}

/** A `writeAll` for anything with `writeSync` (Deno.stdout, Deno.FsFile), looping over short writes. */
export function syncWriter(target: { writeSync(p: Uint8Array): number }): (bytes: Uint8Array) => void {
  return (bytes) => {
    let offset = 0;
    while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
  };
}
