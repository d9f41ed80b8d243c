/**
 * The lean scan of a DNS message for the default output format: the header and the question section, nothing
 * built. It applies exactly the rules of {@linkcode decodeMessage} up to the end of the question section (a message
 * that decoder rejects is rejected here with the same DecodeError code), and leaves what pairing and records need in
 * one reused {@linkcode WireQuestion}.
 *
 * Zero-copy contract: `WireQuestion.name` is usually the buffer holding the scanned message (a name without
 * compression pointers is its own expanded form), so it is valid only while that message is (the handler call) and
 * is replaced by the next scan; `MessageReader` stays pointed at the scanned message so the answer section can be
 * walked next (see src/record/wire_render.ts). The message may be a range of a larger buffer
 * (`MessageReader.resetRange`): every position here indexes that buffer.
 *
 * @module
 */

import { DecodeError } from "../decode_error.ts";
import { type MessageReader, u16 } from "./_reader.ts";
import { HEADER_SIZE } from "./header.ts";
import { expandName, lastFirstTarget, MAX_NAME_OCTETS } from "./name.ts";

const EMPTY = new Uint8Array(0);

/** RFC 1035 §4.1.4: a length octet is below 0x40; the other label types (pointers among them) are at or above. */
const LABEL_LENGTH_END = 0x40;
/** RFC 1035 §4.1.2: QTYPE and QCLASS follow the name. */
const QUESTION_FIXED = 4;

/** Header fields and the first question of the message last scanned. */
export class WireQuestion {
  id = 0;
  /** The header's second 16-bit word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE). */
  flags = 0;
  ancount = 0;
  /** False when QDCOUNT is 0: the message then pairs on its key alone. */
  hasQuestion = false;
  /**
   * The first question's name in expanded wire form (labels with length octets, root octet excluded):
   * `name[nameStart, nameStart + nameLength)`. `name` is the message's buffer when the name has no compression pointer,
   * else a buffer of this object (see the module's zero-copy contract).
   */
  name: Uint8Array = EMPTY;
  nameStart = 0;
  nameLength = 0;
  /** Where a compressed first name is expanded. */
  readonly #expanded: Uint8Array = new Uint8Array(MAX_NAME_OCTETS);
  /** Target of the first compression pointer of the first question's name, -1 when it has none. */
  nameFirstTarget = -1;
  type = 0;
  class = 0;
  /** Where the answer section starts (an index into the scanned reader's `bytes`, like every position here). */
  answersStart = 0;

  /** Point `name` at the first question's name at `start` of `b` (expanding it when it has a pointer). */
  setName(b: Uint8Array, start: number, length: number, firstTarget: number, r: MessageReader): void {
    this.nameLength = length;
    if (firstTarget < 0) {
      this.name = b;
      this.nameStart = start;
    } else {
      expandName(r, start, r.end, this.#expanded); // it passed just before: it cannot fail
      this.name = this.#expanded;
      this.nameStart = 0;
    }
  }
}

/**
 * Scan the header and every question of the message `r` points at (`r.reset` or `r.resetRange` first), keeping the first
 * question in `out`.
 *
 * @throws {DecodeError} `dns.short_header`, `dns.truncated_question` or a name error code, as `decodeMessage`.
 */
export function scanQuestion(r: MessageReader, out: WireQuestion): void {
  const b = r.bytes;
  const base = r.base;
  const end = r.end;
  if (end - base < HEADER_SIZE) {
    throw new DecodeError(
      "dns.short_header",
      end - base,
      `Cannot decode DNS header: message is ${end - base} bytes, a header needs ${HEADER_SIZE}`,
    );
  }
  out.id = u16(b, base);
  out.flags = u16(b, base + 2);
  const count = u16(b, base + 4);
  out.ancount = u16(b, base + 6);
  out.hasQuestion = count > 0;
  let p = base + HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (p >= end) {
      throw new DecodeError(
        "dns.truncated_question",
        p - base,
        `Cannot decode question ${i + 1} of ${count} at offset ${p - base}: the message ends there`,
      );
    }
    const start = p;
    // The usual name, labels in place up to its root octet, is measured here; anything else (a pointer, a bad label
    // type, a cut or too long name) by expandName, with all its rules.
    let length = 0;
    let q = p;
    for (;;) {
      if (q >= end) {
        length = -1;
        break;
      }
      const c = b[q];
      if (c === 0) break;
      if (c >= LABEL_LENGTH_END || length + 1 + c >= MAX_NAME_OCTETS) {
        length = -1;
        break;
      }
      length += 1 + c;
      q += 1 + c;
    }
    let firstTarget = -1;
    if (length >= 0) {
      p = q + 1;
    } else {
      length = expandName(r, p, end, null); // checked and measured, not copied
      if (length < 0) throw new DecodeError(r.errCode, r.errOffset, r.errMessage);
      p = r.next;
      firstTarget = lastFirstTarget();
    }
    if (p + QUESTION_FIXED > end) {
      throw new DecodeError(
        "dns.truncated_question",
        p - base,
        `Cannot decode question ${i + 1} of ${count} at offset ${p - base}: type and class need 4 bytes, ${
          end - p
        } remain`,
      );
    }
    if (i === 0) {
      out.setName(b, start, length, firstTarget, r);
      out.nameFirstTarget = firstTarget;
      out.type = u16(b, p);
      out.class = u16(b, p + 2);
    }
    p += QUESTION_FIXED;
  }
  out.answersStart = p;
}

/**
 * The scan `q` of the message `r` reads, in one number, when its question section has the usual shape (one question,
 * its name without a compression pointer): the name's length plus one (its root octet; at most 255), from which
 * {@linkcode readPlainQuestion} gives back everything the scan found; else 0. `q` must be that message's scan: its
 * name in `r`'s buffer, right after the header.
 */
export function plainQuestionLength(q: WireQuestion, r: MessageReader): number {
  const nameStart = r.base + HEADER_SIZE;
  const plain = q.hasQuestion && q.nameFirstTarget < 0 && q.name === r.bytes && q.nameStart === nameStart &&
    q.answersStart === nameStart + q.nameLength + 1 + QUESTION_FIXED;
  return plain ? q.nameLength + 1 : 0;
}

/**
 * What {@linkcode scanQuestion} leaves in `out` for the message `r` reads, given `plain` (> 0) from
 * {@linkcode plainQuestionLength} of an earlier scan of the same bytes: read at known places, no label walked.
 */
export function readPlainQuestion(r: MessageReader, out: WireQuestion, plain: number): void {
  const b = r.bytes;
  const base = r.base;
  const p = base + HEADER_SIZE + plain;
  out.id = u16(b, base);
  out.flags = u16(b, base + 2);
  out.ancount = u16(b, base + 6);
  out.hasQuestion = true;
  out.name = b;
  out.nameStart = base + HEADER_SIZE;
  out.nameLength = plain - 1;
  out.nameFirstTarget = -1;
  out.type = u16(b, p);
  out.class = u16(b, p + 2);
  out.answersStart = p + QUESTION_FIXED;
}

/** ASCII letters fold to lower case; lengths octets (< 64) and every other byte stay as they are. */
const FOLD = new Uint8Array(256);
for (let x = 0; x < 256; x++) FOLD[x] = x >= 0x41 && x <= 0x5a ? x + 0x20 : x;

/** {@linkcode compareWireNames}: the names differ, are equal once ASCII case is folded, or are the same bytes. */
export const NAMES_DIFFER = 0;
export const NAMES_EQUAL_FOLDED = 1;
export const NAMES_IDENTICAL = 2;

/**
 * Whether two expanded wire names are equal without regard to ASCII case (what comparing their presentation forms
 * with `toLowerCase` gives: escapes hold no letters, and length octets are below 0x41), and if so whether they are
 * the same bytes (the usual case: a server echoes the question as asked, 0x20 case randomization included).
 */
export function compareWireNames(
  a: Uint8Array,
  aStart: number,
  aLength: number,
  b: Uint8Array,
  bStart: number,
  bLength: number,
): number {
  if (aLength !== bLength) return NAMES_DIFFER;
  let result = NAMES_IDENTICAL;
  for (let i = 0; i < aLength; i++) {
    const x = a[aStart + i];
    const y = b[bStart + i];
    if (x !== y) {
      if (FOLD[x] !== FOLD[y]) return NAMES_DIFFER;
      result = NAMES_EQUAL_FOLDED;
    }
  }
  return result;
}

/** Two scanned messages ask the same thing: first questions equal (ASCII case folded), or either has none. */
export function sameScannedQuestion(a: WireQuestion, b: WireQuestion): boolean {
  if (!a.hasQuestion || !b.hasQuestion) return true;
  if (a.type !== b.type || a.class !== b.class) return false;
  return compareWireNames(a.name, a.nameStart, a.nameLength, b.name, b.nameStart, b.nameLength) !== NAMES_DIFFER;
}
