/**
 * A small direct-mapped cache of address texts already wrapped in the constant bytes around them, so a record's
 * `,"dst":"10.0.1.53","src":"` is one copy instead of two constants and an address formatted digit by digit.
 * Passive DNS sees a handful of server addresses over and over: a few dozen entries hit almost always; a colliding
 * address simply replaces the older entry.
 *
 * Contract: a word writer (src/record/_put.ts); the caller reserves {@linkcode AddressTextCache.max} bytes.
 * The address is read in place and never kept (its words are).
 *
 * @module
 */

import { putBytes, WORD_SLACK } from "./_put.ts";
import { IP_TEXT_MAX, putIp16 } from "./ip_write.ts";

/** `before` + the text of a 16-byte address (`putIp16`) + `after`, cached per address. */
export class AddressTextCache {
  /** Most bytes `put` writes (see its contract). */
  readonly max: number;
  readonly #before: Uint8Array;
  readonly #after: Uint8Array;
  readonly #mask: number;
  /** Per entry, the address's four big-endian words. */
  readonly #words: Int32Array;
  /** Per entry, how many bytes of its text are the text with `before` and `after` (0 = empty). */
  readonly #lengths: Uint8Array;
  /** The entries' texts, `#stride` bytes each, padded with spaces; copied out 8 bytes a store (ASCII: see `put`). */
  readonly #store: Float64Array;
  readonly #storeBytes: Uint8Array;
  readonly #storeView: DataView;
  /** Doubles per entry. */
  readonly #stride: number;

  /** `entries`: a power of two. `before` and `after`: ASCII. */
  constructor(before: Uint8Array, after: Uint8Array, entries = 256) {
    this.#before = before;
    this.#after = after;
    const text = before.length + IP_TEXT_MAX + after.length;
    this.#stride = (text + WORD_SLACK + 7) >> 3;
    this.max = this.#stride * 8;
    this.#mask = entries - 1;
    this.#words = new Int32Array(entries * 4);
    this.#lengths = new Uint8Array(entries);
    this.#store = new Float64Array(entries * this.#stride);
    this.#storeBytes = new Uint8Array(this.#store.buffer).fill(0x20);
    this.#storeView = new DataView(this.#store.buffer);
  }

  /**
   * Write `before`, the text of the 16-byte address `a[o, o + 16)` and `after` at index `u` of `v`; returns
   * the index after them. Copies whole 8-byte words of the entry: bytes up to `u + max` may be overwritten past the
   * returned index, so the caller reserves `max` and writes on from the returned index. The entries are ASCII, and
   * an ASCII double is never a NaN, so each word is stored bit for bit.
   */
  put(v: DataView, u: number, a: Uint8Array, o: number): number {
    const w0 = word(a, o), w1 = word(a, o + 4), w2 = word(a, o + 8), w3 = word(a, o + 12);
    // murmur3 fmix32 of the words mixed together: entries are picked by the low bits.
    let h = Math.imul(Math.imul(w0 ^ w1, 0x85ebca6b) ^ w2, 0xc2b2ae35) ^ w3;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const e = h & this.#mask;
    const words = this.#words;
    const b = 4 * e;
    const first = e * this.#stride;
    let length = this.#lengths[e];
    if (length === 0 || words[b] !== w0 || words[b + 1] !== w1 || words[b + 2] !== w2 || words[b + 3] !== w3) {
      const bytes = this.#storeBytes;
      let n = putBytes(bytes, first * 8, this.#before);
      n = putIp16(this.#storeView, bytes, n, a, o);
      length = putBytes(bytes, n, this.#after) - first * 8;
      this.#lengths[e] = length;
      words[b] = w0;
      words[b + 1] = w1;
      words[b + 2] = w2;
      words[b + 3] = w3;
    }
    const store = this.#store;
    const end = first + ((length + 7) >> 3);
    for (let i = first, k = u; i < end; i++, k += 8) v.setFloat64(k, store[i], true);
    return u + length;
  }
}

function word(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
