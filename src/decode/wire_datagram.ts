/**
 * A {@linkcode DnsDatagram} that also carries its addresses as bytes, so that consumers key on them without text.
 *
 * Contract: `PacketDecoder` (src/decode/packet_decoder.ts) sets `srcAddress` and `dstAddress` on every datagram it hands out, UDP and
 * TCP alike: 16-byte forms (`writeAddress16`) in buffers the decoder reuses, valid, like `message`, only during the
 * handler call, and read-only (the decoder rewrites only the bytes that change: src/decode/address_pair.ts).
 * Datagrams built elsewhere (tests) may carry only the texts: {@linkcode datagramAddresses} parses
 * those, {@linkcode decoderAddresses} is for handlers fed by a PacketDecoder only.
 *
 * The decoder also gives the message as a range, `messageBuffer[messageStart, messageEnd)` (the frame or a stream
 * buffer, valid like `message`), so a consumer that reads it in place makes no view per message
 * ({@linkcode pointAtMessage}); `message` is then a view made only when read. The range is non-enumerable: a spread
 * copy of a datagram copies `message`, not a reference into a buffer the decoder reuses.
 *
 * @module
 */

import type { DnsDatagram } from "./dns_datagram.ts";
import { ipv6Text, parseAddressText } from "./ip_text.ts";
import { NO_TUNNELS, type Tunnel } from "./tunnels.ts";

export interface WireDatagram extends DnsDatagram {
  srcAddress?: Uint8Array;
  dstAddress?: Uint8Array;
  /** The same bytes as four words each (an Int32Array over them), when the datagram carries them. */
  srcWords?: Int32Array;
  dstWords?: Int32Array;
  /** The buffer holding the message, when it is given as a range (see the module comment). */
  messageBuffer?: Uint8Array;
  /** The message is `messageBuffer[messageStart, messageEnd)`: byte `messageStart` is the DNS header. */
  messageStart?: number;
  messageEnd?: number;
}

export type WireDatagramHandler = (datagram: WireDatagram) => void;

/** What {@linkcode pointAtMessage} points at a message (src/dns/_reader.ts `MessageReader` is one). */
export interface MessageRangeReader {
  resetRange(bytes: Uint8Array, start: number, end: number): void;
}

const NO_BYTES = new Uint8Array(0);

/** Shared by every untagged datagram; read-only by contract (frozen). */
export const NO_VLANS: number[] = Object.freeze([]) as unknown as number[];

/** Own enumerable getters for the address texts, shared by every datagram made here (one hidden class for all). */
const SRC_IP: PropertyDescriptor = {
  enumerable: true,
  get(this: WireDatagram): string {
    return ipv6Text(this.srcAddress!, 0);
  },
};
const DST_IP: PropertyDescriptor = {
  enumerable: true,
  get(this: WireDatagram): string {
    return ipv6Text(this.dstAddress!, 0);
  },
};

/** `message` as a view of the range, made when read; assigning a whole array sets the range to it. */
const MESSAGE: PropertyDescriptor = {
  enumerable: true,
  get(this: ReusedDatagram): Uint8Array {
    return this.messageBuffer.subarray(this.messageStart, this.messageEnd);
  },
  set(this: ReusedDatagram, bytes: Uint8Array): void {
    this.messageBuffer = bytes;
    this.messageStart = 0;
    this.messageEnd = bytes.length;
  },
};

/** A writable, non-enumerable data property (the message range: see the module comment). */
function hidden(value: unknown): PropertyDescriptor {
  return { value, writable: true, enumerable: false, configurable: false };
}

/** See {@linkcode newWireDatagram}. */
class ReusedDatagram implements WireDatagram {
  declare readonly srcIp: string;
  declare readonly dstIp: string;
  srcPort = 0;
  dstPort = 0;
  tsSec = 0;
  tsNsec = 0;
  wireLen = 0;
  declare message: Uint8Array;
  declare messageBuffer: Uint8Array;
  declare messageStart: number;
  declare messageEnd: number;
  vlans: number[] = NO_VLANS;
  interfaceId = 0;
  tunnels: readonly Tunnel[] = NO_TUNNELS;
  readonly srcAddress: Uint8Array = new Uint8Array(16);
  readonly dstAddress: Uint8Array = new Uint8Array(16);
  declare readonly srcWords: Int32Array;
  declare readonly dstWords: Int32Array;

  constructor(readonly transport: "udp" | "tcp") {
    // Added as new properties with shared getter functions, the accessors keep the object in V8's fast mode. A
    // getter in an object literal, or a data property redefined as an accessor, would make it a dictionary: every
    // field store a hash lookup, and every non-small number stored a fresh heap allocation.
    Object.defineProperty(this, "srcIp", SRC_IP);
    Object.defineProperty(this, "dstIp", DST_IP);
    Object.defineProperty(this, "messageBuffer", hidden(NO_BYTES));
    Object.defineProperty(this, "messageStart", hidden(0));
    Object.defineProperty(this, "messageEnd", hidden(0));
    Object.defineProperty(this, "message", MESSAGE);
    // Views of the address bytes: non-enumerable like the message range, so a spread copy shows the bytes once.
    Object.defineProperty(this, "srcWords", hidden(new Int32Array(this.srcAddress.buffer)));
    Object.defineProperty(this, "dstWords", hidden(new Int32Array(this.dstAddress.buffer)));
  }
}

/**
 * The one datagram object a decoder hands out for `transport`, refilled per message (no object per message). Its
 * address texts are own enumerable getters, made from the address bytes only when read (a spread copy reads them),
 * since the default format keys and writes from the bytes. Every datagram made here has the same hidden class, so a
 * handler's property loads stay monomorphic across UDP and TCP.
 */
export function newWireDatagram(transport: "udp" | "tcp"): WireDatagram {
  return new ReusedDatagram(transport);
}

/**
 * Point `reader` at the message of `datagram`: in place when the datagram gives it as a range (no view made), else
 * the whole of `message`.
 */
export function pointAtMessage(datagram: WireDatagram, reader: MessageRangeReader): void {
  const buffer = datagram.messageBuffer;
  if (buffer !== undefined) reader.resetRange(buffer, datagram.messageStart!, datagram.messageEnd!);
  else {
    const message = datagram.message;
    reader.resetRange(message, 0, message.length);
  }
}

/** Copy a 16-byte address form: a plain loop beats `TypedArray.set` at this size. */
export function copyAddress16(from: Uint8Array, to: Uint8Array): void {
  for (let i = 0; i < 16; i++) to[i] = from[i];
}

/** The 16-byte forms of the addresses of a datagram from a PacketDecoder (which always sets them), copied. */
export function decoderAddresses(datagram: WireDatagram, src: Uint8Array, dst: Uint8Array): void {
  copyAddress16(datagram.srcAddress!, src);
  copyAddress16(datagram.dstAddress!, dst);
}

/** The 16-byte forms of any datagram's source and destination addresses, written into `src` and `dst`. */
export function datagramAddresses(datagram: WireDatagram, src: Uint8Array, dst: Uint8Array): void {
  if (datagram.srcAddress !== undefined && datagram.dstAddress !== undefined) {
    decoderAddresses(datagram, src, dst);
  } else {
    parseAddressText(datagram.srcIp, src);
    parseAddressText(datagram.dstIp, dst);
  }
}
