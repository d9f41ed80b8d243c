import { KEY_CELLS, keyMatches, type LookupKey, storedHash, storedKeysMatch, storeKey } from "./lookup_key.ts";

const NONE = -1;

/**
 * Keys paired recently, so that a late copy of a response counts as a duplicate instead of an orphan.
 *
 * A fixed ring of slots (typed arrays, no object per key): remembering a key writes it to the next slot and forgets
 * whatever key held it, so the structure never grows past its capacity and nothing is ever scanned. Almost every
 * pairing is remembered and almost none is looked up (only responses that find no pending entry ask), so
 * remembering is only that sequential write: the ring is indexed lazily, when a lookup comes, for the keys
 * remembered since the previous one. The index is an open-addressing hash table (linear probing, at most half
 * full) whose entries hold the slot and the key's hash side by side, so a lookup of an absent key reads one index
 * line and no key row, and forgetting a key moves no chain links.
 *
 * A key remembered again while still in the ring takes a new slot, and the index points at that newest copy: it
 * stays as long as a key remembered for the first time at that moment would.
 */
export class RecentPairs {
  /** Per slot, `KEY_CELLS` cells: the key (lookup_key.ts). */
  readonly #rows: Int32Array;
  readonly #untilMs: Float64Array;
  /** Per index entry, two cells: slot + 1 (0 = empty), the key's hash. */
  readonly #index: Int32Array;
  readonly #mask: number;
  /** The next slot to write. */
  #next = 0;
  /** Keys remembered so far; key number n is in slot n % capacity while n >= #remembered - capacity. */
  #remembered = 0;
  /** Keys numbered below this are in the index (those still in the ring and not superseded by a newer copy). */
  #indexed = 0;

  /**
   * `clock[0]`: the time now (packet time, ms), which {@linkcode remember} counts from. A view the caller updates, not
   * an argument: a double passed to a call V8 does not inline is boxed, a heap number per pairing (see
   * `PairingState.now`).
   */
  constructor(readonly capacity: number, readonly clock: Float64Array = new Float64Array(1)) {
    this.#rows = new Int32Array(capacity * KEY_CELLS);
    this.#untilMs = new Float64Array(capacity);
    let entries = 2;
    while (entries < capacity * 2) entries *= 2;
    this.#index = new Int32Array(entries * 2);
    this.#mask = entries - 1;
  }

  /** Remember `key` as paired, counting as recent for `forMs` from the clock's time. */
  remember(key: LookupKey, forMs: number): void {
    const slot = this.#next;
    this.#next = slot + 1 === this.capacity ? 0 : slot + 1;
    // The key leaving the ring is indexed when it was numbered below #indexed. Until the ring is full no key leaves
    // it: the slot holds no key the index names, so #unindex returns at the first free index entry. It is called all
    // the same, so that V8 has type feedback for this call from the start: reached for the first time once the ring
    // wrapped, well after this code was optimized, it threw away the optimized pairing code (measured).
    if (this.#remembered - this.capacity < this.#indexed) this.#unindex(slot);
    this.#remembered++;
    storeKey(key, this.#rows, slot * KEY_CELLS);
    this.#untilMs[slot] = this.clock[0] + forMs;
  }

  /** Whether `key` was paired recently enough at `nowMs`. */
  has(key: LookupKey, nowMs: number): boolean {
    if (this.#indexed < this.#remembered) this.#catchUp();
    const slot = this.#find(key);
    return slot !== NONE && this.#untilMs[slot] >= nowMs;
  }

  clear(): void {
    this.#index.fill(0);
    this.#next = 0;
    this.#remembered = 0;
    this.#indexed = 0;
  }

  /** Index the keys remembered since the last lookup (those still in the ring), oldest first. */
  #catchUp(): void {
    const capacity = this.capacity;
    const rows = this.#rows;
    const index = this.#index;
    const mask = this.#mask;
    const first = Math.max(this.#indexed, this.#remembered - capacity);
    let slot = this.#next - (this.#remembered - first);
    if (slot < 0) slot += capacity;
    for (let n = first; n < this.#remembered; n++) {
      const base = slot * KEY_CELLS;
      const hash = storedHash(rows, base);
      let i = hash & mask;
      for (let entry = index[2 * i]; entry !== 0; entry = index[2 * i]) {
        if (index[2 * i + 1] === hash && storedKeysMatch(rows, (entry - 1) * KEY_CELLS, base)) break;
        i = (i + 1) & mask;
      }
      // A new entry, or the older copy of the same key replaced by this one.
      index[2 * i] = slot + 1;
      index[2 * i + 1] = hash;
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
    this.#indexed = this.#remembered;
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

  /**
   * Take `slot` out of the index, shifting back the entries after it that would no longer be found. A slot whose
   * key was indexed again from a newer slot is not in the index any more: nothing to do.
   */
  #unindex(slot: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let i = storedHash(this.#rows, slot * KEY_CELLS) & mask;
    for (; index[2 * i] !== slot + 1; i = (i + 1) & mask) if (index[2 * i] === 0) return;
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
