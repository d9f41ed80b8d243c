/**
 * The correlation key of one lookup (transport, client address and port, server address and port, DNS ID): the
 * two addresses in their 16-byte form (IPv4 as IPv4-mapped, see `writeAddress16` in src/decode/ip_text.ts) as eight
 * 32-bit words (read in the platform's byte order, as an Int32Array over the bytes reads them), two more for the
 * rest, and a hash of all of it, so tables compare keys without any text.
 *
 * @module
 */

/** Odd multipliers, one per mixed word pair (any distinct odd constants with well-spread bits do). */
const MIX_A = 0x9e3779b1;
const MIX_B = 0x85ebca77;
const MIX_C = 0xc2b2ae3d;
const MIX_D = 0x27d4eb2f;
const MIX_E = 0x165667b1;
const MIX_F = 0xd3a2646d;
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
  /** Client address words 0-3, server address words 4-7 (see the module comment). */
  readonly words: Int32Array = new Int32Array(KEY_WORDS);
  /** Transport and DNS ID (17 bits). */
  high = 0;
  /** Server port and client port (32 bits, as a signed int32). */
  low = 0;

  /** Fill the key; `clientAddress` and `serverAddress` are 16-byte forms (at any offset). */
  set(
    transport: "udp" | "tcp",
    clientAddress: Uint8Array,
    clientPort: number,
    serverAddress: Uint8Array,
    serverPort: number,
    id: number,
  ): this {
    for (let i = 0; i < 4; i++) {
      SCRATCH_CLIENT[i] = word(clientAddress, 4 * i);
      SCRATCH_SERVER[i] = word(serverAddress, 4 * i);
    }
    return this.setWords(transport, SCRATCH_CLIENT, clientPort, SCRATCH_SERVER, serverPort, id);
  }

  /**
   * Fill the key from the addresses' 16-byte forms read as four words each (an Int32Array over the bytes, in the
   * platform's byte order: four loads instead of sixteen, on every packet).
   */
  setWords(
    transport: "udp" | "tcp",
    client: Int32Array,
    clientPort: number,
    server: Int32Array,
    serverPort: number,
    id: number,
  ): this {
    const high = (transport === "tcp" ? PORT_SPAN : 0) + id;
    const low = (serverPort << 16) | clientPort;
    this.high = high;
    this.low = low;
    const w = this.words;
    const c0 = client[0], c1 = client[1], c2 = client[2], c3 = client[3];
    const s0 = server[0], s1 = server[1], s2 = server[2], s3 = server[3];
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
    w[4] = s0;
    w[5] = s1;
    w[6] = s2;
    w[7] = s3;
    // Independent products summed (no chain of multiplies, each waiting for the last), then mixed below.
    let h = (Math.imul(c0 ^ s1, MIX_A) + Math.imul(c1 ^ s0, MIX_B) + Math.imul(c2 ^ s3, MIX_C) +
      Math.imul(c3, MIX_D) + Math.imul(s2 ^ high, MIX_E) + Math.imul(s3 ^ low, MIX_F)) | 0;
    // Final avalanche (murmur3 fmix32): tables index by the low bits.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    this.hash = (h ^ (h >>> 16)) | 0;
    return this;
  }
}

/** The words `set` reads from address bytes. */
const SCRATCH_CLIENT = new Int32Array(4);
const SCRATCH_SERVER = new Int32Array(4);
/** The platform's byte order, that of an Int32Array's words. */
export const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

/** Four bytes as the word an Int32Array over them reads (the platform's byte order). */
function word(b: Uint8Array, o: number): number {
  return LITTLE_ENDIAN
    ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)
    : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/**
 * The four words of a 16-byte address array at a word boundary (a view, no copy; the Lookup's and the datagrams'
 * address arrays are).
 */
export function addressWords(address: Uint8Array): Int32Array {
  return new Int32Array(address.buffer, address.byteOffset, 4);
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

/** Load the key stored in the row at `base` of `rows` into `key` (the inverse of `storeKey`). */
export function loadKey(rows: Int32Array, base: number, key: LookupKey): void {
  key.hash = rows[base];
  key.high = rows[base + 1];
  key.low = rows[base + 2];
  for (let i = 0; i < KEY_WORDS; i++) key.words[i] = rows[base + 3 + i];
}

/** The key's client (`which` 0) or server (1) address in its 16-byte form, as the words of `out` (see `setWords`). */
export function keyAddress(key: LookupKey, which: 0 | 1, out: Int32Array): void {
  for (let i = 0; i < 4; i++) out[i] = key.words[which * 4 + i];
}

/** The key's transport, DNS ID, client port and server port. */
export function keyTransport(key: LookupKey): "udp" | "tcp" {
  return key.high >= PORT_SPAN ? "tcp" : "udp";
}
export function keyId(key: LookupKey): number {
  return key.high & 0xffff;
}
export function keyClientPort(key: LookupKey): number {
  return key.low & 0xffff;
}
export function keyServerPort(key: LookupKey): number {
  return key.low >>> 16;
}
