/**
 * Bounded-memory streaming over a capture file: one reusable chunk buffer, filled by one `read` per
 * batch, with the unconsumed tail (at most one partial record) moved to the front before each read.
 * The buffer grows only when a single record is bigger than it, up to a hard cap. With a {@linkcode ChunkPool}
 * (a lookup worker reads messages in place) each read fills a fresh buffer from the pool instead, and from a regular
 * file the next one is read while the one before is handled (`ChunkReader.read`).
 *
 * @module
 */

import { CaptureError } from "./packet.ts";

/**
 * Default chunk size: tens of thousands of DNS packets per batch, so the per-batch work (a read, a flush of the
 * records) is paid rarely; system calls are expensive in sandboxed kernels (gVisor) where this was measured.
 */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** Largest buffer ever allocated; a record needing more is corruption (libpcap's pcapng block cap). */
export const MAX_BUFFER_SIZE = 16 * 1024 * 1024;
/**
 * Room left at the front of a chunk read ahead (see {@linkcode ChunkReader.read}) for the partial record the chunk
 * before ends with; a longer one (a frame near pcap's 256 KiB snap length) is joined in a buffer of its own.
 */
export const CARRY_ROOM = 64 * 1024;

/**
 * Chunk buffers shared with another thread that reads the packets' bytes in place after the reader has moved on
 * (src/parallel/remote_stage.ts): each read takes a buffer, and the one it leaves is retired, to be reused only once
 * that thread is done with it.
 */
export interface ChunkPool {
  /** A free buffer of at least `minBytes`. */
  take(minBytes: number): Uint8Array;
  /** The reader no longer reads `buffer` (one the pool did not hand out is ignored). */
  retire(buffer: Uint8Array): void;
}

/**
 * What the reader needs from a file or stdin (Deno.FsFile and Deno.stdin both fit). With `readSync` (a regular
 * file, whose reads never wait for a writer) the reader reads synchronously: measured on the 1M-pair benchmark,
 * an async read waited for at once left the main thread idle for 150–175 ms where the same reads done synchronously
 * took 75–105 ms. With a pool it reads ahead instead (an async read made one chunk early is done when it is needed).
 */
export interface ByteInput {
  read(p: Uint8Array): Promise<number | null>;
  readSync?(p: Uint8Array): number | null;
  close(): void;
}

/** Reads a capture input chunk by chunk; parsers walk `buf` from `pos` to `end` and advance `pos`. */
export class ChunkReader {
  /** The chunk buffer; views handed out are valid until the next `read`. */
  buf: Uint8Array;
  /** DataView over `buf` (replaced when `buf` grows). */
  view: DataView;
  /** Index in `buf` of the first unconsumed byte. */
  pos = 0;
  /** Index in `buf` one past the last byte read. */
  end = 0;
  /** File offset of `buf[0]`, so `base + i` names a byte for error messages. */
  base = 0;
  /** Bytes still to discard from the input (a skipped block longer than what was buffered). */
  pendingSkip = 0;
  /** Set before the first read: buffers come from the pool, one per read (see {@linkcode ChunkPool}). */
  pool: ChunkPool | null = null;
  /** With a pool, from a regular file: read each chunk while the one before is handled (see {@linkcode read}). */
  readAhead = false;
  #closed = false;
  /** With a pool, from a regular file: the read under way into the next chunk, from file offset `at`. */
  #ahead: { chunk: Uint8Array; at: number; read: Promise<number | null> } | null = null;

  constructor(readonly input: ByteInput, readonly name: string, chunkSize = DEFAULT_CHUNK_SIZE) {
    this.buf = new Uint8Array(Math.max(64, Math.min(chunkSize, MAX_BUFFER_SIZE)));
    this.view = new DataView(this.buf.buffer);
  }

  /** Whether reads complete without going through the event loop (the caller must then yield to it). */
  get synchronous(): boolean {
    return this.input.readSync !== undefined;
  }

  /** Unconsumed bytes in the buffer. */
  get available(): number {
    return this.end - this.pos;
  }

  /** File offset of buffer index `i` (default: the first unconsumed byte). */
  offset(i: number = this.pos): number {
    return this.base + i;
  }

  /**
   * Moves the unconsumed tail to the front, makes room for `need` unconsumed bytes, and reads once.
   * Returns the number of bytes read; 0 means end of input.
   */
  async read(need: number): Promise<number> {
    if (this.pool !== null && this.readAhead && this.input.readSync !== undefined) {
      return await this.#readAhead(this.pool, need);
    }
    if (this.pool !== null) this.#takeFromPool(this.pool, need);
    else {
      if (this.pos > 0) {
        this.buf.copyWithin(0, this.pos, this.end);
        this.base += this.pos;
        this.end -= this.pos;
        this.pos = 0;
      }
      if (need > this.buf.length) this.#grow(need);
      if (this.end === this.buf.length) this.#grow(this.buf.length + 1);
    }
    let n: number | null;
    try {
      const into = this.buf.subarray(this.end);
      n = this.input.readSync !== undefined ? this.input.readSync(into) : await this.input.read(into);
    } catch (err) {
      throw new CaptureError(
        `Cannot read capture file ${this.name} at byte ${this.offset(this.end)}: ${(err as Error).message}`,
      );
    }
    if (n === null || n === 0) return 0;
    this.end += n;
    if (this.pendingSkip > 0) this.skip(this.pendingSkip);
    return n;
  }

  /** Reads until `n` unconsumed bytes are buffered; false if the input ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.available < n) {
      if (await this.read(n) === 0) return false;
    }
    return true;
  }

  /** Consumes `n` bytes without buffering them: what is not yet read is discarded by later reads. */
  skip(n: number): void {
    const now = Math.min(n, this.available);
    this.pos += now;
    this.pendingSkip = n - now;
  }

  /** `Capture file NAME is STATE at byte AT: DETAIL`, e.g. STATE "truncated" or "corrupt". */
  error(state: string, at: number, detail: string): CaptureError {
    return new CaptureError(`Capture file ${this.name} is ${state} at byte ${at}: ${detail}`);
  }

  /** Closes the input once; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A read still under way ends with the file (its result is not wanted).
    this.#ahead?.read.catch(() => {});
    this.#ahead = null;
    try {
      this.input.close();
    } catch {
      // Already closed by the runtime (e.g. stdin at exit): nothing left to release.
    }
  }

  /**
   * A regular file shared with a lookup worker: each chunk is read while the one before is decoded (an async read,
   * which Deno does on a thread of its own), so the copy from the page cache leaves the decoding thread, whose time
   * bounds a run with a worker (measured on the 1M-pair file: its reads took ~66 ms of that thread). The chunk is
   * read at {@linkcode CARRY_ROOM}, and the unconsumed tail of the one before goes just in front of it; one read is
   * under way at a time, so the file is read in order.
   */
  async #readAhead(pool: ChunkPool, need: number): Promise<number> {
    const ahead = this.#ahead ?? this.#startRead(pool);
    this.#ahead = null;
    let n: number | null;
    try {
      n = await ahead.read;
    } catch (err) {
      pool.retire(ahead.chunk);
      throw new CaptureError(
        `Cannot read capture file ${this.name} at byte ${ahead.at}: ${(err as Error).message}`,
      );
    }
    if (n === null || n === 0) {
      pool.retire(ahead.chunk);
      return 0;
    }
    const tail = this.end - this.pos;
    let next = ahead.chunk;
    let start = CARRY_ROOM - tail;
    if (tail > CARRY_ROOM || tail + n < need) {
      // A long partial record, or a record longer than what the two hold: joined in a buffer of its own.
      const size = Math.max(need, tail + n + 1);
      if (size > MAX_BUFFER_SIZE) {
        throw this.error("corrupt", this.offset(), `a record needs ${size} bytes (limit ${MAX_BUFFER_SIZE})`);
      }
      next = pool.take(size);
      next.set(ahead.chunk.subarray(CARRY_ROOM, CARRY_ROOM + n), tail);
      pool.retire(ahead.chunk);
      start = 0;
    }
    next.set(this.buf.subarray(this.pos, this.end), start);
    pool.retire(this.buf);
    this.base = ahead.at - tail - start;
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    this.pos = start;
    this.end = start + tail + n;
    if (!this.#closed) this.#ahead = this.#startRead(pool);
    if (this.pendingSkip > 0) this.skip(this.pendingSkip);
    return n;
  }

  /** The next chunk's read, from where the last one ended (`base + end`: the reads so far, in order). */
  #startRead(pool: ChunkPool): { chunk: Uint8Array; at: number; read: Promise<number | null> } {
    const chunk = pool.take(CARRY_ROOM + 1);
    return { chunk, at: this.base + this.end, read: this.input.read(chunk.subarray(CARRY_ROOM)) };
  }

  /** Go on in a buffer from the pool, with the unconsumed tail at its front and room for `need` bytes and one more. */
  #takeFromPool(pool: ChunkPool, need: number): void {
    const tail = this.end - this.pos;
    const size = Math.max(need, tail + 1);
    if (size > MAX_BUFFER_SIZE) {
      throw this.error("corrupt", this.offset(), `a record needs ${size} bytes (limit ${MAX_BUFFER_SIZE})`);
    }
    const next = pool.take(size);
    next.set(this.buf.subarray(this.pos, this.end));
    pool.retire(this.buf);
    this.base += this.pos;
    this.end = tail;
    this.pos = 0;
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  #grow(need: number): void {
    if (need > MAX_BUFFER_SIZE) {
      throw this.error("corrupt", this.offset(), `a record needs ${need} bytes (limit ${MAX_BUFFER_SIZE})`);
    }
    const size = Math.min(MAX_BUFFER_SIZE, Math.max(need, this.buf.length * 2));
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.end));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
}
