import { KEY_CELLS, keyMatches, loadKey, type LookupKey, storedHash, storeKey } from "./lookup_key.ts";

/** "No entry" in every link array. */
export const NONE = -1;
/**
 * Small, so that the first growth (and the first bucket chains longer than one) come within a run's first few hundred
 * lookups, while V8 is still recording type feedback: first reached later, in optimized code, each threw that code
 * away and compiled it again (measured with `--trace-deopt` on the 1M-pair capture: `add`, and the pairing code that
 * inlines `remove`).
 */
const INITIAL_CAPACITY = 64;
/** Int32 cells per slot: the key, then the bucket chain and the two insertion-order links. */
const ROW = KEY_CELLS + 3;
/** Next slot in the same bucket; for a free slot, the next free slot. */
const CHAIN = KEY_CELLS;
const OLDER = KEY_CELLS + 1;
const NEWER = KEY_CELLS + 2;

/**
 * The pairing engine's pending entries: key → value (nothing for the engine, which keeps its data in
 * arrays indexed by slot), in insertion order (oldest first), at most `limit`.
 *
 * Entries live in numbered slots (one row of int32 cells per slot for the key and the links, so an entry is one
 * cache line; one array of values), found through a chained hash index and threaded on a doubly linked list in
 * insertion order, so finding, adding and removing are O(1) and the oldest entry is always at hand. Slot storage starts small and doubles up to `limit`.
 * A slot number is valid until that entry is removed.
 */
export class PendingTable<T> {
  #values: (T | undefined)[] = [];
  /** Per slot, `ROW` cells: the key (lookup_key.ts), CHAIN, OLDER, NEWER. */
  #rows = new Int32Array(0);
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

  /**
   * The newest slot holding `key`, or NONE. A key may be held by several slots (several lookups in flight under one
   * key): `findNext` walks them from newest to oldest.
   */
  find(key: LookupKey): number {
    return this.#fromChain(key, this.#buckets[key.hash & this.#mask]);
  }

  /** The next older slot holding `key` after `slot` (which holds it), or NONE. */
  findNext(key: LookupKey, slot: number): number {
    return this.#fromChain(key, this.#rows[slot * ROW + CHAIN]);
  }

  /**
   * The first slot holding `key` on the bucket chain from `slot`. Slots are linked at the head of their chain when
   * added (and relinked oldest first when the index is rebuilt), so equal keys stand on a chain newest first.
   */
  #fromChain(key: LookupKey, slot: number): number {
    const rows = this.#rows;
    while (slot !== NONE) {
      if (keyMatches(key, rows, slot * ROW)) return slot;
      slot = rows[slot * ROW + CHAIN];
    }
    return NONE;
  }

  /** Load the key of the entry in `slot` into `key`. */
  keyOf(slot: number, key: LookupKey): void {
    loadKey(this.#rows, slot * ROW, key);
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
    return this.#rows[slot * ROW + NEWER];
  }

  /** Add `key` (present or not) as the newest entry; returns its slot. The caller keeps the size within `limit` by removing first. */
  add(key: LookupKey, value: T): number {
    if (this.#free === NONE) this.#grow(Math.min(this.limit, this.#capacity * 2));
    const rows = this.#rows;
    const slot = this.#free;
    const base = slot * ROW;
    this.#free = rows[base + CHAIN];
    this.#values[slot] = value;
    storeKey(key, rows, base);
    this.#link(slot);
    rows[base + OLDER] = this.#newest;
    rows[base + NEWER] = NONE;
    if (this.#newest === NONE) this.#oldest = slot;
    else rows[this.#newest * ROW + NEWER] = slot;
    this.#newest = slot;
    this.#size++;
    return slot;
  }

  /** Remove the entry in `slot`. */
  remove(slot: number): void {
    const rows = this.#rows;
    const base = slot * ROW;
    const bucket = storedHash(rows, base) & this.#mask;
    let at = this.#buckets[bucket];
    if (at === slot) {
      this.#buckets[bucket] = rows[base + CHAIN];
    } else {
      while (rows[at * ROW + CHAIN] !== slot) at = rows[at * ROW + CHAIN];
      rows[at * ROW + CHAIN] = rows[base + CHAIN];
    }
    const older = rows[base + OLDER];
    const newer = rows[base + NEWER];
    if (older === NONE) this.#oldest = newer;
    else rows[older * ROW + NEWER] = newer;
    if (newer === NONE) this.#newest = older;
    else rows[newer * ROW + OLDER] = older;
    this.#values[slot] = undefined;
    rows[base + CHAIN] = this.#free;
    this.#free = slot;
    this.#size--;
  }

  /** Remove every entry. */
  clear(): void {
    while (this.#oldest !== NONE) this.remove(this.#oldest);
  }

  #link(slot: number): void {
    const bucket = storedHash(this.#rows, slot * ROW) & this.#mask;
    this.#rows[slot * ROW + CHAIN] = this.#buckets[bucket];
    this.#buckets[bucket] = slot;
  }

  /** Enlarge slot storage to `capacity` slots and rebuild the hash index (one bucket per slot, rounded up). */
  #grow(capacity: number): void {
    const old = this.#capacity;
    if (capacity <= old) throw new RangeError(`Cannot grow the pending table past its limit of ${this.limit}`);
    this.#values.length = capacity;
    const rows = new Int32Array(capacity * ROW);
    rows.set(this.#rows);
    this.#rows = rows;
    let buckets = 1;
    while (buckets < capacity) buckets *= 2;
    this.#buckets = new Int32Array(buckets).fill(NONE);
    this.#mask = buckets - 1;
    for (let slot = this.#oldest; slot !== NONE; slot = rows[slot * ROW + NEWER]) this.#link(slot);
    // New slots go on the free list (all old ones are in use: growth only happens when none is free).
    for (let slot = capacity - 1; slot >= old; slot--) {
      rows[slot * ROW + CHAIN] = this.#free;
      this.#free = slot;
    }
    this.#capacity = capacity;
  }
}
