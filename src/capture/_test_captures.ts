/**
 * Test helpers: build small pcap/pcapng files byte by byte, write them to temp files, and run a
 * source to completion collecting copies of its packets. Used only by the `*_test.ts` files here.
 *
 * @module
 */

import type { PacketSource } from "./packet.ts";

/** A packet copied out of the reused Packet object. */
export interface CopiedPacket {
  linkType: number;
  data: Uint8Array;
  origLen: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
}

/** Everything a run produced: packets, the packet count seen at each batch end, and the error if any. */
export interface RunResult {
  packets: CopiedPacket[];
  batchEnds: number[];
  error: unknown;
}

/** Runs `source` to the end, copying each packet (its `data` view is only valid during the call). */
export async function collect(source: PacketSource): Promise<RunResult> {
  const result: RunResult = { packets: [], batchEnds: [], error: undefined };
  try {
    await source.run(
      (p) =>
        result.packets.push({
          linkType: p.linkType,
          data: p.data.slice(),
          origLen: p.origLen,
          tsSec: p.tsSec,
          tsNsec: p.tsNsec,
          interfaceId: p.interfaceId,
        }),
      () => {
        result.batchEnds.push(result.packets.length);
        return Promise.resolve();
      },
    );
  } catch (err) {
    result.error = err;
  }
  return result;
}

let tempDir: string | undefined;

/** Writes `bytes` to a new temp file (in one directory removed when the test module unloads). */
export async function tempCapture(bytes: Uint8Array, suffix = ".pcap"): Promise<string> {
  if (tempDir === undefined) {
    const dir = tempDir = await Deno.makeTempDir({ prefix: "capture_test_" });
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  }
  const path = await Deno.makeTempFile({ dir: tempDir, suffix });
  await Deno.writeFile(path, bytes);
  return path;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Little- or big-endian field packer: `fields(le, [4, value], [2, value], ...)`. */
export function fields(le: boolean, ...items: [1 | 2 | 4 | 8, number | bigint][]): Uint8Array {
  const out = new Uint8Array(items.reduce((n, [size]) => n + size, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [size, value] of items) {
    if (size === 1) view.setUint8(at, Number(value));
    if (size === 2) view.setUint16(at, Number(value), le);
    if (size === 4) view.setUint32(at, Number(value), le);
    if (size === 8) view.setBigInt64(at, BigInt(value), le);
    at += size;
  }
  return out;
}

/** Frame bytes 0, 1, 2, ... of length `n` (content is irrelevant to the readers). */
export function frame(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i + seed) & 0xff);
}

// ---- classic pcap ----

export interface PcapRecord {
  sec: number;
  frac: number;
  data: Uint8Array;
  origLen?: number;
}

/** A whole classic pcap file: 0xa1b2c3d4 (µs) or 0xa1b23c4d (ns) magic, version 2.4. */
export function pcapFile(
  opts: { le?: boolean; nano?: boolean; linkType?: number; snapLen?: number },
  records: PcapRecord[],
): Uint8Array {
  const le = opts.le ?? true;
  const header = fields(le, [4, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4], [2, 2], [2, 4], [4, 0], [4, 0], [
    4,
    opts.snapLen ?? 65535,
  ], [4, opts.linkType ?? 1]);
  return concat(header, ...records.map((r) => pcapRecord(le, r)));
}

export function pcapRecord(le: boolean, r: PcapRecord): Uint8Array {
  return concat(fields(le, [4, r.sec], [4, r.frac], [4, r.data.length], [4, r.origLen ?? r.data.length]), r.data);
}

// ---- pcapng ----

/** One block: type, total length, body padded to 32 bits, total length. */
export function block(le: boolean, type: number, body: Uint8Array): Uint8Array {
  const padded = concat(body, new Uint8Array((4 - (body.length % 4)) % 4));
  const len = padded.length + 12;
  return concat(fields(le, [4, type], [4, len]), padded, fields(le, [4, len]));
}

/** One option (code, length, value padded to 32 bits). */
export function option(le: boolean, code: number, value: Uint8Array): Uint8Array {
  return concat(fields(le, [2, code], [2, value.length]), value, new Uint8Array((4 - (value.length % 4)) % 4));
}

/** Section Header Block, version 1.0, section length unknown (-1). */
export function shb(le: boolean): Uint8Array {
  return block(le, 0x0a0d0d0a, fields(le, [4, 0x1a2b3c4d], [2, 1], [2, 0], [8, -1n]));
}

/** Interface Description Block with optional if_tsresol / if_tsoffset options. */
export function idb(
  le: boolean,
  linkType: number,
  opts: { snapLen?: number; tsresol?: number; tsoffset?: number } = {},
) {
  const options: Uint8Array[] = [];
  if (opts.tsresol !== undefined) options.push(option(le, 9, Uint8Array.of(opts.tsresol)));
  if (opts.tsoffset !== undefined) options.push(option(le, 14, fields(le, [8, BigInt(opts.tsoffset)])));
  if (options.length > 0) options.push(fields(le, [2, 0], [2, 0]));
  return block(le, 1, concat(fields(le, [2, linkType], [2, 0], [4, opts.snapLen ?? 0]), ...options));
}

/** Enhanced Packet Block with a 64-bit timestamp given as a bigint. */
export function epb(le: boolean, ifId: number, ts: bigint, data: Uint8Array, origLen = data.length): Uint8Array {
  const head = fields(le, [4, ifId], [4, Number(ts >> 32n)], [4, Number(ts & 0xffffffffn)], [4, data.length], [
    4,
    origLen,
  ]);
  return block(le, 6, concat(head, data));
}

/** Obsolete Packet Block (16-bit interface id, 16-bit drop count). */
export function opb(le: boolean, ifId: number, ts: bigint, data: Uint8Array): Uint8Array {
  const head = fields(le, [2, ifId], [2, 0], [4, Number(ts >> 32n)], [4, Number(ts & 0xffffffffn)], [
    4,
    data.length,
  ], [4, data.length]);
  return block(le, 2, concat(head, data));
}

/** Simple Packet Block: original length, then the data. */
export function spb(le: boolean, data: Uint8Array, origLen = data.length): Uint8Array {
  return block(le, 3, concat(fields(le, [4, origLen]), data));
}
