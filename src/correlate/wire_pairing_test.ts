import assert from "node:assert/strict";
import type { WireDatagram } from "../decode/wire_datagram.ts";
import { message as build, rr } from "../dns/_test_builder.ts";
import { type Counters, newCounters } from "../metrics/counters.ts";
import { GopassivednsWriter } from "../record/gopassivedns_writer.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { TransactionWriter } from "../record/transaction_writer.ts";
import { type CorrelatorOptions, DEFAULT_CORRELATOR_OPTIONS, MAX_PER_KEY } from "./pairing_options.ts";
import { HELD_SLOT_BYTES, HELD_WHOLE_SLOT_BYTES, INLINE_NAME_BYTES } from "./held_legs.ts";
import type { Lookup } from "./lookup.ts";
import { WirePairing } from "./wire_pairing.ts";

const CLIENT = "10.0.0.1";
const SERVER = "10.0.0.53";

/** The fields of a transaction record these tests read. */
interface Record {
  status: string;
  reason: string;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  id: number;
  question: { name: string; type: string } | null;
  query_time: string | null;
  response_time: string | null;
  retransmits: number;
  duplicate_responses: number;
}

function wire(id: number, qr: boolean, name: string | null, type = 1): Uint8Array {
  return build({ id, flags: qr ? 0x8180 : 0x0100, questions: name === null ? [] : [[name, type]] });
}

/** A datagram from the client (query) or to it (response) at `t` seconds (address texts only, as tests build them). */
function datagram(bytes: Uint8Array, qr: boolean, t: number, clientIp = CLIENT, clientPort = 40000): WireDatagram {
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

/**
 * The engine with the transaction writer (whose records the tests read) and, fed the same messages, the engine with
 * the default writer (which holds only a query's name): every rule must count the same in both.
 */
function setup(options: Partial<CorrelatorOptions> = {}) {
  const all = { ...DEFAULT_CORRELATOR_OPTIONS, ...options };
  const counters = newCounters();
  const buffer = new RecordBuffer();
  const engine = new WirePairing(all, counters, new TransactionWriter(counters, buffer, "test"));
  const leanCounters = newCounters();
  const lean = new WirePairing(all, leanCounters, new GopassivednsWriter(leanCounters, new RecordBuffer(), "INFO"));
  const out: Record[] = [];
  const collect = () => {
    const text = new TextDecoder().decode(buffer.records());
    buffer.reset();
    for (const line of text.split("\n")) if (line !== "") out.push(JSON.parse(line));
  };
  const send = (qr: boolean, id: number, name: string | null, t: number, ip?: string, port?: number, type = 1) => {
    const bytes = wire(id, qr, name, type);
    engine.handle(datagram(bytes, qr, t, ip, port));
    lean.handle(datagram(bytes, qr, t, ip, port));
    collect();
  };
  const q = (id: number, name: string | null, t: number, ip?: string, port?: number, type?: number) =>
    send(false, id, name, t, ip, port, type);
  const r = (id: number, name: string | null, t: number, ip?: string, port?: number, type?: number) =>
    send(true, id, name, t, ip, port, type);
  const flush = () => {
    engine.flush();
    lean.flush();
    collect();
  };
  /** Both engines counted the same and hold the same number of entries. */
  const agree = () => {
    for (
      const name of [
        "pairs",
        "query_retransmits",
        "response_duplicates",
        "queries_unanswered",
        "responses_orphan",
        "dns_queries",
        "dns_responses",
      ] as const
    ) {
      assert.equal((leanCounters as Counters)[name], counters[name], name);
    }
    assert.equal(lean.pendingCount, engine.pendingCount);
  };
  return { counters, out, engine, q, r, flush, agree };
}

Deno.test("WirePairing pairs a query with its response", () => {
  const { out, q, r, counters, agree } = setup();
  q(1, "a.example", 100);
  r(1, "a.example", 100.002);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "answered");
  assert.equal(out[0].client_ip, CLIENT);
  assert.equal(out[0].client_port, 40000);
  assert.equal(out[0].server_ip, SERVER);
  assert.equal(out[0].query_time, "1970-01-01T00:01:40.000000000Z");
  assert.equal(out[0].response_time, "1970-01-01T00:01:40.002000000Z");
  assert.equal(counters.pairs, 1);
  agree();
});

Deno.test("WirePairing pairs a response seen before its query, keeping the client as client", () => {
  const { out, q, r, engine, agree } = setup();
  r(2, "rev.example", 100);
  assert.equal(out.length, 0);
  q(2, "rev.example", 100.001);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "answered");
  assert.equal(out[0].client_ip, CLIENT);
  assert.equal(out[0].server_port, 53);
  assert.equal(engine.pendingCount, 0);
  agree();
});

Deno.test("WirePairing counts a retransmitted query and still pairs the lookup", () => {
  const { out, q, r, counters, agree } = setup();
  q(3, "retrans.example", 100);
  q(3, "retrans.example", 100.5);
  r(3, "retrans.example", 100.6);
  assert.equal(out.length, 1);
  assert.equal(out[0].retransmits, 1);
  assert.equal(out[0].query_time, "1970-01-01T00:01:40.000000000Z", "the first copy of the query is kept");
  assert.equal(counters.query_retransmits, 1);
  agree();
});

Deno.test("WirePairing counts a duplicate response after a pairing and writes nothing for it", () => {
  const { out, q, r, counters, flush, agree } = setup();
  q(4, "dup.example", 100);
  r(4, "dup.example", 100.1);
  r(4, "dup.example", 100.2);
  flush();
  assert.equal(out.length, 1);
  assert.equal(counters.response_duplicates, 1);
  assert.equal(counters.responses_orphan, 0);
  agree();
});

Deno.test("WirePairing reports duplicated responses without a query as one orphan", () => {
  const { out, r, counters, flush, agree } = setup();
  r(5, "orphan.example", 100);
  r(5, "orphan.example", 100.1);
  agree();
  flush();
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "orphan_response");
  assert.equal(out[0].duplicate_responses, 1);
  assert.equal(out[0].reason, "end_of_input");
  assert.equal(counters.responses_orphan, 1);
  agree();
});

Deno.test("WirePairing keeps clients that reuse the same ID and port apart", () => {
  const { out, q, r, agree } = setup();
  q(6, "one.example", 100, "10.0.0.1", 42004);
  q(6, "two.example", 100.01, "10.0.0.2", 42004);
  r(6, "one.example", 100.02, "10.0.0.1", 42004);
  r(6, "two.example", 100.03, "10.0.0.2", 42004);
  assert.deepEqual(out.map((t) => [t.client_ip, t.question!.name]), [
    ["10.0.0.1", "one.example"],
    ["10.0.0.2", "two.example"],
  ]);
  agree();
});

Deno.test("WirePairing keeps a query whose ID is reused for another name until its own end", () => {
  const { out, q, r, flush, agree } = setup();
  q(7, "first.example", 100);
  q(7, "second.example", 101);
  r(7, "second.example", 101.1);
  agree();
  flush();
  assert.deepEqual(out.map((t) => [t.status, t.reason, t.question!.name]), [
    ["answered", "paired", "second.example"],
    ["unanswered", "end_of_input", "first.example"],
  ]);
  agree();
});

Deno.test("WirePairing pairs two lookups in flight under one key, answered in order (Q1 Q2 R1 R2)", () => {
  const { out, q, r, counters, engine, agree } = setup();
  q(9, "a.example", 100);
  q(9, "a.example", 100.001, undefined, undefined, 28);
  r(9, "a.example", 100.002);
  r(9, "a.example", 100.003, undefined, undefined, 28);
  assert.deepEqual(out.map((t) => [t.status, t.question!.type]), [["answered", "A"], ["answered", "AAAA"]]);
  assert.equal(counters.pairs, 2);
  assert.equal(engine.pendingCount, 0);
  assert.equal(counters.response_duplicates + counters.queries_unanswered + counters.responses_orphan, 0);
  agree();
});

Deno.test("WirePairing pairs two lookups in flight under one key, answered out of order (Q1 Q2 R2 R1)", () => {
  const { out, q, r, counters, agree } = setup();
  q(9, "one.example", 100);
  q(9, "two.example", 100.001);
  r(9, "TWO.example", 100.002);
  r(9, "one.example", 100.003);
  assert.deepEqual(out.map((t) => [t.status, t.question!.name]), [
    ["answered", "two.example"],
    ["answered", "one.example"],
  ]);
  assert.equal(out[1].query_time, "1970-01-01T00:01:40.000000000Z", "the held query keeps its own time");
  assert.equal(counters.pairs, 2);
  agree();
});

Deno.test("WirePairing pairs responses that came first with their queries, several under one key", () => {
  const { out, q, r, counters, agree } = setup();
  r(9, "one.example", 100);
  r(9, "two.example", 100.001);
  q(9, "two.example", 100.002);
  q(9, "one.example", 100.003);
  assert.deepEqual(out.map((t) => [t.status, t.question!.name]), [
    ["answered", "two.example"],
    ["answered", "one.example"],
  ]);
  assert.equal(counters.pairs, 2);
  agree();
});

Deno.test("WirePairing pairs a response with the oldest held query asking the same, after a retransmission", () => {
  const { out, q, r, counters, agree } = setup();
  q(9, "one.example", 100);
  q(9, "two.example", 100.1);
  q(9, "one.example", 100.2);
  r(9, "one.example", 100.3);
  assert.equal(counters.query_retransmits, 1);
  assert.deepEqual(out.map((t) => [t.question!.name, t.query_time, t.retransmits]), [
    ["one.example", "1970-01-01T00:01:40.000000000Z", 1],
  ]);
  agree();
});

Deno.test("WirePairing counts a copy of an answered response as a duplicate while another lookup waits", () => {
  const { out, q, r, counters, flush, agree } = setup();
  q(9, "one.example", 100);
  q(9, "two.example", 100.001);
  r(9, "one.example", 100.002);
  r(9, "one.example", 100.003);
  r(9, "two.example", 100.004);
  flush();
  assert.deepEqual(out.map((t) => t.status), ["answered", "answered"]);
  assert.equal(counters.response_duplicates, 1);
  assert.equal(counters.responses_orphan, 0);
  agree();
});

Deno.test("WirePairing holds at most MAX_PER_KEY lookups under one key, replacing the oldest", () => {
  const { out, q, counters, engine, agree } = setup();
  for (let i = 0; i <= MAX_PER_KEY; i++) q(9, `n${i}.example`, 100 + i / 1000);
  assert.equal(engine.pendingCount, MAX_PER_KEY);
  assert.equal(counters.correlation_evicted, 1);
  assert.deepEqual(out.map((t) => [t.reason, t.question!.name]), [["replaced", "n0.example"]]);
  agree();
});

Deno.test("WirePairing bounds the bytes it holds and writes held messages from their copies", () => {
  const big = 1 << 20;
  const { out, r, counters, engine } = setup({ maxPendingBytes: big });
  const perEntry = HELD_WHOLE_SLOT_BYTES + wire(1, true, "x00000.example").length;
  const fits = Math.floor(big / perEntry);
  for (let i = 0; i < fits + 10; i++) r(i, `x${String(i).padStart(5, "0")}.example`, 100);
  assert.equal(engine.pendingCount, fits);
  assert.equal(counters.correlation_evicted, 10);
  assert.deepEqual(out.map((t) => [t.reason, t.status, t.question!.name]).slice(0, 2), [
    ["evicted", "orphan_response", "x00000.example"],
    ["evicted", "orphan_response", "x00001.example"],
  ]);
});

Deno.test("WirePairing does not pair a response that answers another question", () => {
  const { out, q, r, flush, agree } = setup();
  q(8, "asked.example", 100);
  r(8, "other.example", 100.1);
  flush();
  assert.deepEqual(out.map((t) => t.status), ["unanswered", "orphan_response"]);
  agree();
});

Deno.test("WirePairing expires old entries on packet time, not wall time", () => {
  const { out, q, counters, agree } = setup({ gcAgeMs: 5_000, gcIntervalMs: 5_000 });
  q(9, "old.example", 100);
  q(10, "new.example", 103);
  assert.equal(out.length, 0, "no sweep before the interval has passed in packet time");
  q(11, "later.example", 106);
  assert.deepEqual(out.map((t) => [t.id, t.reason]), [[9, "expired"]]);
  assert.equal(counters.queries_unanswered, 1);
  agree();
});

Deno.test("WirePairing bounds its table and counts evictions", () => {
  const { out, q, counters, engine, agree } = setup({ maxPending: 2 });
  q(1, "a.example", 100);
  q(2, "b.example", 100);
  q(3, "c.example", 100);
  assert.equal(engine.pendingCount, 2);
  assert.equal(counters.correlation_evicted, 1);
  assert.deepEqual(out.map((t) => [t.id, t.reason]), [[1, "evicted"]]);
  agree();
});

Deno.test("WirePairing matches on the key alone when a message has no question", () => {
  const { out, q, r, agree } = setup();
  q(12, null, 100);
  r(12, null, 100.1);
  assert.equal(out.length, 1);
  assert.equal(out[0].status, "answered");
  assert.equal(out[0].question, null);
  agree();
});

Deno.test("WirePairing compares questions without regard to ASCII case, but with their type", () => {
  const { out, q, r, flush, agree } = setup();
  q(13, "WwW.Example", 100);
  r(13, "www.example", 100.1);
  q(14, "www.example", 101, undefined, undefined, 1);
  r(14, "www.example", 101.1, undefined, undefined, 28);
  flush();
  assert.deepEqual(out.map((t) => [t.id, t.status]), [[13, "answered"], [14, "unanswered"], [14, "orphan_response"]]);
  agree();
});

Deno.test("WirePairing hands output on after every lookup it writes, also when the end of input gives up on many", () => {
  const counters = newCounters();
  const buffer = new RecordBuffer();
  let calls = 0;
  const engine = new WirePairing(
    DEFAULT_CORRELATOR_OPTIONS,
    counters,
    new TransactionWriter(counters, buffer, "test"),
    () => calls++,
  );
  for (let i = 0; i < 50; i++) engine.handle(datagram(wire(i, true, `o${i}.example`), true, 100));
  assert.equal(calls, 0);
  engine.flush();
  assert.equal(calls, 50, "one call per record, so a caller can drain between them");
  assert.equal(counters.records, 50);
});

for (const format of ["gopassivedns", "transaction"] as const) {
  const reads = format === "gopassivedns"
    ? "the default format's packer reads the query's there"
    : "the transaction record takes it from the response's walk";
  Deno.test(`a pairing tells the ${format} writer when the two first questions are the same bytes (${reads})`, () => {
    const seen: boolean[] = [];
    const counters = newCounters();
    const out = new RecordBuffer();
    const writer = format === "gopassivedns"
      ? new (class extends GopassivednsWriter {
        override write(l: Lookup): number {
          seen.push(l.questionsIdentical);
          return super.write(l);
        }
      })(counters, out, "INFO")
      : new (class extends TransactionWriter {
        override write(l: Lookup): number {
          seen.push(l.questionsIdentical);
          return super.write(l);
        }
      })(counters, out, "test");
    const engine = new WirePairing(DEFAULT_CORRELATOR_OPTIONS, counters, writer);
    const pair = (id: number, asked: string | null, answered: string | null, responseFirst = false) => {
      const query = datagram(wire(id, false, asked), false, id);
      const response = datagram(wire(id, true, answered), true, id + 0.5);
      for (const d of responseFirst ? [response, query] : [query, response]) engine.handle(d);
    };
    pair(1, "ExAmple.com", "ExAmple.com");
    pair(2, "ExAmple.com", "example.com"); // paired, the case folded
    pair(3, null, "example.com"); // a query without a question pairs on its key alone
    pair(4, "ExAmple.com", null);
    pair(5, "ExAmple.com", "ExAmple.com", true); // the response came first: held whole, not compared this way
    pair(6, "a.example", "a.example");
    assert.equal(counters.pairs, 6);
    assert.deepEqual(seen, [true, false, false, false, false, true]);
    if (format === "transaction") {
      // The record's question: the query's (in its case) whether it was read from the query or the response.
      const records: Record[] = new TextDecoder().decode(out.records()).trim().split("\n").map((line) =>
        JSON.parse(line)
      );
      assert.deepEqual(records.map((r) => r.question?.name ?? null), [
        "ExAmple.com",
        "ExAmple.com",
        "example.com",
        "ExAmple.com",
        "ExAmple.com",
        "a.example",
      ]);
    }
  });
}

Deno.test("WirePairing holds a query's name up to INLINE_NAME_BYTES in its slot, a longer one in the held bytes", () => {
  const counters = newCounters();
  const out = new RecordBuffer();
  const engine = new WirePairing(DEFAULT_CORRELATOR_OPTIONS, counters, new GopassivednsWriter(counters, out, "INFO"));
  // Expanded wire lengths 63, 64 (the most held in the slot), 65 and 200 (four labels of 49 characters).
  const names = [63, 64, 65].map(nameOfWireLength).concat([Array(4).fill("l".repeat(49)).join(".")]);
  names.forEach((name, i) => engine.handle(datagram(wire(20 + i, false, name), false, 100 + i / 1000)));
  assert.equal(engine.pendingCount, 4);
  assert.equal(INLINE_NAME_BYTES, 64);
  assert.equal(engine.heldBytes.liveBytes, 65 + 200, "only the two longer names are in the held bytes");
  // Answered out of order, each echoing its name in upper case: every held name, wherever kept, compares and is
  // written (in the query's case).
  for (const i of [3, 1, 0, 2]) {
    const response = build({
      id: 20 + i,
      questions: [[names[i].toUpperCase(), 1]],
      answers: [rr(names[i], 1, 60, [192, 0, 2, i])],
    });
    engine.handle(datagram(response, true, 101 + i / 1000));
  }
  assert.equal(counters.pairs, 4);
  assert.equal(engine.pendingCount, 0);
  assert.equal(engine.heldBytes.liveBytes, 0);
  const written = new TextDecoder().decode(out.records()).trim().split("\n").map((line) => JSON.parse(line).q);
  assert.deepEqual(written, [3, 1, 0, 2].map((i) => names[i]));
});

Deno.test("WirePairing counts a name held in the slot within the slot's cost against -max_pending_bytes", () => {
  const counters = newCounters();
  const options = { ...DEFAULT_CORRELATOR_OPTIONS, maxPendingBytes: 10 * HELD_SLOT_BYTES };
  const engine = new WirePairing(options, counters, new GopassivednsWriter(counters, new RecordBuffer(), "INFO"));
  for (let i = 0; i < 12; i++) engine.handle(datagram(wire(i, false, "q".repeat(63)), false, 100 + i / 1000));
  assert.equal(engine.pendingCount, 10, "ten slots of HELD_SLOT_BYTES each, their 64-byte names included");
  assert.equal(counters.correlation_evicted, 2);
  // A longer name costs its bytes besides: fewer fit.
  const long = new WirePairing(
    options,
    newCounters(),
    new GopassivednsWriter(newCounters(), new RecordBuffer(), "INFO"),
  );
  for (let i = 0; i < 12; i++) long.handle(datagram(wire(i, false, nameOfWireLength(80)), false, 100 + i / 1000));
  assert.equal(long.pendingCount, Math.floor(10 * HELD_SLOT_BYTES / (HELD_SLOT_BYTES + 80)));
});

/** A name of `n` bytes in expanded wire form (root octet excluded): two labels past one label's 63 octets. */
function nameOfWireLength(n: number): string {
  if (n <= 64) return "q".repeat(n - 1);
  const first = (n - 2) >> 1;
  return "q".repeat(first) + "." + "r".repeat(n - 2 - first);
}
