/**
 * Packet decoding up to the DNS message: link layers, IPv4/IPv6 with fragment reassembly, UDP,
 * and TCP stream reassembly with DNS length framing.
 *
 * @example
 * ```ts
 * import { DEFAULT_DECODER_OPTIONS, PacketDecoder } from "./mod.ts";
 * import { newCounters } from "../metrics/counters.ts";
 *
 * const decoder = new PacketDecoder(DEFAULT_DECODER_OPTIONS, newCounters(), (datagram) => {
 *   console.log(datagram.transport, datagram.srcIp, datagram.srcPort, datagram.message.length);
 * });
 * ```
 *
 * @module
 */
export { type DecoderOptions, DEFAULT_DECODER_OPTIONS } from "./options.ts";
export { PacketDecoder } from "./packet_decoder.ts";
export type { DnsDatagram, DnsDatagramHandler } from "./dns_datagram.ts";
export { ipv4Text, ipv6Text } from "./ip_text.ts";
