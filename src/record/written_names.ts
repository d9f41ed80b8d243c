/**
 * Names of one message already written into a buffer as JSON string contents, by their message offset, so a name
 * that is just a compression pointer to one of them (owner names are mostly `0xc00c`, or the previous CNAME's
 * target) is copied instead of walked again. A copy gives what a walk from the pointer gives only when the cached
 * name's own walk followed pointers below the target only, the rule src/dns/name.ts `readName` applies to its cache.
 *
 * @module
 */

import { copyAsciiWords } from "./_put.ts";
import type { RecordBuffer } from "./record_buffer.ts";

/** Names remembered per message; more are simply walked again. */
const ENTRIES = 16;
/** RFC 1035 §4.1.4: the two top bits 11 mark a compression pointer. */
const LABEL_POINTER = 0xc0;

export class WrittenNames {
  #count = 0;
  readonly #offset = new Int32Array(ENTRIES);
  readonly #start = new Int32Array(ENTRIES);
  readonly #end = new Int32Array(ENTRIES);
  readonly #length = new Int32Array(ENTRIES);
  readonly #firstTarget = new Int32Array(ENTRIES);

  clear(): void {
    this.#count = 0;
  }

  /**
   * The name at message offset `offset` (in place there) is `out[start, end)`; `length` is 0 for the root (only
   * that is asked of it); its walk followed its first pointer to `firstTarget` (-1: none).
   */
  add(offset: number, start: number, end: number, length: number, firstTarget: number): void {
    if (this.#count === ENTRIES) return;
    const k = this.#count++;
    this.#offset[k] = offset;
    this.#start[k] = start;
    this.#end[k] = end;
    this.#length[k] = length;
    this.#firstTarget[k] = firstTarget;
  }

  /**
   * When the name at `b[p]` (a message starting at `base`, ending at `end`) is a pointer to a remembered name, copy
   * that name to the end of `out` and return its `length` (the name then takes 2 bytes at `p`); else -1.
   */
  copy(out: RecordBuffer, b: Uint8Array, p: number, end: number, base: number): number {
    if (b[p] < LABEL_POINTER || p + 2 > end) return -1;
    const target = ((b[p] & 0x3f) << 8) | b[p + 1];
    if (target >= p - base) return -1; // a forward pointer: the walk reports it
    for (let k = 0; k < this.#count; k++) {
      if (this.#offset[k] !== target) continue;
      if (this.#firstTarget[k] >= target) return -1;
      const start = this.#start[k];
      const n = this.#end[k] - start;
      out.reserve(n);
      // Short, ASCII (a name's JSON form), and after the name it copies: words (copyWithin's call costs more).
      out.used = copyAsciiWords(out.view, out.bytes, out.used, start, start + n);
      return this.#length[k];
    }
    return -1;
  }
}
