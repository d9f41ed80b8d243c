/**
 * Capture timestamps rendered as text. Both layouts share the date and time of day, which is computed once per
 * second and cached: consecutive packets almost always fall in the same second.
 */

import { Constant, putConstant, putFourDigits } from "./_put.ts";

let cachedSec = Number.NaN;
let cachedDateTime = "";

/** `YYYY-MM-DD HH:MM:SS` (UTC) for whole seconds since the epoch. */
function dateTime(tsSec: number): string {
  if (tsSec !== cachedSec) {
    cachedSec = tsSec;
    // toISOString gives YYYY-MM-DDTHH:MM:SS.sssZ for years 0..9999, the range of a capture file's 32-bit seconds.
    const iso = new Date(tsSec * 1000).toISOString();
    cachedDateTime = iso.slice(0, 10) + " " + iso.slice(11, 19);
  }
  return cachedDateTime;
}

const NANOS_PAD = "000000000";

function nineDigits(tsNsec: number): string {
  const digits = String(tsNsec);
  return NANOS_PAD.slice(digits.length) + digits;
}

/**
 * Go's `Time.String()` of a UTC time: `2006-01-02 15:04:05.999999999 +0000 UTC`, the fraction with trailing zeros
 * trimmed and no dot when it is zero (the layout of gopassivedns's `tstamp`).
 */
export function goTimeString(tsSec: number, tsNsec: number): string {
  if (tsNsec === 0) return dateTime(tsSec) + " +0000 UTC";
  let fraction = nineDigits(tsNsec);
  let end = fraction.length;
  while (fraction.charCodeAt(end - 1) === 48) end--;
  fraction = fraction.slice(0, end);
  return dateTime(tsSec) + "." + fraction + " +0000 UTC";
}

const encoder = new TextEncoder();

/** Most bytes {@linkcode putGoTime} writes: the prefix, date and time, a dot and nine digits, the suffix. */
export const GO_TIME_MAX = 19 + 10 + 10;

/** Per n below 10000: how many trailing zeros its four zero-padded digits end with (4 for 0). */
const TRAILING_ZEROS4 = new Uint8Array(10000);
for (let n = 0; n < 10000; n++) {
  let zeros = 0;
  for (let m = n; zeros < 4 && m % 10 === 0; m /= 10) zeros++;
  TRAILING_ZEROS4[n] = zeros;
}

/**
 * {@linkcode goTimeString} as a word writer (src/record/_put.ts), between constant bytes that are written with
 * it in the same copies: `before` + date and time (cached per second), the fraction, `" +0000 UTC"` + `after`. At
 * most {@linkcode GO_TIME_MAX} + `before.length` + `after.length` bytes; returns the index after them.
 */
export class GoTimeWriter {
  readonly #before: Uint8Array;
  /** `before` then the date and time of `#sec`. */
  #head: Constant;
  #sec = Number.NaN;
  /** `" +0000 UTC"` then `after`. */
  readonly #tail: Constant;

  constructor(before: Uint8Array, after: Uint8Array) {
    this.#before = before;
    this.#head = new Constant(before);
    this.#tail = new Constant(new Uint8Array([...encoder.encode(" +0000 UTC"), ...after]));
  }

  put(v: DataView, d: Uint8Array, u: number, tsSec: number, tsNsec: number): number {
    if (tsSec !== this.#sec) {
      this.#sec = tsSec;
      this.#head = new Constant(new Uint8Array([...this.#before, ...encoder.encode(dateTime(tsSec))]));
    }
    u = putConstant(v, d, u, this.#head);
    if (tsNsec !== 0) u = putFraction(v, d, u, tsNsec);
    return putConstant(v, d, u, this.#tail);
  }
}

/** `.` and the nine digits of `tsNsec` (not 0) with the trailing zeros trimmed (word writer: see src/record/_put.ts). */
function putFraction(v: DataView, d: Uint8Array, u: number, tsNsec: number): number {
  d[u] = 0x2e; // "."
  if (tsNsec >>> 0 === tsNsec && tsNsec < 1e9) {
    // Written as 1 + 4 + 4 digits, zero-padded; the trailing zeros are then left past the returned index.
    const first = (tsNsec / 1e8) | 0;
    const rest = tsNsec - first * 1e8;
    const high = (rest / 1e4) | 0;
    const low = rest - high * 1e4;
    d[u + 1] = 0x30 + first;
    putFourDigits(v, u + 2, high);
    putFourDigits(v, u + 6, low);
    const zeros = low !== 0 ? TRAILING_ZEROS4[low] : high !== 0 ? 4 + TRAILING_ZEROS4[high] : 8;
    return u + 1 + 9 - zeros;
  }
  // Outside the usual range (a malformed capture's timestamp): digit by digit, as the earlier writer did.
  let digits = 9;
  let fraction = tsNsec;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  for (let i = digits; i > 0; i--) {
    const q = Math.floor(fraction / 10);
    d[u + i] = 0x30 + fraction - q * 10;
    fraction = q;
  }
  return u + digits + 1;
}

/** RFC 3339 with nanoseconds, UTC: `2017-07-14T02:40:00.001000000Z`. */
export function rfc3339Nano(tsSec: number, tsNsec: number): string {
  const text = dateTime(tsSec);
  return text.slice(0, 10) + "T" + text.slice(11) + "." + nineDigits(tsNsec) + "Z";
}

/** Nanoseconds from `a` to `b` (exact while the gap is under about 104 days). */
export function elapsedNs(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return (bSec - aSec) * 1e9 + (bNsec - aNsec);
}
