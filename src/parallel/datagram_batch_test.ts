import assert from "node:assert/strict";
import { newWireDatagram, type WireDatagram } from "../decode/wire_datagram.ts";
import type { Tunnel } from "../decode/tunnels.ts";
import { BatchReader, BatchWriter } from "./datagram_batch.ts";

/** What a stage reads of a datagram, as plain data. */
function fields(d: WireDatagram) {
  return {
    transport: d.transport,
    srcIp: d.srcIp,
    dstIp: d.dstIp,
    srcPort: d.srcPort,
    dstPort: d.dstPort,
    tsSec: d.tsSec,
    tsNsec: d.tsNsec,
    wireLen: d.wireLen,
    interfaceId: d.interfaceId,
    vlans: [...d.vlans],
    tunnels: (d.tunnels ?? []).map((t) => ({ ...t })),
    message: [...d.message],
  };
}

function datagram(transport: "udp" | "tcp", n: number, message: Uint8Array, tunnels: Tunnel[] = []): WireDatagram {
  const d = newWireDatagram(transport);
  d.srcAddress!.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, n & 255]);
  d.dstAddress!.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 53]);
  d.srcPort = 40000 + n;
  d.dstPort = 53;
  d.tsSec = 8_640_000_000_000 - n; // the largest capture time: needs all 64 bits of a double
  d.tsNsec = 999_999_999 - n;
  d.wireLen = 60 + message.length;
  d.interfaceId = n % 3;
  d.vlans = n % 2 === 0 ? [] : [100, 4095];
  d.tunnels = tunnels;
  // The message as the decoder gives it: a range of a larger buffer.
  const frame = new Uint8Array(message.length + 20);
  frame.set(message, 10);
  d.messageBuffer = frame;
  d.messageStart = 10;
  d.messageEnd = 10 + message.length;
  return d;
}

const TUNNELS: Tunnel[] = [
  { kind: "vxlan", outerSrcIp: "10.0.0.1", outerDstIp: "10.0.0.2", id: 4242, labels: null },
  { kind: "mpls", outerSrcIp: null, outerDstIp: null, id: null, labels: [16, 1048575] },
  { kind: "gtpu", outerSrcIp: "2001:db8::1", outerDstIp: "2001:db8::2", id: 4294967295, labels: null },
];

/** Pack `entries` with a small batch size, unpack every batch sent, and return what was read. */
function roundTrip(entries: (WireDatagram | [number, number])[], batchBytes: number, chunks: Uint8Array[] = []) {
  const sent: [ArrayBufferLike, number][] = [];
  const writer = new BatchWriter(batchBytes, (buffer, used) => sent.push([buffer, used]), () => {
    return new ArrayBuffer(batchBytes);
  });
  writer.chunkIndexOf = (bytes) => chunks.indexOf(bytes);
  for (const entry of entries) {
    if (Array.isArray(entry)) writer.clock(entry[0], entry[1]);
    else writer.datagram(entry);
  }
  writer.sendNow();
  const read: unknown[] = [];
  const reader = new BatchReader((d) => read.push(fields(d)), (sec, nsec) => read.push([sec, nsec]));
  reader.chunks = chunks;
  for (const [buffer, used] of sent) reader.read(new Uint8Array(buffer), used);
  return { read, batches: sent.length, bytes: sent.reduce((sum, [, used]) => sum + used, 0) };
}

Deno.test("a datagram batch gives back every field of every datagram and clock tick, in order", () => {
  const entries: (WireDatagram | [number, number])[] = [];
  const expected: unknown[] = [];
  for (let n = 0; n < 200; n++) {
    const message = new Uint8Array(12 + (n % 50)).map((_, i) => (i * 31 + n) & 255);
    const d = datagram(n % 5 === 0 ? "tcp" : "udp", n, message, n % 7 === 0 ? TUNNELS : []);
    entries.push(d);
    expected.push(fields(d));
    if (n % 40 === 0) {
      entries.push([1_700_000_000 + n, 500_000_000]);
      expected.push([1_700_000_000 + n, 500_000_000]);
    }
  }
  const { read, batches } = roundTrip(entries, 4096);
  assert.ok(batches > 3, `${batches} batches`);
  assert.deepEqual(read, expected);
});

Deno.test("a message in a capture chunk shared with the worker travels as a reference, and reads the same", () => {
  const entries: WireDatagram[] = [];
  for (let n = 0; n < 50; n++) {
    const message = new Uint8Array(100 + n).map((_, i) => (i * 7 + n) & 255);
    entries.push(datagram(n % 5 === 0 ? "tcp" : "udp", n, message, n % 7 === 0 ? TUNNELS : []));
  }
  const expected = entries.map(fields);
  const copied = roundTrip(entries, 4096);
  // Every other message's buffer stands for a shared chunk.
  const chunks = entries.filter((_, n) => n % 2 === 0).map((d) => d.messageBuffer!);
  const inPlace = roundTrip(entries, 4096, chunks);
  assert.deepEqual(copied.read, expected);
  assert.deepEqual(inPlace.read, expected);
  const referenced = entries.filter((_, n) => n % 2 === 0).reduce((sum, d) => sum + d.message.length - 8, 0);
  assert.equal(copied.bytes - inPlace.bytes, referenced, "8 bytes (chunk, offset) instead of each message");
});

Deno.test("a message larger than a batch travels in a buffer of its own", () => {
  const big = new Uint8Array(65_535).map((_, i) => i & 255);
  const small = datagram("udp", 1, new Uint8Array(20));
  const expected = [fields(small), fields(datagram("tcp", 2, big)), fields(small)];
  const { read, batches } = roundTrip([small, datagram("tcp", 2, big), small], 1024);
  assert.equal(batches, 3);
  assert.deepEqual(read, expected);
});

Deno.test("the reader hands out fresh VLAN and tunnel arrays, which a held leg may keep", () => {
  const kept: WireDatagram["vlans"][] = [];
  const sent: [ArrayBufferLike, number][] = [];
  const writer = new BatchWriter(4096, (b, u) => sent.push([b, u]), () => new ArrayBuffer(4096));
  writer.datagram(datagram("udp", 1, new Uint8Array(12), TUNNELS));
  writer.datagram(datagram("udp", 3, new Uint8Array(12), TUNNELS));
  writer.sendNow();
  const reader = new BatchReader((d) => kept.push(d.vlans), () => {});
  reader.read(new Uint8Array(sent[0][0]), sent[0][1]);
  assert.equal(kept.length, 2);
  assert.notEqual(kept[0], kept[1]);
  assert.deepEqual(kept[0], [100, 4095]);
});

Deno.test("a corrupt batch is an error naming the entry, not a silent misread", () => {
  const reader = new BatchReader(() => {}, () => {});
  assert.throws(() => reader.read(new Uint8Array([7, 0, 0]), 3), /Corrupt datagram batch: entry kind 7 at offset 0/);
});
