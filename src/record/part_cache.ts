/**
 * A cache of encoded record parts keyed by the values they depend on, bounded: the values come from the wire, and a
 * hostile stream can make every message's key new (TTL and UDP size, type and class, flags and rcode), so past
 * `limit` entries the cache starts again empty. Ordinary traffic uses a handful of keys and never reaches it.
 *
 * @module
 */

/** Entries kept before the cache starts again (a few hundred KB of parts at most). */
const DEFAULT_LIMIT = 4096;

export class PartCache<T> {
  readonly #parts = new Map<number, T>();

  constructor(readonly limit: number = DEFAULT_LIMIT) {}

  get size(): number {
    return this.#parts.size;
  }

  /** The part cached for `key`, if any. */
  get(key: number): T | undefined {
    return this.#parts.get(key);
  }

  /** Cache `part` for `key` (emptying the cache first when it is full); returns `part`. */
  set(key: number, part: T): T {
    if (this.#parts.size >= this.limit) this.#parts.clear();
    this.#parts.set(key, part);
    return part;
  }
}
