/**
 * The output bytes of a batch of records: formats write each record straight into one reused, growable byte
 * buffer (ASCII writers, no intermediate string per record), ending each with a newline. The pipeline hands the
 * filled part to the sinks and resets it.
 *
 * Zero-copy contract: the view returned by `records()` aliases the buffer and is valid only until the next
 * write or `reset()`; a sink that keeps bytes past its `write` call copies them.
 *
 * @module
 */

import { type Constant, NUMBER_MAX, putBytes, putConstant, putNumber, putNumberWords, WORD_SLACK } from "./_put.ts";

const encoder = new TextEncoder();

/** Per byte value below 0x80: 0 = copy as is, 1 = needs a JSON escape. Everything from 0x7f up is escaped. */
const JSON_ESCAPE = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) JSON_ESCAPE[c] = 1;
JSON_ESCAPE[0x22] = 1; // "
JSON_ESCAPE[0x5c] = 1; // \
JSON_ESCAPE[0x7f] = 1;

const HEX = "0123456789abcdef";

/** A growable byte buffer of newline-terminated records. */
export class RecordBuffer {
  /** The bytes; index `used` is where the next byte goes. Replaced (contents kept) when it grows. */
  bytes: Uint8Array;
  /** A view of `bytes` for the word writers (src/record/_put.ts); replaced with it. */
  view: DataView;
  used = 0;

  constructor(capacity = 1 << 20) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** The records written since the last `reset()` (a view: see the module's zero-copy contract). */
  records(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }

  reset(): void {
    this.used = 0;
  }

  /** Make room for `n` more bytes, and the word writers' slack beyond them (src/record/_put.ts). */
  reserve(n: number): void {
    if (this.used + n + WORD_SLACK <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n + WORD_SLACK));
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /** Copy pre-encoded bytes. */
  raw(src: Uint8Array): void {
    if (this.used + src.length > this.bytes.length) this.reserve(src.length);
    this.used = putBytes(this.bytes, this.used, src);
  }

  /** Copy a prepared constant. */
  constant(c: Constant): void {
    this.reserve(c.length);
    this.used = putConstant(this.view, this.bytes, this.used, c);
  }

  /** Copy `[start, end)` of this buffer to its end (a part of an earlier record repeated in the next one). */
  repeat(start: number, end: number): void {
    this.reserve(end - start);
    this.bytes.copyWithin(this.used, start, end);
    this.used += end - start;
  }

  /** A text known to be ASCII (constants, digits, registry mnemonics), written as is. */
  ascii(text: string): void {
    const n = text.length;
    this.reserve(n);
    const b = this.bytes;
    let u = this.used;
    for (let i = 0; i < n; i++) b[u++] = text.charCodeAt(i);
    this.used = u;
  }

  /**
   * `text` as a JSON string literal, byte for byte what `jsonString` (json_string.ts) returns: `" \ \n \r \t`
   * escaped by name, other controls and every UTF-16 unit from 0x7f up as `\uXXXX`, so the output is pure ASCII.
   */
  jsonString(text: string): void {
    const n = text.length;
    this.reserve(n * 6 + 2);
    const b = this.bytes;
    let u = this.used;
    b[u++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80 && JSON_ESCAPE[c] === 0) {
        b[u++] = c;
        continue;
      }
      b[u++] = 0x5c;
      if (c === 0x22 || c === 0x5c) b[u++] = c;
      else if (c === 0x0a) b[u++] = 0x6e; // n
      else if (c === 0x0d) b[u++] = 0x72; // r
      else if (c === 0x09) b[u++] = 0x74; // t
      else {
        b[u++] = 0x75; // u
        b[u++] = HEX.charCodeAt((c >> 12) & 15);
        b[u++] = HEX.charCodeAt((c >> 8) & 15);
        b[u++] = HEX.charCodeAt((c >> 4) & 15);
        b[u++] = HEX.charCodeAt(c & 15);
      }
    }
    b[u++] = 0x22;
    this.used = u;
  }

  /** A number as JavaScript prints it (`String(n)`). */
  number(n: number): void {
    if (this.used + NUMBER_MAX > this.bytes.length) this.reserve(NUMBER_MAX);
    this.used = putNumber(this.bytes, this.used, n);
  }

  /** {@linkcode number}, a uint32's digits written as words (src/record/_put.ts `putNumberWords`). */
  numberWords(n: number): void {
    this.reserve(NUMBER_MAX);
    this.used = putNumberWords(this.view, this.bytes, this.used, n);
  }

  /** One ASCII byte (`[`, `]`, `,`). */
  byte(x: number): void {
    if (this.used + 1 + WORD_SLACK > this.bytes.length) this.reserve(1);
    this.bytes[this.used++] = x;
  }

  /** `true` or `false`. */
  boolean(value: boolean): void {
    this.ascii(value ? "true" : "false");
  }

  /** End the current record. */
  endLine(): void {
    this.reserve(1);
    this.bytes[this.used++] = 0x0a;
  }

  /** One whole record from a string in any script (UTF-8), newline included. */
  line(text: string): void {
    this.reserve(text.length * 3 + 1);
    this.used += encoder.encodeInto(text, this.bytes.subarray(this.used)).written;
    this.bytes[this.used++] = 0x0a;
  }
}
