import assert from "node:assert/strict";
import { DEFAULT_CORRELATOR_OPTIONS } from "../correlate/pairing_options.ts";
import { WirePairing } from "../correlate/wire_pairing.ts";
import type { WireDatagram } from "../decode/wire_datagram.ts";
import { ascii, be16, be32, message, rr, wireName } from "../dns/_test_builder.ts";
import { decodeMessage } from "../dns/decode_message.ts";
import type { DnsMessage, DnsResourceRecord } from "../dns/message.ts";
import { className, typeName } from "../dns/registries.ts";
import { newCounters } from "../metrics/counters.ts";
import { MessageReader } from "../dns/_reader.ts";
import { scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import { RecordBuffer } from "./record_buffer.ts";
import { TransactionLeg } from "./transaction_leg.ts";
import { TransactionWriter } from "./transaction_writer.ts";

const TYPE_TXT = 16;
const TYPE_CNAME = 5;
const TYPE_A = 1;
const TYPE_OPT = 41;
const OPTION_EDE = 15;
const OPTION_COOKIE = 10;

/** An OPT RR (root owner, UDP size 1232, DO set) carrying `options`, each `[code, bytes]`. */
function opt(options: Array<[number, number[]]>): number[] {
  const rdata = options.flatMap(([code, data]) => [...be16(code), ...be16(data.length), ...data]);
  return [0, ...be16(TYPE_OPT), ...be16(1232), ...be32(0x00008000), ...be16(rdata.length), ...rdata];
}

/** An OPT RR of the root without options (UDP size 1232), its TTL field `ttl` (extended rcode, version, DO). */
function bareOpt(ttl: number): number[] {
  return [0, ...be16(TYPE_OPT), ...be16(1232), ...be32(ttl), ...be16(0)];
}

const utf8 = (text: string) => [...new TextEncoder().encode(text)];

function datagram(bytes: Uint8Array, qr: boolean, t: number): WireDatagram {
  return {
    transport: "udp",
    srcIp: qr ? "192.0.2.53" : "2001:db8::1",
    dstIp: qr ? "2001:db8::1" : "192.0.2.53",
    srcPort: qr ? 53 : 5353,
    dstPort: qr ? 5353 : 53,
    tsSec: 1_700_000_000,
    tsNsec: t,
    wireLen: bytes.length + 42,
    message: bytes,
    vlans: [],
    interfaceId: 0,
  };
}

/** The transaction record of the query `q` answered by `r`, paired by the engine. */
function pairedRecord(q: Uint8Array, r: Uint8Array) {
  const counters = newCounters();
  const out = new RecordBuffer();
  const engine = new WirePairing(DEFAULT_CORRELATOR_OPTIONS, counters, new TransactionWriter(counters, out, "s"));
  engine.handle(datagram(q, false, 1000));
  engine.handle(datagram(r, true, 2000));
  return JSON.parse(new TextDecoder().decode(out.records()));
}

function rrObject(rr: DnsResourceRecord) {
  return { name: rr.name, type: typeName(rr.type), class: className(rr.class), ttl: rr.ttl, data: rr.data };
}

function ednsObject(m: DnsMessage) {
  if (m.edns === null) return null;
  const snake = (key: string) => key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
  return {
    version: m.edns.version,
    udp_size: m.edns.udpSize,
    do: m.edns.do,
    extended_rcode: m.edns.extendedRcode,
    options: m.edns.options.map((o) => ({
      code: o.code,
      name: o.name,
      data: o.hex,
      ...Object.fromEntries(Object.entries(o.decoded ?? {}).map(([k, v]) => [snake(k), v])),
    })),
  };
}

Deno.test("a transaction record written from the wire is what JSON.stringify gives, with the general decoder's fields", () => {
  // Escapes of every kind: a label with a quote, a backslash, a dot, DEL and a byte above 0x7e; TXT with control
  // bytes; EDE extra text in UTF-8 (non-ASCII, controls, DEL, and an invalid byte); a non-ASCII sensor name.
  const oddLabel = [4, 0x22, 0x5c, 0x2e, 0x7f, 3, 0xff, 0x41, 0x08, 0];
  const q = message({
    id: 77,
    flags: 0x0120,
    questions: [["Odd.Example", TYPE_A]],
    additionals: [opt([[OPTION_COOKIE, [1, 2, 3, 4, 5, 6, 7, 8]]])],
  });
  const extraText = "naïve ✓ \b\f\n\x7f\u2028";
  const r = message({
    id: 77,
    flags: 0x81a0,
    questions: [["Odd.Example", TYPE_A]],
    answers: [
      rr([0xc0, 12], TYPE_CNAME, 60, wireName("target.example")),
      rr(oddLabel, TYPE_TXT, 60, [5, 0x00, 0x22, 0x7f, 0xff, 0x5c, 3, ...ascii("a b")]),
      rr([0xc0, 12], TYPE_A, 4294967295, [10, 0, 0, 1]),
    ],
    authorities: [rr("example", 6, 300, [1, 2, 3])], // SOA RDATA too short: bad_rdata
    additionals: [opt([[OPTION_EDE, [0, 18, ...utf8(extraText), 0xff]], [OPTION_COOKIE, [1, 2]]])],
    trailing: [0xde, 0xad],
  });
  const counters = newCounters();
  const out = new RecordBuffer();
  const sensor = "capteur-é\u0001";
  const engine = new WirePairing(DEFAULT_CORRELATOR_OPTIONS, counters, new TransactionWriter(counters, out, sensor));
  engine.handle(datagram(q, false, 1000));
  engine.handle(datagram(r, true, 2_501_000));
  const line = new TextDecoder().decode(out.records()).trimEnd();
  const record = JSON.parse(line);
  assert.equal(line, JSON.stringify(record), "escaped exactly as JSON.stringify escapes");
  const query = decodeMessage(q, "full");
  const response = decodeMessage(r, "full");
  assert.deepEqual(record.answers, response.answers.map(rrObject));
  assert.deepEqual(record.authorities, response.authorities.map(rrObject));
  assert.deepEqual(record.additionals, response.additionals.map(rrObject));
  assert.deepEqual(record.query_edns, ednsObject(query));
  assert.deepEqual(record.response_edns, ednsObject(response));
  assert.equal(
    record.response_edns.options[0].extra_text,
    new TextDecoder().decode(new Uint8Array([...utf8(extraText), 0xff])),
  );
  assert.deepEqual(record.anomalies, [...response.anomalies.map((a) => "response:" + a)]);
  assert.ok(response.anomalies.length >= 3, `anomalies: ${response.anomalies}`);
  assert.deepEqual(record.question, { name: query.questions[0].name, type: "A", class: "IN" });
  assert.equal(record.sensor, sensor);
  assert.equal(record.client_ip, "2001:db8::1");
  assert.equal(record.server_ip, "192.0.2.53");
  assert.equal(record.rtt_ns, 2_500_000);
  assert.equal(record.query_time, "2023-11-14T22:13:20.000001000Z");
  assert.deepEqual(record.response_flags, {
    qr: true,
    aa: false,
    tc: false,
    rd: true,
    ra: true,
    z: false,
    ad: true,
    cd: false,
  });
  assert.equal(record.rcode, 0);
  assert.equal(counters.dns_anomalies, 1);
});

Deno.test("an owner that points at a CNAME target written before is that name, as the general decoder reads it", () => {
  // The CNAME target is written in place (its own walk follows a pointer into the question); the next owner points
  // at it and is copied from the record.
  const r = message({
    id: 9,
    questions: [["a.example", TYPE_A]],
    answers: [
      rr([0xc0, 12], TYPE_CNAME, 1, [1, 0x62, 0xc0, 14]), // b.example
      rr([0xc0, 39], TYPE_A, 1, [192, 0, 2, 1]),
    ],
  });
  const counters = newCounters();
  const out = new RecordBuffer();
  const engine = new WirePairing(DEFAULT_CORRELATOR_OPTIONS, counters, new TransactionWriter(counters, out, "s"));
  engine.handle(datagram(r, true, 0));
  engine.flush();
  const record = JSON.parse(new TextDecoder().decode(out.records()));
  assert.deepEqual(record.answers, decodeMessage(r, "full").answers.map(rrObject));
  assert.equal(record.answers[1].name, "b.example");
});

Deno.test("a query of the usual shape (nothing, or a bare OPT, after its question) gives what the sections' walk gives", () => {
  const opt1 = bareOpt(0x01008000);
  const queries: Array<{
    shape: string;
    additionals: number[][];
    counts?: [number, number, number, number];
    trailing?: number[];
  }> = [
    { shape: "a bare OPT, DO and an extended rcode byte", additionals: [opt1] },
    { shape: "nothing after the question", additionals: [] },
    { shape: "an OPT with options", additionals: [opt([[OPTION_COOKIE, [1, 2, 3, 4, 5, 6, 7, 8]]])] },
    { shape: "an OPT whose owner is not the root", additionals: [[1, 0x61, ...opt1]] },
    { shape: "a bare OPT and a trailing byte", additionals: [opt1], trailing: [0] },
    { shape: "two bare OPTs", additionals: [opt1, opt1] },
    { shape: "an additional count of 1 and nothing", additionals: [], counts: [1, 0, 0, 1] },
    { shape: "nothing after the question but a trailing byte", additionals: [], trailing: [7] },
    { shape: "an answer count of 1 and a bare OPT", additionals: [opt1], counts: [1, 1, 0, 1] },
  ];
  for (const { shape, additionals, counts, trailing } of queries) {
    const q = message({ id: 9, flags: 0x0100, questions: [["www.example", TYPE_A]], additionals, counts, trailing });
    const r = message({ id: 9, flags: 0x8180, questions: [["www.example", TYPE_A]] });
    const record = pairedRecord(q, r);
    const query = decodeMessage(q, "full");
    assert.deepEqual(record.query_edns, ednsObject(query), shape);
    assert.deepEqual(record.anomalies, query.anomalies.map((a) => "query:" + a), shape);
    assert.deepEqual(record.question, { name: "www.example", type: "A", class: "IN" }, shape);
  }
});

Deno.test("a response with no RR but a bare OPT (BADVERS: the OPT's TTL extends the rcode) gives the decoder's rcode", () => {
  const q = message({ id: 5, flags: 0x0100, questions: [["www.example", TYPE_A]] });
  const r = message({
    id: 5,
    flags: 0x8180,
    questions: [["www.example", TYPE_A]],
    additionals: [bareOpt(0x01000000)],
  });
  const record = pairedRecord(q, r);
  const response = decodeMessage(r, "full");
  assert.equal(record.rcode, response.header.rcode | (response.edns!.extendedRcode << 4));
  assert.equal(record.rcode, 16);
  assert.deepEqual(record.response_edns, ednsObject(response));
  assert.deepEqual([record.answers, record.authorities, record.additionals], [[], [], []]);
});

Deno.test("-max_records 0 stops a bare OPT's section as it stops any other (too_many_records)", () => {
  const q = message({
    flags: 0x0100,
    questions: [["www.example", TYPE_A]],
    additionals: [bareOpt(0)],
  });
  for (const maxRecords of [0, 1]) {
    const r = new MessageReader();
    r.reset(q);
    const scanned = new WireQuestion();
    scanQuestion(r, scanned);
    const leg = new TransactionLeg(maxRecords);
    leg.render(r, scanned);
    const anomalies = Array.from({ length: leg.anomalies.count }, (_, i) => leg.anomalies.at(i));
    assert.deepEqual(anomalies, decodeMessage(q, "full", maxRecords).anomalies);
    assert.equal(leg.hasEdns, maxRecords > 0);
  }
});
