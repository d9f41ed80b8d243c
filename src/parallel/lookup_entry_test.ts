import assert from "node:assert/strict";
import { newCounters } from "../metrics/counters.ts";
import { GopassivednsWriter } from "../record/gopassivedns_writer.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { BatchWriter } from "./lookup_batch.ts";
import { lookupReplay, LookupUnpacker, RemoteGopassivednsWriter } from "./lookup_entry.ts";
import { plainQuestionLength } from "../dns/wire_scan.ts";
import type { Lookup } from "../correlate/lookup.ts";
import { leg, lookup, message } from "./_test_lookups.ts";

for (const inPlace of [false, true]) {
  const how = inPlace ? "read in place from a shared capture chunk" : "copied into the batch";
  Deno.test(`a lookup packed for the worker (response ${how}) writes the records the writer writes itself`, () => {
    const cases = [
      lookup(false, true, true, 2, false, "identical"),
      lookup(true, false, false, 1),
      lookup(false, true, false, 0),
      lookup(false, true, true, 1, false, "case differs"),
      lookup(true, true, false, 3, false, "identical"),
      // Both addresses IPv4 (packed as 4 bytes each); then also with times past 2^32 s (packed as doubles).
      withIpv4Server(lookup(false, true, true, 1, false, "identical")),
      withLateTimes(withIpv4Server(lookup(true, true, false, 2))),
      // Two questions: the worker scans the response again (the others it reads as this thread's scan says).
      withTwoQuestions(lookup(false, true, true, 1)),
    ];
    assert.deepEqual(
      cases.map((l) => plainQuestionLength(l.response.question, l.response.reader!) > 0),
      [true, true, true, true, true, true, true, false],
    );
    // Written directly, as one thread does.
    const direct = new RecordBuffer(1 << 16);
    const directCounters = newCounters();
    const writer = new GopassivednsWriter(directCounters, direct, "INFO");
    for (const l of cases) directCounters.records += writer.write(l);
    // The responses' buffers stand for capture chunks shared with the worker.
    const chunks = inPlace ? [...new Set(cases.map((l) => l.response.reader!.bytes))] : [];
    // Packed on the decoding thread (into small batches, so an entry also starts a new buffer), replayed on the worker.
    const batches: Uint8Array[] = [];
    const batch = new BatchWriter(256, (buffer, used) => batches.push(new Uint8Array(buffer, 0, used)), () => {
      return new ArrayBuffer(256);
    });
    const mainCounters = newCounters();
    batch.chunkIndexOf = (bytes) => chunks.indexOf(bytes);
    const remote = new RemoteGopassivednsWriter(mainCounters, batch, "INFO");
    for (const l of cases) assert.equal(remote.write(l), 0, "counted by the worker");
    batch.sendNow();
    assert.ok(batches.length >= (inPlace ? 1 : 2));
    // Each entry: its head (13 bytes), the times (16 bytes when the seconds fit 32 bits, else 24), the addresses (8
    // bytes when both are IPv4, else 32), the query's type and name unless the response's question is the same bytes,
    // then the response's bytes, or where it is (8 bytes) when in place.
    const expected = cases.reduce((sum, l) => {
      const q = l.query.question;
      const question = l.questionsIdentical ? 0 : 4 + (q.hasQuestion ? q.nameLength : 0);
      const times = l.query.tsSec < 2 ** 32 ? 16 : 24;
      const addresses = l.server[0] === 0 ? 8 : 32;
      return sum + 13 + times + addresses + question +
        (inPlace ? 8 : l.response.reader!.end - l.response.reader!.base);
    }, 0);
    assert.equal(batches.reduce((sum, b) => sum + b.length, 0), expected);
    const replayed = new RecordBuffer(1 << 16);
    const workerCounters = newCounters();
    const workerWriter = new GopassivednsWriter(workerCounters, replayed, "INFO");
    const reader = lookupReplay(
      (l) => workerWriter.write(l),
      workerCounters,
      new LookupUnpacker(chunks),
      () => {},
    );
    for (const bytes of batches) reader.read(bytes, bytes.length);
    assert.equal(directCounters.records, 11);
    assert.equal(workerCounters.records, 11);
    assert.equal(new TextDecoder().decode(replayed.records()), new TextDecoder().decode(direct.records()));
    // The name in the query's case (also where the response's differs), the transports and the times made it across.
    const text = new TextDecoder().decode(replayed.records());
    assert.doesNotMatch(text, /"q":"example\.com"/);
    assert.equal(text.match(/"q":"ExAmple\.com"/g)?.length, 11);
    assert.match(text, /"protocol":"tcp"/);
    assert.match(text, /"protocol":"udp"/);
    assert.match(text, /"elapsed":876544198,/);
    assert.equal(text.match(/"dst":"2001:db8::35"/g)?.length, 8);
    assert.equal(text.match(/"dst":"198\.51\.100\.53"/g)?.length, 3);
    assert.equal(text.match(/"src":"192\.0\.2\.7"/g)?.length, 11);
    assert.equal(text.match(/"tstamp":"2242-03-16 /g)?.length, 2, "times past 2^32 s made it across");
  });
}

/** The lookup with a response asking its question twice (QDCOUNT 2), answered once. */
function withTwoQuestions(l: Lookup): Lookup {
  const one = message(0x8180, 1);
  // The frame: 5 bytes, the header (12), the question (ExAmple.com A IN: 17), the answer, 4 bytes.
  const at = 5 + 12;
  const length = 17;
  const bytes = new Uint8Array(one.length + length);
  bytes.set(one.subarray(0, at + length));
  bytes.set(one.subarray(at, at + length), at + length);
  bytes.set(one.subarray(at + length), at + 2 * length);
  bytes[5 + 5] = 2;
  const r = leg(bytes);
  l.response.reader = r.reader;
  l.response.question = r.question;
  return l;
}

/** The lookup with an IPv4 server (192.0.2.7 asks 198.51.100.53). */
function withIpv4Server(l: Lookup): Lookup {
  l.server.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 53]);
  return l;
}

/** The lookup with both legs' seconds past 2^32 (the pcapng format's 64-bit times allow them). */
function withLateTimes(l: Lookup): Lookup {
  l.query.tsSec = 2 ** 33;
  l.response.tsSec = 2 ** 33 + 1;
  return l;
}

Deno.test("unanswered and orphan lookups are not packed: the default format writes nothing for them", () => {
  const batch = new BatchWriter(256, () => assert.fail("nothing to send"), () => new ArrayBuffer(256));
  const remote = new RemoteGopassivednsWriter(newCounters(), batch, "INFO");
  const l = lookup(false, true, true, 1);
  l.status = "unanswered";
  assert.equal(remote.write(l), 0);
  l.status = "orphan_response";
  assert.equal(remote.write(l), 0);
  assert.equal(batch.used, 0);
});
