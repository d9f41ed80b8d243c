import assert from "node:assert/strict";
import { newCounters } from "./counters.ts";
import { runSummary } from "./summary.ts";

Deno.test("runSummary() adds each sink's non-zero counters after the counters, and says packets=0 for nothing", () => {
  assert.equal(runSummary(newCounters(), null), "packets=0");
  const counters = newCounters();
  counters.packets = 3;
  counters.records = 2;
  const stdout = { name: "stdout", stats: { written: 1, dropped: 0, failed: 1 } };
  assert.equal(
    runSummary(counters, { name: "fan-out", stats: {}, sinks: [stdout] }),
    "packets=3 records=2 stdout.written=1 stdout.failed=1",
  );
  assert.equal(runSummary(counters, stdout), "packets=3 records=2 stdout.written=1 stdout.failed=1");
});
