/**
 * Unchecked cursor writers for the record hot path: each writes at `d[u]` and returns the index after what it
 * wrote. The caller reserves room first (`RecordBuffer.reserve`, with each writer's maximum below), takes
 * `d = out.bytes` and `u = out.used` once, and stores `out.used = u` at the end: one bounds check per record part
 * instead of one per field, and small functions the JIT inlines.
 *
 * Contract: `d` must have room for the documented maximum from `u`; nothing here grows a buffer. The word writers
 * (`putConstant`, `putDigits`, `putFourDigits`, `putNumberWords`) store whole 4- or 8-byte words through a
 * `DataView` `v` over the same bytes as `d`, and may overwrite up to {@linkcode WORD_SLACK} bytes past the index they
 * return (`RecordBuffer.reserve` always leaves that much room beyond what it is asked for). Measured: one word store
 * costs about what one byte's loop iteration does (2–3 ns), and words beat `set`'s ~20 ns flat up to ~48 bytes.
 *
 * @module
 */

/** Constants of this many bytes or fewer are copied byte by byte (below it a loop beats the call into `set`). */
const SHORT_COPY = 16;

/** `src` (any length; the caller reserved `src.length`). */
export function putBytes(d: Uint8Array, u: number, src: Uint8Array): number {
  const n = src.length;
  if (n <= SHORT_COPY) {
    for (let i = 0; i < n; i++) d[u + i] = src[i];
  } else {
    d.set(src, u);
  }
  return u + n;
}

/**
 * Spans up to this long are copied by {@linkcode copyWords}; longer ones with `set`. Measured (Deno 2.9, per copy into
 * shared memory at any alignment): words 6, 21 and 35 ns for 20, 60 and 120 bytes, 150 ns for 600; `set` with its
 * `subarray` view 40, 50 and 63 ns, 55–166 ns for 600 (word by word when both ends share an alignment, else byte by
 * byte); a byte loop 15, 56 and 107 ns.
 */
export const WORD_COPY_MAX = 128;

/**
 * `s[start, end)` at `d[u]`, four bytes a store through the views `sv` (over `s`'s buffer) and `v` (over `d`'s);
 * returns `u` plus the length. Any bytes (integer words: nothing is canonicalised); the last word is the span's last
 * four bytes, so nothing outside either span is read or written. Spans under four bytes go byte by byte.
 */
export function copyWords(
  v: DataView,
  d: Uint8Array,
  u: number,
  sv: DataView,
  s: Uint8Array,
  start: number,
  end: number,
): number {
  const n = end - start;
  if (n < 4) {
    for (let i = 0; i < n; i++) d[u + i] = s[start + i];
    return u + n;
  }
  const last = n - 4;
  for (let i = 0; i < last; i += 4) v.setInt32(u + i, sv.getInt32(start + i, true), true);
  v.setInt32(u + last, sv.getInt32(start + last, true), true);
  return u + n;
}

/** A view of the array last asked about, made again only when the array changes (one buffer serves many copies). */
export class LastView {
  #array: Uint8Array | null = null;
  #view: DataView = new DataView(new ArrayBuffer(0));

  of(array: Uint8Array): DataView {
    if (array !== this.#array) {
      this.#array = array;
      this.#view = new DataView(array.buffer, array.byteOffset, array.byteLength);
    }
    return this.#view;
  }
}

/** `s[start, end)` at `d[u]`: by {@linkcode copyWords} up to {@linkcode WORD_COPY_MAX} bytes, else with `set`. */
export function copySpan(
  v: DataView,
  d: Uint8Array,
  u: number,
  sv: DataView,
  s: Uint8Array,
  start: number,
  end: number,
): number {
  if (end - start <= WORD_COPY_MAX) return copyWords(v, d, u, sv, s, start, end);
  d.set(s.subarray(start, end), u);
  return u + end - start;
}

/** Most bytes {@linkcode putNumber} writes (`String` of any double, e.g. `-1.2345678901234567e+308`). */
export const NUMBER_MAX = 24;

/** `n` as JavaScript prints it (`String(n)`), at most {@linkcode NUMBER_MAX} bytes. */
export function putNumber(d: Uint8Array, u: number, n: number): number {
  if (n >>> 0 === n) return putUint32(d, u, n);
  if (n < 0 && n >= -0xffffffff && Number.isInteger(n)) {
    d[u] = 0x2d; // "-"
    return putUint32(d, u + 1, -n);
  }
  return putText(d, u, String(n));
}

/** The decimal digits of a uint32 `n` (at most 10 bytes). */
export function putUint32(d: Uint8Array, u: number, n: number): number {
  if (n > 0x7fffffff) return putText(d, u, String(n));
  // Below 2^31 the division truncated with `| 0` compiles to integer arithmetic (measured: twice as fast as `>>> 0`).
  const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : manyDigits(n);
  const end = u + digits;
  let p = end;
  do {
    const q = (n / 10) | 0;
    d[--p] = 0x30 + n - q * 10;
    n = q;
  } while (n > 0);
  return end;
}

/** Decimal digits of an int32 of at least 100000. */
function manyDigits(n: number): number {
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** An ASCII text. */
function putText(d: Uint8Array, u: number, text: string): number {
  for (let i = 0; i < text.length; i++) d[u + i] = text.charCodeAt(i);
  return u + text.length;
}

/** Bytes past its returned index that a word writer may overwrite (the caller's reserve covers them). */
export const WORD_SLACK = 8;

/** Constants up to this long are stored as words; longer ones with one `set` (measured: `set` is ~20 ns flat). */
const WORDS_MAX = 80;

/** Scratch for checking that a word survives a store unchanged. */
const CHECK = new DataView(new ArrayBuffer(8));

/**
 * Constant bytes prepared for {@linkcode putConstant}: the bytes, and the same as 8-byte little-endian words (padded
 * with spaces) held as doubles, so one `setFloat64` stores eight bytes. A double is stored bit for bit unless it is
 * a NaN (whose payload may be canonicalised): ASCII text never makes one, and a constant that would is written with
 * `set` instead (`words` is then empty).
 */
export class Constant {
  readonly bytes: Uint8Array;
  readonly words: Float64Array;
  readonly length: number;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
    const padded = new Uint8Array(((bytes.length + 7) >> 3) * 8).fill(0x20);
    padded.set(bytes);
    let words = new Float64Array(padded.buffer);
    for (let i = 0; i < words.length; i++) {
      CHECK.setFloat64(0, words[i], true);
      for (let k = 0; k < 8; k++) if (CHECK.getUint8(k) !== padded[8 * i + k]) words = new Float64Array(0);
    }
    this.words = bytes.length > WORDS_MAX ? new Float64Array(0) : words;
  }
}

/** The constant `c` at `v`/`d[u]` (word writer: see the module's contract). */
export function putConstant(v: DataView, d: Uint8Array, u: number, c: Constant): number {
  const w = c.words;
  const n = w.length;
  if (n === 0) {
    d.set(c.bytes, u);
    return u + c.length;
  }
  // Unrolled by hand for the usual 2 to 4 words (the loop's compare and branch per word cost as much as a store).
  v.setFloat64(u, w[0], true);
  if (n > 1) {
    v.setFloat64(u + 8, w[1], true);
    if (n > 2) {
      v.setFloat64(u + 16, w[2], true);
      if (n > 3) {
        v.setFloat64(u + 24, w[3], true);
        for (let i = 4; i < n; i++) v.setFloat64(u + 8 * i, w[i], true);
      }
    }
  }
  return u + c.length;
}

/** Per n below 10000: its digits as one little-endian word, the same zero-padded to four, and how many there are. */
const DIGITS4 = new Int32Array(10000);
const PADDED4 = new Int32Array(10000);
const LENGTH4 = new Uint8Array(10000);
for (let n = 0; n < 10000; n++) {
  const text = String(n);
  const padded = text.padStart(4, "0");
  LENGTH4[n] = text.length;
  for (let i = 0; i < 4; i++) {
    if (i < text.length) DIGITS4[n] |= text.charCodeAt(i) << (8 * i);
    PADDED4[n] |= padded.charCodeAt(i) << (8 * i);
  }
}

/** The decimal digits of a uint32 `n` (at most 10 bytes; word writer: see the module's contract). */
export function putDigits(v: DataView, d: Uint8Array, u: number, n: number): number {
  if (n < 10000) {
    v.setInt32(u, DIGITS4[n], true);
    return u + LENGTH4[n];
  }
  if (n < 100000000) {
    const high = (n / 10000) | 0;
    v.setInt32(u, DIGITS4[high], true);
    u += LENGTH4[high];
    v.setInt32(u, PADDED4[n - high * 10000], true);
    return u + 4;
  }
  return putUint32(d, u, n);
}

/** `n` (below 10000) as four digits, zero-padded (word writer: see the module's contract). */
export function putFourDigits(v: DataView, u: number, n: number): number {
  v.setInt32(u, PADDED4[n], true);
  return u + 4;
}

/** {@linkcode putNumber} with the digits of a uint32 written as words (see the module's contract). */
export function putNumberWords(v: DataView, d: Uint8Array, u: number, n: number): number {
  return n >>> 0 === n ? putDigits(v, d, u, n) : putNumber(d, u, n);
}

/**
 * Copy `[start, end)` of the buffer to index `u` (after `end`: `u >= end`), 8 bytes a store; returns `u` plus the
 * length. The last word is the span's last 8 bytes, so nothing outside the span is read or written. Bit for bit only
 * for bytes that never make a NaN double (ASCII text: a NaN needs a byte 0x7f or above), which is what gopassivedns
 * records are; spans under 8 bytes are copied byte by byte.
 */
export function copyAsciiWords(v: DataView, d: Uint8Array, u: number, start: number, end: number): number {
  const n = end - start;
  if (n < 8) {
    for (let i = 0; i < n; i++) d[u + i] = d[start + i];
    return u + n;
  }
  const last = n - 8;
  for (let i = 0; i < last; i += 8) v.setFloat64(u + i, v.getFloat64(start + i, true), true);
  v.setFloat64(u + last, v.getFloat64(start + last, true), true);
  return u + n;
}
