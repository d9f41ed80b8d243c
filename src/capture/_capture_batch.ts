/**
 * Packets copied out of a live libpcap handle a batch at a time, with no JS call per packet.
 *
 * A sync FFI call costs 5–50 ns when all its arguments are pointers or small integers, but reading a pointer that
 * libpcap hands back (`pcap_next_ex`'s out-parameters) costs ~100 ns a field in Deno (measured), and an async call
 * per packet tops out near 50 k packets/s. So the copying stays in C: `pcap_dispatch` calls libpcap's own
 * `pcap_dump` for each packet, which appends a pcap record (16-byte header, then the captured bytes) to a C `FILE`
 * opened with `fmemopen` over a buffer this class owns. One `pcap_dispatch` per batch, then the records are read
 * in place like a capture file: the frames handed on are ranges of that buffer (zero-copy {@linkcode CapturedPacket}).
 *
 * The buffer holds `maxPackets` records of the snap length, so a batch can never overflow it.
 *
 * @module
 */

import { CapturedPacket } from "./captured_packet.ts";
import { libc } from "../libc_ffi.ts";
import type { LiveHandle } from "./_live_handle.ts";
import { cString, type Libpcap, libpcap } from "./libpcap_ffi.ts";
import { CaptureError, type PacketHandler } from "./packet.ts";

/** pcap record header: ts_sec, ts_usec (or ts_nsec), caplen, len; each a host-order uint32 (pcap_dump writes them). */
const RECORD_HEADER = 16;
/** The pcap file header `pcap_dump_fopen` writes first; its magic tells the timestamp unit. */
const FILE_HEADER = 24;
const MAGIC_NANOSECONDS = 0xa1b23c4d;
/** Batch buffer size for small snap lengths; a batch is also capped at MAX_BATCH_PACKETS. */
const BATCH_BYTES = 4 << 20;
const MAX_BATCH_PACKETS = 1024;
/** Room for the NUL `fmemopen` writes after the data in "w" mode. */
const SLACK = 64;

export class CaptureBatch {
  /** Packets one `fill` can take. */
  readonly maxPackets: number;
  readonly #pcap: Libpcap;
  readonly #handle: Deno.PointerObject;
  readonly #buffer: Uint8Array;
  readonly #view: DataView;
  readonly #file: Deno.PointerObject;
  readonly #dumper: Deno.PointerObject;
  readonly #packet = new CapturedPacket();
  /** Multiplier from the record's fraction field to nanoseconds (1 when libpcap gives nanoseconds, else 1000). */
  readonly #nsecPerUnit: number;
  /** Records written by the last `fill`. */
  #count = 0;

  /** Throws a CaptureError when the memory stream cannot be set up. */
  constructor(live: LiveHandle, snaplen: number) {
    const pcap = this.#pcap = libpcap();
    const handle = this.#handle = live.handle;
    this.maxPackets = Math.max(1, Math.min(MAX_BATCH_PACKETS, Math.floor(BATCH_BYTES / (RECORD_HEADER + snaplen))));
    this.#buffer = new Uint8Array(Math.max(FILE_HEADER, this.maxPackets * (RECORD_HEADER + snaplen)) + SLACK);
    this.#view = new DataView(this.#buffer.buffer);
    const c = libc();
    // Large ArrayBuffers live outside V8's moving heap: the address stays valid as long as #buffer is referenced.
    const file = c.fmemopen(Deno.UnsafePointer.of(this.#buffer), BigInt(this.#buffer.length), cString("w"));
    if (file === null) throw new CaptureError("Cannot open an in-memory stream for captured packets (fmemopen)");
    const dumper = pcap.pcap_dump_fopen(handle, file);
    if (dumper === null) throw new CaptureError("libpcap cannot write captured packets to memory (pcap_dump_fopen)");
    this.#file = file;
    this.#dumper = dumper;
    pcap.pcap_dump_flush(dumper);
    this.#nsecPerUnit = this.#view.getUint32(0, true) === MAGIC_NANOSECONDS ? 1 : 1000;
    this.#packet.linkType = live.linkType;
  }

  /**
   * Copies up to `maxPackets` waiting packets into the buffer without blocking (the handle is in non-blocking
   * mode). Returns how many, or libpcap's negative status (-1 error, -2 `pcap_breakloop`).
   */
  fill(): number {
    libc().rewind(this.#file);
    const status = this.#pcap.pcap_dispatch(this.#handle, this.maxPackets, this.#pcap.pcap_dump, this.#dumper);
    this.#pcap.pcap_dump_flush(this.#dumper);
    this.#count = status > 0 ? status : 0;
    return status;
  }

  /** Hands the packets of the last `fill` to `onPacket`, in capture order. */
  deliver(onPacket: PacketHandler): void {
    const view = this.#view;
    const packet = this.#packet;
    const nsecPerUnit = this.#nsecPerUnit;
    let offset = 0;
    for (let i = 0; i < this.#count; i++) {
      const caplen = view.getUint32(offset + 8, true);
      packet.tsSec = view.getUint32(offset, true);
      packet.tsNsec = view.getUint32(offset + 4, true) * nsecPerUnit;
      packet.origLen = view.getUint32(offset + 12, true);
      const start = offset + RECORD_HEADER;
      offset = start + caplen;
      packet.setFrame(this.#buffer, start, offset);
      onPacket(packet);
    }
    this.#count = 0;
  }

  /** Closes the memory stream (the capture handle is the caller's). */
  close(): void {
    this.#pcap.pcap_dump_close(this.#dumper);
  }
}
