/**
 * Test helper, run as a subprocess by tests/numprocs_burst_test.ts (stdout is the records, stderr one JSON line):
 * a lookup worker is started, then one synchronous burst packs `count` transaction lookups, as an expiry sweep or
 * the end of input does, and the number of lookup batches the burst made is reported, with the number it fills. `sink`: "stdout" (the worker
 * writes stdout itself) or "memory" (the records come back to this thread: then whether they came in order is
 * reported too); `failAt` > 0: the worker throws on that entry (the burst must not wait for it); `answers`: the
 * A records of each response (above 1 000, on a 200-character name: 3 000 make records of about 800 KB, larger than
 * an output slot); `overflowMaxBytes`: the most the overflow slot grows to (smaller than a record: sent in messages).
 * `PROBE_WORKERS` in the environment: the lookup workers (default 1), taking the batches in turn.
 */
import { DEFAULT_CORRELATOR_OPTIONS } from "../src/correlate/pairing_options.ts";
import { newCounters } from "../src/metrics/counters.ts";
import { BatchWriter } from "../src/parallel/lookup_batch.ts";
import { BATCH_BYTES, RemoteStage } from "../src/parallel/remote_stage.ts";
import { RemoteTransactionWriter } from "../src/parallel/transaction_entry.ts";
import { leg, lookup } from "../src/parallel/_test_lookups.ts";
import { StdoutSink } from "../src/sinks/stdout_sink.ts";
import { MemorySink } from "./_replay.ts";
import { inBurstOrder } from "./_burst_order.ts";

const [sinkKind, countText, failAtText, answersText, overflowText] = Deno.args;
const sink = sinkKind === "stdout"
  ? new StdoutSink(Deno.stdout, { workerStopAsked: new SharedArrayBuffer(4) })
  : new MemorySink();
const counters = newCounters();
const stage = { correlator: DEFAULT_CORRELATOR_OPTIONS, format: "transaction" as const, level: "", sensor: "probe" };
const overflowMaxBytes = overflowText === undefined ? undefined : Number(overflowText);
const workers = Number(Deno.env.get("PROBE_WORKERS") ?? 1);
const remote = new RemoteStage(
  { stage, startBytes: 0, failAt: Number(failAtText ?? 0), overflowMaxBytes, workers },
  counters,
  sink,
);
const writer = new RemoteTransactionWriter(counters, remote.writer, Infinity, workers);
// By default a response of 60 answers (about 1 KB): every entry is a kilobyte or more.
const answers = Number(answersText ?? 60);
const l = lookup(false, true, false, answers, true);
if (answers > 1_000) {
  // Each answer's owner points at a 200-character question name: the record repeats it in full.
  const label = [50, ...new TextEncoder().encode("a".repeat(50))];
  const bytes = [0x12, 0x34, 0x81, 0x80, 0, 1, answers >> 8, answers & 255, 0, 0, 0, 0];
  bytes.push(...label, ...label, ...label, ...label, 0, 0, 1, 0, 1);
  for (let i = 0; i < answers; i++) bytes.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, i & 255);
  const framed = new Uint8Array(bytes.length + 9);
  framed.set(bytes, 5);
  const response = leg(framed);
  l.response.reader = response.reader;
  l.response.question = response.question;
}
l.query.current = true;
// One batch first, so the worker is known to run.
l.id = 65535;
writer.write(l);
await remote.batchEnd(false);
for (let i = 0; i < 50 && counters.records === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
const before = remote.batchesMade;
const count = Number(countText);
for (let i = 0; i < count; i++) {
  l.id = i & 0xffff;
  writer.write(l);
}
const made = remote.batchesMade - before;
// The bytes of one entry, packed apart: the burst fills `count` times that.
const apart = new BatchWriter(BATCH_BYTES, () => {}, () => new ArrayBuffer(BATCH_BYTES));
new RemoteTransactionWriter(newCounters(), apart).write(l);
const filled = Math.floor(count * apart.used / BATCH_BYTES);
let failed = "";
try {
  await remote.finish();
} catch (error) {
  failed = (error as Error).message;
}
await sink.flush();
let ordered: boolean | null = null;
if (sink instanceof MemorySink) {
  const ids = sink.lines.map((line) => JSON.parse(line).id);
  ordered = ids.length === count + 1 && inBurstOrder(ids);
}
console.error(JSON.stringify({ made, filled, written: sink.stats.written, failed, ordered }));
