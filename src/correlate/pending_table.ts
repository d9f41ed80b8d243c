import { KEY_WORDS, keyMatches, type LookupKey, storeKey } from "./lookup_key.ts";

/** "No entry" in every link array. */
export const NONE = -1;
const INITIAL_CAPACITY = 4096;

/**
 * The correlator's pending entries: key → value (a transaction, or nothing for users that keep their data in
 * arrays indexed by slot), in insertion order (oldest first), at most `limit`.
 *
 * Entries live in numbered slots (typed arrays for the key and the links, one array of transactions), found
 * through a chained hash index and threaded on a doubly linked list in insertion order, so finding, adding and
 * removing are O(1) and the oldest entry is always at hand. Slot storage starts small and doubles up to `limit`.
 * A slot number is valid until that entry is removed.
 */
export class PendingTable<T> {
  #values: (T | undefined)[] = [];
  #words = new Int32Array(0);
  #ports = new Float64Array(0);
  #hash = new Int32Array(0);
  /** Next slot in the same bucket; for a free slot, the next free slot. */
  #chain = new Int32Array(0);
  #older = new Int32Array(0);
  #newer = new Int32Array(0);
  #buckets = new Int32Array(0);
  #mask = 0;
  #capacity = 0;
  #free = NONE;
  #oldest = NONE;
  #newest = NONE;
  #size = 0;

  constructor(readonly limit: number) {
    this.#grow(Math.max(1, Math.min(limit, INITIAL_CAPACITY)));
  }

  get size(): number {
    return this.#size;
  }

  /** The slot holding `key`, or NONE. */
  find(key: LookupKey): number {
    const hash = key.hash;
    let slot = this.#buckets[hash & this.#mask];
    while (slot !== NONE) {
      if (keyMatches(key, slot, this.#hash, this.#ports, this.#words)) return slot;
      slot = this.#chain[slot];
    }
    return NONE;
  }

  value(slot: number): T {
    return this.#values[slot]!;
  }

  /** Slots allocated so far: every slot number is below this (it grows up to `limit`). */
  get capacity(): number {
    return this.#capacity;
  }

  /** The oldest entry's slot, or NONE when empty. */
  oldest(): number {
    return this.#oldest;
  }

  /** The slot inserted after `slot`, or NONE. */
  newer(slot: number): number {
    return this.#newer[slot];
  }

  /** Add `key` (not present) as the newest entry; returns its slot. The caller keeps the size within `limit` by removing first. */
  add(key: LookupKey, value: T): number {
    if (this.#free === NONE) this.#grow(Math.min(this.limit, this.#capacity * 2));
    const slot = this.#free;
    this.#free = this.#chain[slot];
    this.#values[slot] = value;
    storeKey(key, slot, this.#hash, this.#ports, this.#words);
    this.#link(slot);
    this.#older[slot] = this.#newest;
    this.#newer[slot] = NONE;
    if (this.#newest === NONE) this.#oldest = slot;
    else this.#newer[this.#newest] = slot;
    this.#newest = slot;
    this.#size++;
    return slot;
  }

  /** Remove the entry in `slot`. */
  remove(slot: number): void {
    const bucket = this.#hash[slot] & this.#mask;
    let at = this.#buckets[bucket];
    if (at === slot) {
      this.#buckets[bucket] = this.#chain[slot];
    } else {
      while (this.#chain[at] !== slot) at = this.#chain[at];
      this.#chain[at] = this.#chain[slot];
    }
    const older = this.#older[slot];
    const newer = this.#newer[slot];
    if (older === NONE) this.#oldest = newer;
    else this.#newer[older] = newer;
    if (newer === NONE) this.#newest = older;
    else this.#older[newer] = older;
    this.#values[slot] = undefined;
    this.#chain[slot] = this.#free;
    this.#free = slot;
    this.#size--;
  }

  /** Remove every entry. */
  clear(): void {
    while (this.#oldest !== NONE) this.remove(this.#oldest);
  }

  #link(slot: number): void {
    const bucket = this.#hash[slot] & this.#mask;
    this.#chain[slot] = this.#buckets[bucket];
    this.#buckets[bucket] = slot;
  }

  /** Enlarge slot storage to `capacity` slots and rebuild the hash index (one bucket per slot, rounded up). */
  #grow(capacity: number): void {
    const old = this.#capacity;
    if (capacity <= old) throw new RangeError(`Cannot grow the pending table past its limit of ${this.limit}`);
    this.#values.length = capacity;
    this.#words = copyInto(new Int32Array(capacity * KEY_WORDS), this.#words);
    this.#ports = copyInto(new Float64Array(capacity), this.#ports);
    this.#hash = copyInto(new Int32Array(capacity), this.#hash);
    this.#chain = copyInto(new Int32Array(capacity), this.#chain);
    this.#older = copyInto(new Int32Array(capacity), this.#older);
    this.#newer = copyInto(new Int32Array(capacity), this.#newer);
    let buckets = 1;
    while (buckets < capacity) buckets *= 2;
    this.#buckets = new Int32Array(buckets).fill(NONE);
    this.#mask = buckets - 1;
    for (let slot = this.#oldest; slot !== NONE; slot = this.#newer[slot]) this.#link(slot);
    // New slots go on the free list (all old ones are in use: growth only happens when none is free).
    for (let slot = capacity - 1; slot >= old; slot--) {
      this.#chain[slot] = this.#free;
      this.#free = slot;
    }
    this.#capacity = capacity;
  }
}

function copyInto<T extends Int32Array | Float64Array>(target: T, source: T): T {
  target.set(source);
  return target;
}
