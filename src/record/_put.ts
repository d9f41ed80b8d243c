/**
 * Unchecked cursor writers for the record hot path: each writes at `d[u]` and returns the index after what it
 * wrote. The caller reserves room first (`RecordBuffer.reserve`, with each writer's maximum below), takes
 * `d = out.bytes` and `u = out.used` once, and stores `out.used = u` at the end: one bounds check per record part
 * instead of one per field, and small functions the JIT inlines.
 *
 * Contract: `d` must have room for the documented maximum from `u`; nothing here grows a buffer.
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
