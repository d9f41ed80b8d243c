/**
 * What every link-layer decoder shares: the {@linkcode LinkLayer} result, the EtherType dispatch (with VLAN tags) and
 * the truncation error. The decoders are in src/decode/link.ts (Ethernet, cooked, loopback, raw, PPI, PKTAP),
 * src/decode/link_wireless.ts (802.11 and its radio headers) and src/decode/link_serial.ts (PPP, HDLC, FDDI, ARCNET,
 * IPoIB, NFLOG).
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";

/** IEEE 802.3 EtherType values. */
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag
export const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard QinQ

const VLAN_TAG_LEN = 4;
const VLAN_ID_MASK = 0x0fff; // IEEE 802.1Q TCI: PCP(3) DEI(1) VID(12)

/** What the link layer found: kind of network payload, where it starts, and the VLAN tags. */
export const NET_UNSUPPORTED_LINK = -1;
export const NET_NOT_IP = 0;
export const NET_IPV4 = 4;
export const NET_IPV6 = 6;

/** Result of a link decoder (src/decode/link.ts `decodeLink`); one instance is reused for every frame. */
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

/** Decodes the link header of `data[start, end)` into `out`. */
export type LinkDecoder = (data: Uint8Array, start: number, end: number, out: LinkLayer) => void;

/** `need` counts from the frame start. */
export function truncated(start: number, end: number, need: number, what: string): DecodeError {
  return new DecodeError(
    "link.truncated",
    end,
    `Cannot decode ${what} header: needs ${need} bytes, frame has ${end - start}`,
  );
}

/** Follow stacked VLAN tags, then classify the EtherType. Each tag consumes 4 bytes, so this ends. */
export function afterEtherType(
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
