import type { Tunnel } from "./tunnels.ts";

/**
 * One DNS message as found on the wire, with where and when it was seen.
 * Produced by the transport layer (UDP datagram or reassembled TCP stream), consumed by the
 * pairing engine (src/correlate/wire_pairing.ts).
 *
 * Contract: `message` is a view that is valid only during the `onMessage` call; the receiver
 * copies what it keeps.
 */
export interface DnsDatagram {
  transport: "udp" | "tcp";
  /** Source address in Go `net.IP` text form (dotted IPv4; RFC 5952 IPv6; v4-mapped printed dotted). */
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** Capture time of the packet that completed this message. */
  tsSec: number;
  tsNsec: number;
  /** Wire length (orig_len) of the frame that completed this message, link header included. */
  wireLen: number;
  /** The DNS message: byte 0 is the DNS header; for TCP, without the 2-byte length prefix. */
  message: Uint8Array;
  /** 802.1Q / QinQ VLAN ids, outermost first; empty when untagged. */
  vlans: number[];
  /** pcapng interface index. */
  interfaceId: number;
  /** Encapsulations the message was found in, outermost first (src/decode/tunnels.ts); absent or empty if none. */
  tunnels?: readonly Tunnel[];
}

export type DnsDatagramHandler = (datagram: DnsDatagram) => void;
