/**
 * Structured RDATA that fits no other family: LOC (RFC 1876 §2-3, printed as BIND/dig print it)
 * and TSIG (RFC 8945 §4.2).
 *
 * @module
 */

import { u16, u32 } from "../_reader.ts";

import type { MessageReader } from "../_reader.ts";
import { readName } from "../name.ts";
import { rcodeName } from "../registries.ts";
import { base64 } from "./_format.ts";
import type { RdataRenderer } from "./_renderer.ts";

/** RFC 1876 §2: latitude/longitude are offsets from 2^31 in thousandths of an arc second. */
const LOC_EQUATOR = 0x80000000;
/** RFC 1876 §2: altitude is in centimetres above a base 100,000 m below the WGS 84 spheroid. */
const LOC_ALTITUDE_BASE = 10000000;
const MAS_PER_DEGREE = 3600000;

/** RFC 1876 §2 size/precision byte (mantissa << 4 | exponent, in centimetres) as metres; null if a digit > 9. */
function locSize(x: number): string | null {
  const mantissa = x >> 4;
  const exponent = x & 15;
  if (mantissa > 9 || exponent > 9) return null;
  if (exponent >= 2) return String(mantissa * 10 ** (exponent - 2)) + "m";
  return "0." + String(mantissa * 10 ** exponent).padStart(2, "0") + "m";
}

/** `D M S.sss H` for a coordinate; null when beyond `maxDegrees`. */
function locCoordinate(raw: number, maxDegrees: number, positive: string, negative: string): string | null {
  const hemisphere = raw >= LOC_EQUATOR ? positive : negative;
  let v = raw >= LOC_EQUATOR ? raw - LOC_EQUATOR : LOC_EQUATOR - raw;
  if (v > maxDegrees * MAS_PER_DEGREE) return null;
  const ms = v % 1000;
  v = Math.floor(v / 1000);
  const s = v % 60;
  v = Math.floor(v / 60);
  const m = v % 60;
  const d = Math.floor(v / 60);
  return d + " " + m + " " + s + "." + String(ms).padStart(3, "0") + " " + hemisphere;
}

/** LOC version 0: `52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m`. */
export const renderLoc: RdataRenderer = (r: MessageReader, start, end) => {
  if (end - start !== 16 || r.bytes[start] !== 0) return null;
  const b = r.bytes;
  const size = locSize(b[start + 1]);
  const hp = locSize(b[start + 2]);
  const vp = locSize(b[start + 3]);
  const lat = locCoordinate(u32(b, start + 4), 90, "N", "S");
  const lon = locCoordinate(u32(b, start + 8), 180, "E", "W");
  if (size === null || hp === null || vp === null || lat === null || lon === null) return null;
  const rawAlt = u32(b, start + 12);
  const below = rawAlt < LOC_ALTITUDE_BASE;
  const alt = below ? LOC_ALTITUDE_BASE - rawAlt : rawAlt - LOC_ALTITUDE_BASE;
  const altitude = (below ? "-" : "") + Math.floor(alt / 100) + "." + String(alt % 100).padStart(2, "0") + "m";
  r.next = end;
  return lat + " " + lon + " " + altitude + " " + size + " " + hp + " " + vp;
};

/** TSIG: `algorithm timesigned fudge macsize MAC originalid error otherlen [OTHER]` (as dig prints it). */
export const renderTsig: RdataRenderer = (r, start, end) => {
  const b = r.bytes;
  const alg = readName(r, start, end);
  if (alg === null) return null;
  let p = r.next;
  if (p + 10 > end) return null;
  const timeSigned = u16(b, p) * 0x100000000 + u32(b, p + 2);
  const fudge = u16(b, p + 6);
  const macSize = u16(b, p + 8);
  p += 10;
  if (p + macSize + 6 > end) return null;
  const mac = base64(r.bytes, p, p + macSize);
  p += macSize;
  const originalId = u16(b, p);
  const error = u16(b, p + 2);
  const otherLen = u16(b, p + 4);
  p += 6;
  if (p + otherLen > end) return null;
  r.next = p + otherLen;
  let s = alg + " " + timeSigned + " " + fudge + " " + macSize + (macSize === 0 ? "" : " " + mac) + " " + originalId +
    " " + rcodeName(error) + " " + otherLen;
  if (otherLen !== 0) s += " " + base64(r.bytes, p, p + otherLen);
  return s;
};

/**
 * TKEY (RFC 2930 §2): `algorithm inception expiration mode error keysize [KEY] othersize [OTHER]`, as dig prints it:
 * times as seconds since the epoch, the error by name, key and other data in base64.
 */
export const renderTkey: RdataRenderer = (r, start, end) => {
  const b = r.bytes;
  const alg = readName(r, start, end);
  if (alg === null) return null;
  let p = r.next;
  if (p + 14 > end) return null;
  const inception = u32(b, p);
  const expiration = u32(b, p + 4);
  const mode = u16(b, p + 8);
  const error = u16(b, p + 10);
  const keySize = u16(b, p + 12);
  p += 14;
  if (p + keySize + 2 > end) return null;
  const key = base64(b, p, p + keySize);
  p += keySize;
  const otherSize = u16(b, p);
  p += 2;
  if (p + otherSize > end) return null;
  r.next = p + otherSize;
  let s = alg + " " + inception + " " + expiration + " " + mode + " " + rcodeName(error) + " " + keySize;
  if (keySize !== 0) s += " " + key;
  s += " " + otherSize;
  if (otherSize !== 0) s += " " + base64(b, p, p + otherSize);
  return s;
};
