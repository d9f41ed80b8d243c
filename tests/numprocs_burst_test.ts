/**
 * `-numprocs 2`, transaction format: a burst (an expiry sweep or the end of input giving up many lookups in one go,
 * before the main thread returns to its event loop) keeps at most MAX_BATCHES_IN_BURST lookup batches in flight when
 * the worker writes stdout itself: the main thread waits for the worker, blocking (src/parallel/remote_stage.ts
 * `#holdBurst`). Run in a subprocess (tests/_burst_probe.ts), as the worker then writes the records to its stdout.
 */
import assert from "node:assert/strict";
import { MAX_BATCHES_IN_BURST } from "../src/parallel/remote_stage.ts";
import { ROOT, startPermissions } from "./_cli.ts";

const LOOKUPS = 20_000;

interface Probed {
  made: number;
  written: number;
  failed: string;
}

async function probe(sink: "stdout" | "memory", failAt = 0): Promise<Probed> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...startPermissions(),
      `${ROOT}tests/_burst_probe.ts`,
      sink,
      String(LOOKUPS),
      String(failAt),
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(stderr.trim().split("\n").at(-1)!);
}

Deno.test("-numprocs 2: a burst of 20 000 transaction lookups keeps the batches in flight bounded, every record written", async () => {
  const bounded = await probe("stdout");
  assert.ok(bounded.made <= MAX_BATCHES_IN_BURST, `${bounded.made} batches made`);
  assert.equal(bounded.written, LOOKUPS + 1);
  // Not vacuous: where the worker hands its records back (any other sink), the same burst makes one batch per 256 KiB.
  const unbounded = await probe("memory");
  assert.ok(unbounded.made > 4 * MAX_BATCHES_IN_BURST, `${unbounded.made} batches made`);
  assert.equal(unbounded.written, LOOKUPS + 1);
});

Deno.test("-numprocs 2: a worker that fails during a burst ends the wait at once, and the run reports it", async () => {
  const started = performance.now();
  const probed = await probe("stdout", 5_000);
  assert.match(probed.failed, /The lookup worker failed: test hook: failing on entry 5000 as asked; stopping/);
  assert.ok(probed.written < 5_000, `${probed.written} records`);
  // The burst's wait gives up only after 10 s without progress; a failure is seen well before.
  assert.ok(performance.now() - started < 8_000);
});
