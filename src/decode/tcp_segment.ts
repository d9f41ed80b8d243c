/**
 * TCP header (RFC 9293 §3.1): ports, sequence number, flags and where the data starts.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";

const TCP_MIN_HEADER_LEN = 20; // RFC 9293 §3.1, Data Offset >= 5
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;

/** Result of {@linkcode decodeTcpHeader}; one instance is reused for every segment. */
export class TcpHeader {
  srcPort = 0;
  dstPort = 0;
  /** Sequence number, unsigned 32-bit. */
  seq = 0;
  /** Control bits (TCP_FIN, TCP_SYN, TCP_RST, ...). */
  flags = 0;
  /** Segment data: [payloadOffset, payloadEnd) within the buffer. */
  payloadOffset = 0;
  payloadEnd = 0;
}

/** Decode the TCP header at `offset` of a segment that ends at `end`. */
export function decodeTcpHeader(data: Uint8Array, offset: number, end: number, out: TcpHeader): void {
  if (end - offset < TCP_MIN_HEADER_LEN) {
    throw new DecodeError("tcp.truncated", offset, `Cannot decode TCP header: needs 20 bytes, ${end - offset} left`);
  }
  const headerLen = (data[offset + 12] >> 4) * 4;
  if (headerLen < TCP_MIN_HEADER_LEN || offset + headerLen > end) {
    throw new DecodeError(
      "tcp.bad_data_offset",
      offset + 12,
      `Cannot decode TCP header: data offset ${headerLen} bytes, segment has ${end - offset}`,
    );
  }
  out.srcPort = (data[offset] << 8) | data[offset + 1];
  out.dstPort = (data[offset + 2] << 8) | data[offset + 3];
  out.seq = ((data[offset + 4] << 24) | (data[offset + 5] << 16) | (data[offset + 6] << 8) | data[offset + 7]) >>> 0;
  out.flags = data[offset + 13];
  out.payloadOffset = offset + headerLen;
  out.payloadEnd = end;
}
