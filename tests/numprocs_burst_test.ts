/**
 * `-numprocs 2`, transaction format: a burst (an expiry sweep or the end of input giving up many lookups in one go,
 * before the main thread returns to its event loop) keeps at most MAX_BATCHES_IN_BURST lookup batches in flight: the
 * main thread waits for the worker, blocking, and hands on the records it announces meanwhile
 * (src/parallel/remote_stage.ts `#holdBurst`). Run in a subprocess (tests/_burst_probe.ts), as with stdout the worker
 * writes the records to its stdout.
 */
import assert from "node:assert/strict";
import { MAX_BATCHES_IN_BURST } from "../src/parallel/remote_stage.ts";
import { ROOT, startPermissions } from "./_cli.ts";

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
): Promise<Probed> {
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
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(stderr.trim().split("\n").at(-1)!);
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
