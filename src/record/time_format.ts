/**
 * Capture timestamps rendered as text. Both layouts share the date and time of day, which is computed once per
 * second and cached: consecutive packets almost always fall in the same second.
 */

import { putBytes } from "./_put.ts";

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

/**
 * {@linkcode goTimeString} as a cursor writer (src/record/_put.ts), between constant bytes that are written with
 * it in the same copies: `before` + date and time (cached per second), the fraction, `" +0000 UTC"` + `after`. At
 * most {@linkcode GO_TIME_MAX} + `before.length` + `after.length` bytes; returns the index after them.
 */
export class GoTimeWriter {
  readonly #before: Uint8Array;
  /** `before` then the date and time of `#sec`. */
  #head: Uint8Array;
  #sec = Number.NaN;
  /** `" +0000 UTC"` then `after`. */
  readonly #tail: Uint8Array;

  constructor(before: Uint8Array, after: Uint8Array) {
    this.#before = before;
    this.#head = before;
    this.#tail = new Uint8Array([...encoder.encode(" +0000 UTC"), ...after]);
  }

  put(d: Uint8Array, u: number, tsSec: number, tsNsec: number): number {
    if (tsSec !== this.#sec) {
      this.#sec = tsSec;
      this.#head = new Uint8Array([...this.#before, ...encoder.encode(dateTime(tsSec))]);
    }
    u = putBytes(d, u, this.#head);
    if (tsNsec !== 0) {
      // Nine digits with the trailing zeros trimmed: drop them first, then write what is left, zero-padded.
      let digits = 9;
      let fraction = tsNsec;
      while (fraction % 10 === 0) {
        fraction /= 10;
        digits--;
      }
      d[u] = 0x2e; // "."
      for (let i = digits; i > 0; i--) {
        const q = Math.floor(fraction / 10);
        d[u + i] = 0x30 + fraction - q * 10;
        fraction = q;
      }
      u += digits + 1;
    }
    return putBytes(d, u, this.#tail);
  }
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
