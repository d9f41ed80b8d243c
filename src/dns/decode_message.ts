/**
 * Decode one DNS message (RFC 1035 §4) to the `DnsMessage` shape, as deep as the caller needs.
 *
 * @module
 */

import { DecodeError } from "../decode_error.ts";
import { MessageReader } from "./_reader.ts";
import { addAnomaly } from "./anomalies.ts";
import { decodeHeader, HEADER_SIZE } from "./header.ts";
import type { DnsMessage, DnsResourceRecord } from "./message.ts";
import { readQuestions } from "./question.ts";
import { readSection } from "./record.ts";

/**
 * How far to decode: `"question"` stops after the question section (queries on the hot path),
 * `"answers"` after the answer section (the default output format), `"full"` decodes all four
 * sections and EDNS. Sections not decoded stay empty, `edns` stays null, and `trailing_bytes` is
 * only checked at `"full"`.
 */
export type DecodeDepth = "question" | "answers" | "full";

/** The sections a shallow decode leaves empty share this one array; read-only by contract (frozen). */
const NOT_DECODED: DnsResourceRecord[] = Object.freeze([]) as unknown as DnsResourceRecord[];

/** One reader for all messages: decoding is synchronous, so it is never shared between two calls. */
const reader = new MessageReader();

/**
 * Decode the DNS message in `bytes` (byte 0 = header; `bytes.byteLength` is the message end, so
 * callers pass exactly one message). Header counts are never trusted for allocation.
 *
 * Recoverable problems in the answer, authority and additional sections become `anomalies`
 * (see `DNS_ANOMALIES`) with the RRs decoded so far kept. At most `maxRecords` RRs of each section are decoded
 * (`-max_records`): a section holding more ends decoding with `too_many_records`.
 *
 * @throws {DecodeError} `dns.short_header` (under 12 bytes), `dns.truncated_question`, or a name
 *   error in the question section (`dns.pointer_forward`, `dns.pointer_loop`,
 *   `dns.too_many_pointers`, `dns.label_type`, `dns.name_too_long`, `dns.truncated_name`).
 *
 * @example
 * ```ts
 * // A response to "A? www.slashdot.org" with one answer (header, question, answer with a compression pointer).
 * const hex = "4fb881800001000100000000" + "03777777" + "08736c617368646f74" + "036f726700" + "00010001" +
 *   "c00c000100010000012c0004d822b530";
 * const bytes = Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
 * const msg = decodeMessage(bytes, "answers");
 * msg.questions[0].name; // "www.slashdot.org"
 * msg.answers[0].data; // "216.34.181.48"
 * ```
 */
export function decodeMessage(bytes: Uint8Array, depth: DecodeDepth, maxRecords: number = Infinity): DnsMessage {
  if (bytes.byteLength < HEADER_SIZE) {
    throw new DecodeError(
      "dns.short_header",
      bytes.byteLength,
      `Cannot decode DNS header: message is ${bytes.byteLength} bytes, a header needs ${HEADER_SIZE}`,
    );
  }
  const r = reader;
  r.reset(bytes);
  const header = decodeHeader(bytes);
  const full = depth === "full";
  const msg: DnsMessage = {
    header,
    questions: [],
    answers: depth === "question" ? NOT_DECODED : [],
    authorities: full ? [] : NOT_DECODED,
    additionals: full ? [] : NOT_DECODED,
    edns: null,
    anomalies: [],
    size: bytes.byteLength,
  };
  let p = readQuestions(r, HEADER_SIZE, header.qdcount, msg.questions);
  if (depth === "question") return msg;
  p = readSection(r, msg, p, header.ancount, msg.answers, false, maxRecords);
  if (depth === "answers" || p < 0) return msg;
  p = readSection(r, msg, p, header.nscount, msg.authorities, false, maxRecords);
  if (p < 0) return msg;
  p = readSection(r, msg, p, header.arcount, msg.additionals, true, maxRecords);
  if (p >= 0 && p < r.end) addAnomaly(msg.anomalies, "trailing_bytes");
  return msg;
}
