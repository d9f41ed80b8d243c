/**
 * Per-message decoding state shared by the section and RDATA decoders: the bytes (the message is
 * `bytes[base, end)`: every position is an index into `bytes`, and a compression pointer's offset,
 * relative to the message start, is `base + offset`; so a message read in place in a larger buffer
 * needs no view of its own),
 * the position after the last read name, the last error (decoders report errors by returning
 * `null` and leaving them here, so a bad RR costs no exception), and a small name cache keyed by
 * offset (compression points at the same few names again and again).
 *
 * Internal to src/dns. Not re-entrant: one reader decodes one message at a time.
 *
 * @module
 */

/** Names remembered per message; more distinct targets than this are simply decoded again. */
export const NAME_CACHE_SIZE = 32;

const EMPTY = new Uint8Array(0);

export class MessageReader {
  /** The buffer holding the message; `bytes[base]` is the first byte of the DNS header. */
  bytes: Uint8Array = EMPTY;
  /** Where the message starts in `bytes`: compression pointer offsets are relative to it. */
  base = 0;
  /** The message end in `bytes`. */
  end = 0;
  /** Position after the last name or RDATA field read. */
  next = 0;
  /** The last failure: DecodeError code, byte offset and sentence-case message. */
  errCode = "";
  errOffset = 0;
  errMessage = "";
  /** Name cache: number of entries used, then one row per entry across these arrays. */
  cacheCount = 0;
  readonly cacheOffset: Int32Array = new Int32Array(NAME_CACHE_SIZE);
  /** Target of the first pointer followed while decoding the cached name, or -1 when none. */
  readonly cacheFirstTarget: Int32Array = new Int32Array(NAME_CACHE_SIZE);
  readonly cacheName: string[] = new Array<string>(NAME_CACHE_SIZE).fill("");

  /** Point the reader at a new message, the whole of `bytes`, and forget the old names. */
  reset(bytes: Uint8Array): void {
    this.resetRange(bytes, 0, bytes.byteLength);
  }

  /** Point the reader at the message `bytes[start, end)` and forget the old names. */
  resetRange(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.base = start;
    this.end = end;
    this.next = start;
    this.errCode = "";
    this.cacheCount = 0;
  }

  /**
   * Record a failure and return `null`, so callers can `return r.fail(...)`. `offset` is relative to the message
   * start, as in every DecodeError.
   */
  fail(code: string, offset: number, message: string): null {
    this.errCode = code;
    this.errOffset = offset;
    this.errMessage = message;
    return null;
  }
}

/** Big-endian uint16 at `p` (callers have bounds-checked the whole fixed block). */
export function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** Big-endian uint32 at `p` (callers have bounds-checked the whole fixed block). */
export function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}
