/**
 * Link-layer header types (LINKTYPE_* values) shared by pcap, pcapng and libpcap's DLT_* mapping.
 * Values from the tcpdump.org link-layer header type registry; only the ones this sensor meets are listed.
 *
 * @module
 */

/** BSD loopback: 4-byte address family in host byte order, then the packet. */
export const LINKTYPE_NULL = 0;
/** IEEE 802.3 Ethernet (the common case). */
export const LINKTYPE_ETHERNET = 1;
/** Raw IP as written by OpenBSD (DLT_RAW is 14 there, 12 elsewhere); no link header. */
export const LINKTYPE_RAW_OPENBSD = 12;
/** Raw IP as DLT value 14 on other systems; no link header. */
export const LINKTYPE_RAW_14 = 14;
/** Raw IP, the portable LINKTYPE value: the packet starts with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;
/** OpenBSD loopback: 4-byte address family in network byte order, then the packet. */
export const LINKTYPE_LOOP = 108;
/** Linux cooked capture v1 (`-i any`): 16-byte pseudo header. */
export const LINKTYPE_LINUX_SLL = 113;
/** Raw IPv4 only. */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6 only. */
export const LINKTYPE_IPV6 = 229;
/** Linux cooked capture v2: 20-byte pseudo header. */
export const LINKTYPE_LINUX_SLL2 = 276;
/** PPP (RFC 1661), with or without RFC 1662 address/control. */
export const LINKTYPE_PPP = 9;
/** FDDI (ANSI X3.139) with LLC/SNAP. */
export const LINKTYPE_FDDI = 10;
/** PPP in HDLC-like framing (RFC 1662), or Cisco PPP with HDLC framing. */
export const LINKTYPE_PPP_HDLC = 50;
/** Cisco HDLC: address, control, EtherType. */
export const LINKTYPE_C_HDLC = 104;
/** IEEE 802.11 MAC frames. */
export const LINKTYPE_IEEE802_11 = 105;
/** 802.11 with a Prism monitor-mode header. */
export const LINKTYPE_IEEE802_11_PRISM = 119;
/** 802.11 with a radiotap header. */
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
/** ARCNET as Linux captures it (with the 2-byte offset field). */
export const LINKTYPE_ARCNET_LINUX = 129;
/** 802.11 with an AVS monitor-mode header. */
export const LINKTYPE_IEEE802_11_AVS = 163;
/** Per-Packet Information header, then the frame of the link type it names. */
export const LINKTYPE_PPI = 192;
/** Linux netfilter log messages (TLVs holding the packet). */
export const LINKTYPE_NFLOG = 239;
/** IP over InfiniBand (RFC 4391). */
export const LINKTYPE_IPOIB = 242;
/** Apple PKTAP (macOS `tcpdump -i any`): a header, then the frame of the link type it names. */
export const LINKTYPE_PKTAP = 258;

/** Names for logs and error messages, indexed by value. */
export const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, "NULL"],
  [LINKTYPE_ETHERNET, "ETHERNET"],
  [LINKTYPE_RAW_OPENBSD, "RAW"],
  [LINKTYPE_RAW_14, "RAW"],
  [LINKTYPE_RAW, "RAW"],
  [LINKTYPE_LOOP, "LOOP"],
  [LINKTYPE_LINUX_SLL, "LINUX_SLL"],
  [LINKTYPE_IPV4, "IPV4"],
  [LINKTYPE_IPV6, "IPV6"],
  [LINKTYPE_LINUX_SLL2, "LINUX_SLL2"],
  [LINKTYPE_PPP, "PPP"],
  [LINKTYPE_FDDI, "FDDI"],
  [LINKTYPE_PPP_HDLC, "PPP_HDLC"],
  [LINKTYPE_C_HDLC, "C_HDLC"],
  [LINKTYPE_IEEE802_11, "IEEE802_11"],
  [LINKTYPE_IEEE802_11_PRISM, "IEEE802_11_PRISM"],
  [LINKTYPE_IEEE802_11_RADIOTAP, "IEEE802_11_RADIOTAP"],
  [LINKTYPE_ARCNET_LINUX, "ARCNET_LINUX"],
  [LINKTYPE_IEEE802_11_AVS, "IEEE802_11_AVS"],
  [LINKTYPE_PPI, "PPI"],
  [LINKTYPE_NFLOG, "NFLOG"],
  [LINKTYPE_IPOIB, "IPOIB"],
  [LINKTYPE_PKTAP, "PKTAP"],
  // Common in the wild, not decoded: named so that -debug and the summary say what was met.
  [6, "IEEE802_5"],
  [7, "ARCNET_BSD"],
  [8, "SLIP"],
  [147, "USER0"],
  [195, "IEEE802_15_4"],
  [201, "BLUETOOTH_HCI_H4_WITH_PHDR"],
  [220, "USB_LINUX_MMAPPED"],
  [249, "USBPCAP"],
]);

/** `"ETHERNET (1)"`, or `"unknown (147)"` for a value not in the table. */
export function linkTypeName(linkType: number): string {
  return `${LINK_TYPE_NAMES.get(linkType) ?? "unknown"} (${linkType})`;
}

/** DLT_RAW on every system but OpenBSD, where DLT_RAW is 14 (libpcap's `dlt_to_linktype` maps both to 101). */
const DLT_RAW = 12;

/**
 * The LINKTYPE_* value of a libpcap DLT_* value (`pcap_datalink`): equal for every link type decoded here but raw IP.
 * `-dev any` gives LINKTYPE_LINUX_SLL2 (276), which is also its DLT value.
 */
export function linkTypeOfDlt(dlt: number): number {
  return dlt === DLT_RAW || dlt === LINKTYPE_RAW_14 ? LINKTYPE_RAW : dlt;
}
