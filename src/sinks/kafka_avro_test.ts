import assert from "node:assert/strict";
import { AVRO_HEADER, avroFingerprint, DNS_LOG_ENTRY_SCHEMA, encodeAvroRecord } from "./kafka_avro.ts";

const VECTOR = new URL("../../testdata/crafted/original-output/head.kafka_a_avro_requests.hex", import.meta.url);

/** The Avro message inside the original's Produce v0 request for a.pcap (the value after its int32 length). */
function originalMessage(): Uint8Array {
  let hex: string;
  try {
    hex = Deno.readTextFileSync(VECTOR).trim();
  } catch {
    hex = Deno.readTextFileSync("/work/shared/testdata/crafted/original-output/head.kafka_a_avro_requests.hex").trim();
  }
  const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  const at = bytes.findIndex((b, i) => b === 0xc3 && bytes[i + 1] === 0x01);
  const length = new DataView(bytes.buffer).getInt32(at - 4);
  return bytes.subarray(at, at + length);
}

Deno.test("the schema's CRC-64-AVRO fingerprint is the original's, 0xccccda1c31be6071", () => {
  assert.equal(avroFingerprint(DNS_LOG_ENTRY_SCHEMA), 0xccccda1c31be6071n);
  assert.deepEqual([...AVRO_HEADER], [0xc3, 0x01, 0x71, 0x60, 0xbe, 0x31, 0x1c, 0xda, 0xcc, 0xcc]);
});

Deno.test("encodeAvroRecord() gives the original's bytes for the a.pcap record", () => {
  const expected = originalMessage();
  // The original's elapsed (wall clock minus a 2016 capture time, > 2^53) is not exact as a JSON number in
  // JavaScript; use a small one and splice its encoding (zig-zag 26311000 = b0 e5 8b 19) into the vector.
  const record = {
    query_id: 20408,
    rcode: 0,
    q: "www.slashdot.org",
    qtype: "A",
    a: "216.34.181.48",
    atype: "A",
    ttl: 110,
    dst: "172.17.0.1",
    src: "172.17.64.6",
    tstamp: "2026-11-25 21:33:46.892981261 +0000 UTC",
    elapsed: 26311000,
    sport: "49934",
    level: "",
    bytes: 92,
    protocol: "udp",
    truncated: false,
    aa: false,
    rd: true,
    ra: false,
  };
  const elapsedAt = expected.findIndex((b, i) => b === 0xe4 && expected[i + 1] === 0xa0 && expected[i + 2] === 0x94);
  const spliced = new Uint8Array([
    ...expected.subarray(0, elapsedAt),
    0xb0,
    0xe5,
    0x8b,
    0x19,
    ...expected.subarray(elapsedAt + 9),
  ]);
  assert.deepEqual([...encodeAvroRecord(JSON.stringify(record))], [...spliced]);
});

Deno.test("encodeAvroRecord() zig-zag encodes negative and large longs as the Avro specification does", () => {
  const body = (elapsed: number) => {
    const bytes = encodeAvroRecord(JSON.stringify({ elapsed }));
    // Header, two ints, four strings, ttl, dst, src, tstamp, all absent (one byte each): elapsed follows.
    return [...bytes.subarray(20, 30)];
  };
  assert.deepEqual(body(-1).slice(0, 1), [0x01]);
  assert.deepEqual(body(64).slice(0, 2), [0x80, 0x01]);
  assert.deepEqual(body(-65).slice(0, 2), [0x81, 0x01]);
  assert.deepEqual(body(2 ** 40).slice(0, 6), [0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
});
