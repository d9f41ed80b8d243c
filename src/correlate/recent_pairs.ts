/**
 * Keys paired recently, so that a late copy of a response counts as a duplicate instead of an orphan.
 *
 * A fixed ring of slots plus a key → slot map: remembering a key takes the next slot and forgets whatever key held
 * it, so the structure never grows past its capacity and nothing is ever scanned. (Evicting the oldest entry of a
 * `Map` with `keys().next()` is O(deleted entries) in V8, which dominated the profile.)
 */
export class RecentPairs {
  readonly #slotOf = new Map<string, number>();
  readonly #keys: (string | undefined)[];
  readonly #untilMs: Float64Array;
  #next = 0;

  constructor(readonly capacity: number) {
    this.#keys = new Array(capacity);
    this.#untilMs = new Float64Array(capacity);
  }

  /** Remember `key` as paired, counting as recent until `untilMs` (packet time). */
  remember(key: string, untilMs: number): void {
    const existing = this.#slotOf.get(key);
    if (existing !== undefined) {
      this.#untilMs[existing] = untilMs;
      return;
    }
    const slot = this.#next;
    this.#next = slot + 1 === this.capacity ? 0 : slot + 1;
    const old = this.#keys[slot];
    if (old !== undefined) this.#slotOf.delete(old);
    this.#keys[slot] = key;
    this.#untilMs[slot] = untilMs;
    this.#slotOf.set(key, slot);
  }

  /** Whether `key` was paired recently enough at `nowMs`. */
  has(key: string, nowMs: number): boolean {
    const slot = this.#slotOf.get(key);
    return slot !== undefined && this.#untilMs[slot] >= nowMs;
  }

  clear(): void {
    this.#slotOf.clear();
    this.#keys.fill(undefined);
    this.#next = 0;
  }
}
