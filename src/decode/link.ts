/**
 * Link layer: find where the IP packet starts in a frame, for every link type the sensor knows.
 * Dispatch is a table indexed by the LINKTYPE_* value (tcpdump.org/linktypes.html).
 *
 * The frame is `data[start, end)` of a larger buffer (zero-copy: see src/capture/captured_packet.ts); offsets found
 * here, and the offsets of errors, are indices into `data`.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";
import {
  afterEtherType,
  type LinkDecoder,
  LinkLayer,
  NET_IPV4,
  NET_IPV6,
  NET_NOT_IP,
  NET_UNSUPPORTED_LINK,
  truncated,
} from "./link_layer.ts";
import {
  LINKTYPE_ARCNET_LINUX,
  LINKTYPE_C_HDLC,
  LINKTYPE_ETHERNET,
  LINKTYPE_FDDI,
  LINKTYPE_IEEE802_11,
  LINKTYPE_IEEE802_11_AVS,
  LINKTYPE_IEEE802_11_PRISM,
  LINKTYPE_IEEE802_11_RADIOTAP,
  LINKTYPE_IPOIB,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_PKTAP,
  LINKTYPE_PPI,
  LINKTYPE_PPP,
  LINKTYPE_PPP_HDLC,
  LINKTYPE_RAW,
  LINKTYPE_RAW_14,
  LINKTYPE_RAW_OPENBSD,
} from "../capture/link_types.ts";
import { decodeAvs, decodePrism, decodeRadiotap, decodeWlan } from "./link_wireless.ts";
import {
  decodeArcnetLinux,
  decodeCiscoHdlc,
  decodeFddi,
  decodeIpoib,
  decodeNflog,
  decodePpp,
  decodePppHdlc,
} from "./link_serial.ts";

export {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_VLAN,
  LinkLayer,
  NET_IPV4,
  NET_IPV6,
  NET_NOT_IP,
  NET_UNSUPPORTED_LINK,
} from "./link_layer.ts";

const ETHERNET_HEADER_LEN = 14;
const SLL_HEADER_LEN = 16; // protocol type at byte 14
const SLL2_HEADER_LEN = 20; // protocol type at byte 0
const NULL_HEADER_LEN = 4;
/** BSD address family values for IPv4 and IPv6 (IPv6 differs per BSD: NetBSD/OpenBSD, FreeBSD, macOS). */
const BSD_AF_INET = 2;
const BSD_AF_INET6 = [24, 28, 30];

const LINK_DECODERS: (LinkDecoder | undefined)[] = new Array(LINKTYPE_LINUX_SLL2 + 1).fill(undefined);
LINK_DECODERS[LINKTYPE_NULL] = decodeNull;
LINK_DECODERS[LINKTYPE_ETHERNET] = decodeEthernet;
LINK_DECODERS[LINKTYPE_RAW_OPENBSD] = decodeRawIp;
LINK_DECODERS[LINKTYPE_RAW_14] = decodeRawIp;
LINK_DECODERS[LINKTYPE_RAW] = decodeRawIp;
LINK_DECODERS[LINKTYPE_LOOP] = decodeLoop;
LINK_DECODERS[LINKTYPE_LINUX_SLL] = decodeSll;
LINK_DECODERS[LINKTYPE_IPV4] = decodeIpv4Link;
LINK_DECODERS[LINKTYPE_IPV6] = decodeIpv6Link;
LINK_DECODERS[LINKTYPE_LINUX_SLL2] = decodeSll2;
LINK_DECODERS[LINKTYPE_PPP] = decodePpp;
LINK_DECODERS[LINKTYPE_FDDI] = decodeFddi;
LINK_DECODERS[LINKTYPE_PPP_HDLC] = decodePppHdlc;
LINK_DECODERS[LINKTYPE_C_HDLC] = decodeCiscoHdlc;
LINK_DECODERS[LINKTYPE_IEEE802_11] = decodeWlan;
LINK_DECODERS[LINKTYPE_IEEE802_11_PRISM] = decodePrism;
LINK_DECODERS[LINKTYPE_IEEE802_11_RADIOTAP] = decodeRadiotap;
LINK_DECODERS[LINKTYPE_ARCNET_LINUX] = decodeArcnetLinux;
LINK_DECODERS[LINKTYPE_IEEE802_11_AVS] = decodeAvs;
LINK_DECODERS[LINKTYPE_PPI] = decodePpi;
LINK_DECODERS[LINKTYPE_NFLOG] = decodeNflog;
LINK_DECODERS[LINKTYPE_IPOIB] = decodeIpoib;
LINK_DECODERS[LINKTYPE_PKTAP] = decodePktap;

/**
 * Decode the link header of the frame `data[start, end)` (link type `linkType`) into `out`.
 * Throws `DecodeError("link.truncated")` when the header does not fit in the captured bytes.
 */
export function decodeLink(data: Uint8Array, start: number, end: number, linkType: number, out: LinkLayer): void {
  out.vlanCount = 0;
  out.etherType = 0;
  const decoder = linkType >= 0 && linkType < LINK_DECODERS.length ? LINK_DECODERS[linkType] : undefined;
  if (decoder === undefined) {
    out.netType = NET_UNSUPPORTED_LINK;
    return;
  }
  decoder(data, start, end, out);
}

function decodeEthernet(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < ETHERNET_HEADER_LEN) throw truncated(start, end, ETHERNET_HEADER_LEN, "Ethernet");
  afterEtherType(data, start, end, start + ETHERNET_HEADER_LEN, (data[start + 12] << 8) | data[start + 13], out);
}

/**
 * An Ethernet frame inside a tunnel at `data[start, end)`: its VLAN tags are added after those already in `out`
 * (outermost first), so the record keeps the tapped link's tags and the tunnelled network's.
 */
export function decodeInnerEthernet(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  decodeEthernet(data, start, end, out);
}

function decodeSll(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < SLL_HEADER_LEN) throw truncated(start, end, SLL_HEADER_LEN, "Linux SLL");
  afterEtherType(data, start, end, start + SLL_HEADER_LEN, (data[start + 14] << 8) | data[start + 15], out);
}

function decodeSll2(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < SLL2_HEADER_LEN) throw truncated(start, end, SLL2_HEADER_LEN, "Linux SLL2");
  afterEtherType(data, start, end, start + SLL2_HEADER_LEN, (data[start] << 8) | data[start + 1], out);
}

/** The family is in the capturing host's byte order, which the file does not say: accept either. */
function decodeNull(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < NULL_HEADER_LEN) throw truncated(start, end, NULL_HEADER_LEN, "BSD loopback");
  const b0 = data[start], b1 = data[start + 1], b2 = data[start + 2], b3 = data[start + 3];
  const big = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
  const little = ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
  setFamily(start, big === BSD_AF_INET || little === BSD_AF_INET, isAfInet6(big) || isAfInet6(little), out);
}

function decodeLoop(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < NULL_HEADER_LEN) throw truncated(start, end, NULL_HEADER_LEN, "OpenBSD loopback");
  const family = ((data[start] << 24) | (data[start + 1] << 16) | (data[start + 2] << 8) | data[start + 3]) >>> 0;
  setFamily(start, family === BSD_AF_INET, isAfInet6(family), out);
}

function isAfInet6(family: number): boolean {
  return family === BSD_AF_INET6[0] || family === BSD_AF_INET6[1] || family === BSD_AF_INET6[2];
}

function setFamily(start: number, v4: boolean, v6: boolean, out: LinkLayer): void {
  out.netOffset = start + NULL_HEADER_LEN;
  out.netType = v4 ? NET_IPV4 : v6 ? NET_IPV6 : NET_NOT_IP;
}

/** Raw IP: the version nibble of the first byte says IPv4 or IPv6. */
function decodeRawIp(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < 1) throw truncated(start, end, 1, "raw IP");
  const version = data[start] >> 4;
  out.netOffset = start;
  out.netType = version === 4 ? NET_IPV4 : version === 6 ? NET_IPV6 : NET_NOT_IP;
}

function decodeIpv4Link(_data: Uint8Array, start: number, _end: number, out: LinkLayer): void {
  out.netOffset = start;
  out.netType = NET_IPV4;
}

function decodeIpv6Link(_data: Uint8Array, start: number, _end: number, out: LinkLayer): void {
  out.netOffset = start;
  out.netType = NET_IPV6;
}

const PPI_HEADER_MIN_LEN = 8; // version, flags, little-endian length and link type
const PKTAP_HEADER_MIN_LEN = 12; // little-endian length, next-header type, link type, ...

/** The frame of link type `linkType` at `data[offset, end)`, inside a PPI or PKTAP header. */
function decodeNested(data: Uint8Array, start: number, offset: number, end: number, linkType: number, out: LinkLayer) {
  const decoder = linkType >= 0 && linkType < LINK_DECODERS.length ? LINK_DECODERS[linkType] : undefined;
  if (decoder === undefined || decoder === decodePpi || decoder === decodePktap) {
    throw new DecodeError(
      "link.bad_header",
      start,
      `Cannot decode frame: its header names link type ${linkType}, which is not decoded inside it`,
    );
  }
  decoder(data, offset, end, out);
}

/** LINKTYPE_PPI (192): Per-Packet Information header (little-endian length and link type), then that frame. */
function decodePpi(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < PPI_HEADER_MIN_LEN) throw truncated(start, end, PPI_HEADER_MIN_LEN, "PPI");
  const length = data[start + 2] | (data[start + 3] << 8);
  const linkType = (data[start + 4] | (data[start + 5] << 8) | (data[start + 6] << 16) | (data[start + 7] << 24)) >>> 0;
  if (data[start] !== 0 || length < PPI_HEADER_MIN_LEN) {
    throw new DecodeError(
      "link.bad_header",
      start,
      `Cannot decode PPI header: version ${data[start]}, length ${length}`,
    );
  }
  if (length > end - start) throw truncated(start, end, length, "PPI");
  decodeNested(data, start, start + length, end, linkType, out);
}

/** LINKTYPE_PKTAP (258): Apple's header, in the capturing host's (little-endian) byte order, then the frame. */
function decodePktap(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < PKTAP_HEADER_MIN_LEN) throw truncated(start, end, PKTAP_HEADER_MIN_LEN, "PKTAP");
  const length = (data[start] | (data[start + 1] << 8) | (data[start + 2] << 16) | (data[start + 3] << 24)) >>> 0;
  const linkType = (data[start + 8] | (data[start + 9] << 8) | (data[start + 10] << 16) | (data[start + 11] << 24)) >>>
    0;
  if (length < PKTAP_HEADER_MIN_LEN) {
    throw new DecodeError("link.bad_header", start, `Cannot decode PKTAP header: length ${length}`);
  }
  if (length > end - start) throw truncated(start, end, length, "PKTAP");
  decodeNested(data, start, start + length, end, linkType, out);
}
