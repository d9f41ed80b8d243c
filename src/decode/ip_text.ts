/**
 * IP addresses as Go's `net.IP.String()` writes them: dotted IPv4, RFC 5952 IPv6, and an
 * IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) printed as plain dotted IPv4.
 *
 * Both functions read the address in place from a packet buffer. Small direct-mapped caches keep
 * the hot path free of string building: a sensor sees the same few resolvers and clients again
 * and again. The caches are pure memos (module-level, shared by every decoder).
 *
 * @module
 */

/** "0" … "255", so a dotted quad is three concatenations of ready strings. */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

// Sized for a busy network's client population: a cache that thrashes builds a fresh string per packet, and the
// correlator's tables keep those alive long enough for the GC to promote them (measured: 80 MB more peak RSS on a
// 1M-lookup replay with 20 000 clients and 4096 slots). They are made at the first address written as text: the
// default format writes its addresses as bytes (src/record/ip_write.ts), and its runs never call these functions, so
// each thread would hold ~0.8 MB of empty caches (measured: 1M-pair replay, -numprocs 1 and 2).
const V4_CACHE_SLOTS = 65536; // power of two
let v4CacheKeys: Float64Array | null = null; // -1: empty slot (keys are uint32)
let v4CacheTexts: string[] = [];

const V6_CACHE_SLOTS = 16384; // power of two
let v6CacheKeys: Uint32Array | null = null;
let v6CacheUsed: Uint8Array = new Uint8Array(0);
let v6CacheTexts: string[] = [];

function newV4Cache(): Float64Array {
  v4CacheTexts = new Array<string>(V4_CACHE_SLOTS).fill("");
  return v4CacheKeys = new Float64Array(V4_CACHE_SLOTS).fill(-1);
}

function newV6Cache(): Uint32Array {
  v6CacheUsed = new Uint8Array(V6_CACHE_SLOTS);
  v6CacheTexts = new Array<string>(V6_CACHE_SLOTS).fill("");
  return v6CacheKeys = new Uint32Array(V6_CACHE_SLOTS * 4);
}

/**
 * Dotted-quad text of the 4 bytes at `offset`.
 *
 * @example
 * ```ts
 * import { ipv4Text } from "./ip_text.ts";
 *
 * console.log(ipv4Text(new Uint8Array([10, 0, 0, 53]), 0)); // "10.0.0.53"
 * ```
 */
export function ipv4Text(bytes: Uint8Array, offset: number): string {
  const a = bytes[offset], b = bytes[offset + 1], c = bytes[offset + 2], d = bytes[offset + 3];
  const key = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const slot = (key ^ (key >>> 16)) & (V4_CACHE_SLOTS - 1);
  const keys = v4CacheKeys ?? newV4Cache();
  if (keys[slot] === key) return v4CacheTexts[slot];
  const text = DECIMAL[a] + "." + DECIMAL[b] + "." + DECIMAL[c] + "." + DECIMAL[d];
  keys[slot] = key;
  v4CacheTexts[slot] = text;
  return text;
}

/**
 * Text of the 16-byte IPv6 address at `offset`, as Go prints it: lower-case hex fields without
 * leading zeros, the longest run of two or more zero fields written `::` (the first run on a
 * tie), and an IPv4-mapped address in dotted form.
 *
 * @example
 * ```ts
 * import { ipv6Text } from "./ip_text.ts";
 *
 * const address = new Uint8Array(16);
 * address.set([0x20, 0x01, 0x0d, 0xb8]);
 * address[15] = 1;
 * console.log(ipv6Text(address, 0)); // "2001:db8::1"
 * ```
 */
export function ipv6Text(bytes: Uint8Array, offset: number): string {
  const w0 = readU32(bytes, offset), w1 = readU32(bytes, offset + 4);
  const w2 = readU32(bytes, offset + 8), w3 = readU32(bytes, offset + 12);
  // Go's To4(): ten zero bytes then 0xffff (RFC 4291 §2.5.5.2).
  if (w0 === 0 && w1 === 0 && w2 === 0x0000ffff) return ipv4Text(bytes, offset + 12);
  const slot = ((w0 ^ w1 ^ w2 ^ w3 ^ (w3 >>> 16)) >>> 0) & (V6_CACHE_SLOTS - 1);
  const k = slot * 4;
  const keys = v6CacheKeys ?? newV6Cache();
  if (
    v6CacheUsed[slot] === 1 && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3
  ) {
    return v6CacheTexts[slot];
  }
  const text = formatIpv6(bytes, offset);
  keys[k] = w0;
  keys[k + 1] = w1;
  keys[k + 2] = w2;
  keys[k + 3] = w3;
  v6CacheUsed[slot] = 1;
  v6CacheTexts[slot] = text;
  return text;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/**
 * RFC 5952 §4.2: the run of 16-bit zero fields of the address at `offset` that is written `::`: the longest, the
 * first on a tie, and only when at least two fields long. Returns `start * 16 + length` (in fields), or -1 for none.
 * The one place this rule lives: every IPv6 text writer (strings here and in src/dns/rdata, bytes in src/record)
 * uses it.
 */
export function ipv6ZeroRun(bytes: Uint8Array, offset: number): number {
  let bestStart = -1, bestLength = 1, runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (bytes[offset + 2 * i] === 0 && bytes[offset + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLength) {
        bestStart = runStart;
        bestLength = i - runStart + 1;
      }
    } else {
      runStart = -1;
    }
  }
  return bestStart < 0 ? -1 : bestStart * 16 + bestLength;
}

function formatIpv6(bytes: Uint8Array, offset: number): string {
  const run = ipv6ZeroRun(bytes, offset);
  const bestStart = run < 0 ? -1 : run >> 4;
  const bestLength = run < 0 ? 0 : run & 15;
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += "::";
      i += bestLength - 1;
      continue;
    }
    if (text.length > 0 && !text.endsWith(":")) text += ":";
    text += ((bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1]).toString(16);
  }
  return text;
}

/** Whether the 16-byte address at `offset` is IPv4-mapped (RFC 4291 §2.5.5.2, Go's `To4()`): ten zero bytes, 0xffff. */
export function isIpv4Mapped(b: Uint8Array, o: number): boolean {
  return b[o + 10] === 0xff && b[o + 11] === 0xff &&
    (b[o] | b[o + 1] | b[o + 2] | b[o + 3] | b[o + 4] | b[o + 5] | b[o + 6] | b[o + 7] | b[o + 8] | b[o + 9]) === 0;
}

/**
 * The 16-byte form of the address at `offset` (4 bytes for `version` 4, else 16), written into `out`: an IPv4
 * address as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), so two addresses are equal exactly when their texts above are.
 */
export function writeAddress16(bytes: Uint8Array, offset: number, version: number, out: Uint8Array): void {
  if (version === 4) {
    for (let i = 0; i < 10; i++) out[i] = 0;
    out[10] = 0xff;
    out[11] = 0xff;
    out[12] = bytes[offset];
    out[13] = bytes[offset + 1];
    out[14] = bytes[offset + 2];
    out[15] = bytes[offset + 3];
  } else {
    for (let i = 0; i < 16; i++) out[i] = bytes[offset + i];
  }
}

/**
 * The inverse of {@linkcode ipv4Text} / {@linkcode ipv6Text} into the 16-byte form of {@linkcode writeAddress16}
 * (for messages that carry only address texts: reassembled TCP streams). Text in another form gives an unspecified
 * but deterministic address.
 */
export function parseAddressText(text: string, out: Uint8Array): void {
  out.fill(0);
  if (!text.includes(":")) {
    out[10] = 0xff;
    out[11] = 0xff;
    const parts = text.split(".");
    for (let i = 0; i < 4; i++) out[12 + i] = Number(parts[i]) & 0xff;
    return;
  }
  const gap = text.indexOf("::");
  const head = gap < 0 ? text.split(":") : text.slice(0, gap).split(":").filter((f) => f !== "");
  const tail = gap < 0 ? [] : text.slice(gap + 2).split(":").filter((f) => f !== "");
  const fields = [...head, ...new Array<string>(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail];
  for (let i = 0; i < 8; i++) {
    const field = parseInt(fields[i] ?? "0", 16) & 0xffff;
    out[2 * i] = field >> 8;
    out[2 * i + 1] = field & 0xff;
  }
}
