/**
 * Test-only builders for frames, in the spirit of testdata/crafted/craft.py, and a collector
 * that runs a {@linkcode PacketDecoder} and keeps copies of what it hands on.
 *
 * @module
 */
import { CapturedPacket } from "../capture/captured_packet.ts";
import type { Packet } from "../capture/packet.ts";
import { type Counters, newCounters } from "../metrics/counters.ts";
import type { WireDatagram } from "./wire_datagram.ts";
import { type DecoderOptions, DEFAULT_DECODER_OPTIONS } from "./options.ts";
import { PacketDecoder } from "./packet_decoder.ts";

export const T0 = 1500000000;
export const CLIENT = [10, 0, 0, 1];
export const SERVER = [10, 0, 0, 53];
export const CLIENT6 = hex("2001 0db8 0000 0000 0000 0000 0000 0001");
export const SERVER6 = hex("2001 0db8 0000 0000 0000 0000 0000 0053");

/** Bytes from hex text laid out in rows: whitespace and `# comments` to the end of a line are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/#.*$/gm, "").replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Where {@linkcode embed} puts a frame: decoders must read frames in place, away from index 0. */
export const EMBED_AT = 5;

/** `frame` inside a larger buffer, with junk (0xee) before and after it, as a capture chunk holds it. */
export function embed(frame: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(EMBED_AT + frame.length + 7).fill(0xee);
  buffer.set(frame, EMBED_AT);
  return buffer;
}

/** Concatenate hex rows, byte arrays and plain number arrays. */
export function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const arrays = parts.map((p) => typeof p === "string" ? hex(p) : p instanceof Uint8Array ? p : Uint8Array.from(p));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

export function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** Ethernet II with optional tags, each [TPID, VLAN id], outermost first. */
export function ethernet(etherType: number, payload: Uint8Array, tags: [number, number][] = []): Uint8Array {
  const tagBytes = tags.flatMap(([tpid, id]) => [...u16(tpid), ...u16(id)]);
  return bytes("020000000053 020000000001", tagBytes, u16(etherType), payload);
}

export interface Ipv4Fields {
  id?: number;
  /** Flags and fragment offset word (default: Don't Fragment). */
  flagsFragment?: number;
  options?: number[];
  /** Override the total length field. */
  totalLength?: number;
}

export function ipv4(src: number[], dst: number[], protocol: number, payload: Uint8Array, f: Ipv4Fields = {}) {
  const options = f.options ?? [];
  const headerLen = 20 + options.length;
  const total = f.totalLength ?? headerLen + payload.length;
  return bytes(
    [0x40 | (headerLen / 4), 0],
    u16(total),
    u16(f.id ?? 1),
    u16(f.flagsFragment ?? 0x4000),
    [64, protocol, 0, 0],
    src,
    dst,
    options,
    payload,
  );
}

export function ipv6(src: Uint8Array, dst: Uint8Array, nextHeader: number, payload: Uint8Array): Uint8Array {
  return bytes("60000000", u16(payload.length), [nextHeader, 64], src, dst, payload);
}

export function udp(srcPort: number, dstPort: number, payload: Uint8Array, length = 8 + payload.length): Uint8Array {
  return bytes(u16(srcPort), u16(dstPort), u16(length), "0000", payload);
}

/** TCP segment; flags as letters F S R P A (like craft.py). */
export function tcp(srcPort: number, dstPort: number, seq: number, flags: string, payload?: Uint8Array) {
  let bits = 0;
  for (const [letter, bit] of [["F", 1], ["S", 2], ["R", 4], ["P", 8], ["A", 16]] as const) {
    if (flags.includes(letter)) bits |= bit;
  }
  return bytes(u16(srcPort), u16(dstPort), u32(seq), u32(0), [0x50, bits], "ffff 0000 0000", payload ?? []);
}

/** A DNS message: header, one question for `name` type A class IN, `padding` extra zero bytes. */
export function dnsMessage(id: number, name: string, response = false, padding = 0): Uint8Array {
  const labels = name.split(".").flatMap((l) => [l.length, ...new TextEncoder().encode(l)]);
  return bytes(
    u16(id),
    response ? "8180" : "0100",
    "0001 0000 0000 0000",
    labels,
    [0],
    "0001 0001",
    new Array(padding).fill(0),
  );
}

/** RFC 7766 §8 framing: 2-byte length, then the message. */
export function prefixed(...messages: Uint8Array[]): Uint8Array {
  return bytes(...messages.flatMap((m) => [u16(m.length), m]));
}

/** UDP/IPv4/Ethernet frame from CLIENT:40000 to SERVER:53 (or back when `response`). */
export function udpFrame(message: Uint8Array, response = false): Uint8Array {
  return response
    ? ethernet(0x0800, ipv4(SERVER, CLIENT, 17, udp(53, 40000, message)))
    : ethernet(0x0800, ipv4(CLIENT, SERVER, 17, udp(40000, 53, message)));
}

/** TCP/IPv4/Ethernet frame; `fromClient` picks CLIENT:clientPort → SERVER:53 or back. */
export function tcpFrame(fromClient: boolean, seq: number, flags: string, payload?: Uint8Array, clientPort = 44000) {
  return fromClient
    ? ethernet(0x0800, ipv4(CLIENT, SERVER, 6, tcp(clientPort, 53, seq, flags, payload)))
    : ethernet(0x0800, ipv4(SERVER, CLIENT, 6, tcp(53, clientPort, seq, flags, payload)));
}

export interface FrameMeta {
  linkType?: number;
  tsSec?: number;
  tsNsec?: number;
  origLen?: number;
  interfaceId?: number;
}

/** A plain Packet (its own `data` array). */
export function packet(data: Uint8Array, meta: FrameMeta = {}): Packet {
  return {
    linkType: meta.linkType ?? 1,
    data,
    origLen: meta.origLen ?? data.length,
    tsSec: meta.tsSec ?? T0,
    tsNsec: meta.tsNsec ?? 0,
    interfaceId: meta.interfaceId ?? 0,
  };
}

/** A CapturedPacket, as the capture files hand them out: the frame in place inside a larger buffer. */
export function capturedPacket(data: Uint8Array, meta: FrameMeta = {}): CapturedPacket {
  const plain = packet(data, meta);
  const captured = new CapturedPacket();
  captured.setFrame(embed(data), EMBED_AT, EMBED_AT + data.length);
  captured.linkType = plain.linkType;
  captured.origLen = plain.origLen;
  captured.tsSec = plain.tsSec;
  captured.tsNsec = plain.tsNsec;
  captured.interfaceId = plain.interfaceId;
  return captured;
}

/**
 * Runs a decoder and keeps a copy of every datagram (the message view is only valid in the call). Frames are fed
 * as CapturedPackets (the capture files' zero-copy path) unless `plain` asks for plain Packets.
 */
export class Collector {
  readonly counters: Counters = newCounters();
  readonly datagrams: WireDatagram[] = [];
  readonly decoder: PacketDecoder;

  constructor(options: Partial<DecoderOptions> = {}, readonly plain = false) {
    this.decoder = new PacketDecoder({ ...DEFAULT_DECODER_OPTIONS, ...options }, this.counters, (d) => {
      this.datagrams.push({
        ...d,
        message: d.message.slice(),
        vlans: [...d.vlans],
        srcAddress: d.srcAddress?.slice(),
        dstAddress: d.dstAddress?.slice(),
      });
    });
  }

  /** Decode frames; each is [bytes, meta] or bytes (time T0). */
  feed(...frames: (Uint8Array | [Uint8Array, FrameMeta])[]): this {
    const make = this.plain ? packet : capturedPacket;
    for (const f of frames) this.decoder.decode(f instanceof Uint8Array ? make(f) : make(f[0], f[1]));
    return this;
  }

  /** DNS ids of the messages handed on, in order. */
  get ids(): number[] {
    return this.datagrams.map((d) => (d.message[0] << 8) | d.message[1]);
  }

  /** Decode errors by code, as a plain object. */
  get errors(): Record<string, number> {
    return Object.fromEntries(this.counters.decodeErrors);
  }
}
