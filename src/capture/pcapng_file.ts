/**
 * pcapng capture files (draft-ietf-opsawg-pcapng): a sequence of blocks `type, length, body,
 * length`. Reads Section Header, Interface Description, Enhanced/Simple/obsolete Packet blocks and
 * skips every other block by its length, without buffering it.
 *
 * @module
 */

import type { ChunkReader } from "./_chunk_reader.ts";
import { MAX_BUFFER_SIZE } from "./_chunk_reader.ts";
import { FileSource } from "./_file_source.ts";
import { parseInterfaceBlock, type PcapngInterface } from "./_pcapng_interface.ts";
import { CapturedPacket } from "./captured_packet.ts";
import type { CaptureError, PacketHandler } from "./packet.ts";
import { MAX_RECORD_CAPLEN } from "./pcap_file.ts";

/** Section Header Block type; a palindrome, so it reads the same in both byte orders (pcapng §4.1). */
export const PCAPNG_SHB = 0x0a0d0d0a;
/** Interface Description Block (pcapng §4.2). */
export const PCAPNG_IDB = 1;
/** Obsolete Packet Block: like an EPB with a 16-bit interface id and a drop count (pcapng Appendix A). */
export const PCAPNG_OPB = 2;
/** Simple Packet Block: interface 0, no timestamp (pcapng §4.4). */
export const PCAPNG_SPB = 3;
/** Enhanced Packet Block (pcapng §4.3). */
export const PCAPNG_EPB = 6;
/** Byte-order magic in the SHB, as written by the file's own byte order (pcapng §4.1). */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
/** Block type + total length; an SHB also needs its byte-order magic before its length can be read. */
const BLOCK_HEADER_LEN = 8;
const SHB_PREFIX_LEN = 12;
/** Smallest legal total length of each parsed block (fixed fields + both length words). */
const MIN_SHB_LEN = 28;
const MIN_IDB_LEN = 20;
const MIN_SPB_LEN = 16;
const MIN_EPB_LEN = 32;
/** Offset of the packet data in an EPB or OPB, and in an SPB. */
const EPB_DATA = 28;
const SPB_DATA = 12;

/** Reads one pcapng file or stream; build it with `PcapngFileSource.open` (or `openCaptureFile`). */
export class PcapngFileSource extends FileSource {
  readonly format = "pcapng";
  /** Byte order of the current section (a later SHB may change it). */
  littleEndian: boolean;
  readonly #packet = new CapturedPacket();
  #interfaces: PcapngInterface[] = [];
  /** File offset and length of a skipped block that is still being streamed past. */
  #skipAt = 0;
  #skipLen = 0;
  /** See {@linkcode needed}: set where `deliver` runs dry. */
  #need = BLOCK_HEADER_LEN;

  private constructor(reader: ChunkReader, littleEndian: boolean) {
    super(reader);
    this.littleEndian = littleEndian;
  }

  /** Interfaces described so far in the current section, indexed by interface id. */
  get interfaces(): readonly PcapngInterface[] {
    return this.#interfaces;
  }

  /** Checks the first Section Header's byte-order magic; the blocks themselves are read by `run`. */
  static async open(reader: ChunkReader): Promise<PcapngFileSource> {
    if (!await reader.ensure(SHB_PREFIX_LEN)) {
      const detail = `section header needs ${SHB_PREFIX_LEN} bytes, ${reader.available} remain`;
      throw reader.error("truncated", reader.offset(), detail);
    }
    const source = new PcapngFileSource(reader, true);
    const littleEndian = source.#byteOrder(reader.pos);
    if (littleEndian === null) throw source.damage!;
    source.littleEndian = littleEndian;
    return source;
  }

  protected deliver(onPacket: PacketHandler): number {
    const reader = this.reader;
    const view = reader.view;
    const end = reader.end;
    let pos = reader.pos;
    let count = 0;
    while (true) {
      const left = end - pos;
      if (left < BLOCK_HEADER_LEN) {
        this.#need = BLOCK_HEADER_LEN;
        break;
      }
      let le = this.littleEndian;
      const type = view.getUint32(pos, le);
      if (type === PCAPNG_SHB) {
        if (left < SHB_PREFIX_LEN) {
          this.#need = SHB_PREFIX_LEN;
          break;
        }
        const order = this.#byteOrder(pos);
        if (order === null) break;
        le = order;
      }
      const len = view.getUint32(pos + 4, le);
      if (len < 12 || len % 4 !== 0) {
        this.damage = reader.error("corrupt", reader.offset(pos), `block type ${hex(type)} has length ${len}`);
        break;
      }
      if (
        type !== PCAPNG_EPB && type !== PCAPNG_SPB && type !== PCAPNG_IDB && type !== PCAPNG_SHB && type !== PCAPNG_OPB
      ) {
        // Statistics, name resolution, secrets, custom blocks: nothing to decode, so stream past them.
        reader.pos = pos;
        reader.skip(len);
        if (reader.pendingSkip > 0) {
          [this.#skipAt, this.#skipLen] = [reader.offset(pos), len];
          this.#need = BLOCK_HEADER_LEN;
          break;
        }
        pos = reader.pos;
        continue;
      }
      if (len > MAX_BUFFER_SIZE) {
        this.damage = reader.error("corrupt", reader.offset(pos), `block of ${len} bytes (limit ${MAX_BUFFER_SIZE})`);
        break;
      }
      if (len > left) {
        this.#need = len;
        break;
      }
      if (view.getUint32(pos + len - 4, le) !== len) {
        const trailer = view.getUint32(pos + len - 4, le);
        this.damage = reader.error("corrupt", reader.offset(pos), `block length ${len} but trailer says ${trailer}`);
        break;
      }
      if (type === PCAPNG_EPB || type === PCAPNG_OPB || type === PCAPNG_SPB) {
        if (!this.#packetBlock(type, pos, len)) break;
        pos += len;
        reader.pos = pos;
        count++;
        onPacket(this.#packet);
        continue;
      }
      if (type === PCAPNG_IDB) {
        const iface = len < MIN_IDB_LEN ? "block too short" : parseInterfaceBlock(view, pos, len, le);
        if (typeof iface === "string") {
          this.damage = reader.error("corrupt", reader.offset(pos), `interface description ${iface}`);
          break;
        }
        this.#interfaces.push(iface);
      } else {
        const major = len < MIN_SHB_LEN ? -1 : view.getUint16(pos + 12, le);
        if (major !== 1) {
          const detail = `section header of ${len} bytes has unsupported version ${major}`;
          this.damage = reader.error("corrupt", reader.offset(pos), detail);
          break;
        }
        // A new section starts afresh: its own byte order and interface ids.
        this.littleEndian = le;
        this.#interfaces = [];
      }
      pos += len;
      reader.pos = pos;
    }
    return count;
  }

  /** Fills the reused Packet from a packet block; false (with `damage` set) when the block is bad. */
  #packetBlock(type: number, pos: number, len: number): boolean {
    const view = this.reader.view;
    const le = this.littleEndian;
    const packet = this.#packet;
    let ifId = 0;
    let capLen: number;
    let data: number;
    if (type === PCAPNG_SPB) {
      if (len < MIN_SPB_LEN) return this.#corrupt(pos, `simple packet block of ${len} bytes`);
      // No timestamp of its own: the packet keeps the previous packet's time (pcapng §4.4).
      packet.origLen = view.getUint32(pos + 8, le);
      const snap = this.#interfaces.length > 0 ? this.#interfaces[0].snapLen : 0;
      capLen = Math.min(packet.origLen, len - MIN_SPB_LEN, snap === 0 ? len : snap);
      data = pos + SPB_DATA;
    } else {
      if (len < MIN_EPB_LEN) return this.#corrupt(pos, `packet block of ${len} bytes`);
      ifId = type === PCAPNG_EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
      capLen = view.getUint32(pos + 20, le);
      if (capLen > len - MIN_EPB_LEN || capLen > MAX_RECORD_CAPLEN) {
        return this.#corrupt(pos, `packet block of ${len} bytes claims ${capLen} captured bytes`);
      }
      packet.origLen = view.getUint32(pos + 24, le);
      data = pos + EPB_DATA;
    }
    const iface = this.#interfaces[ifId];
    if (iface === undefined) {
      return this.#corrupt(pos, `packet on interface ${ifId}, but ${this.#interfaces.length} interfaces are described`);
    }
    if (
      type !== PCAPNG_SPB && iface.scale.convert(view.getUint32(pos + 12, le), view.getUint32(pos + 16, le), packet)
    ) {
      this.timestampsClamped++;
    }
    packet.interfaceId = ifId;
    packet.linkType = iface.linkType;
    packet.setFrame(this.reader.buf, data, data + capLen);
    return true;
  }

  /** Reads the SHB byte-order magic at `pos`: true for little-endian, null (with `damage` set) if invalid. */
  #byteOrder(pos: number): boolean | null {
    const magic = this.reader.view.getUint32(pos + 8, true);
    if (magic === BYTE_ORDER_MAGIC) return true;
    if (magic === BYTE_ORDER_MAGIC_SWAPPED) return false;
    this.#corrupt(pos, `section header has byte-order magic ${hex(magic)}`);
    return null;
  }

  #corrupt(pos: number, detail: string): false {
    this.damage = this.reader.error("corrupt", this.reader.offset(pos), detail);
    return false;
  }

  protected needed(): number {
    return this.#need;
  }

  protected truncation(): CaptureError {
    const reader = this.reader;
    if (reader.pendingSkip > 0) {
      const detail = `block of ${this.#skipLen} bytes lacks its last ${reader.pendingSkip}`;
      return reader.error("truncated", this.#skipAt, detail);
    }
    const left = reader.available;
    const what = this.#need <= SHB_PREFIX_LEN ? "block header" : "block";
    const detail = `${what} needs ${this.#need} bytes, ${left} remain`;
    return reader.error("truncated", reader.offset(), detail);
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
