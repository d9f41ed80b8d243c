import assert from "node:assert/strict";
import { collect, concat, frame, pcapFile, pcapRecord, tempCapture } from "./_test_captures.ts";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW } from "./link_types.ts";
import { CaptureError, openCaptureFile, PcapFileSource } from "./mod.ts";

const CRAFTED = new URL("../../testdata/crafted/", import.meta.url);
const T0 = 1500000000; // craft.py's T0, 2017-07-14T02:40:00Z

async function openPcap(bytes: Uint8Array, chunkSize?: number): Promise<PcapFileSource> {
  const source = await openCaptureFile(await tempCapture(bytes), { chunkSize });
  assert.ok(source instanceof PcapFileSource);
  return source;
}

Deno.test("PcapFileSource reads every crafted capture with its packet count and link type", async () => {
  const expected: [string, number, number][] = [
    ["frag.pcap", 3, LINKTYPE_ETHERNET],
    ["ordering.pcap", 11, LINKTYPE_ETHERNET],
    ["rawip.pcap", 2, LINKTYPE_RAW],
    ["rrtypes.pcap", 16, LINKTYPE_ETHERNET],
    ["sll.pcap", 2, LINKTYPE_LINUX_SLL],
    ["tcp_split.pcap", 9, LINKTYPE_ETHERNET],
    ["truncated.pcap", 2, LINKTYPE_ETHERNET],
  ];
  for (const [file, count, linkType] of expected) {
    const source = await openCaptureFile(new URL(file, CRAFTED).pathname);
    assert.equal(source.format, "pcap");
    const { packets, error } = await collect(source);
    assert.equal(error, undefined, file);
    assert.equal(packets.length, count, file);
    assert.ok(packets.every((p) => p.linkType === linkType && p.interfaceId === 0), file);
  }
});

Deno.test("PcapFileSource gives the crafted frag.pcap times and lengths exactly", async () => {
  const { packets } = await collect(await openCaptureFile(new URL("frag.pcap", CRAFTED).pathname));
  assert.deepEqual(packets.map((p) => [p.tsSec, p.tsNsec]), [[T0, 0], [T0, 1000000], [T0, 2000000]]);
  assert.equal(packets[0].data.length, 72);
  assert.equal(packets[0].origLen, 72);
  assert.deepEqual([...packets[0].data.subarray(12, 14)], [0x08, 0x00]); // Ethertype IPv4
});

Deno.test("PcapFileSource reads a big-endian microsecond file", async () => {
  const bytes = Uint8Array.of(
    // deno-fmt-ignore
    0xa1,
    0xb2,
    0xc3,
    0xd4,
    0x00,
    0x02,
    0x00,
    0x04, //  0 magic (µs, big-endian), version 2.4
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, //  8 reserved
    0x00,
    0x00,
    0xff,
    0xff,
    0x00,
    0x00,
    0x00,
    0x65, // 16 snaplen 65535, link type 101 (RAW)
    0x59,
    0x68,
    0x2f,
    0x00,
    0x00,
    0x0f,
    0x42,
    0x3f, // 24 ts 1500000000 s + 999999 µs
    0x00,
    0x00,
    0x00,
    0x03,
    0x00,
    0x00,
    0x00,
    0x05, // 32 incl_len 3, orig_len 5
    0x45,
    0x00,
    0x01, //                               40 data "E.."
  );
  const source = await openPcap(bytes);
  assert.equal(source.littleEndian, false);
  assert.equal(source.snapLen, 65535);
  const { packets, error } = await collect(source);
  assert.equal(error, undefined);
  assert.deepEqual(packets, [
    { linkType: 101, data: Uint8Array.of(0x45, 0, 1), origLen: 5, tsSec: T0, tsNsec: 999999000, interfaceId: 0 },
  ]);
});

Deno.test("PcapFileSource keeps nanoseconds from the 0xa1b23c4d magic in both byte orders", async () => {
  for (const le of [true, false]) {
    const source = await openPcap(pcapFile({ le, nano: true }, [{ sec: T0, frac: 123456789, data: frame(60) }]));
    assert.equal(source.nanosecond, true);
    const { packets } = await collect(source);
    assert.deepEqual([packets[0].tsSec, packets[0].tsNsec], [T0, 123456789]);
  }
});

Deno.test("PcapFileSource masks the FCS bits out of the link type field", async () => {
  // LinkType field 0x14000001: FCS length 1 (16-bit units), "FCS length present" bit, Ethernet.
  const source = await openPcap(pcapFile({ linkType: 0x14000001 }, []));
  assert.equal(source.linkType, LINKTYPE_ETHERNET);
});

Deno.test("PcapFileSource carries an oversized fraction into the seconds", async () => {
  const { packets } = await collect(await openPcap(pcapFile({}, [{ sec: T0, frac: 2_500_000, data: frame(1) }])));
  assert.deepEqual([packets[0].tsSec, packets[0].tsNsec], [T0 + 2, 500000000]);
});

Deno.test("PcapFileSource delivers records that span chunk boundaries and grows for a record bigger than a chunk", async () => {
  const records = Array.from({ length: 50 }, (_, i) => ({ sec: T0 + i, frac: i, data: frame(17 + i * 3, i) }));
  records.push({ sec: T0 + 99, frac: 0, data: frame(1000, 7) }); // bigger than the 64-byte chunk
  const { packets, batchEnds, error } = await collect(await openPcap(pcapFile({}, records), 64));
  assert.equal(error, undefined);
  assert.equal(packets.length, records.length);
  packets.forEach((p, i) => {
    assert.deepEqual(p.data, records[i].data, `packet ${i}`);
    assert.deepEqual([p.tsSec, p.tsNsec], [records[i].sec, records[i].frac * 1000]);
  });
  assert.ok(batchEnds.length > 10, "many small batches");
  assert.equal(batchEnds.at(-1), records.length);
});

Deno.test("PcapFileSource delivers the packets before a truncated record header, then rejects", async () => {
  const bytes = concat(pcapFile({}, [{ sec: T0, frac: 0, data: frame(40) }]), new Uint8Array(7));
  const { packets, batchEnds, error } = await collect(await openPcap(bytes));
  assert.equal(packets.length, 1);
  assert.deepEqual(batchEnds, [1]);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /^Capture file \S+ is truncated at byte 80: record header needs 16 bytes, 7 remain$/);
});

Deno.test("PcapFileSource delivers every packet before a record cut mid-data (killed tcpdump), then rejects", async () => {
  const whole = pcapFile({}, [1, 2, 3].map((i) => ({ sec: T0 + i, frac: 0, data: frame(100, i) })));
  const cut = whole.subarray(0, whole.length - 30);
  const { packets, error } = await collect(await openPcap(cut, 128));
  assert.equal(packets.length, 2);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is truncated at byte 256: record needs 16 \+ 100 bytes, 86 remain$/);
});

Deno.test("PcapFileSource rejects a record whose captured length is beyond the sane bound", async () => {
  const good = pcapRecord(true, { sec: T0, frac: 0, data: frame(10) });
  const bad = pcapRecord(true, { sec: T0, frac: 0, data: frame(0), origLen: 0 });
  new DataView(bad.buffer).setUint32(8, 300000, true); // incl_len 300000 > 262144
  const bytes = concat(pcapFile({}, []), good, bad, new Uint8Array(100));
  const { packets, error } = await collect(await openPcap(bytes));
  assert.equal(packets.length, 1);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /is corrupt at byte 50: record claims 300000 captured bytes \(limit 262144\)$/);
});

Deno.test("PcapFileSource rejects a file cut inside its global header", async () => {
  const bytes = pcapFile({}, []).subarray(0, 10);
  await assert.rejects(openPcap(bytes), /truncated at byte 0: file header needs 24 bytes, 10 remain/);
});

Deno.test("PcapFileSource.stop() makes run resolve after the current batch", async () => {
  const records = Array.from({ length: 20 }, (_, i) => ({ sec: T0, frac: i, data: frame(40) }));
  const source = await openPcap(pcapFile({}, records), 128);
  let seen = 0;
  await source.run(() => seen++, () => {
    source.stop();
    return Promise.resolve();
  });
  assert.ok(seen > 0 && seen < 20, `stopped early after ${seen}`);
  await assert.rejects(source.run(() => {}, () => Promise.resolve()), /already being read/);
});
