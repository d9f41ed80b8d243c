/**
 * Capture timestamps rendered as text. Both layouts share the date and time of day, which is computed once per
 * second and cached: consecutive packets almost always fall in the same second.
 */

import type { RecordBuffer } from "./record_buffer.ts";

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
const UTC_SUFFIX = encoder.encode(" +0000 UTC");
let cachedBytesSec = Number.NaN;
let cachedDateTimeBytes = new Uint8Array(0);

/** {@linkcode goTimeString} written straight into `out`. */
export function writeGoTime(out: RecordBuffer, tsSec: number, tsNsec: number): void {
  if (tsSec !== cachedBytesSec) {
    cachedBytesSec = tsSec;
    cachedDateTimeBytes = encoder.encode(dateTime(tsSec));
  }
  out.raw(cachedDateTimeBytes);
  if (tsNsec !== 0) {
    // Nine digits with the trailing zeros trimmed: drop them first, then write what is left, zero-padded.
    let digits = 9;
    let fraction = tsNsec;
    while (fraction % 10 === 0) {
      fraction /= 10;
      digits--;
    }
    out.reserve(digits + 1);
    const b = out.bytes;
    const u = out.used;
    b[u] = 0x2e; // "."
    for (let i = digits; i > 0; i--) {
      b[u + i] = 0x30 + (fraction % 10);
      fraction = Math.floor(fraction / 10);
    }
    out.used = u + digits + 1;
  }
  out.raw(UTC_SUFFIX);
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
