import assert from "node:assert/strict";
import type { Tunnel } from "../decode/tunnels.ts";
import { WORD_COPY_MAX } from "../record/_put.ts";
import { BatchReader, BatchWriter, CHUNK_REFERENCE, LOOKUP, readTunnel, TUNNEL_BYTES } from "./lookup_batch.ts";

const TUNNELS: Tunnel[] = [
  { kind: "vxlan", outerSrcIp: "10.0.0.1", outerDstIp: "10.0.0.2", id: 4242, labels: null },
  { kind: "mpls", outerSrcIp: null, outerDstIp: null, id: null, labels: [16, 1048575] },
  { kind: "gtpu", outerSrcIp: "2001:db8::1", outerDstIp: "2001:db8::2", id: 4294967295, labels: null },
];

function collectingWriter(capacity: number): { writer: BatchWriter; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  const writer = new BatchWriter(capacity, (buffer, used) => sent.push(new Uint8Array(buffer, 0, used)), () => {
    return new ArrayBuffer(capacity);
  });
  return { writer, sent };
}

Deno.test("a message is written as where it lies in a shared chunk, else as its bytes, short or long", () => {
  const { writer } = collectingWriter(8192);
  const chunk = new Uint8Array(300).map((_, i) => i & 255);
  const other = new Uint8Array(300).map((_, i) => (i * 3) & 255);
  writer.chunkIndexOf = (bytes) => bytes === chunk ? 7 : -1;
  writer.reserve(6000);
  let at = writer.putMessage(0, chunk, 100, 250, writer.chunkOf(chunk));
  assert.equal(at, CHUNK_REFERENCE);
  assert.equal(writer.view.getUint32(0, true), 7);
  assert.equal(writer.view.getUint32(4, true), 100);
  // Copied by words up to WORD_COPY_MAX, by `set` beyond; from a view that starts inside its buffer, too.
  const inside = new Uint8Array(other.buffer, 30, 250);
  for (const source of [other, inside, other]) {
    for (const length of [0, 1, 3, 4, 5, 7, 9, WORD_COPY_MAX - 1, WORD_COPY_MAX, WORD_COPY_MAX + 1, 200]) {
      const start: number = at;
      writer.bytes[start + length] = 0xee;
      at = writer.putMessage(at, source, 11, 11 + length, writer.chunkOf(source));
      assert.equal(at - start, length);
      assert.deepEqual(writer.bytes.subarray(start, at), source.subarray(11, 11 + length));
      assert.equal(writer.bytes[at], 0xee, "nothing written past the message");
    }
  }
});

Deno.test("the chunk index of a buffer is asked once while the same buffer comes again", () => {
  const { writer } = collectingWriter(256);
  const asked: Uint8Array[] = [];
  writer.chunkIndexOf = (bytes) => {
    asked.push(bytes);
    return 0;
  };
  const a = new Uint8Array(8);
  const b = new Uint8Array(8);
  for (const bytes of [a, a, a, b, b, a]) assert.equal(writer.chunkOf(bytes), 0);
  assert.deepEqual(asked, [a, b, a]);
});

Deno.test("an entry larger than a batch goes in a buffer of its own, between the batches before and after it", () => {
  const { writer, sent } = collectingWriter(1024);
  writer.reserve(10);
  writer.bytes.fill(1, 0, 10);
  writer.used = 10;
  writer.reserve(65_600);
  assert.equal(sent.length, 1, "the batch before it went first");
  assert.equal(writer.bytes.length, 65_600);
  writer.used = 65_600;
  writer.reserve(10);
  assert.equal(sent.length, 2);
  assert.equal(sent[1].length, 65_600);
  assert.equal(writer.bytes.length, 1024, "then batches of the usual size again");
});

Deno.test("the first batches grow from firstBytes to the capacity; an entry over the limit goes whole", () => {
  const sent: number[] = [];
  const writer = new BatchWriter(4096, (_buffer, used) => sent.push(used), () => new ArrayBuffer(4096), 512);
  for (let i = 0; i < 100; i++) {
    writer.reserve(100);
    writer.used += 100;
  }
  writer.sendNow();
  // 5 entries of 100 bytes fit 512, 10 fit 1024, 20 fit 2048, then 40 the capacity; the rest last.
  assert.deepEqual(sent, [500, 1000, 2000, 4000, 2500]);
  // A limit past an entry's size: the entry goes into an empty batch whole, up to the buffer's length.
  const big: number[] = [];
  const ramp = new BatchWriter(4096, (_buffer, used) => big.push(used), () => new ArrayBuffer(4096), 256);
  ramp.reserve(1000);
  assert.equal(ramp.bytes.length, 4096, "no buffer of its own for an entry within the capacity");
  ramp.used = 1000;
  ramp.reserve(10);
  assert.deepEqual(big, [1000]);
});

Deno.test("a packed tunnel reads back field for field, absent texts, ids and labels included", () => {
  const { writer } = collectingWriter(8192);
  writer.reserve(TUNNELS.length * TUNNEL_BYTES);
  let at = 0;
  for (const tunnel of TUNNELS) at = writer.putTunnel(tunnel, at);
  const read: Tunnel[] = [];
  let from = 0;
  for (let i = 0; i < TUNNELS.length; i++) from = readTunnel(writer.bytes, writer.view, from, read);
  assert.equal(from, at);
  assert.deepEqual(read, TUNNELS);
});

Deno.test("a corrupt batch is an error naming the entry, not a silent misread", () => {
  const reader = new BatchReader((_bytes, _view, at) => at + 2);
  reader.read(new Uint8Array([LOOKUP, 0, LOOKUP, 0]), 4);
  assert.throws(
    () => reader.read(new Uint8Array([LOOKUP, 0, 7, 0]), 4),
    /Corrupt lookup batch: entry kind 7 at offset 2/,
  );
});
