/**
 * The correlation key of one lookup (transport, client address and port, server address and port, DNS ID): the
 * two addresses in their 16-byte form (IPv4 as IPv4-mapped, see `writeAddress16` in src/decode/ip_text.ts) as eight
 * 32-bit words, two more for the rest, and a hash of all of it, so tables compare keys without any text.
 *
 * @module
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const PORT_SPAN = 0x10000;
/** 32-bit words per key: four per address. */
export const KEY_WORDS = 8;
/**
 * Int32 cells a table stores per key, in one row (so a comparison touches one cache line, not one per array):
 * the hash, `high`, `low`, then the eight address words. Tables put their own cells (chains, links) after these.
 */
export const KEY_CELLS = 3 + KEY_WORDS;

/** A reusable key: `set` fills it in place. */
export class LookupKey {
  /** 32-bit hash of every part. */
  hash = 0;
  /** Client address words 0-3, server address words 4-7 (big-endian reads of the 16-byte forms). */
  readonly words: Int32Array = new Int32Array(KEY_WORDS);
  /** Transport and DNS ID (17 bits). */
  high = 0;
  /** Server port and client port (32 bits, as a signed int32). */
  low = 0;

  /** Fill the key; `clientAddress` and `serverAddress` are 16-byte forms. */
  set(
    transport: "udp" | "tcp",
    clientAddress: Uint8Array,
    clientPort: number,
    serverAddress: Uint8Array,
    serverPort: number,
    id: number,
  ): this {
    const high = (transport === "tcp" ? PORT_SPAN : 0) + id;
    const low = (serverPort << 16) | clientPort;
    this.high = high;
    this.low = low;
    const w = this.words;
    let h = FNV_OFFSET;
    for (let i = 0; i < 4; i++) {
      const c = word(clientAddress, i * 4);
      const s = word(serverAddress, i * 4);
      w[i] = c;
      w[i + 4] = s;
      h = Math.imul(h ^ c, FNV_PRIME);
      h = Math.imul(h ^ s, FNV_PRIME);
    }
    h = Math.imul(h ^ low, FNV_PRIME);
    h = Math.imul(h ^ high, FNV_PRIME);
    // Final avalanche (murmur3 fmix32): tables index by the low bits.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    this.hash = (h ^ (h >>> 16)) | 0;
    return this;
  }
}

function word(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/** The hash of the key stored in the row at `base` of `rows`. */
export function storedHash(rows: Int32Array, base: number): number {
  return rows[base];
}

/** Whether `key` equals the key stored in the row at `base` of `rows` (a table's slot storage). */
export function keyMatches(key: LookupKey, rows: Int32Array, base: number): boolean {
  if (rows[base] !== key.hash || rows[base + 2] !== key.low || rows[base + 1] !== key.high) return false;
  const w = key.words;
  for (let i = 0; i < KEY_WORDS; i++) if (rows[base + 3 + i] !== w[i]) return false;
  return true;
}

/** Whether the keys stored at `a` and `b` of `rows` are equal. */
export function storedKeysMatch(rows: Int32Array, a: number, b: number): boolean {
  for (let i = 0; i < KEY_CELLS; i++) if (rows[a + i] !== rows[b + i]) return false;
  return true;
}

/** Store `key` in the row at `base` of `rows` (cells `[base, base + KEY_CELLS)`). */
export function storeKey(key: LookupKey, rows: Int32Array, base: number): void {
  rows[base] = key.hash;
  rows[base + 1] = key.high;
  rows[base + 2] = key.low;
  const w = key.words;
  for (let i = 0; i < KEY_WORDS; i++) rows[base + 3 + i] = w[i];
}
