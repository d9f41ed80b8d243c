import assert from "node:assert/strict";
import type { DnsDatagram } from "../decode/dns_datagram.ts";
import type { DnsMessage } from "../dns/message.ts";
import { newCounters } from "../metrics/counters.ts";
import { Correlator, type CorrelatorOptions, DEFAULT_CORRELATOR_OPTIONS, sameQuestion } from "./correlator.ts";
import type { Transaction } from "./transaction.ts";

const CLIENT = "10.0.0.1";
const SERVER = "10.0.0.53";

function message(id: number, qr: boolean, name: string | null, type = 1): DnsMessage {
  return {
    header: {
      id,
      qr,
      opcode: 0,
      aa: false,
      tc: false,
      rd: true,
      ra: qr,
      z: false,
      ad: false,
      cd: false,
      rcode: 0,
      qdcount: name === null ? 0 : 1,
      ancount: 0,
      nscount: 0,
      arcount: 0,
    },
    questions: name === null ? [] : [{ name, type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    anomalies: [],
    size: 30,
  };
}

/** A datagram from the client (query) or to it (response) at `t` seconds. */
function datagram(qr: boolean, t: number, clientIp = CLIENT, clientPort = 40000): DnsDatagram {
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
    message: new Uint8Array(0),
    vlans: [],
    interfaceId: 0,
  };
}

function setup(options: Partial<CorrelatorOptions> = {}) {
  const counters = newCounters();
  const out: Transaction[] = [];
  const correlator = new Correlator({ ...DEFAULT_CORRELATOR_OPTIONS, ...options }, counters, (t) => out.push(t));
  const q = (id: number, name: string | null, t: number, ip?: string, port?: number) =>
    correlator.handle(datagram(false, t, ip, port), message(id, false, name));
  const r = (id: number, name: string | null, t: number, ip?: string, port?: number) =>
    correlator.handle(datagram(true, t, ip, port), message(id, true, name));
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

Deno.test("Correlator treats the same ID reused for another name as a new query", () => {
  const { out, q, r } = setup();
  q(7, "first.example", 100);
  q(7, "second.example", 101);
  r(7, "second.example", 101.1);
  assert.deepEqual(out.map((t) => [t.status, t.reason]), [["unanswered", "replaced"], ["answered", "paired"]]);
  assert.equal(out[1].query!.message.questions[0].name, "second.example");
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
