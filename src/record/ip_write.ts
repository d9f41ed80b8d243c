/**
 * IP addresses written as text straight into record bytes, byte for byte what `ipv4Text` and
 * `ipv6Text` (src/decode/ip_text.ts, Go's `net.IP.String()`) return, without building a string: dotted IPv4, RFC 5952
 * IPv6, and an IPv4-mapped IPv6 address as plain dotted IPv4.
 *
 * Reads only: the address is read in place (a packet buffer, a message, a key) and no reference is kept. The writers
 * are word writers (src/record/_put.ts: `v` views the bytes of `d`, and up to `WORD_SLACK` bytes past the returned
 * index may be overwritten): the caller reserves {@linkcode IP_TEXT_MAX} bytes.
 *
 * @module
 */

import { ipv6ZeroRun, isIpv4Mapped } from "../decode/ip_text.ts";

/** Most bytes an address's text takes (eight four-digit fields and seven colons). */
export const IP_TEXT_MAX = 39;

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
const COLON = 0x3a;

/** Per byte value x: its digits and a dot ("0." … "255.") as one little-endian word, and how many bytes that is. */
const OCTET_DOT = new Int32Array(256);
const OCTET_DOT_LENGTH = new Uint8Array(256);
for (let x = 0; x < 256; x++) {
  const text = String(x) + ".";
  OCTET_DOT_LENGTH[x] = text.length;
  for (let i = 0; i < text.length; i++) OCTET_DOT[x] |= text.charCodeAt(i) << (8 * i);
}

/** Dotted-quad digits of the 4 bytes at `o` (no quotes), at `d[u]`; returns the index after them. */
export function putIpv4(v: DataView, _d: Uint8Array, u: number, b: Uint8Array, o: number): number {
  // Each octet with a dot after it, one store each; the last dot is left past the returned index.
  let x = b[o];
  v.setInt32(u, OCTET_DOT[x], true);
  u += OCTET_DOT_LENGTH[x];
  x = b[o + 1];
  v.setInt32(u, OCTET_DOT[x], true);
  u += OCTET_DOT_LENGTH[x];
  x = b[o + 2];
  v.setInt32(u, OCTET_DOT[x], true);
  u += OCTET_DOT_LENGTH[x];
  x = b[o + 3];
  v.setInt32(u, OCTET_DOT[x], true);
  return u + OCTET_DOT_LENGTH[x] - 1;
}

/**
 * The text of the 16-byte address at `o` (no quotes): IPv4-mapped (RFC 4291 §2.5.5.2, Go's `To4()`) as dotted IPv4,
 * anything else as RFC 5952 IPv6: lower-case hex fields without leading zeros, the longest run of two or more zero
 * fields (the first on a tie) written `::`. Written at `d[u]`; returns the index after it.
 */
export function putIp16(v: DataView, d: Uint8Array, u: number, b: Uint8Array, o: number): number {
  if (isIpv4Mapped(b, o)) return putIpv4(v, d, u, b, o + 12);
  const run = ipv6ZeroRun(b, o);
  const bestStart = run < 0 ? -1 : run >> 4;
  const bestEnd = run < 0 ? -1 : bestStart + (run & 15);
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      d[u++] = COLON;
      d[u++] = COLON;
      i = bestEnd - 1;
      continue;
    }
    if (i > 0 && i !== bestEnd) d[u++] = COLON;
    const high = b[o + 2 * i];
    const low = b[o + 2 * i + 1];
    // RFC 5952 §4.1: no leading zeros.
    if (high >= 0x10) d[u++] = HEX_DIGITS[high >> 4];
    if (high !== 0) d[u++] = HEX_DIGITS[high & 15];
    if (high !== 0 || low >= 0x10) d[u++] = HEX_DIGITS[low >> 4];
    d[u++] = HEX_DIGITS[low & 15];
  }
  return u;
}
