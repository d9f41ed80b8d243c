import assert from "node:assert/strict";
import { Lookup } from "../correlate/lookup.ts";
import { MessageReader } from "../dns/_reader.ts";
import { scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import { newCounters } from "../metrics/counters.ts";
import { GopassivednsWriter } from "../record/gopassivedns_writer.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { BatchWriter } from "./datagram_batch.ts";
import { lookupReplay, LookupUnpacker, RemoteGopassivednsWriter } from "./lookup_entry.ts";

const NAME = [7, ...new TextEncoder().encode("ExAmple"), 3, ...new TextEncoder().encode("com"), 0];

/** A DNS message: header, one question (A, IN) and, for a response, `answers` A records pointing at the name. */
function message(flags: number, answers: number, qdcount = 1): Uint8Array {
  const bytes = [0x12, 0x34, flags >> 8, flags & 255, 0, qdcount, 0, answers, 0, 0, 0, 0];
  if (qdcount > 0) bytes.push(...NAME, 0, 1, 0, 1);
  for (let i = 0; i < answers; i++) bytes.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, i + 1);
  // A range of a larger buffer, as the engine hands it.
  const frame = new Uint8Array(bytes.length + 9);
  frame.set(bytes, 5);
  return frame;
}

function leg(bytes: Uint8Array): { reader: MessageReader; question: WireQuestion } {
  const reader = new MessageReader();
  reader.resetRange(bytes, 5, bytes.length - 4);
  const question = new WireQuestion();
  scanQuestion(reader, question);
  return { reader, question };
}

function lookup(tcp: boolean, queryHasQuestion: boolean, current: boolean, answers: number): Lookup {
  const l = new Lookup();
  const query = leg(message(0x0100, 0, queryHasQuestion ? 1 : 0));
  const response = leg(message(0x8180, answers));
  l.transport = tcp ? "tcp" : "udp";
  l.client.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]);
  l.server.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 53]);
  l.clientPort = 40123;
  l.serverPort = 53;
  l.query.present = true;
  l.query.question = query.question;
  l.query.tsSec = 1_700_000_000;
  l.query.tsNsec = 123_456_789;
  l.response.present = true;
  l.response.current = current;
  l.response.reader = response.reader;
  l.response.question = response.question;
  l.response.tsSec = 1_700_000_001;
  l.response.tsNsec = 987;
  l.response.wireLen = 321;
  return l;
}

for (const inPlace of [false, true]) {
  const how = inPlace ? "read in place from a shared capture chunk" : "copied into the batch";
  Deno.test(`a lookup packed for the worker (response ${how}) writes the records the writer writes itself`, () => {
    const cases = [lookup(false, true, true, 2), lookup(true, false, false, 1), lookup(false, true, false, 0)];
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
    // Each entry: its head, the query's name, then the response's bytes, or where it is (8 bytes) when in place.
    const expected = cases.reduce((sum, l) => {
      const name = l.query.question.hasQuestion ? l.query.question.nameLength : 0;
      return sum + 84 + name + (inPlace ? 8 : l.response.reader!.end - l.response.reader!.base);
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
    assert.equal(directCounters.records, 3);
    assert.equal(workerCounters.records, 3);
    assert.equal(new TextDecoder().decode(replayed.records()), new TextDecoder().decode(direct.records()));
    // The name in its case, the transports and the times made it across.
    const text = new TextDecoder().decode(replayed.records());
    assert.match(text, /"q":"ExAmple\.com"/);
    assert.match(text, /"protocol":"tcp"/);
    assert.match(text, /"protocol":"udp"/);
    assert.match(text, /"elapsed":876544198,/);
  });
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
