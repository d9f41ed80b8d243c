/**
 * The fixed 12-byte DNS header (RFC 1035 §4.1.1, with AD/CD from RFC 4035 §3.2).
 *
 * @module
 */

import { DecodeError } from "../decode_error.ts";
import { u16 } from "./_reader.ts";
import type { DnsHeader } from "./message.ts";

/** RFC 1035 §4.1.1: the header is 12 octets. */
export const HEADER_SIZE = 12;
const QR_BIT = 0x8000; // RFC 1035 §4.1.1
const OPCODE_SHIFT = 11; // RFC 1035 §4.1.1, 4 bits
const AA_BIT = 0x0400; // RFC 1035 §4.1.1
const TC_BIT = 0x0200; // RFC 1035 §4.1.1
const RD_BIT = 0x0100; // RFC 1035 §4.1.1
const RA_BIT = 0x0080; // RFC 1035 §4.1.1
const Z_BIT = 0x0040; // RFC 1035 §4.1.1 (reserved)
const AD_BIT = 0x0020; // RFC 4035 §3.2.3
const CD_BIT = 0x0010; // RFC 4035 §3.2.2
const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1

/**
 * Decode the header at byte 0 of `bytes` (a Uint8Array rather than a DataView: creating a
 * DataView per message cost more than decoding a whole A response).
 *
 * @throws {DecodeError} `dns.short_header` when `bytes` is shorter than 12 bytes.
 *
 * @example
 * ```ts
 * const h = decodeHeader(new Uint8Array([0x4f, 0xb8, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]));
 * h.id; // 0x4fb8
 * h.qr; // true
 * ```
 */
export function decodeHeader(bytes: Uint8Array): DnsHeader {
  if (bytes.byteLength < HEADER_SIZE) {
    throw new DecodeError(
      "dns.short_header",
      bytes.byteLength,
      `Cannot decode DNS header: message is ${bytes.byteLength} bytes, a header needs ${HEADER_SIZE}`,
    );
  }
  const flags = u16(bytes, 2);
  return {
    id: u16(bytes, 0),
    qr: (flags & QR_BIT) !== 0,
    opcode: (flags >> OPCODE_SHIFT) & 0xf,
    aa: (flags & AA_BIT) !== 0,
    tc: (flags & TC_BIT) !== 0,
    rd: (flags & RD_BIT) !== 0,
    ra: (flags & RA_BIT) !== 0,
    z: (flags & Z_BIT) !== 0,
    ad: (flags & AD_BIT) !== 0,
    cd: (flags & CD_BIT) !== 0,
    rcode: flags & RCODE_MASK,
    qdcount: u16(bytes, 4),
    ancount: u16(bytes, 6),
    nscount: u16(bytes, 8),
    arcount: u16(bytes, 10),
  };
}
