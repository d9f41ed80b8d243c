import assert from "node:assert/strict";
import { block, collect, concat, epb, frame, idb, opb, shb, spb, tempCapture } from "./_test_captures.ts";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW } from "./link_types.ts";
import { CaptureError, openCaptureFile, PcapngFileSource } from "./mod.ts";

const GOPASSIVEDNS = new URL("../../testdata/gopassivedns/", import.meta.url);
const LE = true;
const BE = false;

async function openPcapng(bytes: Uint8Array, chunkSize?: number): Promise<PcapngFileSource> {
  const source = await openCaptureFile(await tempCapture(bytes, ".pcapng"), { chunkSize });
  assert.ok(source instanceof PcapngFileSource);
  return source;
}

Deno.test("PcapngFileSource reads the gopassivedns captures (pcapng despite the .pcap suffix)", async () => {
  const expected: [string, number, number, number, number][] = [
    ["a.pcap", 2, 1460407385, 783869000, 76],
    ["100_tcp_lookups.pcap", 3000, 1460676476, 754362000, 74],
    ["100_udp_lookups.pcap", 100, 1460499928, 317406000, 76],
  ];
  for (const [file, count, sec, nsec, len] of expected) {
    const source = await openCaptureFile(new URL(file, GOPASSIVEDNS).pathname);
    assert.equal(source.format, "pcapng", file);
    const { packets, error } = await collect(source);
    assert.equal(error, undefined, file);
    assert.equal(packets.length, count, file);
    assert.ok(packets.every((p) => p.linkType === LINKTYPE_ETHERNET && p.interfaceId === 0), file);
    assert.deepEqual([packets[0].tsSec, packets[0].tsNsec, packets[0].data.length, packets[0].origLen], [
      sec,
      nsec,
      len,
      len,
    ]);
  }
});

Deno.test("PcapngFileSource reads a big-endian section", async () => {
  const bytes = Uint8Array.of(
    // deno-fmt-ignore
    0x0a,
    0x0d,
    0x0d,
    0x0a,
    0x00,
    0x00,
    0x00,
    0x1c, //  0 SHB, length 28
    0x1a,
    0x2b,
    0x3c,
    0x4d,
    0x00,
    0x01,
    0x00,
    0x00, //  8 byte-order magic (big-endian), version 1.0
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff, // 16 section length unknown
    0x00,
    0x00,
    0x00,
    0x1c, //                         24 trailing length
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x14, // 28 IDB, length 20
    0x00,
    0x65,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // 36 link type 101 (RAW), snaplen 0
    0x00,
    0x00,
    0x00,
    0x14, //                         44 trailing length
    0x00,
    0x00,
    0x00,
    0x06,
    0x00,
    0x00,
    0x00,
    0x24, // 48 EPB, length 36
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x05,
    0x54,
    0x3d, // 56 interface 0, timestamp high
    0xf7,
    0x29,
    0xc0,
    0x01,
    0x00,
    0x00,
    0x00,
    0x03, // 64 timestamp low (1500000000.000001 s in µs), captured 3
    0x00,
    0x00,
    0x00,
    0x40,
    0x45,
    0x00,
    0x01,
    0x00, // 72 original 64, data "E.." + 1 byte padding
    0x00,
    0x00,
    0x00,
    0x24, //                         80 trailing length
  );
  const source = await openPcapng(bytes);
  assert.equal(source.littleEndian, false);
  const { packets, error } = await collect(source);
  assert.equal(error, undefined);
  assert.deepEqual(packets, [
    { linkType: 101, data: Uint8Array.of(0x45, 0, 1), origLen: 64, tsSec: 1500000000, tsNsec: 1000, interfaceId: 0 },
  ]);
  assert.deepEqual(source.interfaces.map((i) => [i.linkType, i.snapLen, i.scale.tsresol]), [[101, 0, 6]]);
});

Deno.test("PcapngFileSource applies each interface's link type, if_tsresol and if_tsoffset", async () => {
  const bytes = concat(
    shb(LE),
    idb(LE, LINKTYPE_ETHERNET, { tsresol: 9 }),
    idb(LE, LINKTYPE_RAW, { tsresol: 6, tsoffset: 100 }),
    idb(LE, LINKTYPE_LINUX_SLL, { tsresol: 0x80 | 20 }),
    epb(LE, 0, 1_700_000_000_123_456_789n, frame(60)),
    epb(LE, 1, 1_000_000_500_000n, frame(40)),
    epb(LE, 2, (1_600_000_000n << 20n) | (1n << 18n), frame(50)),
    spb(LE, frame(30)), // interface 0, keeps the previous time
    opb(LE, 1, 7_000_001n, frame(20)),
  );
  const { packets, error } = await collect(await openPcapng(bytes));
  assert.equal(error, undefined);
  const summary = packets.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec, p.data.length, p.origLen]);
  assert.deepEqual(summary, [
    [0, LINKTYPE_ETHERNET, 1700000000, 123456789, 60, 60],
    [1, LINKTYPE_RAW, 1000100, 500000000, 40, 40],
    [2, LINKTYPE_LINUX_SLL, 1600000000, 250000000, 50, 50],
    [0, LINKTYPE_ETHERNET, 1600000000, 250000000, 30, 30],
    [1, LINKTYPE_RAW, 107, 1000, 20, 20],
  ]);
});

Deno.test("PcapngFileSource cuts a Simple Packet Block's data to the snap length", async () => {
  const bytes = concat(shb(LE), idb(LE, LINKTYPE_ETHERNET, { snapLen: 16 }), spb(LE, frame(30)));
  const { packets } = await collect(await openPcapng(bytes));
  assert.deepEqual([packets[0].data.length, packets[0].origLen], [16, 30]);
});

Deno.test("PcapngFileSource skips unknown blocks, even ones longer than the chunk buffer", async () => {
  const bytes = concat(
    shb(LE),
    idb(LE, LINKTYPE_ETHERNET),
    block(LE, 5, frame(24)), // Interface Statistics Block
    epb(LE, 0, 1_000_000n, frame(20, 1)),
    block(LE, 0x40000bad, frame(500)), // custom block, 512 bytes in a 64-byte buffer
    epb(LE, 0, 2_000_000n, frame(20, 2)),
  );
  const { packets, error } = await collect(await openPcapng(bytes, 64));
  assert.equal(error, undefined);
  assert.deepEqual(packets.map((p) => [p.tsSec, p.data[0]]), [[1, 1], [2, 2]]);
});

Deno.test("PcapngFileSource starts afresh at a new section, which may change byte order", async () => {
  const bytes = concat(
    shb(LE),
    idb(LE, LINKTYPE_ETHERNET),
    idb(LE, LINKTYPE_ETHERNET),
    epb(LE, 1, 1_000_000n, frame(20)),
    shb(BE),
    idb(BE, LINKTYPE_RAW, { tsresol: 9 }),
    epb(BE, 0, 2_000_000_001n, frame(24)),
    epb(BE, 1, 3_000_000_000n, frame(24)), // interface 1 belonged to the first section
  );
  const source = await openPcapng(bytes, 64);
  const { packets, error } = await collect(source);
  assert.deepEqual(packets.map((p) => [p.interfaceId, p.linkType, p.tsSec, p.tsNsec]), [
    [1, LINKTYPE_ETHERNET, 1, 0],
    [0, LINKTYPE_RAW, 2, 1],
  ]);
  assert.equal(source.littleEndian, false);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is corrupt at byte 236: packet on interface 1, but 1 interfaces are described$/);
});

Deno.test("PcapngFileSource delivers the packets before a block cut short, then rejects", async () => {
  const whole = concat(shb(LE), idb(LE, LINKTYPE_ETHERNET), epb(LE, 0, 1n, frame(40)), epb(LE, 0, 2n, frame(40)));
  const { packets, batchEnds, error } = await collect(await openPcapng(whole.subarray(0, whole.length - 10)));
  assert.equal(packets.length, 1);
  assert.deepEqual(batchEnds, [1]);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is truncated at byte 120: block needs 72 bytes, 62 remain$/);
});

Deno.test("PcapngFileSource reports a skipped block cut short at its start offset", async () => {
  const whole = concat(shb(LE), idb(LE, LINKTYPE_ETHERNET), block(LE, 5, frame(200)));
  const { error } = await collect(await openPcapng(whole.subarray(0, whole.length - 50), 64));
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is truncated at byte 48: block of 212 bytes lacks its last 50$/);
});

Deno.test("PcapngFileSource rejects a block whose trailing length differs", async () => {
  const bad = epb(LE, 0, 1n, frame(8));
  bad[bad.length - 4] ^= 4;
  const { packets, error } = await collect(
    await openPcapng(concat(shb(LE), idb(LE, 1), epb(LE, 0, 1n, frame(8)), bad)),
  );
  assert.equal(packets.length, 1);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is corrupt at byte 88: block length 40 but trailer says 44$/);
});

Deno.test("PcapngFileSource rejects a packet before any interface is described", async () => {
  const { error } = await collect(await openPcapng(concat(shb(LE), spb(LE, frame(8)))));
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is corrupt at byte 28: packet on interface 0, but 0 interfaces are described$/);
});

Deno.test("PcapngFileSource rejects a section header with a bad byte-order magic", async () => {
  const bytes = shb(LE);
  bytes[8] = 0x99;
  await assert.rejects(openPcapng(bytes), /is corrupt at byte 0: section header has byte-order magic 0x1a2b3c99/);
});
