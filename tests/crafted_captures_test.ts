/**
 * The crafted edge cases (testdata/crafted/craft.py), including those where the original logged nothing or
 * crashed: each gives the records a correct sensor must give, field by field.
 */
import assert from "node:assert/strict";
import { replay, TESTDATA } from "./_replay.ts";

const CRAFTED = TESTDATA + "crafted/";

/** The fields that tell one record from another; the rest are checked by the schema and the original-output tests. */
function brief(record: Record<string, unknown>) {
  return [record.q, record.qtype, record.a, record.atype, record.src, record.sport, record.dst];
}

Deno.test("txt.pcap renders TXT as quoted character-strings with escapes", async () => {
  const { records } = await replay(CRAFTED + "txt.pcap");
  assert.equal(records.length, 1);
  assert.equal(records[0].a, String.raw`"v=spf1 -all" "<a&b>\"x\"\\"`);
  assert.equal(records[0].atype, "TXT");
  assert.equal(records[0].bytes, 116);
});

Deno.test("rrtypes.pcap renders every type in presentation format", async () => {
  const { records } = await replay(CRAFTED + "rrtypes.pcap");
  assert.deepEqual(records.map((r) => [r.q, r.qtype, r.a, r.atype, r.ttl]), [
    ["www.example.com", "A", "web.example.com", "CNAME", 60],
    ["www.example.com", "A", "192.0.2.10", "A", 60],
    ["example.com", "SOA", "ns1.example.com hostmaster.example.com 2017071401 7200 900 1209600 300", "SOA", 3600],
    ["_sip._udp.example.com", "SRV", "10 20 5060 sip.example.com", "SRV", 120],
    ["10.2.0.192.in-addr.arpa", "PTR", "host.example.com", "PTR", 86400],
    ["example.com", "HINFO", '"CPU" "OS"', "HINFO", 60],
    ["example.com", "HTTPS", "1 .", "HTTPS", 60],
    ["example.com", "AAAA", "192.0.2.1", "AAAA", 60],
    ["bad.example.com", "A", String.raw`\# 5 0102030405`, "A", 60],
  ]);
});

Deno.test("rcodes.pcap gives one record per error rcode, none for NODATA, and copies TC and AA", async () => {
  const { records } = await replay(CRAFTED + "rcodes.pcap");
  assert.deepEqual(records.map((r) => [r.q, r.rcode, r.a, r.atype, r.ttl]), [
    ["servfail.example", 2, "Server Failure", "", 0],
    ["refused.example", 5, "Query Refused", "", 0],
    ["weird.example", 11, "Unknown", "", 0],
    ["tc.example", 0, "192.0.2.5", "A", 5],
    ["edns.example", 0, "192.0.2.6", "A", 5],
  ]);
  assert.deepEqual([records[3].truncated, records[3].aa], [true, true]);
  assert.deepEqual([records[4].truncated, records[4].aa], [false, false]);
  assert.ok(records.every((r) => r.ra === true && r.rd === true));
});

Deno.test("ordering.pcap pairs reordered, retransmitted and ID-sharing lookups correctly", async () => {
  const { records, counters } = await replay(CRAFTED + "ordering.pcap");
  assert.deepEqual(records.map(brief), [
    ["reversed.example", "A", "192.0.2.41", "A", "10.0.0.1", "42001", "10.0.0.53"],
    ["retrans.example", "A", "192.0.2.42", "A", "10.0.0.1", "42002", "10.0.0.53"],
    ["one.example", "A", "192.0.2.1", "A", "10.0.0.1", "42004", "10.0.0.53"],
    ["two.example", "A", "192.0.2.2", "A", "10.0.0.2", "42004", "10.0.0.53"],
  ]);
  // The reversed pair: elapsed is response minus query capture time, negative when the response came first.
  assert.equal(records[0].elapsed, -1_000_000);
  assert.equal(records[1].elapsed, 600_000_000, "elapsed runs from the first copy of the query");
  assert.equal(counters.query_retransmits, 1);
  assert.equal(counters.response_duplicates, 1);
  assert.equal(counters.responses_orphan, 1, "the duplicated response without a query is an orphan, not a lookup");
});

Deno.test("ports.pcap logs only port 53 by default, and every listed port with -dns_ports", async () => {
  const byDefault = await replay(CRAFTED + "ports.pcap");
  assert.deepEqual(byDefault.records.map(brief), [
    ["s2s.example", "A", "192.0.2.52", "A", "10.0.0.1", "53", "10.0.0.53"],
  ]);
  const listed = await replay(CRAFTED + "ports.pcap", { dnsPorts: [53, 5353, 5300] });
  assert.deepEqual(listed.records.map((r) => [r.q, r.src, r.sport]), [
    ["mdns.local", "10.0.0.1", "5353"],
    ["s2s.example", "10.0.0.1", "53"],
    ["p5300.example", "10.0.0.1", "40053"],
  ]);
});

const ONE_LOOKUP: [file: string, q: string, a: string, src: string, sport: string][] = [
  ["vlan.pcap", "vlan.example", "192.0.2.61", "10.0.0.1", "43001"],
  ["sll.pcap", "sll.example", "192.0.2.62", "10.0.0.1", "43002"],
  ["rawip.pcap", "raw.example", "192.0.2.63", "10.0.0.1", "43003"],
  ["ipv6.pcap", "v6.example", "2001:db8::aa", "2001:db8::1", "43004"],
  ["tcp_whole.pcap", "tcpwhole.example", "192.0.2.99", "10.0.0.1", "44001"],
  ["tcp_split.pcap", "tcpsplit.example", "192.0.2.99", "10.0.0.1", "44002"],
];

for (const [file, q, a, src, sport] of ONE_LOOKUP) {
  Deno.test(`${file} gives its one lookup (the original logged nothing or swapped sides)`, async () => {
    const { records } = await replay(CRAFTED + file);
    assert.deepEqual(records.map((r) => [r.q, r.a, r.src, r.sport]), [[q, a, src, sport]]);
  });
}

Deno.test("frag.pcap reassembles the fragmented response", async () => {
  const { records, counters } = await replay(CRAFTED + "frag.pcap");
  assert.equal(records.length, 1);
  const strings = '"' + "x".repeat(200) + '"';
  assert.equal(records[0].a, Array(8).fill(strings).join(" "));
  assert.equal(counters.ip_fragments, 2);
  assert.equal(counters.ip_fragments_reassembled, 1);
});

Deno.test("qdcount0.pcap pairs on the key alone and does not crash", async () => {
  const { records } = await replay(CRAFTED + "qdcount0.pcap");
  assert.deepEqual(records.map((r) => [r.q, r.qtype, r.a, r.atype]), [["", "", "1.1.1.1", "A"]]);
});

Deno.test("truncated.pcap gives no default record but counts the damaged response", async () => {
  const { records, counters } = await replay(CRAFTED + "truncated.pcap");
  assert.equal(records.length, 0);
  assert.equal(counters.pairs, 1);
  assert.equal(counters.dns_anomalies, 1);
});

Deno.test("notify.pcap (opcode NOTIFY, no answers) gives no default record", async () => {
  const { records, counters } = await replay(CRAFTED + "notify.pcap");
  assert.equal(records.length, 0);
  assert.equal(counters.pairs, 1);
});

Deno.test("oddname.pcap escapes a dot inside a label and non-printable bytes", async () => {
  const { records } = await replay(CRAFTED + "oddname.pcap");
  assert.deepEqual(records.map((r) => [r.q, r.a]), [[String.raw`a\.b.\255\254.COM`, "192.0.2.9"]]);
});
