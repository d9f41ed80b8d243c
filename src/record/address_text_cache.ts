/**
 * A small direct-mapped cache of address texts already wrapped in the constant bytes around them, so a record's
 * `,"dst":"10.0.1.53","src":"` is one copy instead of two constants and an address formatted digit by digit.
 * Passive DNS sees a handful of server addresses over and over: a few dozen entries hit almost always; a colliding
 * address simply replaces the older entry.
 *
 * Contract: a cursor writer (src/record/_put.ts); the caller reserves {@linkcode AddressTextCache.max} bytes.
 * The address is read in place and never kept (its words are).
 *
 * @module
 */

import { putBytes } from "./_put.ts";
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
  /** Per entry, how many bytes of its view are the text with `before` and `after` (0 = empty). */
  readonly #lengths: Uint8Array;
  /** Per entry, a fixed view of `max` bytes (one shared buffer, views made once): a miss allocates nothing. */
  readonly #views: Uint8Array[];

  /** `entries`: a power of two. */
  constructor(before: Uint8Array, after: Uint8Array, entries = 256) {
    this.#before = before;
    this.#after = after;
    const max = before.length + IP_TEXT_MAX + after.length;
    this.max = max;
    this.#mask = entries - 1;
    this.#words = new Int32Array(entries * 4);
    this.#lengths = new Uint8Array(entries);
    const store = new Uint8Array(entries * max);
    this.#views = Array.from({ length: entries }, (_, e) => store.subarray(e * max, (e + 1) * max));
  }

  /**
   * Write `before`, the text of the 16-byte address `a[o, o + 16)` and `after` at `d[u]`; returns the index after
   * them. Copies a whole fixed-size entry (one `set`, whatever the text's length): bytes up to `u + max` may be
   * overwritten past the returned index, so the caller reserves `max` and writes on from the returned index.
   */
  put(d: Uint8Array, u: number, a: Uint8Array, o: number): number {
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
    const view = this.#views[e];
    let length = this.#lengths[e];
    if (length === 0 || words[b] !== w0 || words[b + 1] !== w1 || words[b + 2] !== w2 || words[b + 3] !== w3) {
      let n = putBytes(view, 0, this.#before);
      n = putIp16(view, n, a, o);
      length = putBytes(view, n, this.#after);
      this.#lengths[e] = length;
      words[b] = w0;
      words[b + 1] = w1;
      words[b + 2] = w2;
      words[b + 3] = w3;
    }
    d.set(view, u);
    return u + length;
  }
}

function word(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}
