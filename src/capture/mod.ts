/**
 * Capture input: the PacketSource contract and the pure-TypeScript capture-file readers.
 *
 * @example Count the packets of a capture file
 * ```ts
 * import { openCaptureFile } from "./mod.ts";
 *
 * const source = await openCaptureFile("testdata/gopassivedns/a.pcap");
 * let packets = 0;
 * await source.run(() => packets++, () => Promise.resolve());
 * console.log(source.format, packets); // "pcapng" 2
 * ```
 *
 * @module
 */

import { ChunkReader } from "./_chunk_reader.ts";
import type { ByteInput } from "./_chunk_reader.ts";
import { CaptureError } from "./packet.ts";
import {
  PCAP_MAGIC_NS,
  PCAP_MAGIC_NS_SWAPPED,
  PCAP_MAGIC_US,
  PCAP_MAGIC_US_SWAPPED,
  PcapFileSource,
} from "./pcap_file.ts";
import { PCAPNG_SHB, PcapngFileSource } from "./pcapng_file.ts";

export { CaptureError } from "./packet.ts";
export type { Packet, PacketHandler, PacketSource } from "./packet.ts";
export { CapturedPacket } from "./captured_packet.ts";
export { DEFAULT_CHUNK_SIZE, MAX_BUFFER_SIZE } from "./_chunk_reader.ts";
export { MAX_RECORD_CAPLEN, PcapFileSource } from "./pcap_file.ts";
export { PcapngFileSource } from "./pcapng_file.ts";
export type { PcapngInterface } from "./_pcapng_interface.ts";
export * from "./link_types.ts";

/** Path that means "read the capture from standard input". */
export const STDIN_PATH = "-";
/** Name of standard input in error messages. */
const STDIN_NAME = "<stdin>";
/** Modified-pcap magic (Alexey Kuznetzov's patched libpcap), recognised only to say it is unsupported. */
const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
const PCAP_MAGIC_KUZNETZOV_SWAPPED = 0x34cdb2a1;

/** A reader for either format; `format` tells which. */
export type CaptureFileSource = PcapFileSource | PcapngFileSource;

/** Tuning for tests and benchmarks. */
export interface CaptureFileOptions {
  /** Initial chunk buffer size in bytes (default 4 MiB); it grows only for a record bigger than it. */
  chunkSize?: number;
}

/**
 * Opens a classic pcap or pcapng file (`"-"` = standard input), choosing the reader by the magic
 * number. Only the first chunk is read here; `run` streams the rest.
 *
 * @throws {CaptureError} when the file cannot be opened or read, is empty, or is not a capture.
 */
export async function openCaptureFile(path: string, options: CaptureFileOptions = {}): Promise<CaptureFileSource> {
  let input: ByteInput;
  let name = path;
  if (path === STDIN_PATH) {
    name = STDIN_NAME;
    // Standard input belongs to the process: reading ends with the stream, closing is left to the runtime.
    input = { read: (p) => Deno.stdin.read(p), close: () => {} };
  } else {
    try {
      const file = await Deno.open(path, { read: true });
      // A FIFO or a device can block a read until a writer comes: only a regular file is read synchronously.
      input = file.statSync().isFile ? file : { read: (p) => file.read(p), close: () => file.close() };
    } catch (err) {
      throw new CaptureError(`Cannot open capture file ${path}: ${(err as Error).message}`);
    }
  }
  const reader = new ChunkReader(input, name, options.chunkSize);
  try {
    return await sniff(reader);
  } catch (err) {
    reader.close();
    throw err;
  }
}

async function sniff(reader: ChunkReader): Promise<CaptureFileSource> {
  if (!await reader.ensure(4)) {
    if (reader.available === 0) throw new CaptureError(`Capture file ${reader.name} is empty`);
    throw new CaptureError(`Capture file ${reader.name} is too short to be a capture: ${reader.available} bytes`);
  }
  const magic = reader.view.getUint32(reader.pos, false);
  switch (magic) {
    case PCAP_MAGIC_US:
    case PCAP_MAGIC_US_SWAPPED:
    case PCAP_MAGIC_NS:
    case PCAP_MAGIC_NS_SWAPPED:
      return await PcapFileSource.open(reader);
    case PCAPNG_SHB:
      return await PcapngFileSource.open(reader);
    case PCAP_MAGIC_KUZNETZOV:
    case PCAP_MAGIC_KUZNETZOV_SWAPPED:
      throw new CaptureError(
        `Capture file ${reader.name} uses the unsupported modified-pcap format (magic 0x${hex(magic)})`,
      );
    default:
      throw new CaptureError(
        `Capture file ${reader.name} is not a pcap or pcapng file: magic 0x${hex(magic)} at byte 0`,
      );
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
