import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeMessage } from "./decode_message.ts";
import { DNS_ANOMALIES } from "./anomalies.ts";
import { dnsPayloads } from "./_test_pcap.ts";
import { be16, hex, message, rr, wireName } from "./_test_builder.ts";

const TESTDATA = new URL("../../testdata/", import.meta.url);

function payloads(path: string): Uint8Array[] {
  return dnsPayloads(Deno.readFileSync(new URL(path, TESTDATA)));
}

function decodeError(bytes: Uint8Array): DecodeError {
  try {
    decodeMessage(bytes, "full");
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${e}`);
    return e;
  }
  assert.fail("expected a DecodeError");
}

/** www.slashdot.org A response from testdata/gopassivedns/a.pcap. */
const A_RESPONSE = hex(`
  4f b8 81 80 00 01 00 01 00 00 00 00   // 0   id 0x4fb8, QR RD RA, 1 question, 1 answer
  03 77 77 77 08 73 6c 61 73 68 64 6f   // 12  "www" "slashdo
  74 03 6f 72 67 00 00 01 00 01         // 24  t" "org" root, A IN
  c0 0c 00 01 00 01 00 00 00 6e 00 04   // 34  -> 12, A IN, TTL 110, RDLENGTH 4
  d8 22 b5 30                           // 46  216.34.181.48
`);

Deno.test("decodeMessage() decodes a whole A response", () => {
  assert.deepEqual(decodeMessage(A_RESPONSE, "full"), {
    header: {
      id: 0x4fb8,
      qr: true,
      opcode: 0,
      aa: false,
      tc: false,
      rd: true,
      ra: true,
      z: false,
      ad: false,
      cd: false,
      rcode: 0,
      qdcount: 1,
      ancount: 1,
      nscount: 0,
      arcount: 0,
    },
    questions: [{ name: "www.slashdot.org", type: 1, class: 1 }],
    answers: [{ name: "www.slashdot.org", type: 1, class: 1, ttl: 110, data: "216.34.181.48" }],
    authorities: [],
    additionals: [],
    edns: null,
    anomalies: [],
    size: 50,
  });
});

Deno.test("decodeMessage() stops after the section the depth asks for", () => {
  const bytes = message({
    answers: [rr("example.com", 1, 60, [192, 0, 2, 1])],
    authorities: [rr("example.com", 2, 60, wireName("ns.example.com"))],
    additionals: [rr("ns.example.com", 1, 60, [192, 0, 2, 53])],
  });
  const q = decodeMessage(bytes, "question");
  assert.equal(q.questions.length, 1);
  assert.deepEqual([q.answers, q.authorities, q.additionals], [[], [], []]);
  const a = decodeMessage(bytes, "answers");
  assert.deepEqual([a.answers.length, a.authorities.length, a.additionals.length], [1, 0, 0]);
  const f = decodeMessage(bytes, "full");
  assert.deepEqual([f.answers.length, f.authorities.length, f.additionals.length], [1, 1, 1]);
  assert.equal(f.additionals[0].data, "192.0.2.53");
});

Deno.test("decodeMessage() decodes a message that is a slice of a larger buffer", () => {
  const big = new Uint8Array(A_RESPONSE.length + 20);
  big.set(A_RESPONSE, 7);
  const msg = decodeMessage(big.subarray(7, 7 + A_RESPONSE.length), "answers");
  assert.equal(msg.answers[0].data, "216.34.181.48");
  assert.equal(msg.answers[0].name, "www.slashdot.org");
});

Deno.test("decodeMessage() throws dns.short_header for fewer than 12 bytes", () => {
  const e = decodeError(A_RESPONSE.subarray(0, 11));
  assert.equal(e.code, "dns.short_header");
  assert.equal(e.message, "Cannot decode DNS header: message is 11 bytes, a header needs 12");
});

Deno.test("decodeMessage() throws dns.truncated_question when the question is cut", () => {
  const cut = decodeError(A_RESPONSE.subarray(0, 32));
  assert.equal(cut.code, "dns.truncated_question");
  assert.equal(cut.offset, 30);
  assert.equal(cut.message, "Cannot decode question 1 of 1 at offset 30: type and class need 4 bytes, 2 remain");
  const missing = decodeError(message({ counts: [2, 0, 0, 0] }));
  assert.equal(missing.code, "dns.truncated_question");
  assert.equal(missing.message, "Cannot decode question 2 of 2 at offset 29: the message ends there");
  assert.equal(decodeError(A_RESPONSE.subarray(0, 20)).code, "dns.truncated_name");
});

Deno.test("decodeMessage() throws the name error for an undecodable question name", () => {
  const bytes = hex(`
    00 01 00 00 00 01 00 00 00 00 00 00   // 0   query, 1 question
    01 61 c0 20 00 01 00 01               // 12  "a" -> 0x20 (forward), A IN
  `);
  const e = decodeError(bytes);
  assert.equal(e.code, "dns.pointer_forward");
  assert.equal(e.offset, 14);
});

Deno.test("decodeMessage() keeps the RRs before a truncated one and flags truncated_section", () => {
  const bytes = message({
    answers: [rr("example.com", 1, 60, [192, 0, 2, 1]), rr("example.com", 1, 60, [192, 0, 2, 2])],
  });
  for (const cut of [1, 5, 10, 14, 16]) {
    const msg = decodeMessage(bytes.subarray(0, bytes.length - cut), "full");
    assert.deepEqual(msg.answers.map((a) => a.data), ["192.0.2.1"], `cut ${cut}`);
    assert.deepEqual(msg.anomalies, ["truncated_section"], `cut ${cut}`);
  }
});

Deno.test("decodeMessage() flags count_mismatch when the message ends on an RR boundary", () => {
  const bytes = message({ answers: [rr("example.com", 1, 60, [192, 0, 2, 1])], counts: [1, 3, 2, 0] });
  const msg = decodeMessage(bytes, "full");
  assert.equal(msg.answers.length, 1);
  assert.deepEqual(msg.anomalies, ["count_mismatch"]);
  const huge = decodeMessage(message({ counts: [1, 0xffff, 0xffff, 0xffff] }), "full");
  assert.deepEqual(huge.anomalies, ["count_mismatch"]);
});

Deno.test("decodeMessage() flags trailing_bytes at depth full only", () => {
  const bytes = message({ answers: [rr("example.com", 1, 60, [192, 0, 2, 1])], trailing: [0, 0, 0] });
  assert.deepEqual(decodeMessage(bytes, "full").anomalies, ["trailing_bytes"]);
  assert.deepEqual(decodeMessage(bytes, "answers").anomalies, []);
});

Deno.test("decodeMessage() flags bad_name and stops at an undecodable owner name", () => {
  const bytes = message({
    answers: [rr("example.com", 1, 60, [192, 0, 2, 1]), rr([0xc0, 0xff], 1, 60, [192, 0, 2, 2])],
    additionals: [rr("example.com", 1, 60, [192, 0, 2, 3])],
  });
  const msg = decodeMessage(bytes, "full");
  assert.deepEqual(msg.answers.map((a) => a.data), ["192.0.2.1"]);
  assert.deepEqual(msg.additionals, []);
  assert.deepEqual(msg.anomalies, ["bad_name"]);
});

Deno.test("decodeMessage() renders an RDLENGTH mismatch in RFC 3597 form and goes on", () => {
  const bytes = message({
    answers: [
      rr("example.com", 28, 60, [0x20, 0x01, 0x0d, 0xb8]), // AAAA with 4 bytes
      rr("example.com", 15, 60, [...be16(10), ...wireName("mx.example.com"), 0, 0]), // 2 bytes too many
      rr("example.com", 1, 60, [192, 0, 2, 1]),
    ],
  });
  const msg = decodeMessage(bytes, "full");
  assert.deepEqual(msg.answers.map((a) => a.data), [
    "\\# 4 20010DB8",
    "\\# 20 000A026D78076578616D706C6503636F6D000000",
    "192.0.2.1",
  ]);
  assert.deepEqual(msg.anomalies, ["bad_rdata"]);
});

Deno.test("decodeMessage() gives empty data to UPDATE deletions (class NONE/ANY, no RDATA)", () => {
  const bytes = message({
    flags: 0x2800, // opcode UPDATE
    authorities: [rr("www.example.com", 1, 0, [], 255), rr("www.example.com", 1, 0, [], 254)],
  });
  const msg = decodeMessage(bytes, "full");
  assert.deepEqual(msg.authorities.map((a) => [a.class, a.data]), [[255, ""], [254, ""]]);
  assert.deepEqual(msg.anomalies, []);
});

Deno.test("DNS_ANOMALIES lists every anomaly as a unique lower_snake identifier", () => {
  assert.equal(new Set(DNS_ANOMALIES).size, DNS_ANOMALIES.length);
  for (const a of DNS_ANOMALIES) assert.match(a, /^[a-z]+(_[a-z]+)*$/);
});

Deno.test("real captures: mx.pcap renders preference and exchange", () => {
  const [query, response] = payloads("gopassivedns/mx.pcap");
  assert.equal(decodeMessage(query, "question").questions[0].name, "google.com");
  const msg = decodeMessage(response, "full");
  assert.deepEqual(msg.answers.map((a) => a.data), [
    "40 alt3.aspmx.l.google.com",
    "10 aspmx.l.google.com",
    "50 alt4.aspmx.l.google.com",
    "30 alt2.aspmx.l.google.com",
    "20 alt1.aspmx.l.google.com",
  ]);
  assert.deepEqual(msg.anomalies, []);
});

Deno.test("real captures: A, AAAA, NS and NXDOMAIN responses", () => {
  assert.equal(decodeMessage(payloads("gopassivedns/a.pcap")[1], "answers").answers[0].data, "216.34.181.48");
  const aaaa = decodeMessage(payloads("gopassivedns/aaaa.pcap")[1], "answers").answers[0];
  assert.deepEqual(aaaa, { name: "www.google.com", type: 28, class: 1, ttl: 55, data: "2607:f8b0:4001:c02::93" });
  const ns = decodeMessage(payloads("gopassivedns/ns.pcap")[1], "answers");
  assert.deepEqual(ns.answers.map((a) => a.data), [
    "ns2.google.com",
    "ns1.google.com",
    "ns4.google.com",
    "ns3.google.com",
  ]);
  const nx = decodeMessage(payloads("gopassivedns/nxdomain.pcap")[1], "full");
  assert.equal(nx.header.rcode, 3);
  assert.deepEqual(nx.authorities.map((a) => a.data), [
    "a.gtld-servers.net nstld.verisign-grs.com 1460707448 1800 900 604800 86400",
  ]);
});

Deno.test("real captures: every message of the gopassivedns pcaps decodes without anomalies", () => {
  for (const file of ["100_tcp_lookups", "100_udp_lookups", "multiple_udp", "a", "aaaa", "mx", "ns", "nxdomain"]) {
    const messages = payloads(`gopassivedns/${file}.pcap`);
    assert.ok(messages.length > 0, file);
    for (const m of messages) assert.deepEqual(decodeMessage(m, "full").anomalies, [], file);
  }
  const tcpQuery = decodeMessage(payloads("gopassivedns/100_tcp_lookups.pcap")[0], "full");
  assert.equal(tcpQuery.edns?.udpSize, 4096);
});

Deno.test("real captures: crafted RR types, TXT and odd names", () => {
  const data = payloads("crafted/rrtypes.pcap").filter((_, i) => i % 2 === 1).map((m) => decodeMessage(m, "full"));
  assert.deepEqual(data.map((m) => m.answers.map((a) => a.data)), [
    ["web.example.com", "192.0.2.10"],
    ["ns1.example.com hostmaster.example.com 2017071401 7200 900 1209600 300"],
    ["10 20 5060 sip.example.com"],
    ["host.example.com"],
    ['"CPU" "OS"'],
    ["1 ."],
    ["192.0.2.1"],
    ["\\# 5 0102030405"],
  ]);
  assert.deepEqual(data[7].anomalies, ["bad_rdata"]);
  const txt = decodeMessage(payloads("crafted/txt.pcap")[1], "full");
  assert.equal(txt.answers[0].data, '"v=spf1 -all" "<a&b>\\"x\\"\\\\"');
  const odd = decodeMessage(payloads("crafted/oddname.pcap")[1], "full");
  assert.equal(odd.questions[0].name, "a\\.b.\\255\\254.COM");
  assert.equal(odd.answers[0].name, "a\\.b.\\255\\254.COM");
  const cut = decodeMessage(payloads("crafted/truncated.pcap")[1], "full");
  assert.deepEqual(cut.anomalies, ["truncated_section"]);
});

Deno.test("decodeMessage() bounds the work on a 64 KiB message of chained owner pointers", () => {
  // Question "a" at 12; then RRs whose owner points at the previous RR's owner (itself a pointer).
  const head = [...be16(1), ...be16(0x8180), ...be16(1), ...be16(0xffff), 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1];
  const out = [...head];
  let previous = 12;
  while (out.length + 14 <= 0xffff) {
    const at = out.length;
    out.push(0xc0 | (previous >> 8), previous & 0xff, 0, 1, 0, 1, 0, 0, 0, 1, 0, 2, 9, 9);
    previous = at;
  }
  const started = performance.now();
  const msg = decodeMessage(new Uint8Array(out), "full");
  assert.ok(performance.now() - started < 1000);
  assert.equal(msg.answers.length, 126);
  assert.deepEqual(msg.anomalies, ["bad_rdata", "bad_name"]);
});
