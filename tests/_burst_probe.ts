/**
 * Test helper, run as a subprocess by tests/numprocs_burst_test.ts (stdout is the records, stderr one JSON line):
 * a lookup worker is started, then one synchronous burst packs `count` transaction lookups, as an expiry sweep or
 * the end of input does, and the number of lookup batches the burst made is reported, with the number it fills. `sink`: "stdout" (the worker
 * writes stdout itself) or "memory" (the records come back to this thread); `failAt` > 0: the worker throws on that
 * entry (the burst must not wait for it).
 */
import { DEFAULT_CORRELATOR_OPTIONS } from "../src/correlate/pairing_options.ts";
import { newCounters } from "../src/metrics/counters.ts";
import { BatchWriter } from "../src/parallel/lookup_batch.ts";
import { BATCH_BYTES, RemoteStage } from "../src/parallel/remote_stage.ts";
import { RemoteTransactionWriter } from "../src/parallel/transaction_entry.ts";
import { lookup } from "../src/parallel/_test_lookups.ts";
import { StdoutSink } from "../src/sinks/stdout_sink.ts";
import { MemorySink } from "./_replay.ts";

const [sinkKind, countText, failAtText] = Deno.args;
const sink = sinkKind === "stdout"
  ? new StdoutSink(Deno.stdout, { workerStopAsked: new SharedArrayBuffer(4) })
  : new MemorySink();
const counters = newCounters();
const stage = { correlator: DEFAULT_CORRELATOR_OPTIONS, format: "transaction" as const, level: "", sensor: "probe" };
const remote = new RemoteStage({ stage, startBytes: 0, failAt: Number(failAtText ?? 0) }, counters, sink);
const writer = new RemoteTransactionWriter(counters, remote.writer);
// A response of 60 answers (about 1 KB): every entry is a kilobyte or more.
const l = lookup(false, true, false, 60, true);
l.query.current = true;
// One batch first, so the worker is known to run.
writer.write(l);
await remote.batchEnd(false);
for (let i = 0; i < 50 && counters.records === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
const before = remote.batchesMade;
const count = Number(countText);
for (let i = 0; i < count; i++) writer.write(l);
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
console.error(JSON.stringify({ made, filled, written: sink.stats.written, failed }));
