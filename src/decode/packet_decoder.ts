/**
 * The packet decoder: frame → link → IP (with fragment reassembly) → UDP or TCP (with stream
 * reassembly) → DNS messages, handed on as {@linkcode DnsDatagram}s.
 *
 * State (fragments, TCP connections) is bounded and expires on packet time: the sweep runs when
 * a packet's whole second differs from the last sweep's, so at most once per packet-second, and
 * a replay gives the same result every run.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";
import { CapturedPacket } from "../capture/captured_packet.ts";
import type { Packet } from "../capture/packet.ts";
import { countDecodeError, type Counters, countUnsupportedLink } from "../metrics/counters.ts";
import { getLogger } from "@logtape/logtape";
import { LOG_CATEGORY } from "../config/logging.ts";
import { linkTypeName } from "../capture/link_types.ts";
import { newWireDatagram, NO_VLANS, type WireDatagram, type WireDatagramHandler } from "./wire_datagram.ts";
import { FragmentTable } from "./fragments.ts";
import {
  decodeIpv4,
  decodeIpv6,
  IP_PROTO_GRE,
  IP_PROTO_IPIP,
  IP_PROTO_IPV6,
  IP_PROTO_TCP,
  IP_PROTO_UDP,
  IpLayer,
  walkIpv6Extensions,
} from "./ip.ts";
import { AddressPair } from "./address_pair.ts";
import { ipv4Text, ipv6Text } from "./ip_text.ts";
import { decodeInnerEthernet, decodeLink, LinkLayer, NET_IPV4, NET_IPV6, NET_NOT_IP } from "./link.ts";
import { type DecoderOptions, DEFAULT_TUNNEL_PORTS } from "./options.ts";
import { decodeTcpHeader, TcpHeader } from "./tcp_segment.ts";
import { TcpContext } from "./tcp_stream.ts";
import { TcpTable } from "./tcp_table.ts";
import { decodeUdp, UdpHeader } from "./udp.ts";
import {
  decodeGeneve,
  decodeGre,
  decodeGtpu,
  decodeMpls,
  decodePpp,
  decodePppoe,
  decodeTeredo,
  decodeVxlan,
  ETHERTYPE_MPLS,
  ETHERTYPE_MPLS_MULTICAST,
  ETHERTYPE_PPPOE_SESSION,
  INNER_ETHERNET,
  INNER_IP,
  INNER_IPV4,
  INNER_IPV6,
  INNER_MPLS,
  INNER_NOT_IP,
  INNER_PPP,
  NO_TUNNELS,
  PppPayload,
  type Tunnel,
  TunnelHeader,
  type TunnelKind,
} from "./tunnels.ts";

/** Levels of encapsulation decoded in one frame; one more is the counted error `tunnel.too_deep`. */
export const MAX_TUNNEL_DEPTH = 4;

/** What a UDP tunnel port carries (`#tunnelPorts`). */
const PORT_VXLAN = 1;
const PORT_GENEVE = 2;
const PORT_GRE_UDP = 3;
const PORT_GTPU = 4;
const PORT_TEREDO = 5;

/**
 * Decodes captured frames into DNS messages. Zero-copy: a {@linkcode CapturedPacket}'s frame is decoded in place in
 * the capture buffer, and every datagram handed on is one of two reused objects (UDP, TCP) whose message is a range
 * of the frame or of a stream buffer (see src/decode/wire_datagram.ts for what is valid when).
 *
 * @example Decode a capture file
 * ```ts
 * import { openCaptureFile } from "../capture/mod.ts";
 * import { newCounters } from "../metrics/counters.ts";
 * import { DEFAULT_DECODER_OPTIONS } from "./options.ts";
 *
 * const decoder = new PacketDecoder(DEFAULT_DECODER_OPTIONS, newCounters(), (datagram) => {
 *   console.log(datagram.transport, datagram.srcIp, datagram.message.length);
 * });
 * const source = await openCaptureFile("testdata/gopassivedns/a.pcap");
 * await source.run((packet) => decoder.decode(packet), () => Promise.resolve());
 * decoder.flush();
 * ```
 */
export class PacketDecoder {
  readonly #counters: Counters;
  readonly #onMessage: WireDatagramHandler;
  readonly #udpDatagram: WireDatagram = newWireDatagram("udp");
  /** Fills the UDP datagram's own address buffers. */
  readonly #udpAddresses = new AddressPair(this.#udpDatagram.srcAddress!, this.#udpDatagram.dstAddress!);
  /**
   * Bit p set when port p carries DNS: 8 KiB, so the lookup of a random client port stays in the L1 cache, where
   * a byte per port (64 KiB) would not.
   */
  readonly #dnsPorts = new Int32Array(65536 >>> 5);
  readonly #link = new LinkLayer();
  /** The PORT_* kind of each UDP port that carries a tunnel, 0 for the rest (read only for non-DNS datagrams). */
  readonly #tunnelPorts = new Uint8Array(65536);
  readonly #tunnel = new TunnelHeader();
  readonly #ppp = new PppPayload();
  /** The encapsulations of the frame being decoded, outermost first; the first `#tunnelCount` are valid. */
  readonly #tunnels: Tunnel[] = [];
  #tunnelCount = 0;
  readonly #ip = new IpLayer();
  readonly #udp = new UdpHeader();
  readonly #tcp = new TcpHeader();
  readonly #fragments: FragmentTable;
  readonly #tcpContext: TcpContext;
  readonly #streams: TcpTable;
  #lastSweepSec = Number.NaN;
  /** Address text of the packet being decoded (fragment keys): null until needed. */
  #srcIp: string | null = null;
  #dstIp: string | null = null;
  /** The buffer the IP header of the packet being decoded is in (`IpLayer` offsets index it). */
  #addressBytes: Uint8Array = new Uint8Array(0);
  /** The TCP segment's addresses in their 16-byte forms (TcpTable copies what it keeps). */
  readonly #tcpAddresses = new AddressPair();

  constructor(options: DecoderOptions, counters: Counters, onMessage: WireDatagramHandler) {
    this.#counters = counters;
    this.#onMessage = onMessage;
    for (const port of options.dnsPorts) if (port >= 0 && port < 65536) this.#dnsPorts[port >>> 5] |= 1 << (port & 31);
    const tunnelPorts = options.tunnelPorts ?? DEFAULT_TUNNEL_PORTS;
    this.#setTunnelPorts(tunnelPorts.vxlan, PORT_VXLAN);
    this.#setTunnelPorts(tunnelPorts.geneve, PORT_GENEVE);
    this.#setTunnelPorts(tunnelPorts.greUdp, PORT_GRE_UDP);
    this.#setTunnelPorts(tunnelPorts.gtpu, PORT_GTPU);
    this.#setTunnelPorts(tunnelPorts.teredo, PORT_TEREDO);
    this.#fragments = new FragmentTable(options.maxFragmentSets, options.fragmentTimeoutSec, counters);
    this.#tcpContext = new TcpContext(counters, onMessage, options.maxTcpStreamBytes);
    this.#streams = new TcpTable(
      this.#tcpContext,
      options.maxTcpStreams,
      options.tcpIdleTimeoutSec,
      options.maxTcpBufferedBytes,
    );
  }

  /**
   * Decode one frame. Never throws for bad input: a DecodeError is counted under its code.
   * `onMessage` must not throw: anything but a DecodeError propagates, and a DecodeError thrown
   * there would be counted here and end the framing of that segment.
   */
  decode(packet: Packet): void {
    const counters = this.#counters;
    counters.packets++;
    counters.bytes += packet.origLen;
    if (packet.tsSec !== this.#lastSweepSec) this.#sweep(packet.tsSec);
    try {
      if (packet instanceof CapturedPacket) {
        this.#decodeFrame(packet, packet.buffer, packet.start, packet.end);
      } else {
        const data = packet.data;
        this.#decodeFrame(packet, data, 0, data.length);
      }
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      countDecodeError(counters, error.code);
    }
  }

  /**
   * End of input: deliver the complete messages still held in TCP streams (skipping holes), count
   * and drop the rest, and clear both tables (partial IP datagrams count as expired).
   */
  flush(): void {
    this.#streams.flush();
    this.#fragments.clear();
  }

  /** Time passes without packets (live capture): expire fragments and TCP streams as a packet at `nowSec` would. */
  advanceClock(nowSec: number): void {
    if (nowSec !== this.#lastSweepSec) this.#sweep(nowSec);
  }

  #setTunnelPorts(ports: Iterable<number>, kind: number): void {
    for (const port of ports) if (port >= 0 && port < 65536) this.#tunnelPorts[port] = kind;
  }

  #sweep(nowSec: number): void {
    this.#lastSweepSec = nowSec;
    if (this.#fragments.size > 0) this.#fragments.expire(nowSec);
    if (this.#streams.size > 0) this.#streams.expire(nowSec);
  }

  /** The frame is `data[start, end)`. */
  #decodeFrame(packet: Packet, data: Uint8Array, start: number, end: number): void {
    const link = this.#link;
    const counters = this.#counters;
    decodeLink(data, start, end, packet.linkType, link);
    this.#tunnelCount = 0;
    const frameCut = end - start < packet.origLen;
    if (link.netType === NET_IPV4) {
      this.#network(data, 4, link.netOffset, end, frameCut);
      counters.packets_ipv4++;
      this.#ipPacket(packet, data);
    } else if (link.netType === NET_IPV6) {
      this.#network(data, 6, link.netOffset, end, frameCut);
      counters.packets_ipv6++;
      this.#ipPacket(packet, data);
    } else if (link.netType === NET_NOT_IP) {
      this.#etherTypeTunnel(packet, data, link.etherType, link.netOffset, end, frameCut);
    } else if (countUnsupportedLink(counters, packet.linkType)) {
      const type = packet.linkType;
      getLogger([LOG_CATEGORY, "decode"]).debug(
        `Link type ${linkTypeName(type)} is not decoded: its frames are counted as packets_unsupported_link.${type}`,
      );
    }
  }

  /** Decode the IP header at `offset` (version 4 or 6) into `#ip`; `#ipPacket` goes on from there. */
  #network(data: Uint8Array, version: number, offset: number, end: number, frameCut: boolean): void {
    if (version === 4) decodeIpv4(data, offset, end, frameCut, this.#ip);
    else decodeIpv6(data, offset, end, frameCut, this.#ip);
  }

  /** The IP packet just decoded into `#ip`: reassemble, or go on to its transport layer. */
  #ipPacket(packet: Packet, data: Uint8Array): void {
    const ip = this.#ip;
    this.#srcIp = null;
    this.#dstIp = null;
    this.#addressBytes = data;
    if (ip.isFragment) {
      this.#fragment(packet);
      return;
    }
    this.#transport(packet, data, ip.protocol, ip.payloadOffset, ip.payloadEnd, ip.claimedEnd, ip.captureTruncated);
  }

  #sourceText(): string {
    const ip = this.#ip;
    return this.#srcIp ??= ip.version === 4
      ? ipv4Text(this.#addressBytes, ip.srcOffset)
      : ipv6Text(this.#addressBytes, ip.srcOffset);
  }

  #destinationText(): string {
    const ip = this.#ip;
    return this.#dstIp ??= ip.version === 4
      ? ipv4Text(this.#addressBytes, ip.dstOffset)
      : ipv6Text(this.#addressBytes, ip.dstOffset);
  }

  /** Hold a fragment; when it completes its datagram, decode the transport layer of the whole. */
  #fragment(packet: Packet): void {
    const ip = this.#ip;
    this.#counters.ip_fragments++;
    if (ip.captureTruncated) {
      throw new DecodeError(
        "fragment.capture_truncated",
        ip.payloadEnd,
        `Cannot reassemble IP datagram: the capture cut a fragment at byte ${ip.payloadEnd} of ${ip.claimedEnd}`,
      );
    }
    const src = this.#sourceText();
    const dst = this.#destinationText();
    // RFC 791 §3.2: (src, dst, protocol, id); RFC 8200 §4.5: (src, dst, id).
    const key = ip.version === 4
      ? "4 " + src + " " + dst + " " + ip.fragmentId + " " + ip.protocol
      : "6 " + src + " " + dst + " " + ip.fragmentId;
    const whole = this.#fragments.add(
      key,
      ip.fragmentOffset,
      ip.moreFragments,
      this.#addressBytes,
      ip.payloadOffset,
      ip.payloadEnd,
      packet.tsSec,
      ip.protocol,
    );
    if (whole === null) return;
    this.#counters.ip_fragments_reassembled++;
    let protocol = this.#fragments.completedProtocol;
    let offset = 0;
    if (ip.version === 6) {
      walkIpv6Extensions(whole, 0, whole.length, protocol, ip);
      if (ip.isFragment) {
        throw new DecodeError("ipv6.bad_ext_header", ip.payloadOffset, "Cannot decode IPv6 packet: nested fragment");
      }
      protocol = ip.protocol;
      offset = ip.payloadOffset;
    }
    this.#transport(packet, whole, protocol, offset, whole.length, whole.length, false);
  }

  #transport(
    packet: Packet,
    data: Uint8Array,
    protocol: number,
    offset: number,
    end: number,
    claimedEnd: number,
    captureTruncated: boolean,
  ): void {
    const counters = this.#counters;
    if (protocol === IP_PROTO_UDP) {
      const udp = this.#udp;
      decodeUdp(data, offset, end, claimedEnd, udp);
      if (!this.#carriesDns(udp.srcPort, udp.dstPort)) {
        const ports = this.#tunnelPorts;
        const kind = ports[udp.dstPort] | ports[udp.srcPort];
        if (kind === 0) counters.packets_not_dns++;
        else this.#udpTunnel(packet, data, kind, udp.payloadOffset, udp.payloadEnd, captureTruncated);
        return;
      }
      counters.udp_messages++;
      // A payload cut by the snap length is still handed on: the DNS layer flags the truncation.
      const datagram = this.#udpDatagram;
      const ip = this.#ip;
      this.#udpAddresses.write(this.#addressBytes, ip.srcOffset, ip.dstOffset, ip.version);
      datagram.srcPort = udp.srcPort;
      datagram.dstPort = udp.dstPort;
      datagram.tsSec = packet.tsSec;
      datagram.tsNsec = packet.tsNsec;
      datagram.wireLen = packet.origLen;
      datagram.messageBuffer = data; // a range, not a view: no allocation per message (wire_datagram.ts)
      datagram.messageStart = udp.payloadOffset;
      datagram.messageEnd = udp.payloadEnd;
      datagram.vlans = this.#vlans();
      datagram.interfaceId = packet.interfaceId;
      datagram.tunnels = this.#tunnelCount === 0 ? NO_TUNNELS : this.#tunnels.slice(0, this.#tunnelCount);
      this.#onMessage(datagram);
      return;
    }
    if (protocol === IP_PROTO_TCP) {
      const tcp = this.#tcp;
      decodeTcpHeader(data, offset, end, tcp);
      if (!this.#carriesDns(tcp.srcPort, tcp.dstPort)) {
        counters.packets_not_dns++;
        return;
      }
      counters.tcp_segments++;
      if (captureTruncated) {
        // The missing bytes would be a hole in the stream; better one error than a silent gap.
        throw new DecodeError(
          "tcp.capture_truncated",
          end,
          `Cannot reassemble TCP segment: the capture cut it at byte ${end} of ${claimedEnd}`,
        );
      }
      const ctx = this.#tcpContext;
      ctx.tsSec = packet.tsSec;
      ctx.tsNsec = packet.tsNsec;
      ctx.wireLen = packet.origLen;
      const ip = this.#ip;
      const addresses = this.#tcpAddresses;
      addresses.write(this.#addressBytes, ip.srcOffset, ip.dstOffset, ip.version);
      this.#streams.segment(
        addresses.src,
        tcp.srcPort,
        addresses.dst,
        tcp.dstPort,
        tcp.seq,
        tcp.flags,
        data,
        tcp.payloadOffset,
        tcp.payloadEnd,
        packet.tsSec,
        this.#vlans(),
        packet.interfaceId,
        this.#tunnelCount === 0 ? NO_TUNNELS : this.#tunnels.slice(0, this.#tunnelCount),
      );
      return;
    }
    if (protocol === IP_PROTO_GRE || protocol === IP_PROTO_IPIP || protocol === IP_PROTO_IPV6) {
      this.#ipTunnel(packet, data, protocol, offset, end, captureTruncated);
      return;
    }
    counters.packets_not_dns++;
  }

  /** IP protocol 47 (GRE, RFC 2784), 4 (IPv4 in IP, RFC 2003) or 41 (IPv6 in IP, RFC 4213 / RFC 2473). */
  #ipTunnel(packet: Packet, data: Uint8Array, protocol: number, offset: number, end: number, cut: boolean): void {
    const header = this.#tunnel;
    if (protocol === IP_PROTO_GRE) decodeGre(data, offset, end, "gre", header);
    else {
      const outer = this.#ip.version === 4 ? "4" : "6";
      header.kind = protocol === IP_PROTO_IPIP ? `4in${outer}` as TunnelKind : `6in${outer}` as TunnelKind;
      header.id = -1;
      header.labels = null;
      header.inner = protocol === IP_PROTO_IPIP ? INNER_IPV4 : INNER_IPV6;
      header.innerOffset = offset;
    }
    this.#enter(packet, data, end, cut, true);
  }

  /** A UDP payload on a tunnel port (`-vxlan_ports`, `-geneve_ports`, ...). */
  #udpTunnel(packet: Packet, data: Uint8Array, kind: number, offset: number, end: number, cut: boolean): void {
    const header = this.#tunnel;
    switch (kind) {
      case PORT_VXLAN:
        decodeVxlan(data, offset, end, header);
        break;
      case PORT_GENEVE:
        decodeGeneve(data, offset, end, header);
        break;
      case PORT_GRE_UDP:
        decodeGre(data, offset, end, "gre_udp", header);
        break;
      case PORT_GTPU:
        decodeGtpu(data, offset, end, header);
        break;
      default:
        decodeTeredo(data, offset, end, header);
    }
    this.#enter(packet, data, end, cut, true);
  }

  /** An EtherType that is not IP: MPLS and PPPoE sessions are decapsulated, the rest counted as not IP. */
  #etherTypeTunnel(packet: Packet, data: Uint8Array, etherType: number, offset: number, end: number, cut: boolean) {
    const header = this.#tunnel;
    if (etherType === ETHERTYPE_MPLS || etherType === ETHERTYPE_MPLS_MULTICAST) decodeMpls(data, offset, end, header);
    else if (etherType === ETHERTYPE_PPPOE_SESSION) decodePppoe(data, offset, end, header);
    else {
      this.#counters.packets_not_ip++;
      return;
    }
    this.#enter(packet, data, end, cut, false);
  }

  /**
   * Record the tunnel header just read into `#tunnel` (with the carrying IP header's addresses when `outerIp`), then
   * decode what it carries. Past {@linkcode MAX_TUNNEL_DEPTH} levels the frame is a counted error.
   */
  #enter(packet: Packet, data: Uint8Array, end: number, cut: boolean, outerIp: boolean): void {
    const header = this.#tunnel;
    if (this.#tunnelCount === MAX_TUNNEL_DEPTH) {
      throw new DecodeError(
        "tunnel.too_deep",
        header.innerOffset,
        `Cannot decode tunnel: more than ${MAX_TUNNEL_DEPTH} levels of encapsulation`,
      );
    }
    if (this.#tunnelCount === 0) this.#counters.packets_tunneled++;
    this.#tunnels[this.#tunnelCount++] = {
      kind: header.kind,
      outerSrcIp: outerIp ? this.#sourceText() : null,
      outerDstIp: outerIp ? this.#destinationText() : null,
      id: header.id < 0 ? null : header.id,
      labels: header.labels,
    };
    this.#inner(packet, data, header.inner, header.innerOffset, end, cut);
  }

  /** Decode what a tunnel carries at `data[offset, end)`. */
  #inner(packet: Packet, data: Uint8Array, inner: number, offset: number, end: number, cut: boolean): void {
    switch (inner) {
      case INNER_IP: {
        if (offset >= end) throw new DecodeError("tunnel.truncated", offset, "Cannot decode tunnel: no payload");
        const version = data[offset] >> 4;
        if (version === 4 || version === 6) this.#tunnelledIp(packet, data, version, offset, end, cut);
        else this.#counters.packets_not_ip++;
        return;
      }
      case INNER_IPV4:
        this.#tunnelledIp(packet, data, 4, offset, end, cut);
        return;
      case INNER_IPV6:
        this.#tunnelledIp(packet, data, 6, offset, end, cut);
        return;
      case INNER_ETHERNET: {
        const link = this.#link;
        decodeInnerEthernet(data, offset, end, link);
        if (link.netType === NET_IPV4 || link.netType === NET_IPV6) {
          this.#tunnelledIp(packet, data, link.netType, link.netOffset, end, cut);
        } else this.#etherTypeTunnel(packet, data, link.etherType, link.netOffset, end, cut);
        return;
      }
      case INNER_MPLS:
        decodeMpls(data, offset, end, this.#tunnel);
        this.#enter(packet, data, end, cut, false);
        return;
      case INNER_PPP: {
        const ppp = this.#ppp;
        decodePpp(data, offset, end, ppp);
        if (ppp.inner === INNER_NOT_IP) this.#counters.packets_not_ip++;
        else this.#inner(packet, data, ppp.inner, ppp.offset, end, cut);
        return;
      }
      default:
        this.#counters.packets_not_ip++;
    }
  }

  /** An IP packet inside a tunnel (`cut`: the capture cut the packet that carried it). */
  #tunnelledIp(packet: Packet, data: Uint8Array, version: number, offset: number, end: number, cut: boolean): void {
    this.#network(data, version, offset, end, cut);
    this.#ipPacket(packet, data);
  }

  /**
   * Whether either port is a DNS port. One test of both bits: queries and responses alternate, so a branch per port
   * would mispredict often.
   */
  #carriesDns(srcPort: number, dstPort: number): boolean {
    const bits = this.#dnsPorts;
    return (((bits[srcPort >>> 5] >>> (srcPort & 31)) | (bits[dstPort >>> 5] >>> (dstPort & 31))) & 1) !== 0;
  }

  #vlans(): number[] {
    const link = this.#link;
    return link.vlanCount === 0 ? NO_VLANS : link.vlans.slice(0, link.vlanCount);
  }
}
