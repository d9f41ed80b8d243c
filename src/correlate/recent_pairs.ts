import { KEY_WORDS, keyMatches, type LookupKey, storeKey } from "./lookup_key.ts";

const NONE = -1;

/**
 * Keys paired recently, so that a late copy of a response counts as a duplicate instead of an orphan.
 *
 * A fixed ring of slots plus a chained hash index over them (typed arrays, no object per key): remembering a key
 * takes the next slot and forgets whatever key held it, so the structure never grows past its capacity and
 * nothing is ever scanned.
 */
export class RecentPairs {
  readonly #words: Int32Array;
  readonly #ports: Float64Array;
  readonly #hash: Int32Array;
  readonly #untilMs: Float64Array;
  /** Next slot in the same bucket, or NONE. */
  readonly #chain: Int32Array;
  /** First slot of each bucket, or NONE. */
  readonly #buckets: Int32Array;
  readonly #mask: number;
  #used = 0;
  #next = 0;

  constructor(readonly capacity: number) {
    this.#words = new Int32Array(capacity * KEY_WORDS);
    this.#ports = new Float64Array(capacity);
    this.#hash = new Int32Array(capacity);
    this.#untilMs = new Float64Array(capacity);
    this.#chain = new Int32Array(capacity);
    let buckets = 1;
    while (buckets < capacity) buckets *= 2;
    this.#buckets = new Int32Array(buckets).fill(NONE);
    this.#mask = buckets - 1;
  }

  /** Remember `key` as paired, counting as recent until `untilMs` (packet time). */
  remember(key: LookupKey, untilMs: number): void {
    const existing = this.#find(key);
    if (existing !== NONE) {
      this.#untilMs[existing] = untilMs;
      return;
    }
    const slot = this.#next;
    this.#next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.#used > slot) this.#unlink(slot);
    else this.#used = slot + 1;
    storeKey(key, slot, this.#hash, this.#ports, this.#words);
    this.#untilMs[slot] = untilMs;
    const bucket = key.hash & this.#mask;
    this.#chain[slot] = this.#buckets[bucket];
    this.#buckets[bucket] = slot;
  }

  /** Whether `key` was paired recently enough at `nowMs`. */
  has(key: LookupKey, nowMs: number): boolean {
    const slot = this.#find(key);
    return slot !== NONE && this.#untilMs[slot] >= nowMs;
  }

  clear(): void {
    this.#buckets.fill(NONE);
    this.#used = 0;
    this.#next = 0;
  }

  #find(key: LookupKey): number {
    const hash = key.hash;
    let slot = this.#buckets[hash & this.#mask];
    while (slot !== NONE) {
      if (keyMatches(key, slot, this.#hash, this.#ports, this.#words)) return slot;
      slot = this.#chain[slot];
    }
    return NONE;
  }

  /** Take `slot` out of its bucket's chain. */
  #unlink(slot: number): void {
    const bucket = this.#hash[slot] & this.#mask;
    let at = this.#buckets[bucket];
    if (at === slot) {
      this.#buckets[bucket] = this.#chain[slot];
      return;
    }
    while (at !== NONE) {
      const after = this.#chain[at];
      if (after === slot) {
        this.#chain[at] = this.#chain[slot];
        return;
      }
      at = after;
    }
  }
}
