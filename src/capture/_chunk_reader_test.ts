import assert from "node:assert/strict";
import { type ByteInput, ChunkReader, MAX_BUFFER_SIZE } from "./_chunk_reader.ts";
import { collect, concat, epb, frame, idb, pcapFile, shb } from "./_test_captures.ts";
import { PcapFileSource } from "./pcap_file.ts";
import { PcapngFileSource } from "./pcapng_file.ts";

/** An input that hands out at most `step` bytes per read, like a slow pipe on stdin. */
class DribbleInput implements ByteInput {
  at = 0;
  closes = 0;
  constructor(readonly bytes: Uint8Array, readonly step: number) {}
  read(p: Uint8Array): Promise<number | null> {
    const n = Math.min(this.step, p.length, this.bytes.length - this.at);
    if (n === 0) return Promise.resolve(null);
    p.set(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return Promise.resolve(n);
  }
  close(): void {
    this.closes++;
  }
}

Deno.test("ChunkReader feeds a pcap reader from an input that returns 3 bytes per read", async () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ sec: i, frac: 0, data: frame(33, i) }));
  const input = new DribbleInput(pcapFile({}, records), 3);
  const reader = new ChunkReader(input, "<pipe>", 64);
  await reader.ensure(4);
  const { packets, error } = await collect(await PcapFileSource.open(reader));
  assert.equal(error, undefined);
  assert.deepEqual(packets.map((p) => p.data), records.map((r) => r.data));
  assert.equal(input.closes, 1);
});

Deno.test("ChunkReader feeds a pcapng reader from an input that returns 5 bytes per read", async () => {
  const bytes = concat(shb(true), idb(true, 1), ...[1, 2, 3].map((i) => epb(true, 0, BigInt(i), frame(50, i))));
  const input = new DribbleInput(bytes, 5);
  const { packets, error } = await collect(await PcapngFileSource.open(new ChunkReader(input, "<pipe>", 64)));
  assert.equal(error, undefined);
  assert.deepEqual(packets.map((p) => p.data[0]), [1, 2, 3]);
  assert.equal(input.closes, 1);
});

Deno.test("ChunkReader closes the input when onPacket throws", async () => {
  const input = new DribbleInput(pcapFile({}, [{ sec: 0, frac: 0, data: frame(10) }]), 1000);
  const source = await PcapFileSource.open(new ChunkReader(input, "<pipe>"));
  await assert.rejects(
    source.run(() => {
      throw new Error("decoder bug");
    }, () => Promise.resolve()),
    /decoder bug/,
  );
  assert.equal(input.closes, 1);
});

Deno.test("ChunkReader refuses to grow past its hard cap", async () => {
  const reader = new ChunkReader(new DribbleInput(new Uint8Array(10), 10), "<pipe>", 64);
  await assert.rejects(
    reader.read(MAX_BUFFER_SIZE + 1),
    /^CaptureError: Capture file <pipe> is corrupt at byte 0: a record needs 16777217 bytes \(limit 16777216\)$/,
  );
});

Deno.test("ChunkReader names the input and offset when a read fails", async () => {
  const failing: ByteInput = { read: () => Promise.reject(new Error("Is a directory (os error 21)")), close() {} };
  await assert.rejects(
    new ChunkReader(failing, "/tmp").read(1),
    /^CaptureError: Cannot read capture file \/tmp at byte 0: Is a directory \(os error 21\)$/,
  );
});

/** A regular file's input (it has `readSync`), whose bytes come from memory. */
class FileLikeInput extends DribbleInput {
  readSync(p: Uint8Array): number | null {
    const n = Math.min(p.length, this.bytes.length - this.at);
    if (n === 0) return null;
    p.set(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return n;
  }
}

for (const readAhead of [false, true]) {
  const how = readAhead ? ", read ahead" : "";
  Deno.test(`with a chunk pool${how}, records of every size cross the chunks intact, and every chunk left is given back`, async () => {
    // Mostly DNS-sized frames, some larger than the headroom kept for a partial record (64 KiB), a run of the largest.
    const sizes = Array.from(
      { length: 4000 },
      (_, i) => i % 500 === 7 ? 200_000 : i >= 2995 && i < 3000 ? 262_144 : 60 + i % 900,
    );
    const records = sizes.map((n, i) => ({ sec: i, frac: 0, data: frame(n, i) }));
    const input = new FileLikeInput(pcapFile({ snapLen: 262_144 }, records), 1 << 30);
    const reader = new ChunkReader(input, "big.pcap", 1 << 20);
    await reader.ensure(24);
    const source = await PcapFileSource.open(reader);
    const taken: Uint8Array[] = [];
    const retired = new Set<Uint8Array>();
    source.shareBuffers({
      take: (minBytes) => {
        const chunk = new Uint8Array(new SharedArrayBuffer(Math.max(minBytes, 1 << 20)));
        taken.push(chunk);
        return chunk;
      },
      retire: (buffer) => retired.add(buffer),
    }, readAhead);
    const { packets, error } = await collect(source);
    assert.equal(error, undefined);
    assert.equal(packets.length, records.length);
    for (let i = 0; i < records.length; i++) assert.deepEqual(packets[i].data, records[i].data, `record ${i}`);
    assert.ok(taken.length > 4, `${taken.length} chunks taken`);
    // Every chunk but the one the reader ends in is given back.
    assert.equal(taken.filter((chunk) => !retired.has(chunk)).length, 1);
  });
}

Deno.test("from a regular file with a chunk pool, the next chunk is being read while the one before is handled", async () => {
  const bytes = new Uint8Array(3 * (1 << 20)).map((_, i) => (i * 7) & 255);
  const input = new FileLikeInput(bytes, 1 << 30);
  const asked: number[] = [];
  const read = input.read.bind(input);
  input.read = (p) => {
    asked.push(input.at);
    return read(p);
  };
  const reader = new ChunkReader(input, "ahead.pcap", 1 << 20);
  reader.pool = { take: (minBytes) => new Uint8Array(new SharedArrayBuffer(Math.max(minBytes, 1 << 20))), retire() {} };
  reader.readAhead = true;
  const n = await reader.read(1);
  assert.ok(n > 0);
  assert.deepEqual(asked, [0, n], "the second read was asked for before the first chunk was handled");
  assert.deepEqual(reader.buf.subarray(reader.pos, reader.end), bytes.subarray(0, n));
  reader.pos = reader.end - 10; // ten bytes of a record left over: they go in front of the next chunk's bytes
  const more = await reader.read(11);
  assert.deepEqual(reader.buf.subarray(reader.pos, reader.end), bytes.subarray(n - 10, n + more));
  assert.equal(reader.offset(), n - 10);
  reader.close();
});

Deno.test("a read ahead that fails names the input and the offset it read from", async () => {
  const input = new FileLikeInput(new Uint8Array(100), 1 << 30);
  let reads = 0;
  input.read = (p) =>
    ++reads === 1 ? Promise.resolve(input.readSync(p)) : Promise.reject(new Error("Input/output error"));
  const reader = new ChunkReader(input, "bad.pcap", 1 << 20);
  reader.pool = { take: (minBytes) => new Uint8Array(Math.max(minBytes, 1 << 20)), retire() {} };
  reader.readAhead = true;
  assert.equal(await reader.read(1), 100);
  await assert.rejects(
    reader.read(101),
    /^CaptureError: Cannot read capture file bad\.pcap at byte 100: Input\/output error$/,
  );
});
