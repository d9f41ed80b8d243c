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

/** Parts a {@linkcode RecentParts} keeps. */
const RECENT = 8;

/**
 * The parts last used, found by a scan of a few keys, without hashing: a part keyed by a large number (flags and
 * rcode, an EDNS TTL and UDP size) costs a `Map` lookup of a heap number, which traffic that mixes a handful of forms
 * (resolvers' UDP sizes 1232 and 4096, the DO bit on some) paid per record. The caller falls back to a
 * {@linkcode PartCache} and adds what it found.
 */
export class RecentParts<T> {
  readonly #keys = new Float64Array(RECENT).fill(-1);
  readonly #parts: (T | undefined)[] = new Array(RECENT).fill(undefined);
  #next = 0;

  /** The part kept for `key` (a number of at least 0), if any. */
  get(key: number): T | undefined {
    const keys = this.#keys;
    for (let i = 0; i < RECENT; i++) if (keys[i] === key) return this.#parts[i];
    return undefined;
  }

  /** Keep `part` for `key` in place of the oldest; returns `part`. */
  add(key: number, part: T): T {
    const i = this.#next;
    this.#next = (i + 1) % RECENT;
    this.#keys[i] = key;
    this.#parts[i] = part;
    return part;
  }
}
