/**
 * The bytes the pairing tables hold between packets (a held response's message; in the transaction format every held
 * message), in one growable buffer shared by all entries, indexed by the pending table's slot.
 *
 * One `Uint8Array.slice` per held message costs ~2.7 KB of process memory for a 90-byte message in V8 (the array
 * object, its ArrayBuffer, the backing store and the garbage they leave; measured with 1 M slices, 100 000 live): a
 * flood of orphan responses held 100 000 of them in 300 MB. Here a held message costs its length.
 *
 * Entries are appended at the end, in the order they are stored, and the buffer is compacted (live entries moved
 * down, in that order) when the end is reached: at most once per `limit / 4` bytes appended, because the caller
 * keeps `liveBytes` within `limit` and the buffer may grow to `limit * 1.25`. So a held message costs its length, the
 * buffer is at most 1.25 × `limit`, and each byte is moved at most four times on average.
 *
 * Lifetime: `bytes[start(slot), start(slot) + length(slot))` is valid until the next `put` (which may move it); a
 * released entry's bytes stay readable until then, so a caller may release first and read once more. `bytes` is
 * always the same array.
 *
 * @module
 */

import { copyWords, LastView, WORD_COPY_MAX } from "../record/_put.ts";

const NONE = -1;
/**
 * The part of the buffer used first (it grows from here up to 1.25 × limit), and the fewest slots. Small, so that the
 * first growths come early in a run, while V8 is still recording type feedback (see pending_table.ts).
 */
const INITIAL_BYTES = 1 << 10;
const INITIAL_SLOTS = 64;

export class HeldBytes {
  /**
   * The buffer; entries are ranges of it. It is allocated at its largest size once: the pages of a large ArrayBuffer
   * are mapped when first written (measured: 1 GiB allocated, 1 MB resident), and `#capacity`, the part in use,
   * starts small and grows with the live bytes, so memory follows what is held. Copying into a new, larger buffer instead left the old
   * one in memory until V8's next full collection (32 MiB more at the peak of a flood), and a resizable ArrayBuffer
   * made every read of a held name slower on the default format's hot path.
   */
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  /** A view of the buffer a message is copied from. */
  readonly #sourceView = new LastView();
  /** The part of `bytes` in use: entries are appended up to it, then compacted (and first grown, see `#makeRoom`). */
  #capacity = 0;
  /** Per slot: where its bytes start (NONE: nothing stored) and how many. */
  #start: Int32Array<ArrayBuffer> = new Int32Array(0);
  #length: Int32Array<ArrayBuffer> = new Int32Array(0);
  /** Per slot: the entries stored before and after it (buffer order). */
  #prev: Int32Array<ArrayBuffer> = new Int32Array(0);
  #next: Int32Array<ArrayBuffer> = new Int32Array(0);
  #first = NONE;
  #last = NONE;
  /** First free byte. */
  #end = 0;
  #live = 0;
  readonly #maxCapacity: number;

  /** `limit`: the most live bytes the caller keeps (it evicts before a `put` would pass it). */
  constructor(readonly limit: number) {
    this.#maxCapacity = limit + (limit >> 2);
    this.bytes = new Uint8Array(this.#maxCapacity);
    this.#view = new DataView(this.bytes.buffer);
  }

  /** The part of the buffer used so far (what can be resident): at most 1.25 × `limit`. */
  get usedBytes(): number {
    return this.#capacity;
  }

  /** Bytes of the entries stored now. */
  get liveBytes(): number {
    return this.#live;
  }

  /** Where the bytes of `slot` start in `bytes`. */
  start(slot: number): number {
    return this.#start[slot];
  }

  /** How many bytes `slot` holds (0 when none). */
  length(slot: number): number {
    return slot < this.#length.length ? this.#length[slot] : 0;
  }

  /** Whether `slot` holds an entry (possibly of 0 bytes). */
  holds(slot: number): boolean {
    return slot < this.#start.length && this.#start[slot] !== NONE;
  }

  /**
   * Store `source[from, to)` for `slot` (which holds nothing). The caller has made room: `liveBytes + (to - from)`
   * is within `limit`.
   */
  put(slot: number, source: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.#live + n > this.limit) {
      throw new RangeError(`Cannot hold ${n} more bytes: ${this.#live} of ${this.limit}`);
    }
    if (slot >= this.#start.length) this.#growSlots(slot + 1);
    else if (this.#start[slot] !== NONE) throw new RangeError(`Slot ${slot} already holds bytes`); // a caller's bug
    if (this.#end + n > this.#capacity) this.#makeRoom(n);
    const at = this.#end;
    const bytes = this.bytes;
    // Most are queries or short responses: copied by words, with no view object per message (see WORD_COPY_MAX).
    if (n <= WORD_COPY_MAX) copyWords(this.#view, bytes, at, this.#sourceView.of(source), source, from, to);
    else bytes.set(source.subarray(from, to), at);
    this.#end = at + n;
    this.#live += n;
    this.#start[slot] = at;
    this.#length[slot] = n;
    this.#prev[slot] = this.#last;
    this.#next[slot] = NONE;
    if (this.#last === NONE) this.#first = slot;
    else this.#next[this.#last] = slot;
    this.#last = slot;
  }

  /** Forget what `slot` holds (nothing to do when it holds nothing). */
  release(slot: number): void {
    if (!this.holds(slot)) return;
    const prev = this.#prev[slot];
    const next = this.#next[slot];
    if (prev === NONE) this.#first = next;
    else this.#next[prev] = next;
    if (next === NONE) this.#last = prev;
    else this.#prev[next] = prev;
    this.#live -= this.#length[slot];
    this.#start[slot] = NONE;
    this.#length[slot] = 0;
    if (this.#first === NONE) this.#end = 0; // empty: start again at the beginning, nothing to move
  }

  /** Forget everything (the buffer is kept). */
  clear(): void {
    for (let slot = this.#first; slot !== NONE; slot = this.#next[slot]) {
      this.#start[slot] = NONE;
      this.#length[slot] = 0;
    }
    this.#first = this.#last = NONE;
    this.#end = 0;
    this.#live = 0;
  }

  /**
   * Compact, first using more of the buffer when the live bytes would fill more than 3/4 of the part in use: then
   * 1.5 × what is needed, so the part in use (which becomes resident as entries are appended through it) stays near
   * 1.5 × the live bytes, and a compaction frees at least a quarter of it.
   */
  #makeRoom(n: number): void {
    const needed = this.#live + n;
    if (needed * 4 > this.#capacity * 3 && this.#capacity < this.#maxCapacity) {
      this.#capacity = Math.min(this.#maxCapacity, Math.max(INITIAL_BYTES, this.#capacity, Math.ceil(needed * 1.5)));
    }
    const bytes = this.bytes;
    let at = 0;
    for (let slot = this.#first; slot !== NONE; slot = this.#next[slot]) {
      const start = this.#start[slot];
      const length = this.#length[slot];
      if (at !== start) bytes.copyWithin(at, start, start + length); // at < start: buffer order
      this.#start[slot] = at;
      at += length;
    }
    this.#end = at;
  }

  #growSlots(slots: number): void {
    const size = Math.max(slots, this.#start.length * 2, INITIAL_SLOTS);
    const old = this.#start.length;
    this.#start = grown(this.#start, size);
    this.#start.fill(NONE, old);
    this.#length = grown(this.#length, size);
    this.#prev = grown(this.#prev, size);
    this.#next = grown(this.#next, size);
  }
}

function grown(old: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(old);
  return next;
}
