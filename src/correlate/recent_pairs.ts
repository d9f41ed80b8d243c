import { KEY_CELLS, keyMatches, type LookupKey, storedHash, storeKey } from "./lookup_key.ts";

const NONE = -1;

/**
 * Keys paired recently, so that a late copy of a response counts as a duplicate instead of an orphan.
 *
 * A fixed ring of slots (typed arrays, no object per key): remembering a key takes the next slot and forgets
 * whatever key held it, so the structure never grows past its capacity and nothing is ever scanned. The ring is
 * indexed by an open-addressing hash table (linear probing, at most half full) whose entries hold the slot and the
 * key's hash side by side: the ring cycles through more memory than the caches hold, and this way a lookup of an
 * absent key (most of them) reads one index line and no key row, and forgetting a key moves no chain links.
 */
export class RecentPairs {
  /** Per slot, `KEY_CELLS` cells: the key (lookup_key.ts). */
  readonly #rows: Int32Array;
  readonly #untilMs: Float64Array;
  /** Per index entry, two cells: slot + 1 (0 = empty), the key's hash. */
  readonly #index: Int32Array;
  readonly #mask: number;
  #used = 0;
  #next = 0;

  constructor(readonly capacity: number) {
    this.#rows = new Int32Array(capacity * KEY_CELLS);
    this.#untilMs = new Float64Array(capacity);
    let entries = 2;
    while (entries < capacity * 2) entries *= 2;
    this.#index = new Int32Array(entries * 2);
    this.#mask = entries - 1;
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
    if (this.#used > slot) this.#unindex(slot);
    else this.#used = slot + 1;
    storeKey(key, this.#rows, slot * KEY_CELLS);
    this.#untilMs[slot] = untilMs;
    const index = this.#index;
    const mask = this.#mask;
    let i = key.hash & mask;
    while (index[2 * i] !== 0) i = (i + 1) & mask;
    index[2 * i] = slot + 1;
    index[2 * i + 1] = key.hash;
  }

  /** Whether `key` was paired recently enough at `nowMs`. */
  has(key: LookupKey, nowMs: number): boolean {
    const slot = this.#find(key);
    return slot !== NONE && this.#untilMs[slot] >= nowMs;
  }

  clear(): void {
    this.#index.fill(0);
    this.#used = 0;
    this.#next = 0;
  }

  #find(key: LookupKey): number {
    const index = this.#index;
    const mask = this.#mask;
    const hash = key.hash;
    for (let i = hash & mask;; i = (i + 1) & mask) {
      const entry = index[2 * i];
      if (entry === 0) return NONE;
      if (index[2 * i + 1] === hash && keyMatches(key, this.#rows, (entry - 1) * KEY_CELLS)) return entry - 1;
    }
  }

  /** Take `slot` out of the index, shifting back the entries after it that would no longer be found. */
  #unindex(slot: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let i = storedHash(this.#rows, slot * KEY_CELLS) & mask;
    while (index[2 * i] !== slot + 1) i = (i + 1) & mask;
    // Backward-shift deletion (linear probing): an entry may fill the hole when its home position is not in the
    // cyclic range (hole, entry].
    for (let j = (i + 1) & mask; index[2 * j] !== 0; j = (j + 1) & mask) {
      const home = index[2 * j + 1] & mask;
      const fills = i <= j ? home <= i || home > j : home <= i && home > j;
      if (fills) {
        index[2 * i] = index[2 * j];
        index[2 * i + 1] = index[2 * j + 1];
        i = j;
      }
    }
    index[2 * i] = 0;
  }
}
