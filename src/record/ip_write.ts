/**
 * IP addresses written as text straight into record bytes, byte for byte what `ipv4Text` and
 * `ipv6Text` (src/decode/ip_text.ts, Go's `net.IP.String()`) return, without building a string: dotted IPv4, RFC 5952
 * IPv6, and an IPv4-mapped IPv6 address as plain dotted IPv4.
 *
 * Reads only: the address is read in place (a packet buffer, a message, a key) and no reference is kept. The writers
 * are cursor writers (src/record/_put.ts): the caller reserves {@linkcode IP_TEXT_MAX} bytes.
 *
 * @module
 */

/** Most bytes an address's text takes (eight four-digit fields and seven colons). */
export const IP_TEXT_MAX = 39;

/** Per byte value x: `DECIMAL[x * 4]` is its digit count, then its digits ("0" … "255"). */
const DECIMAL = new Uint8Array(256 * 4);
for (let x = 0; x < 256; x++) {
  const digits = String(x);
  DECIMAL[x * 4] = digits.length;
  for (let i = 0; i < digits.length; i++) DECIMAL[x * 4 + 1 + i] = digits.charCodeAt(i);
}

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
const DOT = 0x2e;
const COLON = 0x3a;

/** Dotted-quad digits of the 4 bytes at `o` (no quotes), at `d[u]`; returns the index after them. */
export function putIpv4(d: Uint8Array, u: number, b: Uint8Array, o: number): number {
  for (let i = 0; i < 4; i++) {
    if (i > 0) d[u++] = DOT;
    const k = b[o + i] * 4;
    const n = DECIMAL[k];
    d[u++] = DECIMAL[k + 1];
    if (n > 1) d[u++] = DECIMAL[k + 2];
    if (n > 2) d[u++] = DECIMAL[k + 3];
  }
  return u;
}

/**
 * The text of the 16-byte address at `o` (no quotes): IPv4-mapped (RFC 4291 §2.5.5.2, Go's `To4()`) as dotted IPv4,
 * anything else as RFC 5952 IPv6: lower-case hex fields without leading zeros, the longest run of two or more zero
 * fields (the first on a tie) written `::`. Written at `d[u]`; returns the index after it.
 */
export function putIp16(d: Uint8Array, u: number, b: Uint8Array, o: number): number {
  let mapped = b[o + 10] === 0xff && b[o + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) mapped = b[o + i] === 0;
  if (mapped) return putIpv4(d, u, b, o + 12);
  // RFC 5952 §4.2: the longest run of zero fields, the first on a tie, only when at least two long.
  let bestStart = -1, bestLength = 1, runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLength) {
        bestStart = runStart;
        bestLength = i - runStart + 1;
      }
    } else {
      runStart = -1;
    }
  }
  const bestEnd = bestStart < 0 ? -1 : bestStart + bestLength;
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
