/**
 * UDP header (RFC 768). The checksum is not checked (a passive sensor sees offloaded checksums).
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";

const UDP_HEADER_LEN = 8; // RFC 768: ports, length, checksum

/** Result of {@linkcode decodeUdp}; one instance is reused for every datagram. */
export class UdpHeader {
  srcPort = 0;
  dstPort = 0;
  /** Payload: [payloadOffset, payloadEnd) within the buffer. */
  payloadOffset = 0;
  payloadEnd = 0;
}

/**
 * Decode the UDP header at `offset`. `end` is where the captured IP payload ends, `claimedEnd`
 * where the IP header says it ends; the UDP length must fit in the latter, and the payload is
 * trimmed to both.
 */
export function decodeUdp(data: Uint8Array, offset: number, end: number, claimedEnd: number, out: UdpHeader): void {
  if (end - offset < UDP_HEADER_LEN) {
    throw new DecodeError("udp.truncated", offset, `Cannot decode UDP header: needs 8 bytes, ${end - offset} left`);
  }
  const length = (data[offset + 4] << 8) | data[offset + 5];
  if (length < UDP_HEADER_LEN || offset + length > claimedEnd) {
    throw new DecodeError(
      "udp.bad_length",
      offset + 4,
      `Cannot decode UDP datagram: length ${length} does not fit the ${claimedEnd - offset}-byte IP payload`,
    );
  }
  out.srcPort = (data[offset] << 8) | data[offset + 1];
  out.dstPort = (data[offset + 2] << 8) | data[offset + 3];
  out.payloadOffset = offset + UDP_HEADER_LEN;
  out.payloadEnd = Math.min(offset + length, end);
}
