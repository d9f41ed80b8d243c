import assert from "node:assert/strict";
import type { DnsDatagram } from "../decode/dns_datagram.ts";
import { message as build } from "../dns/_test_builder.ts";
import { decodeMessage } from "../dns/decode_message.ts";
import type { DnsMessage } from "../dns/message.ts";
import { newCounters } from "../metrics/counters.ts";
import {
  Correlator,
  type CorrelatorOptions,
  DEFAULT_CORRELATOR_OPTIONS,
  MAX_PER_KEY,
  sameQuestion,
} from "./correlator.ts";
import { HELD_TRANSACTION_BYTES } from "./held_transactions.ts";
import type { Transaction } from "./transaction.ts";

const CLIENT = "10.0.0.1";
const SERVER = "10.0.0.53";

/** A real message (the correlator holds wire bytes and decodes them again when it writes a held leg). */
function wire(id: number, qr: boolean, name: string | null, type = 1): Uint8Array {
  return build({ id, flags: qr ? 0x8180 : 0x0100, questions: name === null ? [] : [[name, type]] });
}

function message(id: number, qr: boolean, name: string | null, type = 1): DnsMessage {
  return decodeMessage(wire(id, qr, name, type), "full");
}

/** A datagram from the client (query) or to it (response) at `t` seconds. */
function datagram(bytes: Uint8Array, qr: boolean, t: number, clientIp = CLIENT, clientPort = 40000): DnsDatagram {
  const sec = Math.floor(t);
  return {
    transport: "udp",
    srcIp: qr ? SERVER : clientIp,
    dstIp: qr ? clientIp : SERVER,
    srcPort: qr ? 53 : clientPort,
    dstPort: qr ? clientPort : 53,
    tsSec: sec,
    tsNsec: Math.round((t - sec) * 1e9),
    wireLen: 80,
    message: bytes,
    vlans: [],
    interfaceId: 0,
  };
}

function setup(options: Partial<CorrelatorOptions> = {}) {
  const counters = newCounters();
  const out: Transaction[] = [];
  const correlator = new Correlator({ ...DEFAULT_CORRELATOR_OPTIONS, ...options }, counters, (t) => out.push(t));
  const send = (qr: boolean, id: number, name: string | null, t: number, ip?: string, port?: number, type = 1) => {
    const bytes = wire(id, qr, name, type);
    correlator.handle(datagram(bytes, qr, t, ip, port), decodeMessage(bytes, "full"));
  };
  const q = (id: number, name: string | null, t: number, ip?: string, port?: number, type?: number) =>
    send(false, id, name, t, ip, port, type);
  const r = (id: number, name: string | null, t: number, ip?: string, port?: number, type?: number) =>
    send(true, id, name, t, ip, port, type);
  return { counters, out, correlator, q, r };
}

Deno.test("Correlator pairs a query with its response", () => {
  const { out, q, r, counters } = setup();
  q(1, "a.example", 100);
  r(1, "a.example", 100.002);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "answered");
  assert.equal(out[0].clientIp, CLIENT);
  assert.equal(out[0].clientPort, 40000);
  assert.equal(out[0].serverIp, SERVER);
  assert.equal(out[0].query!.tsSec, 100);
  assert.equal(out[0].response!.tsNsec, 2_000_000);
  assert.equal(counters.pairs, 1);
});

Deno.test("Correlator pairs a response seen before its query, keeping the client as client", () => {
  const { out, q, r, correlator } = setup();
  r(2, "rev.example", 100);
  assert.equal(out.length, 0);
  q(2, "rev.example", 100.001);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "answered");
  assert.equal(out[0].clientIp, CLIENT);
  assert.equal(out[0].serverPort, 53);
  assert.equal(correlator.pendingCount, 0);
});

Deno.test("Correlator counts a retransmitted query and still pairs the lookup", () => {
  const { out, q, r, counters } = setup();
  q(3, "retrans.example", 100);
  q(3, "retrans.example", 100.5);
  r(3, "retrans.example", 100.6);
  assert.equal(out.length, 1);
  assert.equal(out[0].retransmits, 1);
  assert.equal(out[0].query!.tsSec, 100, "the first copy of the query is kept");
  assert.equal(counters.query_retransmits, 1);
});

Deno.test("Correlator counts a duplicate response after a pairing and emits nothing for it", () => {
  const { out, q, r, counters, correlator } = setup();
  q(4, "dup.example", 100);
  r(4, "dup.example", 100.1);
  r(4, "dup.example", 100.2);
  correlator.flush();
  assert.equal(out.length, 1);
  assert.equal(counters.response_duplicates, 1);
  assert.equal(counters.responses_orphan, 0);
});

Deno.test("Correlator reports duplicated responses without a query as one orphan", () => {
  const { out, r, counters, correlator } = setup();
  r(5, "orphan.example", 100);
  r(5, "orphan.example", 100.1);
  correlator.flush();
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "orphan_response");
  assert.equal(out[0].duplicateResponses, 1);
  assert.equal(out[0].reason, "end_of_input");
  assert.equal(counters.responses_orphan, 1);
});

Deno.test("Correlator keeps clients that reuse the same ID and port apart", () => {
  const { out, q, r } = setup();
  q(6, "one.example", 100, "10.0.0.1", 42004);
  q(6, "two.example", 100.01, "10.0.0.2", 42004);
  r(6, "one.example", 100.02, "10.0.0.1", 42004);
  r(6, "two.example", 100.03, "10.0.0.2", 42004);
  assert.deepEqual(out.map((t) => [t.clientIp, t.query!.message.questions[0].name]), [
    ["10.0.0.1", "one.example"],
    ["10.0.0.2", "two.example"],
  ]);
});

Deno.test("Correlator keeps a query whose ID is reused for another name until its own end", () => {
  const { out, q, r, correlator } = setup();
  q(7, "first.example", 100);
  q(7, "second.example", 101);
  r(7, "second.example", 101.1);
  correlator.flush();
  assert.deepEqual(out.map((t) => [t.status, t.reason, t.query!.message.questions[0].name]), [
    ["answered", "paired", "second.example"],
    ["unanswered", "end_of_input", "first.example"],
  ]);
});

const names = (out: Transaction[]) =>
  out.map((t) => [t.status, t.query?.message.questions[0].name, t.response?.message.questions[0].name]);

Deno.test("Correlator pairs two lookups in flight under one key, answered in order (Q1 Q2 R1 R2)", () => {
  const { out, q, r, counters, correlator } = setup();
  q(9, "a.example", 100);
  q(9, "a.example", 100.001, undefined, undefined, 28);
  r(9, "a.example", 100.002);
  r(9, "a.example", 100.003, undefined, undefined, 28);
  assert.deepEqual(
    out.map((t) => [t.status, t.query!.message.questions[0].type, t.response!.message.questions[0].type]),
    [
      ["answered", 1, 1],
      ["answered", 28, 28],
    ],
  );
  assert.equal(counters.pairs, 2);
  assert.equal(correlator.pendingCount, 0);
  assert.equal(counters.response_duplicates + counters.queries_unanswered + counters.responses_orphan, 0);
});

Deno.test("Correlator pairs two lookups in flight under one key, answered out of order (Q1 Q2 R2 R1)", () => {
  const { out, q, r, counters } = setup();
  q(9, "one.example", 100);
  q(9, "two.example", 100.001);
  r(9, "TWO.example", 100.002);
  r(9, "one.example", 100.003);
  assert.deepEqual(names(out), [["answered", "two.example", "TWO.example"], [
    "answered",
    "one.example",
    "one.example",
  ]]);
  assert.equal(out[1].query!.tsNsec, 0, "the held query keeps its own time");
  assert.equal(counters.pairs, 2);
});

Deno.test("Correlator pairs responses that came first with their queries, several under one key", () => {
  const { out, q, r, counters } = setup();
  r(9, "one.example", 100);
  r(9, "two.example", 100.001);
  q(9, "two.example", 100.002);
  q(9, "one.example", 100.003);
  assert.deepEqual(names(out), [["answered", "two.example", "two.example"], [
    "answered",
    "one.example",
    "one.example",
  ]]);
  assert.equal(counters.pairs, 2);
});

Deno.test("Correlator pairs a response with the oldest held query asking the same, after a retransmission", () => {
  const { out, q, r, counters } = setup();
  q(9, "one.example", 100);
  q(9, "two.example", 100.1);
  q(9, "one.example", 100.2);
  r(9, "one.example", 100.3);
  assert.equal(counters.query_retransmits, 1);
  assert.deepEqual(out.map((t) => [t.query!.message.questions[0].name, t.query!.tsNsec, t.retransmits]), [
    ["one.example", 0, 1],
  ]);
});

Deno.test("Correlator counts a copy of an answered response as a duplicate while another lookup waits", () => {
  const { out, q, r, counters, correlator } = setup();
  q(9, "one.example", 100);
  q(9, "two.example", 100.001);
  r(9, "one.example", 100.002);
  r(9, "one.example", 100.003);
  r(9, "two.example", 100.004);
  correlator.flush();
  assert.deepEqual(out.map((t) => t.status), ["answered", "answered"]);
  assert.equal(counters.response_duplicates, 1);
  assert.equal(counters.responses_orphan, 0);
});

Deno.test("Correlator holds at most MAX_PER_KEY lookups under one key, replacing the oldest", () => {
  const { out, q, counters, correlator } = setup();
  for (let i = 0; i <= MAX_PER_KEY; i++) q(9, `n${i}.example`, 100 + i / 1000);
  assert.equal(correlator.pendingCount, MAX_PER_KEY);
  assert.equal(counters.correlation_evicted, 1);
  assert.deepEqual(out.map((t) => [t.reason, t.query!.message.questions[0].name]), [["replaced", "n0.example"]]);
});

Deno.test("Correlator bounds the bytes it holds and writes held messages decoded again", () => {
  const big = 1 << 20;
  const { out, r, counters, correlator } = setup({ maxPendingBytes: big });
  const perEntry = HELD_TRANSACTION_BYTES + wire(1, true, "x00000.example").length;
  const fits = Math.floor(big / perEntry);
  for (let i = 0; i < fits + 10; i++) r(i, `x${String(i).padStart(5, "0")}.example`, 100);
  assert.equal(correlator.pendingCount, fits);
  assert.equal(counters.correlation_evicted, 10);
  assert.deepEqual(out.map((t) => [t.reason, t.response!.message.questions[0].name]).slice(0, 2), [
    ["evicted", "x00000.example"],
    ["evicted", "x00001.example"],
  ]);
});

Deno.test("Correlator does not pair a response that answers another question", () => {
  const { out, q, r, correlator } = setup();
  q(8, "asked.example", 100);
  r(8, "other.example", 100.1);
  correlator.flush();
  assert.deepEqual(out.map((t) => t.status), ["unanswered", "orphan_response"]);
});

Deno.test("Correlator expires old entries on packet time, not wall time", () => {
  const { out, q, counters } = setup({ gcAgeMs: 5_000, gcIntervalMs: 5_000 });
  q(9, "old.example", 100);
  q(10, "new.example", 103);
  assert.equal(out.length, 0, "no sweep before the interval has passed in packet time");
  q(11, "later.example", 106);
  assert.deepEqual(out.map((t) => [t.id, t.reason]), [[9, "expired"]]);
  assert.equal(counters.queries_unanswered, 1);
});

Deno.test("Correlator bounds its table and counts evictions", () => {
  const { out, q, counters, correlator } = setup({ maxPending: 2 });
  q(1, "a.example", 100);
  q(2, "b.example", 100);
  q(3, "c.example", 100);
  assert.equal(correlator.pendingCount, 2);
  assert.equal(counters.correlation_evicted, 1);
  assert.deepEqual(out.map((t) => [t.id, t.reason]), [[1, "evicted"]]);
});

Deno.test("Correlator matches on the key alone when a message has no question", () => {
  const { out, q, r } = setup();
  q(12, null, 100);
  r(12, null, 100.1);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "answered");
});

Deno.test("sameQuestion() ignores ASCII case but not type", () => {
  assert.ok(sameQuestion(message(1, false, "WwW.Example"), message(1, true, "www.example")));
  assert.ok(!sameQuestion(message(1, false, "www.example", 1), message(1, true, "www.example", 28)));
});
