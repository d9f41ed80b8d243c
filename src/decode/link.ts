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
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_14,
  LINKTYPE_RAW_OPENBSD,
} from "../capture/link_types.ts";

/** IEEE 802.3 EtherType values. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ

const ETHERNET_HEADER_LEN = 14;
const VLAN_TAG_LEN = 4;
const VLAN_ID_MASK = 0x0fff; // IEEE 802.1Q TCI: PCP(3) DEI(1) VID(12)
const SLL_HEADER_LEN = 16; // protocol type at byte 14
const SLL2_HEADER_LEN = 20; // protocol type at byte 0
const NULL_HEADER_LEN = 4;
/** BSD address family values for IPv4 and IPv6 (IPv6 differs per BSD: NetBSD/OpenBSD, FreeBSD, macOS). */
const BSD_AF_INET = 2;
const BSD_AF_INET6 = [24, 28, 30];

/** What the link layer found: kind of network payload, where it starts, and the VLAN tags. */
export const NET_UNSUPPORTED_LINK = -1;
export const NET_NOT_IP = 0;
export const NET_IPV4 = 4;
export const NET_IPV6 = 6;

/** Result of {@linkcode decodeLink}; one instance is reused for every frame. */
export class LinkLayer {
  /** NET_IPV4, NET_IPV6, NET_NOT_IP or NET_UNSUPPORTED_LINK. */
  netType = NET_NOT_IP;
  /** Offset of the network header in the buffer. */
  netOffset = 0;
  /** VLAN ids, outermost first; only the first `vlanCount` entries are valid. */
  readonly vlans: number[] = [];
  vlanCount = 0;
  /** The EtherType after the VLAN tags, for link types that have one (NET_NOT_IP: MPLS, PPPoE, ARP, ...). */
  etherType = 0;
}

type LinkDecoder = (data: Uint8Array, start: number, end: number, out: LinkLayer) => void;

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

/** `need` counts from the frame start. */
function truncated(start: number, end: number, need: number, what: string): DecodeError {
  return new DecodeError(
    "link.truncated",
    end,
    `Cannot decode ${what} header: needs ${need} bytes, frame has ${end - start}`,
  );
}

function decodeEthernet(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < ETHERNET_HEADER_LEN) throw truncated(start, end, ETHERNET_HEADER_LEN, "Ethernet");
  afterEtherType(data, start, end, start + ETHERNET_HEADER_LEN, (data[start + 12] << 8) | data[start + 13], out);
}

/** Follow stacked VLAN tags, then classify the EtherType. Each tag consumes 4 bytes, so this ends. */
function afterEtherType(
  data: Uint8Array,
  start: number,
  end: number,
  offset: number,
  etherType: number,
  out: LinkLayer,
): void {
  while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD) {
    if (offset + VLAN_TAG_LEN > end) throw truncated(start, end, offset - start + VLAN_TAG_LEN, "802.1Q");
    out.vlans[out.vlanCount++] = ((data[offset] << 8) | data[offset + 1]) & VLAN_ID_MASK;
    etherType = (data[offset + 2] << 8) | data[offset + 3];
    offset += VLAN_TAG_LEN;
  }
  out.netOffset = offset;
  out.etherType = etherType;
  out.netType = etherType === ETHERTYPE_IPV4 ? NET_IPV4 : etherType === ETHERTYPE_IPV6 ? NET_IPV6 : NET_NOT_IP;
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
