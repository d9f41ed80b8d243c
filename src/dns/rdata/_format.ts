/**
 * Text helpers shared by the RDATA renderers: hex, base64, base32hex, quoted character-strings,
 * the RFC 3597 unknown-RDATA form and RRSIG timestamps. All read straight from the message bytes.
 *
 * @module
 */

import { decimalEscapeInto, SCRATCH, scratchString } from "../_scratch.ts";

const HEX_UPPER = "0123456789ABCDEF";
const HEX_LOWER = "0123456789abcdef";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32HEX = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

/** Decimal text of 0..255, so address rendering allocates no number strings. */
export const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** `bytes[start..end)` as hex, upper-case unless `lower`. */
export function hex(bytes: Uint8Array, start: number, end: number, lower = false): string {
  const digits = lower ? HEX_LOWER : HEX_UPPER;
  let s = "";
  for (let i = start; i < end; i++) s += digits[bytes[i] >> 4] + digits[bytes[i] & 15];
  return s;
}

/** `bytes[start..end)` as padded base64 (RFC 4648 §4). */
export function base64(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  let i = start;
  for (; i + 3 <= end; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += BASE64[v >> 18] + BASE64[(v >> 12) & 63] + BASE64[(v >> 6) & 63] + BASE64[v & 63];
  }
  const rest = end - i;
  if (rest === 1) {
    const v = bytes[i] << 16;
    s += BASE64[v >> 18] + BASE64[(v >> 12) & 63] + "==";
  } else if (rest === 2) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += BASE64[v >> 18] + BASE64[(v >> 12) & 63] + BASE64[(v >> 6) & 63] + "=";
  }
  return s;
}

/** `bytes[start..end)` as upper-case base32hex without padding (RFC 4648 §7, as NSEC3 prints it). */
export function base32hex(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    acc = ((acc << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      s += BASE32HEX[(acc >> bits) & 31];
    }
  }
  if (bits > 0) s += BASE32HEX[(acc << (5 - bits)) & 31];
  return s;
}

/**
 * `bytes[start..end)` as a quoted character-string (RFC 1035 §5.1): `"` and `\` backslash-escaped,
 * bytes outside 0x20..0x7e as `\DDD`.
 */
export function quoted(bytes: Uint8Array, start: number, end: number): string {
  let n = 0;
  SCRATCH[n++] = 0x22;
  for (let i = start; i < end; i++) {
    const x = bytes[i];
    if (x === 0x22 || x === 0x5c) {
      SCRATCH[n++] = 0x5c;
      SCRATCH[n++] = x;
    } else if (x >= 0x20 && x <= 0x7e) {
      SCRATCH[n++] = x;
    } else {
      n = decimalEscapeInto(n, x);
    }
  }
  SCRATCH[n++] = 0x22;
  return scratchString(n);
}

/** RFC 3597 §5 generic RDATA: `\# <len> <HEX>`, or `\# 0` when empty. */
export function unknownRdata(bytes: Uint8Array, start: number, end: number): string {
  return end === start ? "\\# 0" : `\\# ${end - start} ${hex(bytes, start, end)}`;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/**
 * RFC 4034 §3.2 signature time: seconds since 1970 as `YYYYMMDDHHmmSS` in UTC (the uint32 value
 * as is; serial-number arithmetic is left to readers).
 */
export function rrsigTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  let rem = seconds - days * 86400;
  const hh = Math.floor(rem / 3600);
  rem -= hh * 3600;
  const mm = Math.floor(rem / 60);
  const ss = rem - mm * 60;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return String(y) + pad2(m) + pad2(d) + pad2(hh) + pad2(mm) + pad2(ss);
}
