import assert from "node:assert/strict";
import type { Lookup } from "../correlate/lookup.ts";
import type { Tunnel } from "../decode/tunnels.ts";
import { newCounters } from "../metrics/counters.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { TransactionWriter } from "../record/transaction_writer.ts";
import { BatchWriter } from "./lookup_batch.ts";
import { lookupReplay } from "./lookup_entry.ts";
import { mainWalksOneIn, RemoteTransactionWriter, TransactionUnpacker } from "./transaction_entry.ts";
import { leg, lookup } from "./_test_lookups.ts";

const NAME = [7, ...new TextEncoder().encode("ExAmple"), 3, ...new TextEncoder().encode("com"), 0];
/** An OPT RR (UDP size 1232, DO bit) with a COOKIE option: the record's EDNS object is written from its options. */
const OPT_WITH_COOKIE = [0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];

/**
 * A response to ExAmple.com A: `answers` A records, then `additional` (one RR's bytes, or none), then `trailing`. With
 * `twoQuestions` it asks ExAmple.com AAAA too: not the usual shape, so the worker scans its question section again
 * instead of reading it at known places (`plainQuestionLength`).
 */
function response(answers: number, additional: number[], trailing: number[] = [], twoQuestions = false): Uint8Array {
  const bytes = [0x12, 0x34, 0x81, 0x80, 0, twoQuestions ? 2 : 1, 0, answers, 0, 0, 0, additional.length > 0 ? 1 : 0];
  bytes.push(...NAME, 0, 1, 0, 1);
  if (twoQuestions) bytes.push(0xc0, 12, 0, 28, 0, 1);
  for (let i = 0; i < answers; i++) bytes.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, i + 1);
  bytes.push(...additional, ...trailing);
  const frame = new Uint8Array(bytes.length + 9);
  frame.set(bytes, 5);
  return frame;
}

const TUNNELS: Tunnel[] = [
  { kind: "vxlan", outerSrcIp: "10.0.0.1", outerDstIp: "10.0.0.2", id: 4242, labels: null },
  { kind: "mpls", outerSrcIp: null, outerDstIp: null, id: null, labels: [16, 1048575] },
];

/** Lookups of every kind the engine hands the transaction writer, over every part of an entry. */
function cases(): Lookup[] {
  // 24, so that the worker walks responses (one in 2 with one worker) with an anomaly among them, up to one in 6.
  const all: Lookup[] = [];
  for (let n = 0; n < 24; n++) {
    const l = lookup(n % 4 === 1, n % 5 !== 3, n % 2 === 0, n % 3, true, n % 3 === 0 ? "identical" : "unchecked");
    const r = leg(
      n % 3 === 0
        ? response(1, OPT_WITH_COOKIE)
        : n % 3 === 1
        ? response(2, [], [0xde, 0xad])
        : response(0, [], [], n % 4 === 2),
    );
    l.response.reader = r.reader;
    l.response.question = r.question;
    l.query.current = !l.response.current;
    l.query.wireLen = 70 + n;
    l.query.interfaceId = n % 3;
    l.response.interfaceId = n % 3;
    l.query.vlans = n % 4 === 2 ? [100, 4095] : [];
    l.response.vlans = l.query.vlans;
    l.query.tunnels = n % 6 === 5 ? TUNNELS : [];
    l.response.tunnels = l.query.tunnels;
    l.retransmits = n % 7 === 0 ? 2 : 0;
    l.duplicateResponses = n % 5 === 0 ? 1 : 0;
    if (n % 4 === 3) {
      l.status = "unanswered";
      l.reason = "expired";
      l.response.present = false;
    } else if (n === 10) {
      l.status = "orphan_response";
      l.reason = "evicted";
      l.query.present = false;
    }
    all.push(l);
  }
  return all;
}

for (const [inPlace, workers] of [[false, 1], [true, 1], [true, 3]] as const) {
  const how = inPlace ? "the message being handled read in place from a shared capture chunk" : "messages copied";
  Deno.test(`transaction lookups packed for ${workers} worker(s) (${how}) write the records the writer writes`, () => {
    const lookups = cases();
    // Written directly, as one thread does.
    const direct = new RecordBuffer(1 << 16);
    const directCounters = newCounters();
    const writer = new TransactionWriter(directCounters, direct, "sensor-1");
    for (const l of lookups) directCounters.records += writer.write(l);
    // The current legs' buffers stand for capture chunks shared with the worker.
    const current = lookups.flatMap((l) => [l.query, l.response]).filter((leg) => leg.present && leg.current);
    const chunks = inPlace ? [...new Set(current.map((leg) => leg.reader!.bytes))] : [];
    // Packed on the decoding thread into small batches (an entry also starts a new buffer), replayed on the worker.
    const batches: Uint8Array[] = [];
    const batch = new BatchWriter(512, (buffer, used) => batches.push(new Uint8Array(buffer, 0, used)), () => {
      return new ArrayBuffer(512);
    });
    batch.chunkIndexOf = (bytes) => chunks.indexOf(bytes);
    const mainCounters = newCounters();
    const remote = new RemoteTransactionWriter(mainCounters, batch, Infinity, workers);
    for (const l of lookups) assert.equal(remote.write(l), 0, "counted by the worker");
    batch.sendNow();
    assert.ok(batches.length >= 3, `${batches.length} batches`);
    const replayed = new RecordBuffer(1 << 16);
    const workerCounters = newCounters();
    const workerWriter = new TransactionWriter(workerCounters, replayed, "sensor-1");
    const unpacker = new TransactionUnpacker(chunks);
    let walkedThere = 0;
    const partsOffsets: number[] = [];
    const sameQuestions: boolean[] = [];
    const reader = lookupReplay(
      (l) => {
        sameQuestions.push(l.questionsIdentical);
        if (l.response.present && unpacker.walkedResponse === null) walkedThere++;
        if (unpacker.walkedResponse !== null) partsOffsets.push(unpacker.walkedResponse.questionStart);
        return workerWriter.writeWalked(l, null, unpacker.walkedResponse);
      },
      workerCounters,
      unpacker,
      () => {},
    );
    for (const bytes of batches) reader.read(bytes, bytes.length);
    assert.equal(workerCounters.records, lookups.length);
    // The engine's finding that the first questions are the same bytes travels (the worker's walk of the query
    // leaves its name out then).
    assert.deepEqual(sameQuestions, lookups.map((l) => l.questionsIdentical));
    assert.ok(sameQuestions.includes(true) && sameQuestions.includes(false));
    assert.equal(new TextDecoder().decode(replayed.records()), new TextDecoder().decode(direct.records()));
    // Responses are walked on every thread (one in n + 1 here), their anomalies counted once.
    const responses = lookups.filter((l) => l.response.present).length;
    assert.equal(mainWalksOneIn(workers), workers + 1);
    assert.equal(responses - walkedThere, Math.ceil(responses / mainWalksOneIn(workers)));
    // A walked response's parts start at a multiple of 8 in the (shared) batch, as in their own buffer: V8 copies
    // between shared and ordinary memory word by word only at the same alignment.
    assert.equal(partsOffsets.length, responses - walkedThere);
    assert.deepEqual(partsOffsets.filter((at) => at % 8 !== 0), [], `parts at ${partsOffsets.join(", ")}`);
    assert.ok(mainCounters.dns_anomalies > 0 && workerCounters.dns_anomalies > 0);
    assert.equal(mainCounters.dns_anomalies + workerCounters.dns_anomalies, directCounters.dns_anomalies);
    // Not vacuous: the cases reach every part of the record.
    const text = new TextDecoder().decode(replayed.records());
    for (
      const part of [
        /"status":"unanswered"/,
        /"status":"orphan_response"/,
        /"vlans":\[100,4095\]/,
        /"vxlan"/,
        /"response:trailing_bytes"/,
        /"protocol":"tcp"/,
      ]
    ) {
      assert.match(text, part);
    }
    assert.match(text, /"response_edns":\{[^}]*"options"/);
  });
}

Deno.test("a message the engine drops is walked on the decoding thread for its anomalies, and not sent", () => {
  const batch = new BatchWriter(512, () => assert.fail("nothing to send"), () => new ArrayBuffer(512));
  const counters = newCounters();
  const remote = new RemoteTransactionWriter(counters, batch);
  const duplicate = leg(response(1, [], [0xde, 0xad]));
  remote.dropped(duplicate.reader, duplicate.question);
  const clean = leg(response(1, []));
  remote.dropped(clean.reader, clean.question);
  assert.equal(counters.dns_anomalies, 1);
  assert.equal(batch.used, 0);
});
