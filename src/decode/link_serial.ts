/**
 * Point-to-point and older LAN link types: PPP (9), PPP in HDLC framing (50), Cisco HDLC (104), FDDI (10), ARCNET as
 * Linux captures it (129), IP over InfiniBand (242) and Linux NFLOG (239). Values from tcpdump.org/linktypes.html.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";
import { afterEtherType, LinkLayer, NET_IPV4, NET_IPV6, NET_NOT_IP, truncated } from "./link_layer.ts";
import { decodeLlcSnap } from "./link_wireless.ts";

/** PPP protocol numbers (RFC 1332, RFC 5072, RFC 3032 §5). */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const PPP_MPLS = 0x0281;
const ETHERTYPE_MPLS = 0x8847;
const CISCO_HDLC_LEN = 4; // address (0x0f unicast, 0x8f broadcast), control 0, EtherType
const FDDI_HEADER_LEN = 13; // frame control, destination, source
/**
 * What Linux and Solaris capture on IPoIB: a 40-byte pseudo header (the GRH, or zeros and the 20-byte destination
 * hardware address), then the RFC 4391 §6 encapsulation header (EtherType, reserved). tcpdump and Wireshark read the
 * same 44 bytes.
 */
const IPOIB_HEADER_LEN = 44;
const IPOIB_ETHERTYPE_AT = 40;
const ARCNET_LINUX_HEADER_LEN = 4; // source, destination, two-byte offset
/** ARCNET protocol ids: RFC 1051 (no fragmentation fields) and RFC 1201 / RFC 2497 (split flag, sequence). */
const ARCNET_IPV4_RFC1051 = 0xf0;
const ARCNET_IPV4_RFC1201 = 0xd4;
const ARCNET_IPV6 = 0xc4;
const NFLOG_HEADER_LEN = 4; // address family, version, resource id
const NFULA_PAYLOAD = 9; // the TLV holding the packet
const AF_INET = 2;
const AF_INET6 = 10;

function setNet(out: LinkLayer, netType: number, offset: number, etherType: number): void {
  out.netType = netType;
  out.netOffset = offset;
  out.etherType = etherType;
}

/** A PPP protocol field at `at` (one byte when its low bit is set, RFC 1661 §6.5). */
function afterPppProtocol(data: Uint8Array, start: number, at: number, end: number, out: LinkLayer): void {
  if (at >= end) throw truncated(start, end, at - start + 1, "PPP");
  let protocol = data[at];
  if ((protocol & 1) === 0) {
    if (at + 2 > end) throw truncated(start, end, at - start + 2, "PPP");
    protocol = (protocol << 8) | data[at + 1];
    at += 2;
  } else at += 1;
  if (protocol === PPP_IPV4) setNet(out, NET_IPV4, at, 0x0800);
  else if (protocol === PPP_IPV6) setNet(out, NET_IPV6, at, 0x86dd);
  else if (protocol === PPP_MPLS) setNet(out, NET_NOT_IP, at, ETHERTYPE_MPLS); // the decoder reads the label stack
  else setNet(out, NET_NOT_IP, at, 0);
}

/** LINKTYPE_PPP (9): RFC 1662 address and control (0xff 0x03) when present, then the protocol. */
export function decodePpp(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  const framed = end - start >= 2 && data[start] === 0xff && data[start + 1] === 0x03;
  afterPppProtocol(data, start, framed ? start + 2 : start, end, out);
}

/** LINKTYPE_C_HDLC (104): Cisco HDLC, address, control, EtherType. */
export function decodeCiscoHdlc(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < CISCO_HDLC_LEN) throw truncated(start, end, CISCO_HDLC_LEN, "Cisco HDLC");
  afterEtherType(data, start, end, start + CISCO_HDLC_LEN, (data[start + 2] << 8) | data[start + 3], out);
}

/** LINKTYPE_PPP_HDLC (50): PPP in HDLC-like framing (first byte 0xff) or Cisco PPP with HDLC framing (0x0f, 0x8f). */
export function decodePppHdlc(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < 1) throw truncated(start, end, 1, "PPP in HDLC");
  if (data[start] === 0x0f || data[start] === 0x8f) decodeCiscoHdlc(data, start, end, out);
  else decodePpp(data, start, end, out);
}

/** LINKTYPE_FDDI (10): frame control and two addresses, then LLC/SNAP. */
export function decodeFddi(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < FDDI_HEADER_LEN) throw truncated(start, end, FDDI_HEADER_LEN, "FDDI");
  decodeLlcSnap(data, start, start + FDDI_HEADER_LEN, end, out);
}

/** LINKTYPE_IPOIB (242): pseudo header and RFC 4391 §6 encapsulation header (see IPOIB_HEADER_LEN). */
export function decodeIpoib(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < IPOIB_HEADER_LEN) throw truncated(start, end, IPOIB_HEADER_LEN, "IPoIB");
  const at = start + IPOIB_ETHERTYPE_AT;
  afterEtherType(data, start, end, start + IPOIB_HEADER_LEN, (data[at] << 8) | data[at + 1], out);
}

/**
 * LINKTYPE_ARCNET_LINUX (129): source, destination, a 2-byte offset, the protocol id, and for RFC 1201-style
 * protocols the split flag (an exception packet, 0xff, has 4 more bytes and the real flag) and a sequence number.
 */
export function decodeArcnetLinux(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  let at = start + ARCNET_LINUX_HEADER_LEN;
  if (at + 1 > end) throw truncated(start, end, at - start + 1, "ARCNET");
  const protocol = data[at++];
  if (protocol !== ARCNET_IPV4_RFC1051) {
    if (at + 1 > end) throw truncated(start, end, at - start + 1, "ARCNET");
    if (data[at++] === 0xff) at += 5;
    at += 2;
    if (at > end) throw truncated(start, end, at - start, "ARCNET");
  }
  if (protocol === ARCNET_IPV4_RFC1051 || protocol === ARCNET_IPV4_RFC1201) setNet(out, NET_IPV4, at, 0x0800);
  else if (protocol === ARCNET_IPV6) setNet(out, NET_IPV6, at, 0x86dd);
  else setNet(out, NET_NOT_IP, at, 0);
}

/**
 * LINKTYPE_NFLOG (239): a 4-byte header, then TLVs (length including the 4-byte TLV header, type; both in the
 * capturing host's byte order, so little-endian is tried first; values padded to 4 bytes). The packet is the value of
 * NFULA_PAYLOAD; the header's address family says IPv4 or IPv6.
 */
export function decodeNflog(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < NFLOG_HEADER_LEN) throw truncated(start, end, NFLOG_HEADER_LEN, "NFLOG");
  const family = data[start];
  let at = start + NFLOG_HEADER_LEN;
  while (at + 4 <= end) {
    let length = data[at] | (data[at + 1] << 8);
    let type = data[at + 2] | (data[at + 3] << 8);
    if (length < 4 || at + length > end) {
      length = (data[at] << 8) | data[at + 1];
      type = (data[at + 2] << 8) | data[at + 3];
    }
    if (length < 4 || at + length > end) {
      throw new DecodeError("link.bad_header", at, `Cannot decode NFLOG TLV at offset ${at}: length ${length}`);
    }
    if ((type & 0x7fff) === NFULA_PAYLOAD) {
      const version = data[at + 4] >> 4;
      const v4 = family === AF_INET || (family !== AF_INET6 && version === 4);
      const v6 = family === AF_INET6 || (family !== AF_INET && version === 6);
      setNet(out, v4 ? NET_IPV4 : v6 ? NET_IPV6 : NET_NOT_IP, at + 4, 0);
      return;
    }
    at += (length + 3) & ~3;
  }
  setNet(out, NET_NOT_IP, at, 0); // a log message without the packet
}
