/**
 * The question section (RFC 1035 §4.1.2). Any problem here throws: without its question a message
 * cannot be correlated or described.
 *
 * @module
 */

import { u16 } from "./_reader.ts";

import { DecodeError } from "../decode_error.ts";
import type { MessageReader } from "./_reader.ts";
import type { DnsQuestion } from "./message.ts";
import { readName } from "./name.ts";

/** RFC 1035 §4.1.2: QTYPE and QCLASS follow the name. */
const QUESTION_FIXED = 4;

/**
 * Read `count` questions starting at `pos` into `out` (never pre-sized from the attacker-controlled
 * count: a question takes at least 5 bytes, so the message length bounds the loop). Returns the
 * offset after the section.
 *
 * @throws {DecodeError} `dns.truncated_question` or a name error code (`dns.pointer_forward`, …).
 */
export function readQuestions(r: MessageReader, pos: number, count: number, out: DnsQuestion[]): number {
  let p = pos;
  for (let i = 0; i < count; i++) {
    if (p >= r.end) {
      throw new DecodeError(
        "dns.truncated_question",
        p,
        `Cannot decode question ${i + 1} of ${count} at offset ${p}: the message ends there`,
      );
    }
    const name = readName(r, p, r.end);
    if (name === null) throw new DecodeError(r.errCode, r.errOffset, r.errMessage);
    p = r.next;
    if (p + QUESTION_FIXED > r.end) {
      throw new DecodeError(
        "dns.truncated_question",
        p,
        `Cannot decode question ${i + 1} of ${count} at offset ${p}: type and class need 4 bytes, ${r.end - p} remain`,
      );
    }
    out.push({ name, type: u16(r.bytes, p), class: u16(r.bytes, p + 2) });
    p += QUESTION_FIXED;
  }
  return p;
}
