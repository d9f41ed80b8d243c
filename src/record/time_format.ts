/**
 * Capture timestamps rendered as text. Both layouts share the date and time of day, which is computed once per
 * second and cached: consecutive packets almost always fall in the same second.
 *
 * Every writer takes any number: a time outside the range of capture times (`MIN_TIME_SEC`..`MAX_TIME_SEC`, years
 * -271821 to 275760, which the capture readers already clamp to) is clamped to it, a fraction of a second is
 * dropped, NaN is the epoch, and nanoseconds outside 0..999 999 999 carry into the seconds. Years outside 0–9999 are
 * written as Go writes them: a plain signed number, at least four digits (`-0001`, `10000`, `-271821`).
 *
 * @module
 */

import { MAX_TIME_SEC, MIN_TIME_SEC } from "../capture/packet.ts";
import { Constant, putConstant, putFourDigits, putNumberWords } from "./_put.ts";

let cachedSec = Number.NaN;
let cachedDateTime = "";

/** `tsSec` as a whole second inside the range of capture times. */
function wholeSecond(tsSec: number): number {
  if (tsSec >= MIN_TIME_SEC && tsSec <= MAX_TIME_SEC) return Math.floor(tsSec);
  return tsSec > MAX_TIME_SEC ? MAX_TIME_SEC : tsSec < MIN_TIME_SEC ? MIN_TIME_SEC : 0;
}

/** A time as whole seconds (any number) and nanoseconds in 0..999 999 999 (anything else carried over). */
function normalize(tsSec: number, tsNsec: number): [number, number] {
  if (tsNsec >>> 0 === tsNsec && tsNsec < 1e9) return [tsSec, tsNsec];
  if (!Number.isFinite(tsNsec)) return [tsSec, 0];
  const carry = Math.floor(tsNsec / 1e9);
  return [tsSec + carry, Math.floor(tsNsec - carry * 1e9)];
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** A year as Go's time package writes it: four digits, more when needed, `-` before a negative one. */
function goYear(year: number): string {
  const digits = String(Math.abs(year));
  return (year < 0 ? "-" : "") + (digits.length < 4 ? "0000".slice(digits.length) + digits : digits);
}

/** `YYYY-MM-DD HH:MM:SS` (UTC) for whole seconds since the epoch; see the module notes for the year. */
function dateTime(tsSec: number): string {
  if (tsSec !== cachedSec) {
    cachedSec = tsSec;
    // Date covers exactly the range of capture times; its calendar is the proleptic Gregorian one, with a year 0.
    const date = new Date(wholeSecond(tsSec) * 1000);
    cachedDateTime = goYear(date.getUTCFullYear()) + "-" + pad2(date.getUTCMonth() + 1) + "-" +
      pad2(date.getUTCDate()) + " " + pad2(date.getUTCHours()) + ":" + pad2(date.getUTCMinutes()) + ":" +
      pad2(date.getUTCSeconds());
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
  [tsSec, tsNsec] = normalize(tsSec, tsNsec);
  if (tsNsec === 0) return dateTime(tsSec) + " +0000 UTC";
  let fraction = nineDigits(tsNsec);
  let end = fraction.length;
  while (fraction.charCodeAt(end - 1) === 48) end--;
  fraction = fraction.slice(0, end);
  return dateTime(tsSec) + "." + fraction + " +0000 UTC";
}

const encoder = new TextEncoder();

/** Most bytes {@linkcode GoTimeWriter} writes: date and time (a 7-character year), a dot and nine digits, the suffix. */
export const GO_TIME_MAX = 22 + 10 + 10;

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
    if (!(tsNsec >>> 0 === tsNsec && tsNsec < 1e9)) [tsSec, tsNsec] = normalize(tsSec, tsNsec);
    if (tsSec !== this.#sec) {
      this.#sec = tsSec;
      this.#head = new Constant(new Uint8Array([...this.#before, ...encoder.encode(dateTime(tsSec))]));
    }
    u = putConstant(v, d, u, this.#head);
    if (tsNsec !== 0) u = putFraction(v, d, u, tsNsec);
    return putConstant(v, d, u, this.#tail);
  }
}

/** `.` and the nine digits of `tsNsec` (1..999 999 999) with the trailing zeros trimmed (word writer: see _put.ts). */
function putFraction(v: DataView, d: Uint8Array, u: number, tsNsec: number): number {
  d[u] = 0x2e; // "."
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

/** RFC 3339 with nanoseconds, UTC: `2017-07-14T02:40:00.001000000Z` (the year as the module notes say). */
export function rfc3339Nano(tsSec: number, tsNsec: number): string {
  [tsSec, tsNsec] = normalize(tsSec, tsNsec);
  const text = dateTime(tsSec);
  const space = text.length - 9;
  return text.slice(0, space) + "T" + text.slice(space + 1) + "." + nineDigits(tsNsec) + "Z";
}

/** Nanoseconds from `a` to `b`: exact while the gap is under about 104 days (2^53 ns); see {@linkcode goElapsedNs}. */
export function elapsedNs(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return (bSec - aSec) * 1e9 + (bNsec - aNsec);
}

const MAX_DURATION = (1n << 63n) - 1n;
const MIN_DURATION = -(1n << 63n);

/**
 * Go's `b.Sub(a)` in nanoseconds, exact at any gap: an int64 that saturates at -2^63 and 2^63-1 as Go's does. A
 * number when it is a safe integer (nearly always), else a bigint.
 */
export function goElapsedNs(aSec: number, aNsec: number, bSec: number, bNsec: number): number | bigint {
  const fast = elapsedNs(aSec, aNsec, bSec, bNsec);
  if (Number.isSafeInteger(fast)) return fast;
  [aSec, aNsec] = normalize(aSec, aNsec);
  [bSec, bNsec] = normalize(bSec, bNsec);
  const ns = (BigInt(wholeSecond(bSec)) - BigInt(wholeSecond(aSec))) * 1_000_000_000n + BigInt(bNsec - aNsec);
  return ns > MAX_DURATION ? MAX_DURATION : ns < MIN_DURATION ? MIN_DURATION : ns;
}

/** Most bytes {@linkcode putElapsed} writes (`-9223372036854775808`). */
export const ELAPSED_MAX = 20;

/** {@linkcode goElapsedNs} as decimal digits (word writer: see src/record/_put.ts). */
export function putElapsed(
  v: DataView,
  d: Uint8Array,
  u: number,
  aSec: number,
  aNsec: number,
  bSec: number,
  bNsec: number,
): number {
  const ns = goElapsedNs(aSec, aNsec, bSec, bNsec);
  if (typeof ns === "number") return putNumberWords(v, d, u, ns);
  const text = String(ns);
  for (let i = 0; i < text.length; i++) d[u + i] = text.charCodeAt(i);
  return u + text.length;
}

/** Most bytes {@linkcode Rfc3339Writer} writes besides its `before` and `after`: quotes, a year of up to seven characters, the rest fixed. */
export const RFC3339_MAX = 2 + 7 + 26;

/**
 * {@linkcode rfc3339Nano} as a JSON string between constant texts (`before` + the quoted time + `after`), written as
 * words (src/record/_put.ts) with `before` and the date and time cached per second: byte for byte
 * `before + JSON.stringify(rfc3339Nano(tsSec, tsNsec)) + after`.
 */
export class Rfc3339Writer {
  #sec = Number.NaN;
  /** `before` + `"YYYY-MM-DDTHH:MM:SS.` of `#sec`. */
  #head: Constant = new Constant(new Uint8Array(0));
  /** `Z"` + `after`. */
  readonly #tail: Constant;

  constructor(readonly before: string = "", after: string = "") {
    this.#tail = new Constant(encoder.encode('Z"' + after));
  }

  /** At `d[u]` (the caller reserved {@linkcode RFC3339_MAX} and its texts' lengths); returns the index after it. */
  put(v: DataView, d: Uint8Array, u: number, tsSec: number, tsNsec: number): number {
    if (!(tsNsec >>> 0 === tsNsec && tsNsec < 1e9)) [tsSec, tsNsec] = normalize(tsSec, tsNsec);
    if (tsSec !== this.#sec) {
      this.#sec = tsSec;
      const text = rfc3339Nano(tsSec, 0);
      this.#head = new Constant(encoder.encode(this.before + '"' + text.slice(0, text.length - 10)));
    }
    u = putConstant(v, d, u, this.#head);
    const first = (tsNsec / 1e8) | 0;
    const rest = tsNsec - first * 1e8;
    const high = (rest / 1e4) | 0;
    d[u] = 0x30 + first;
    putFourDigits(v, u + 1, high);
    putFourDigits(v, u + 5, rest - high * 1e4);
    return putConstant(v, d, u + 9, this.#tail);
  }
}
