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
]);

/** `"ETHERNET (1)"`, or `"unknown (147)"` for a value not in the table. */
export function linkTypeName(linkType: number): string {
  return `${LINK_TYPE_NAMES.get(linkType) ?? "unknown"} (${linkType})`;
}
