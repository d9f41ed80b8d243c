/**
 * Tunnel headers: each function reads one encapsulation header and says what it carries and where that starts.
 * The packet decoder (src/decode/packet_decoder.ts) calls them only for traffic that is not plain UDP/TCP on a DNS
 * port, and decodes the inner frame or packet again from the offset found here.
 *
 * Every offset is an index into the buffer the frame is in; `end` is where the outer payload ends.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";

/** What a tunnel header carries. */
export const INNER_NOT_IP = 0;
export const INNER_ETHERNET = 1;
export const INNER_IPV4 = 2;
export const INNER_IPV6 = 3;
/** IPv4 or IPv6, told by the version nibble. */
export const INNER_IP = 4;
export const INNER_MPLS = 5;
/** A PPP protocol field (RFC 1661 §2), possibly compressed (RFC 1661 §6.5). */
export const INNER_PPP = 6;

/** EtherType / GRE protocol type values (IEEE registry, RFC 2784 §2.4). */
export const ETHERTYPE_TEB = 0x6558; // transparent Ethernet bridging: an Ethernet frame
export const ETHERTYPE_MPLS = 0x8847; // RFC 3032
export const ETHERTYPE_MPLS_MULTICAST = 0x8848;
export const ETHERTYPE_PPP = 0x880b; // RFC 2637 (PPTP's enhanced GRE)
export const ETHERTYPE_PPPOE_SESSION = 0x8864; // RFC 2516
export const ETHERTYPE_ERSPAN_2 = 0x88be; // ERSPAN types I and II
export const ETHERTYPE_ERSPAN_3 = 0x22eb;

/** The kinds of encapsulation, as the transaction format names them. */
export type TunnelKind =
  | "vxlan"
  | "geneve"
  | "gre"
  | "gre_udp"
  | "erspan_1"
  | "erspan_2"
  | "erspan_3"
  | "pptp"
  | "gtpu"
  | "4in4"
  | "6in4"
  | "4in6"
  | "6in6"
  | "mpls"
  | "pppoe"
  | "teredo";

/** What a tunnel header says; one instance is reused. `id` is -1 when the header carries none. */
export class TunnelHeader {
  kind: TunnelKind = "gre";
  /** VNI (VXLAN, Geneve), GRE key, ERSPAN session, PPTP call id, TEID (GTP-U), PPPoE session. */
  id = -1;
  /** MPLS labels, outermost first (only for `mpls`). */
  labels: number[] | null = null;
  inner = INNER_NOT_IP;
  innerOffset = 0;
}

function u16(data: Uint8Array, offset: number): number {
  return (data[offset] << 8) | data[offset + 1];
}

function u32(data: Uint8Array, offset: number): number {
  return ((data[offset] << 24) | (data[offset + 1] << 16) | (data[offset + 2] << 8) | data[offset + 3]) >>> 0;
}

function truncated(what: string, offset: number, need: number, end: number): DecodeError {
  return new DecodeError(
    "tunnel.truncated",
    offset,
    `Cannot decode ${what} header: needs ${need} bytes, ${end - offset} left`,
  );
}

/** An EtherType (or GRE protocol type) as an INNER_* value. */
export function innerOfEtherType(etherType: number): number {
  switch (etherType) {
    case 0x0800:
      return INNER_IPV4;
    case 0x86dd:
      return INNER_IPV6;
    case ETHERTYPE_TEB:
      return INNER_ETHERNET;
    case ETHERTYPE_MPLS:
    case ETHERTYPE_MPLS_MULTICAST:
      return INNER_MPLS;
    case ETHERTYPE_PPP:
      return INNER_PPP;
    default:
      return INNER_NOT_IP;
  }
}

/** VXLAN (RFC 7348 §5): 8 bytes, flags with I set, 24-bit VNI; carries an Ethernet frame. */
export function decodeVxlan(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  if (end - offset < 8) throw truncated("VXLAN", offset, 8, end);
  out.kind = "vxlan";
  out.labels = null;
  out.id = (data[offset] & 0x08) !== 0 ? (u32(data, offset + 4) >>> 8) : -1;
  out.inner = INNER_ETHERNET;
  out.innerOffset = offset + 8;
}

/** Geneve (RFC 8926 §3.4): 8 bytes plus options (length in 4-byte words), protocol type, 24-bit VNI. */
export function decodeGeneve(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  if (end - offset < 8) throw truncated("Geneve", offset, 8, end);
  const version = data[offset] >> 6;
  if (version !== 0) {
    throw new DecodeError("tunnel.bad_version", offset, `Cannot decode Geneve header: version ${version}`);
  }
  const length = 8 + (data[offset] & 0x3f) * 4;
  if (end - offset < length) throw truncated("Geneve", offset, length, end);
  out.kind = "geneve";
  out.labels = null;
  out.id = u32(data, offset + 4) >>> 8;
  out.inner = innerOfEtherType(u16(data, offset + 2));
  out.innerOffset = offset + length;
}

const GRE_C = 0x8000; // RFC 2784: checksum present
const GRE_K = 0x2000; // RFC 2890: key present
const GRE_S = 0x1000; // RFC 2890: sequence number present
const GRE_A = 0x0080; // RFC 2637 §4.1: acknowledgment number present (version 1)

/**
 * GRE (RFC 2784, RFC 2890 key and sequence; version 1 is PPTP's enhanced GRE, RFC 2637 §4.1), followed by the ERSPAN
 * header when the protocol type says so. `kind` is "gre" or "gre_udp" (RFC 8086, the same header in UDP).
 */
export function decodeGre(
  data: Uint8Array,
  offset: number,
  end: number,
  kind: "gre" | "gre_udp",
  out: TunnelHeader,
): void {
  if (end - offset < 4) throw truncated("GRE", offset, 4, end);
  const flags = u16(data, offset);
  const protocol = u16(data, offset + 2);
  const version = flags & 0x0007;
  out.labels = null;
  out.id = -1;
  let at = offset + 4;
  if (version === 1) {
    // Enhanced GRE: the key field is payload length (16) and call id (16); no checksum.
    if ((flags & GRE_K) === 0 || protocol !== ETHERTYPE_PPP) {
      throw new DecodeError("tunnel.bad_gre", offset, "Cannot decode enhanced GRE header: no key or not PPP");
    }
    const length = 8 + ((flags & GRE_S) !== 0 ? 4 : 0) + ((flags & GRE_A) !== 0 ? 4 : 0);
    if (end - offset < length) throw truncated("enhanced GRE", offset, length, end);
    out.kind = "pptp";
    out.id = u16(data, offset + 6);
    out.inner = INNER_PPP;
    out.innerOffset = offset + length;
    return;
  }
  if (version !== 0) {
    throw new DecodeError("tunnel.bad_version", offset, `Cannot decode GRE header: version ${version}`);
  }
  if ((flags & GRE_C) !== 0) at += 4;
  if ((flags & GRE_K) !== 0) {
    if (at + 4 > end) throw truncated("GRE", offset, at + 4 - offset, end);
    out.id = u32(data, at);
    at += 4;
  }
  const sequenced = (flags & GRE_S) !== 0;
  if (sequenced) at += 4;
  if (at > end) throw truncated("GRE", offset, at - offset, end);
  out.kind = kind;
  out.inner = innerOfEtherType(protocol);
  out.innerOffset = at;
  if (protocol === ETHERTYPE_ERSPAN_2) decodeErspan2(data, at, end, sequenced, out);
  else if (protocol === ETHERTYPE_ERSPAN_3) decodeErspan3(data, at, end, out);
}

/** ERSPAN type I has no header of its own (GRE without sequence number); type II an 8-byte one (version 1). */
function decodeErspan2(data: Uint8Array, offset: number, end: number, sequenced: boolean, out: TunnelHeader): void {
  out.inner = INNER_ETHERNET;
  if (!sequenced) {
    out.kind = "erspan_1";
    out.id = -1;
    out.innerOffset = offset;
    return;
  }
  if (end - offset < 8) throw truncated("ERSPAN II", offset, 8, end);
  const version = data[offset] >> 4;
  if (version !== 1) {
    throw new DecodeError("tunnel.bad_version", offset, `Cannot decode ERSPAN II header: version ${version}`);
  }
  out.kind = "erspan_2";
  out.id = u16(data, offset + 2) & 0x03ff;
  out.innerOffset = offset + 8;
}

/** ERSPAN type III: 12 bytes (version 2), plus an 8-byte platform sub-header when O is set. */
function decodeErspan3(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  if (end - offset < 12) throw truncated("ERSPAN III", offset, 12, end);
  const version = data[offset] >> 4;
  if (version !== 2) {
    throw new DecodeError("tunnel.bad_version", offset, `Cannot decode ERSPAN III header: version ${version}`);
  }
  const length = 12 + ((data[offset + 11] & 0x01) !== 0 ? 8 : 0);
  if (end - offset < length) throw truncated("ERSPAN III", offset, length, end);
  out.kind = "erspan_3";
  out.id = u16(data, offset + 2) & 0x03ff;
  out.inner = INNER_ETHERNET;
  out.innerOffset = offset + length;
}

const GTP_G_PDU = 0xff; // 3GPP TS 29.281 §6.1: a user-plane packet

/**
 * GTP-U (3GPP TS 29.281 §5): version 1, 8 bytes, 4 more when E, S or PN is set, then extension headers (length in
 * 4-byte units, next type in the last byte). Only a G-PDU carries an IP packet.
 */
export function decodeGtpu(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  if (end - offset < 8) throw truncated("GTP-U", offset, 8, end);
  const flags = data[offset];
  if (flags >> 5 !== 1) {
    throw new DecodeError("tunnel.bad_version", offset, `Cannot decode GTP-U header: version ${flags >> 5}`);
  }
  out.kind = "gtpu";
  out.labels = null;
  out.id = u32(data, offset + 4);
  let at = offset + 8;
  if ((flags & 0x07) !== 0) {
    if (at + 4 > end) throw truncated("GTP-U", offset, 12, end);
    let next = data[at + 3];
    at += 4;
    while (next !== 0) {
      if (at + 1 > end) throw truncated("GTP-U extension", at, 1, end);
      const length = data[at] * 4;
      if (length === 0) throw new DecodeError("tunnel.bad_gtpu", at, "Cannot decode GTP-U extension: length 0");
      if (at + length > end) throw truncated("GTP-U extension", at, length, end);
      next = data[at + length - 1];
      at += length;
    }
  }
  out.inner = data[offset + 1] === GTP_G_PDU ? INNER_IP : INNER_NOT_IP;
  out.innerOffset = at;
}

/**
 * Teredo (RFC 4380 §5.1.1): an IPv6 packet, possibly after an authentication indicator (type 1) and an origin
 * indicator (type 0, 8 bytes).
 */
export function decodeTeredo(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  out.kind = "teredo";
  out.labels = null;
  out.id = -1;
  let at = offset;
  if (at + 2 <= end && data[at] === 0 && data[at + 1] === 1) {
    if (at + 4 > end) throw truncated("Teredo authentication", at, 4, end);
    at += 4 + data[at + 2] + data[at + 3] + 9; // id, auth value, nonce (8), confirmation (1)
  }
  if (at + 2 <= end && data[at] === 0 && data[at + 1] === 0) at += 8;
  if (at > end) throw truncated("Teredo", offset, at - offset, end);
  out.inner = INNER_IPV6;
  out.innerOffset = at;
}

/** Most labels read from one MPLS stack: beyond it the stack is a counted error. */
const MAX_MPLS_LABELS = 16;

/**
 * MPLS label stack (RFC 3032 §2.1) to the bottom-of-stack bit. What follows is told by its first nibble: 4 or 6 an
 * IP packet, 0 a pseudowire control word (RFC 4385) before an Ethernet frame (RFC 4448).
 */
export function decodeMpls(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  out.kind = "mpls";
  out.id = -1;
  const labels: number[] = [];
  let at = offset;
  for (;;) {
    if (at + 4 > end) throw truncated("MPLS", at, 4, end);
    const entry = u32(data, at);
    labels.push(entry >>> 12);
    at += 4;
    if ((entry & 0x100) !== 0) break;
    if (labels.length === MAX_MPLS_LABELS) {
      throw new DecodeError("tunnel.mpls_too_deep", at, `Cannot decode MPLS stack: over ${MAX_MPLS_LABELS} labels`);
    }
  }
  out.labels = labels;
  if (at >= end) throw truncated("MPLS payload", at, 1, end);
  const nibble = data[at] >> 4;
  out.innerOffset = at;
  if (nibble === 4 || nibble === 6) out.inner = INNER_IP;
  else if (nibble === 0) {
    out.inner = INNER_ETHERNET;
    out.innerOffset = at + 4;
  } else out.inner = INNER_NOT_IP;
}

/** PPPoE session stage (RFC 2516 §4): 6 bytes (version/type 0x11, code 0, session id, length), then PPP. */
export function decodePppoe(data: Uint8Array, offset: number, end: number, out: TunnelHeader): void {
  if (end - offset < 6) throw truncated("PPPoE", offset, 6, end);
  if (data[offset] !== 0x11) {
    throw new DecodeError("tunnel.bad_version", offset, `Cannot decode PPPoE header: version/type ${data[offset]}`);
  }
  out.kind = "pppoe";
  out.labels = null;
  out.id = u16(data, offset + 2);
  out.inner = INNER_PPP;
  out.innerOffset = offset + 6;
}

/** PPP protocol numbers (RFC 1332, RFC 5072). */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

/** Result of {@linkcode decodePpp}: INNER_IPV4, INNER_IPV6 or INNER_NOT_IP, and where the packet starts. */
export class PppPayload {
  inner = INNER_NOT_IP;
  offset = 0;
}

/**
 * A PPP frame's address/control (0xff 0x03, omitted under RFC 1661 §6.6 compression) and protocol field (one byte
 * when its low bit is set, RFC 1661 §6.5).
 */
export function decodePpp(data: Uint8Array, offset: number, end: number, out: PppPayload): void {
  let at = offset;
  if (at + 2 <= end && data[at] === 0xff && data[at + 1] === 0x03) at += 2;
  if (at >= end) throw truncated("PPP", at, 1, end);
  let protocol: number;
  if ((data[at] & 1) !== 0) {
    protocol = data[at];
    at += 1;
  } else {
    if (at + 2 > end) throw truncated("PPP", at, 2, end);
    protocol = u16(data, at);
    at += 2;
  }
  out.inner = protocol === PPP_IPV4 ? INNER_IPV4 : protocol === PPP_IPV6 ? INNER_IPV6 : INNER_NOT_IP;
  out.offset = at;
}

/** One encapsulation a DNS message was found in, as the transaction format writes it. */
export interface Tunnel {
  kind: TunnelKind;
  /** Addresses of the IP header that carried the tunnel header; null for MPLS and PPPoE (link-level). */
  outerSrcIp: string | null;
  outerDstIp: string | null;
  /** VNI, GRE key, ERSPAN session, PPTP call id, TEID or PPPoE session; null when the header has none. */
  id: number | null;
  /** MPLS labels, outermost first; null for other kinds. */
  labels: number[] | null;
}

/** Shared by every datagram not found in a tunnel; read-only by contract (frozen). */
export const NO_TUNNELS: readonly Tunnel[] = Object.freeze([]);
