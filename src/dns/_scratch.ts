/**
 * A reusable UTF-16 code-unit buffer for building ASCII strings without per-character string
 * concatenation: decoders write char codes, then make one string with `String.fromCharCode.apply`.
 * Measured on Deno 2: about 3x faster than `s += String.fromCharCode(c)` for a 14-character name.
 *
 * Internal to src/dns; not re-entrant (finish one string before starting the next).
 *
 * @module
 */

/** Large enough for a 255-octet name with every byte escaped as `\DDD` (4 x 255 + dots). */
export const SCRATCH: Uint16Array = new Uint16Array(2048);

const fromCharCode = String.fromCharCode;

/** Packed arrays of exact length, one per size (apply() on a packed array takes V8's fast path). */
const EXACT_MAX = 256;
const EXACT: number[][] = [];
for (let n = 0; n <= EXACT_MAX; n++) EXACT.push(new Array<number>(n).fill(0));

/** The string made of `SCRATCH[0..n)`. */
export function scratchString(n: number): string {
  if (n <= EXACT_MAX) {
    const a = EXACT[n];
    for (let i = 0; i < n; i++) a[i] = SCRATCH[i];
    return fromCharCode.apply(null, a);
  }
  let s = "";
  for (let i = 0; i < n; i += EXACT_MAX) {
    const m = Math.min(EXACT_MAX, n - i);
    const a = EXACT[m];
    for (let j = 0; j < m; j++) a[j] = SCRATCH[i + j];
    s += fromCharCode.apply(null, a);
  }
  return s;
}

/** Write `\DDD` (RFC 1035 §5.1: a byte as a backslash and three decimal digits) at `SCRATCH[n]`; returns the new length. */
export function decimalEscapeInto(n: number, x: number): number {
  SCRATCH[n++] = 0x5c;
  SCRATCH[n++] = 0x30 + ((x / 100) | 0);
  SCRATCH[n++] = 0x30 + (((x / 10) | 0) % 10);
  SCRATCH[n++] = 0x30 + (x % 10);
  return n;
}
