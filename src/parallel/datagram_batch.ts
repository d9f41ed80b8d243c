/**
 * The stream from the decoding thread to the lookup worker: WireDatagrams and clock ticks packed one after another
 * into a byte buffer, which is shared with the worker (src/parallel/lookup_protocol.ts: never transferred) when full or
 * at a capture batch end. Packing
 * keeps what the post-decode stage reads (src/lookup_stage.ts): the times, transport, the 16-byte addresses, ports,
 * wire length, interface id, VLAN ids, tunnels and the DNS message bytes. The address texts are made from the bytes
 * when read, as on the decoding thread (src/decode/wire_datagram.ts).
 *
 * Entry layout (little-endian; no alignment, read with a DataView):
 * - datagram: `u8 1, u8 bits (1 TCP, 2 the message is read in place), u16 srcPort, u16 dstPort, u32 tsNsec,
 *   f64 tsSec, u32 wireLen, u32 interfaceId, 16 src, 16 dst, u16 vlanCount, u8 tunnelCount, u32 messageLength`, then
 *   the VLAN ids (u16 each), the tunnels (see `#tunnel`) and the message: where it is (`u32 chunk, u32 offset`) when
 *   it lies in a capture chunk shared with the worker (src/capture/_chunk_reader.ts ChunkPool; see `chunkIndexOf`),
 *   else its bytes.
 * - clock tick: `u8 2, f64 sec, u32 nsec`.
 *
 * @module
 */

import { newWireDatagram, NO_VLANS, type WireDatagram } from "../decode/wire_datagram.ts";
import { NO_TUNNELS, type Tunnel, type TunnelKind } from "../decode/tunnels.ts";

const DATAGRAM = 1;
const CLOCK = 2;
/** A lookup for the record writer (src/parallel/lookup_entry.ts), when the pairing engine runs on the decoding thread. */
export const LOOKUP = 3;
/**
 * Messages up to this many bytes are copied with a byte loop, longer ones with `set` (a memmove, plus a view object):
 * measured per million copies, 44 against 49 ms at 40 bytes, 137 against 48 ms at 140 bytes.
 */
export const SMALL_COPY = 48;
const DATAGRAM_HEAD = 65;
const TCP_BIT = 1;
const IN_CHUNK = 2;
/** A message read in place: `u32 chunk, u32 offset` (see {@linkcode BatchWriter.putMessage}). */
export const CHUNK_REFERENCE = 8;
const CLOCK_SIZE = 13;
/** Room for one packed tunnel: three texts of at most 255 bytes, its id and up to 64 labels (see `putTunnel`). */
export const TUNNEL_BYTES = 3 * 256 + 9 + 2 + 64 * 4;
/** A null text or label list. */
const ABSENT_TEXT = 0xff;
const ABSENT_LABELS = 0xffff;

/** Packs datagrams and clock ticks into buffers; `send` gets each full buffer and how many bytes it holds. */
export class BatchWriter {
  bytes: Uint8Array;
  #view: DataView;
  used = 0;
  /**
   * The capture chunk, shared with the worker, that a message's buffer is, or -1 (then its bytes are copied): set by
   * the stage that shares the chunks (src/parallel/remote_stage.ts). Unset: every message is copied.
   */
  chunkIndexOf: (bytes: Uint8Array) => number = () => -1;
  /** The last message buffer seen, and its chunk index: one buffer serves thousands. */
  #lastSource: Uint8Array | null = null;
  #lastChunk = -1;

  /** {@linkcode chunkIndexOf}, remembered for the last buffer asked about. */
  chunkOf(source: Uint8Array): number {
    if (source !== this.#lastSource) {
      this.#lastSource = source;
      this.#lastChunk = this.chunkIndexOf(source);
    }
    return this.#lastChunk;
  }

  /**
   * The message `source[start, end)` at `at`, reserved before: where it is when `chunk` (from `chunkOf`) names a
   * shared chunk ({@linkcode CHUNK_REFERENCE} bytes), else its bytes. Returns where the next entry starts.
   */
  putMessage(at: number, source: Uint8Array, start: number, end: number, chunk: number): number {
    if (chunk >= 0) {
      this.#view.setUint32(at, chunk, true);
      this.#view.setUint32(at + 4, start, true);
      return at + CHUNK_REFERENCE;
    }
    const length = end - start;
    // DNS messages are mostly longer than SMALL_COPY: copied with `set`.
    if (length <= SMALL_COPY) {
      const bytes = this.bytes;
      for (let i = start; i < end; i++) bytes[at++] = source[i];
      return at;
    }
    this.bytes.set(source.subarray(start, end), at);
    return at + length;
  }

  constructor(
    readonly capacity: number,
    /** Hands a buffer over (it is not written again until it comes back); the writer goes on in one from `nextBuffer`. */
    readonly send: (buffer: ArrayBufferLike, used: number) => void,
    /** A free buffer of at least `capacity` bytes (recycled or new). */
    readonly nextBuffer: () => ArrayBufferLike,
  ) {
    this.bytes = new Uint8Array(nextBuffer());
    this.#view = new DataView(this.bytes.buffer);
  }

  /** Hand over what the buffer holds (nothing when empty). */
  sendNow(): void {
    if (this.used === 0) return;
    const buffer = this.bytes.buffer;
    const used = this.used;
    this.bytes = new Uint8Array(this.nextBuffer());
    this.#view = new DataView(this.bytes.buffer);
    this.used = 0;
    this.send(buffer, used);
  }

  /** The buffer as a DataView (valid until the next `reserve`). */
  get view(): DataView {
    return this.#view;
  }

  clock(sec: number, nsec: number): void {
    this.reserve(CLOCK_SIZE);
    const view = this.#view;
    view.setUint8(this.used, CLOCK);
    view.setFloat64(this.used + 1, sec, true);
    view.setUint32(this.used + 9, nsec, true);
    this.used += CLOCK_SIZE;
  }

  datagram(d: WireDatagram): void {
    // The message's range, read in place: a view per message would be an allocation per message.
    let source = d.messageBuffer;
    let start = d.messageStart!;
    let end = d.messageEnd!;
    if (source === undefined) {
      source = d.message;
      start = 0;
      end = source.length;
    }
    const length = end - start;
    const chunk = this.chunkOf(source);
    const vlans = d.vlans;
    const tunnels = d.tunnels ?? NO_TUNNELS;
    this.reserve(
      DATAGRAM_HEAD + vlans.length * 2 + tunnels.length * TUNNEL_BYTES + (chunk < 0 ? length : CHUNK_REFERENCE),
    );
    const view = this.#view;
    const bytes = this.bytes;
    let at = this.used;
    view.setUint8(at, DATAGRAM);
    view.setUint8(at + 1, (d.transport === "tcp" ? TCP_BIT : 0) | (chunk < 0 ? 0 : IN_CHUNK));
    view.setUint16(at + 2, d.srcPort, true);
    view.setUint16(at + 4, d.dstPort, true);
    view.setUint32(at + 6, d.tsNsec, true);
    view.setFloat64(at + 10, d.tsSec, true);
    view.setUint32(at + 18, d.wireLen, true);
    view.setUint32(at + 22, d.interfaceId, true);
    const src = d.srcAddress!;
    const dst = d.dstAddress!;
    for (let i = 0; i < 16; i++) bytes[at + 26 + i] = src[i];
    for (let i = 0; i < 16; i++) bytes[at + 42 + i] = dst[i];
    view.setUint16(at + 58, vlans.length, true);
    view.setUint8(at + 60, tunnels.length);
    view.setUint32(at + 61, length, true);
    at += DATAGRAM_HEAD;
    for (let i = 0; i < vlans.length; i++, at += 2) view.setUint16(at, vlans[i], true);
    for (let i = 0; i < tunnels.length; i++) at = this.putTunnel(tunnels[i], at);
    this.used = this.putMessage(at, source, start, end, chunk);
  }

  /**
   * A tunnel at `at`, reserved before ({@linkcode TUNNEL_BYTES} each): `kind`, outer source and destination (texts),
   * `u8 hasId, f64 id`, `u16 labelCount, u32 labels…`. Returns where the next entry starts.
   */
  putTunnel(tunnel: Tunnel, at: number): number {
    const view = this.#view;
    at = this.#text(tunnel.kind, at);
    at = this.#text(tunnel.outerSrcIp, at);
    at = this.#text(tunnel.outerDstIp, at);
    view.setUint8(at, tunnel.id === null ? 0 : 1);
    view.setFloat64(at + 1, tunnel.id ?? 0, true);
    at += 9;
    const labels = tunnel.labels;
    // A label list that does not fit the room reserved per tunnel is cut (no decoder makes one: MPLS stacks are
    // bounded far below this).
    const count = labels === null ? 0 : Math.min(labels.length, 64);
    view.setUint16(at, labels === null ? ABSENT_LABELS : count, true);
    at += 2;
    for (let i = 0; i < count; i++, at += 4) view.setUint32(at, labels![i], true);
    return at;
  }

  /** An ASCII text of at most 254 characters (a tunnel kind, an address text), or null. */
  #text(text: string | null, at: number): number {
    if (text === null) {
      this.bytes[at] = ABSENT_TEXT;
      return at + 1;
    }
    const n = Math.min(text.length, ABSENT_TEXT - 1);
    this.bytes[at++] = n;
    for (let i = 0; i < n; i++) this.bytes[at++] = text.charCodeAt(i);
    return at;
  }

  /** Make room for `n` more bytes at `used` (sending the buffer when they do not fit). */
  reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    this.sendNow();
    if (n > this.bytes.length) {
      // One message larger than a batch (a TCP message near 64 KiB in a small batch): a buffer of its own.
      this.bytes = new Uint8Array(n);
      this.#view = new DataView(this.bytes.buffer);
    }
  }
}

/** Unpacks a batch into reused datagrams (one per transport), as a PacketDecoder hands them out. */
export class BatchReader {
  readonly #udp = newWireDatagram("udp");
  readonly #tcp = newWireDatagram("tcp");
  /** The datagrams' address bytes as words (each is its own 16-byte array): 4 word copies instead of 16 bytes. */
  readonly #udpSrc = words(this.#udp.srcAddress!);
  readonly #udpDst = words(this.#udp.dstAddress!);
  readonly #tcpSrc = words(this.#tcp.srcAddress!);
  readonly #tcpDst = words(this.#tcp.dstAddress!);
  /** The capture chunks entries name by index (a live array: chunks are added as the capture goes on). */
  chunks: readonly Uint8Array[] = [];

  constructor(
    readonly onDatagram: (datagram: WireDatagram) => void,
    readonly onClock: (sec: number, nsec: number) => void,
    /** A lookup entry at `at` (src/parallel/lookup_entry.ts): handles it, returns where the next entry starts. */
    readonly onLookup: (bytes: Uint8Array, view: DataView, at: number) => number = noLookups,
  ) {}

  /** Every entry of `bytes[0, used)`, in order. The datagrams' messages point into `bytes` or a chunk. */
  read(bytes: Uint8Array, used: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < used) {
      const kind = bytes[at];
      if (kind === CLOCK) {
        this.onClock(view.getFloat64(at + 1, true), view.getUint32(at + 9, true));
        at += CLOCK_SIZE;
        continue;
      }
      if (kind === LOOKUP) {
        at = this.onLookup(bytes, view, at);
        continue;
      }
      if (kind !== DATAGRAM) throw new Error(`Corrupt datagram batch: entry kind ${kind} at offset ${at}`);
      const bits = bytes[at + 1];
      const tcp = (bits & TCP_BIT) !== 0;
      const d = tcp ? this.#tcp : this.#udp;
      const src = tcp ? this.#tcpSrc : this.#udpSrc;
      const dst = tcp ? this.#tcpDst : this.#udpDst;
      d.srcPort = view.getUint16(at + 2, true);
      d.dstPort = view.getUint16(at + 4, true);
      d.tsNsec = view.getUint32(at + 6, true);
      d.tsSec = view.getFloat64(at + 10, true);
      d.wireLen = view.getUint32(at + 18, true);
      d.interfaceId = view.getUint32(at + 22, true);
      // Read in the platform's byte order, so each word stores its four bytes as they were.
      for (let i = 0; i < 4; i++) src[i] = view.getInt32(at + 26 + 4 * i, LITTLE_ENDIAN);
      for (let i = 0; i < 4; i++) dst[i] = view.getInt32(at + 42 + 4 * i, LITTLE_ENDIAN);
      const vlanCount = view.getUint16(at + 58, true);
      const tunnelCount = bytes[at + 60];
      const length = view.getUint32(at + 61, true);
      at += DATAGRAM_HEAD;
      // Fresh arrays, as the decoder makes them: a held leg may keep them.
      if (vlanCount === 0) d.vlans = NO_VLANS;
      else {
        d.vlans = [];
        for (let i = 0; i < vlanCount; i++, at += 2) d.vlans.push(view.getUint16(at, true));
      }
      if (tunnelCount === 0) d.tunnels = NO_TUNNELS;
      else {
        const tunnels: Tunnel[] = [];
        for (let i = 0; i < tunnelCount; i++) at = readTunnel(bytes, view, at, tunnels);
        d.tunnels = tunnels;
      }
      if ((bits & IN_CHUNK) !== 0) {
        const offset = view.getUint32(at + 4, true);
        d.messageBuffer = this.chunks[view.getUint32(at, true)];
        d.messageStart = offset;
        d.messageEnd = offset + length;
        at += CHUNK_REFERENCE;
      } else {
        d.messageBuffer = bytes;
        d.messageStart = at;
        d.messageEnd = at + length;
        at += length;
      }
      this.onDatagram(d);
    }
  }
}

function noLookups(_bytes: Uint8Array, _view: DataView, at: number): number {
  throw new Error(`Corrupt datagram batch: a lookup entry at offset ${at} in a datagram stream`);
}

/** The platform's byte order, that of an Int32Array. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A 16-byte address array as four words (the arrays the datagrams own start at a word boundary). */
export function words(address: Uint8Array): Int32Array {
  return new Int32Array(address.buffer, address.byteOffset, 4);
}

/** The tunnel packed at `at` (see `BatchWriter.putTunnel`) onto `into`; returns where the next entry starts. */
export function readTunnel(bytes: Uint8Array, view: DataView, at: number, into: Tunnel[]): number {
  const texts: (string | null)[] = [];
  for (let t = 0; t < 3; t++) {
    const n = bytes[at++];
    if (n === ABSENT_TEXT) {
      texts.push(null);
      continue;
    }
    texts.push(String.fromCharCode(...bytes.subarray(at, at + n)));
    at += n;
  }
  const id = bytes[at] === 0 ? null : view.getFloat64(at + 1, true);
  at += 9;
  const count = view.getUint16(at, true);
  at += 2;
  let labels: number[] | null = null;
  if (count !== ABSENT_LABELS) {
    labels = [];
    for (let i = 0; i < count; i++, at += 4) labels.push(view.getUint32(at, true));
  }
  into.push({ kind: texts[0] as TunnelKind, outerSrcIp: texts[1], outerDstIp: texts[2], id, labels });
  return at;
}
