/**
 * Where can a DNS-over-TCP stream (RFC 7766 §8: 2-byte length prefix, then the message) be
 * picked up when its start was not seen? Used at segment boundaries only: after a mid-connection
 * pickup, after a gap was skipped, and after a length prefix that cannot be a DNS message.
 *
 * @module
 */

/** RFC 1035 §4.1.1: fixed 12-byte header. */
export const DNS_HEADER_LEN = 12;
const MIN_QUESTION_LEN = 5; // root name (1) + type (2) + class (2)
const MIN_RR_LEN = 11; // root name (1) + type, class, TTL, RDLENGTH (10)
/** Opcodes in use (RFC 6895 §2.2): QUERY 0, IQUERY 1, STATUS 2, NOTIFY 4, UPDATE 5, DSO 6. */
const KNOWN_OPCODES = 0b1110111;

/**
 * True when `bytes[start, end)` starts with what looks like a length prefix and a DNS header:
 * the length is at least 12, and when the header is present its opcode is assigned and its four
 * counts could fit in that length (each question takes at least 5 bytes, each RR at least 11).
 */
export function looksLikeDnsStart(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 2) return false;
  const length = (bytes[start] << 8) | bytes[start + 1];
  if (length < DNS_HEADER_LEN) return false;
  if (end - start < 2 + DNS_HEADER_LEN) return true; // header not here yet: the length is all we can judge
  const h = start + 2;
  const opcode = (bytes[h + 2] >> 3) & 0x0f;
  if (((KNOWN_OPCODES >> opcode) & 1) === 0) return false;
  const qd = (bytes[h + 4] << 8) | bytes[h + 5];
  const rr = ((bytes[h + 6] << 8) | bytes[h + 7]) + ((bytes[h + 8] << 8) | bytes[h + 9]) +
    ((bytes[h + 10] << 8) | bytes[h + 11]);
  return qd * MIN_QUESTION_LEN + rr * MIN_RR_LEN <= length - DNS_HEADER_LEN;
}
