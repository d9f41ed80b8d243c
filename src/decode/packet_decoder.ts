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
import { countDecodeError, type Counters } from "../metrics/counters.ts";
import { newWireDatagram, NO_VLANS, type WireDatagram, type WireDatagramHandler } from "./wire_datagram.ts";
import { FragmentTable } from "./fragments.ts";
import { decodeIpv4, decodeIpv6, IP_PROTO_TCP, IP_PROTO_UDP, IpLayer, walkIpv6Extensions } from "./ip.ts";
import { AddressPair } from "./address_pair.ts";
import { ipv4Text, ipv6Text } from "./ip_text.ts";
import { decodeLink, LinkLayer, NET_IPV4, NET_IPV6, NET_NOT_IP } from "./link.ts";
import type { DecoderOptions } from "./options.ts";
import { decodeTcpHeader, TcpHeader } from "./tcp_segment.ts";
import { TcpContext } from "./tcp_stream.ts";
import { TcpTable } from "./tcp_table.ts";
import { decodeUdp, UdpHeader } from "./udp.ts";

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

  #sweep(nowSec: number): void {
    this.#lastSweepSec = nowSec;
    if (this.#fragments.size > 0) this.#fragments.expire(nowSec);
    if (this.#streams.size > 0) this.#streams.expire(nowSec);
  }

  /** The frame is `data[start, end)`. */
  #decodeFrame(packet: Packet, data: Uint8Array, start: number, end: number): void {
    const link = this.#link;
    const ip = this.#ip;
    const counters = this.#counters;
    decodeLink(data, start, end, packet.linkType, link);
    const frameCut = end - start < packet.origLen;
    if (link.netType === NET_IPV4) {
      decodeIpv4(data, link.netOffset, end, frameCut, ip);
      counters.packets_ipv4++;
    } else if (link.netType === NET_IPV6) {
      decodeIpv6(data, link.netOffset, end, frameCut, ip);
      counters.packets_ipv6++;
    } else {
      if (link.netType === NET_NOT_IP) counters.packets_not_ip++;
      else counters.packets_unsupported_link++;
      return;
    }
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
        counters.packets_not_dns++;
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
      );
      return;
    }
    counters.packets_not_dns++;
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
