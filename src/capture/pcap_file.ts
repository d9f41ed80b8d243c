/**
 * Classic libpcap capture files (draft-ietf-opsawg-pcap): a 24-byte global header, then records of
 * a 16-byte header plus the captured bytes. Both byte orders, micro- and nanosecond magic numbers.
 *
 * @module
 */

import type { ChunkReader } from "./_chunk_reader.ts";
import { FileSource } from "./_file_source.ts";
import { CapturedPacket } from "./captured_packet.ts";
import type { CaptureError, PacketHandler } from "./packet.ts";

/** Magic number, read big-endian: file written big-endian, microsecond timestamps (pcap §4). */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Magic number, read big-endian: file written big-endian, nanosecond timestamps (pcap §4). */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** The same magic numbers as they read big-endian from a little-endian file. */
export const PCAP_MAGIC_US_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NS_SWAPPED = 0x4d3cb2a1;
/** Global file header length (pcap §4). */
export const PCAP_FILE_HEADER_LEN = 24;
/** Per-record header length: ts_sec, ts_frac, incl_len, orig_len (pcap §5). */
export const PCAP_RECORD_HEADER_LEN = 16;
/**
 * Largest captured length accepted in one record: libpcap's MAXIMUM_SNAPLEN (256 KiB). Bigger
 * values only occur for link types this sensor does not decode (USB, D-Bus), so they mean corruption.
 */
export const MAX_RECORD_CAPLEN = 262144;
/** The LinkType field carries the link type in its low 16 bits; the high bits hold FCS info (pcap §4). */
const LINKTYPE_MASK = 0xffff;

/** Reads one classic pcap file or stream; build it with `PcapFileSource.open` (or `openCaptureFile`). */
export class PcapFileSource extends FileSource {
  readonly format = "pcap";
  /** True for the 0xa1b23c4d magic: the fraction field is nanoseconds. */
  readonly nanosecond: boolean;
  /** True when the file is little-endian. */
  readonly littleEndian: boolean;
  /** Link type of every packet (LINKTYPE_*), FCS bits masked off. */
  readonly linkType: number;
  readonly snapLen: number;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly #packet = new CapturedPacket();

  private constructor(reader: ChunkReader, magic: number) {
    super(reader);
    this.littleEndian = magic === PCAP_MAGIC_US_SWAPPED || magic === PCAP_MAGIC_NS_SWAPPED;
    this.nanosecond = magic === PCAP_MAGIC_NS || magic === PCAP_MAGIC_NS_SWAPPED;
    const view = reader.view;
    const at = reader.pos;
    this.versionMajor = view.getUint16(at + 4, this.littleEndian);
    this.versionMinor = view.getUint16(at + 6, this.littleEndian);
    this.snapLen = view.getUint32(at + 16, this.littleEndian);
    this.linkType = view.getUint32(at + 20, this.littleEndian) & LINKTYPE_MASK;
    reader.pos += PCAP_FILE_HEADER_LEN;
    this.#packet.linkType = this.linkType;
  }

  /** Reads the global header from a reader positioned on a pcap magic number. */
  static async open(reader: ChunkReader): Promise<PcapFileSource> {
    if (!await reader.ensure(PCAP_FILE_HEADER_LEN)) {
      const detail = `file header needs ${PCAP_FILE_HEADER_LEN} bytes, ${reader.available} remain`;
      throw reader.error("truncated", reader.offset(), detail);
    }
    return new PcapFileSource(reader, reader.view.getUint32(reader.pos, false));
  }

  /** Hands out every complete record in the buffer; the hot path, so no allocation (see CapturedPacket). */
  protected deliver(onPacket: PacketHandler): number {
    const reader = this.reader;
    const buf = reader.buf;
    const view = reader.view;
    const le = this.littleEndian;
    const nano = this.nanosecond;
    const packet = this.#packet;
    const end = reader.end;
    let pos = reader.pos;
    let count = 0;
    // The loop ends on a bare `break` when the buffer runs dry: `needed` works out what is missing afterwards. A
    // statement that V8 records type feedback for (a store, an addition) in those rare exits had none when the loop
    // was first optimized, mid-chunk, and reaching it threw the optimized code away (measured: two deoptimizations
    // and recompilations of this loop, and of everything inlined in it, per run).
    while (true) {
      if (end - pos < PCAP_RECORD_HEADER_LEN) break;
      const capLen = view.getUint32(pos + 8, le);
      if (capLen > MAX_RECORD_CAPLEN) {
        const detail = `record claims ${capLen} captured bytes (limit ${MAX_RECORD_CAPLEN})`;
        this.damage = reader.error("corrupt", reader.offset(pos), detail);
        break;
      }
      const next = pos + PCAP_RECORD_HEADER_LEN + capLen;
      if (next > end) break;
      let sec = view.getUint32(pos, le);
      let frac = view.getUint32(pos + 4, le);
      // Writers should keep the fraction below one second; carry any excess instead of breaking tsNsec's range.
      if (nano) {
        if (frac >= 1_000_000_000) [sec, frac] = [sec + Math.floor(frac / 1e9), frac % 1e9];
        packet.tsNsec = frac;
      } else {
        if (frac >= 1_000_000) [sec, frac] = [sec + Math.floor(frac / 1e6), frac % 1e6];
        packet.tsNsec = frac * 1000;
      }
      packet.tsSec = sec;
      packet.origLen = view.getUint32(pos + 12, le);
      packet.setFrame(buf, pos + PCAP_RECORD_HEADER_LEN, next);
      pos = next;
      reader.pos = pos;
      count++;
      onPacket(packet);
    }
    return count;
  }

  /** The next record header, or the whole record once its header is buffered. */
  protected needed(): number {
    const reader = this.reader;
    if (reader.available < PCAP_RECORD_HEADER_LEN) return PCAP_RECORD_HEADER_LEN;
    return PCAP_RECORD_HEADER_LEN + reader.view.getUint32(reader.pos + 8, this.littleEndian);
  }

  protected truncation(): CaptureError {
    const reader = this.reader;
    const left = reader.available;
    const detail = left < PCAP_RECORD_HEADER_LEN
      ? `record header needs ${PCAP_RECORD_HEADER_LEN} bytes, ${left} remain`
      : `record needs ${PCAP_RECORD_HEADER_LEN} + ${this.needed() - PCAP_RECORD_HEADER_LEN} bytes, ${left} remain`;
    return reader.error("truncated", reader.offset(), detail);
  }
}
