/**
 * `-numprocs 2`, transaction format: a burst (an expiry sweep or the end of input giving up many lookups in one go,
 * before the main thread returns to its event loop) keeps at most MAX_BATCHES_IN_BURST lookup batches in flight: the
 * main thread waits for the worker, blocking, and hands on the records it announces meanwhile
 * (src/parallel/remote_stage.ts `#holdBurst`). Run in a subprocess (tests/_burst_probe.ts), as with stdout the worker
 * writes the records to its stdout.
 */
import assert from "node:assert/strict";
import { MAX_BATCHES_IN_BURST } from "../src/parallel/remote_stage.ts";
import { ROOT, startPermissions, text } from "./_cli.ts";
import { inBurstOrder } from "./_burst_order.ts";

const LOOKUPS = 20_000;

interface Probed {
  made: number;
  filled: number;
  ordered: boolean | null;
  written: number;
  failed: string;
}

async function probe(
  sink: "stdout" | "memory",
  failAt = 0,
  lookups = LOOKUPS,
  answers = 60,
  overflowMaxBytes?: number,
  workers = 1,
): Promise<Probed & { stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...startPermissions(),
      `${ROOT}tests/_burst_probe.ts`,
      sink,
      String(lookups),
      String(failAt),
      String(answers),
      ...(overflowMaxBytes === undefined ? [] : [String(overflowMaxBytes)]),
    ],
    cwd: ROOT,
    env: { PROBE_WORKERS: String(workers) },
    stdout: workers > 1 ? "piped" : "null",
    stderr: "piped",
  }).output();
  const stderr = text(output.stderr);
  assert.equal(output.code, 0, stderr);
  return { ...JSON.parse(stderr.trim().split("\n").at(-1)!), stdout: workers > 1 ? text(output.stdout) : "" };
}

for (const sink of ["stdout", "memory"] as const) {
  const who = sink === "stdout" ? "the worker writes stdout" : "the records come back to the main thread's sinks";
  Deno.test(`-numprocs 2: a burst of 20 000 transaction lookups keeps the batches in flight bounded (${who})`, async () => {
    const probed = await probe(sink);
    // Not vacuous: unbounded, the burst would have needed a batch for each 256 KiB it fills.
    assert.ok(probed.filled > 4 * MAX_BATCHES_IN_BURST, `${probed.filled} batches filled`);
    assert.ok(probed.made <= MAX_BATCHES_IN_BURST, `${probed.made} batches made`);
    assert.equal(probed.written, LOOKUPS + 1);
    if (sink === "memory") assert.equal(probed.ordered, true);
  });
}

Deno.test("-numprocs 2: in a burst, records larger than an output slot stay bounded and reach the sinks in order", async () => {
  // 200 lookups whose records are about 800 KB each: each outgrows its slot, and goes through the overflow slot.
  const probed = await probe("memory", 0, 200, 3_000);
  assert.ok(probed.filled > 4 * MAX_BATCHES_IN_BURST, `${probed.filled} batches filled`);
  assert.ok(probed.made <= MAX_BATCHES_IN_BURST, `${probed.made} batches made`);
  assert.equal(probed.written, 201);
  assert.equal(probed.ordered, true);
});

Deno.test("-numprocs 2: records larger than the overflow slot travel in messages, in order, and the burst goes on", async () => {
  // With a 64 KiB overflow slot, every 800 KB record is sent in its message: only the event loop brings it, so the
  // burst does not wait for it (its batches are not bounded then), and the records still come in order.
  const probed = await probe("memory", 0, 200, 3_000, 64 << 10);
  assert.equal(probed.written, 201);
  assert.equal(probed.ordered, true);
});

Deno.test("-numprocs 2: a worker that fails during a burst ends the wait at once, and the run reports it", async () => {
  const started = performance.now();
  const probed = await probe("stdout", 5_000);
  assert.match(probed.failed, /The lookup worker failed: test hook: failing on entry 5000 as asked; stopping/);
  assert.ok(probed.written < 5_000, `${probed.written} records`);
  // The burst's wait gives up only after 10 s without progress; a failure is seen well before.
  assert.ok(performance.now() - started < 8_000);
});

for (const sink of ["stdout", "memory"] as const) {
  const who = sink === "stdout" ? "the workers take turns writing stdout" : "the main thread hands them on in order";
  Deno.test(`three workers: a burst of 20 000 transaction lookups stays bounded, its records in order (${who})`, async () => {
    const workers = 3;
    const probed = await probe(sink, 0, LOOKUPS, 60, undefined, workers);
    // One more batch in flight per further worker.
    assert.ok(probed.filled > 4 * MAX_BATCHES_IN_BURST, `${probed.filled} batches filled`);
    assert.ok(probed.made <= MAX_BATCHES_IN_BURST + workers - 1, `${probed.made} batches made`);
    assert.equal(probed.written, LOOKUPS + 1);
    if (sink === "memory") assert.equal(probed.ordered, true);
    else {
      const ids = probed.stdout.trimEnd().split("\n").map((line) => JSON.parse(line).id);
      assert.equal(ids.length, LOOKUPS + 1);
      assert.ok(inBurstOrder(ids), "in order");
    }
  });
}

Deno.test("three workers: records larger than an output slot, and than the overflow slot, reach the sinks in order", async () => {
  for (const overflow of [undefined, 64 << 10]) {
    const probed = await probe("memory", 0, 200, 3_000, overflow, 3);
    assert.equal(probed.written, 201);
    assert.equal(probed.ordered, true);
  }
});

Deno.test("three workers writing stdout: one that fails during a burst ends the run, the others stop", async () => {
  const probed = await probe("stdout", 2_000, LOOKUPS, 60, undefined, 3);
  assert.match(probed.failed, /The lookup worker failed: test hook: failing on entry 2000 as asked; stopping/);
  // What was written is counted, and is a prefix of the burst, in order.
  const ids = probed.stdout.trimEnd().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line).id);
  assert.equal(probed.written, ids.length);
  assert.ok(ids.length > 0 && ids.length < 3 * 2_000, `${ids.length} records`);
  assert.ok(inBurstOrder(ids), "in order");
});
