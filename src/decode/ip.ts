/**
 * Network layer: IPv4 (RFC 791) with options and IPv6 (RFC 8200) with extension headers.
 * Each header narrows `end` with its own length field, so Ethernet padding never reaches the
 * transport layer. The frame ends at `end` in a larger buffer (zero-copy: see
 * src/capture/captured_packet.ts); every offset here is an index into that buffer.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";

export const IP_PROTO_HOPOPTS = 0; // RFC 8200 §4.3
export const IP_PROTO_IPIP = 4; // RFC 2003: IPv4 in IP
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;
export const IP_PROTO_IPV6 = 41; // RFC 4213 / RFC 2473: IPv6 in IP
export const IP_PROTO_ROUTING = 43; // RFC 8200 §4.4
export const IP_PROTO_FRAGMENT = 44; // RFC 8200 §4.5
export const IP_PROTO_GRE = 47; // RFC 2784
export const IP_PROTO_ESP = 50; // RFC 4303: encrypted, nothing to read behind it
export const IP_PROTO_AH = 51; // RFC 4302 §2.2: length in 4-octet units minus 2
export const IP_PROTO_NONE = 59; // RFC 8200 §4.7
export const IP_PROTO_DSTOPTS = 60; // RFC 8200 §4.6

const IPV4_MIN_HEADER_LEN = 20; // RFC 791 §3.1, IHL >= 5
const IPV4_MF = 0x2000; // RFC 791 §3.1 flags: More Fragments
const IPV4_OFFSET_MASK = 0x1fff; // fragment offset in 8-octet units
const IPV6_HEADER_LEN = 40; // RFC 8200 §3
const IPV6_FRAGMENT_HEADER_LEN = 8; // RFC 8200 §4.5
const IPV6_OFFSET_MASK = 0xfff8; // RFC 8200 §4.5: 13-bit offset in 8-octet units, already shifted by 3
const IPV6_M_FLAG = 0x0001;

/** Result of {@linkcode decodeIpv4} / {@linkcode decodeIpv6}; one instance is reused for every packet. */
export class IpLayer {
  version = 4;
  /** Offsets of the source and destination addresses in the buffer (4 or 16 bytes). */
  srcOffset = 0;
  dstOffset = 0;
  /** Upper-layer protocol (for an IPv6 fragment: the Next Header of the fragmentable part). */
  protocol = 0;
  /** Upper-layer payload: [payloadOffset, payloadEnd) within the captured bytes. */
  payloadOffset = 0;
  payloadEnd = 0;
  /** Where the payload ends according to the header (past `payloadEnd` when the capture was cut). */
  claimedEnd = 0;
  /** The snap length cut this packet: the payload is incomplete. */
  captureTruncated = false;
  isFragment = false;
  /** Fragment offset in bytes, More Fragments flag and identification (IPv4 16 bits, IPv6 32 bits). */
  fragmentOffset = 0;
  moreFragments = false;
  fragmentId = 0;
}

function u16(data: Uint8Array, offset: number): number {
  return (data[offset] << 8) | data[offset + 1];
}

/**
 * Decode the IPv4 header at `offset` of a frame that ends at `end`. `frameCut` tells whether the capture kept fewer
 * bytes than were on the wire: only then may the total length point past the captured bytes.
 */
export function decodeIpv4(data: Uint8Array, offset: number, end: number, frameCut: boolean, out: IpLayer): void {
  const available = end - offset;
  if (available < IPV4_MIN_HEADER_LEN) {
    throw new DecodeError("ipv4.truncated", offset, `Cannot decode IPv4 header: needs 20 bytes, ${available} left`);
  }
  const versionIhl = data[offset];
  if (versionIhl >> 4 !== 4) {
    throw new DecodeError("ipv4.bad_version", offset, `Cannot decode IPv4 header: version is ${versionIhl >> 4}`);
  }
  const headerLen = (versionIhl & 0x0f) * 4;
  if (headerLen < IPV4_MIN_HEADER_LEN) {
    throw new DecodeError("ipv4.bad_ihl", offset, `Cannot decode IPv4 header: IHL ${headerLen / 4} is below 5`);
  }
  if (headerLen > available) {
    throw new DecodeError(
      "ipv4.truncated",
      offset,
      `Cannot decode IPv4 header: IHL says ${headerLen} bytes, ${available} left`,
    );
  }
  const totalLen = u16(data, offset + 2);
  if (totalLen < headerLen) {
    throw new DecodeError(
      "ipv4.bad_total_length",
      offset + 2,
      `Cannot decode IPv4 packet: total length ${totalLen} is shorter than the ${headerLen}-byte header`,
    );
  }
  setEnd(out, offset + totalLen, end, frameCut, "ipv4.bad_total_length", offset + 2);
  const flagsOffset = u16(data, offset + 6);
  out.version = 4;
  out.srcOffset = offset + 12;
  out.dstOffset = offset + 16;
  out.protocol = data[offset + 9];
  out.payloadOffset = offset + headerLen;
  out.fragmentOffset = (flagsOffset & IPV4_OFFSET_MASK) * 8;
  out.moreFragments = (flagsOffset & IPV4_MF) !== 0;
  out.isFragment = out.moreFragments || out.fragmentOffset !== 0;
  out.fragmentId = u16(data, offset + 4);
}

/** Set claimedEnd/payloadEnd, allowing the claimed end past the frame end only when the snap length cut it. */
function setEnd(out: IpLayer, claimedEnd: number, end: number, frameCut: boolean, code: string, at: number) {
  out.claimedEnd = claimedEnd;
  if (claimedEnd <= end) {
    out.payloadEnd = claimedEnd;
    out.captureTruncated = false;
    return;
  }
  if (!frameCut) {
    throw new DecodeError(
      code,
      at,
      `Cannot decode IP packet: its length field ends at byte ${claimedEnd}, the frame at ${end}`,
    );
  }
  out.payloadEnd = end;
  out.captureTruncated = true;
}

/** Decode the IPv6 header at `offset` of a frame that ends at `end` and walk its extension headers. */
export function decodeIpv6(data: Uint8Array, offset: number, end: number, frameCut: boolean, out: IpLayer): void {
  const available = end - offset;
  if (available < IPV6_HEADER_LEN) {
    throw new DecodeError("ipv6.truncated", offset, `Cannot decode IPv6 header: needs 40 bytes, ${available} left`);
  }
  if (data[offset] >> 4 !== 6) {
    throw new DecodeError("ipv6.bad_version", offset, `Cannot decode IPv6 header: version is ${data[offset] >> 4}`);
  }
  const payloadLen = u16(data, offset + 4);
  const nextHeader = data[offset + 6];
  if (payloadLen === 0 && nextHeader === IP_PROTO_HOPOPTS) {
    // RFC 2675 jumbogram: the length is in a hop-by-hop option; never DNS in practice.
    throw new DecodeError("ipv6.jumbogram", offset + 4, "Cannot decode IPv6 jumbogram: payload length 0");
  }
  setEnd(out, offset + IPV6_HEADER_LEN + payloadLen, end, frameCut, "ipv6.bad_payload_length", offset + 4);
  out.version = 6;
  out.srcOffset = offset + 8;
  out.dstOffset = offset + 24;
  walkIpv6Extensions(data, offset + IPV6_HEADER_LEN, out.payloadEnd, nextHeader, out);
}

/**
 * Skip IPv6 extension headers from `offset` (first header type `nextHeader`) up to `end`, setting
 * `protocol` and `payloadOffset`. Stops at a fragment header (the rest is the fragmentable part),
 * at ESP / No Next Header, or at any upper-layer protocol. Also used on a reassembled payload.
 */
export function walkIpv6Extensions(
  data: Uint8Array,
  offset: number,
  end: number,
  nextHeader: number,
  out: IpLayer,
): void {
  out.isFragment = false;
  out.moreFragments = false;
  out.fragmentOffset = 0;
  for (;;) {
    let headerLen: number;
    switch (nextHeader) {
      case IP_PROTO_HOPOPTS:
      case IP_PROTO_ROUTING:
      case IP_PROTO_DSTOPTS:
        if (offset + 2 > end) throw badExtension(nextHeader, offset, end);
        headerLen = (data[offset + 1] + 1) * 8; // RFC 8200 §4.3: 8-octet units, not counting the first 8
        break;
      case IP_PROTO_AH:
        if (offset + 2 > end) throw badExtension(nextHeader, offset, end);
        headerLen = (data[offset + 1] + 2) * 4;
        break;
      case IP_PROTO_FRAGMENT: {
        if (offset + IPV6_FRAGMENT_HEADER_LEN > end) throw badExtension(nextHeader, offset, end);
        const offsetFlags = u16(data, offset + 2);
        out.fragmentOffset = offsetFlags & IPV6_OFFSET_MASK;
        out.moreFragments = (offsetFlags & IPV6_M_FLAG) !== 0;
        out.fragmentId = ((data[offset + 4] << 24) | (data[offset + 5] << 16) | u16(data, offset + 6)) >>> 0;
        nextHeader = data[offset];
        offset += IPV6_FRAGMENT_HEADER_LEN;
        // RFC 6946: offset 0 without M is an "atomic fragment", a whole packet; keep walking.
        if (out.moreFragments || out.fragmentOffset !== 0) {
          out.isFragment = true;
          out.protocol = nextHeader;
          out.payloadOffset = offset;
          return;
        }
        continue;
      }
      default:
        out.protocol = nextHeader;
        out.payloadOffset = offset;
        return;
    }
    if (offset + headerLen > end) throw badExtension(nextHeader, offset, end);
    nextHeader = data[offset];
    offset += headerLen;
  }
}

function badExtension(type: number, offset: number, end: number): DecodeError {
  return new DecodeError(
    "ipv6.bad_ext_header",
    offset,
    `Cannot decode IPv6 extension header ${type} at offset ${offset}: the packet ends at ${end}`,
  );
}
