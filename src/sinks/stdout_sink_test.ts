import assert from "node:assert/strict";
import type { OutputFailure } from "./sink.ts";
import { StdoutSink } from "./stdout_sink.ts";

const records = (n: number, width = 10) =>
  new TextEncoder().encode(Array.from({ length: n }, (_, i) => String(i).padStart(width - 1, "x") + "\n").join(""));

/** A target that takes `capacity` bytes in writes of at most `chunk`, then throws `error`. */
function target(capacity: number, chunk: number, error: Error) {
  const taken: Uint8Array[] = [];
  let left = capacity;
  return {
    taken,
    writeSync(p: Uint8Array): number {
      if (left === 0) throw error;
      const n = Math.min(p.length, chunk, left);
      taken.push(p.slice(0, n));
      left -= n;
      return n;
    },
  };
}

Deno.test("StdoutSink counts written records and loops over short writes", () => {
  const out = target(1000, 7, new Error("never"));
  const sink = new StdoutSink(out);
  sink.write(records(30));
  assert.equal(sink.stats.written, 30);
  assert.equal(out.taken.reduce((n, p) => n + p.length, 0), 300);
});

Deno.test("StdoutSink reports a failure once, counts the rest as failed, and trims the half record", () => {
  const failures: OutputFailure[] = [];
  const trimmed: number[] = [];
  const out = target(95, 40, new Error("No space left on device (os error 28)"));
  const sink = new StdoutSink(out, { onFailure: (f) => failures.push(f), trimPartial: (n) => trimmed.push(n) });
  sink.write(records(20)); // 200 bytes: 9 whole records and 5 bytes of the tenth fit
  sink.write(records(5));
  assert.deepEqual([sink.stats.written, sink.stats.failed], [9, 16]);
  assert.deepEqual(trimmed, [5]);
  assert.equal(failures.length, 1);
  assert.deepEqual([failures[0].sink, failures[0].error.message, failures[0].brokenPipe], [
    "stdout",
    "No space left on device (os error 28)",
    false,
  ]);
  assert.equal(sink.failure, failures[0]);
});

Deno.test("StdoutSink tells a closed pipe apart, and trims nothing when the failure falls between records", () => {
  const failures: OutputFailure[] = [];
  const trimmed: number[] = [];
  const out = target(30, 30, new Deno.errors.BrokenPipe("Broken pipe (os error 32)"));
  const sink = new StdoutSink(out, { onFailure: (f) => failures.push(f), trimPartial: (n) => trimmed.push(n) });
  sink.write(records(5));
  assert.deepEqual([sink.stats.written, sink.stats.failed, trimmed.length], [3, 2, 0]);
  assert.equal(failures[0].brokenPipe, true);
});

Deno.test("StdoutSink with a stdout found unwritable at start fails at its first write without writing", () => {
  const failures: OutputFailure[] = [];
  const out = target(1000, 1000, new Error("never"));
  const reason = "Bad file descriptor (os error 9): standard output was closed when the sensor started";
  const sink = new StdoutSink(out, { onFailure: (f) => failures.push(f), unwritable: reason });
  sink.write(records(4));
  sink.write(records(2));
  assert.deepEqual([sink.stats.written, sink.stats.failed, out.taken.length], [0, 6, 0]);
  assert.deepEqual(failures.map((f) => f.error.message), [reason]);
});

Deno.test("StdoutSink: what a worker wrote for it is counted, and its failure stops the sink as its own would", () => {
  const failures: OutputFailure[] = [];
  const stop = new SharedArrayBuffer(4);
  const out = target(1000, 1000, new Error("never"));
  const sink = new StdoutSink(out, { onFailure: (f) => failures.push(f), workerStopAsked: stop });
  assert.equal(sink.workerStopAsked, stop);
  sink.addRemote({ written: 7, failed: 0, failure: null });
  sink.addRemote({ written: 2, failed: 3, failure: { message: "Broken pipe (os error 32)", brokenPipe: true } });
  assert.deepEqual([sink.stats.written, sink.stats.failed], [9, 3]);
  assert.equal(failures.length, 1);
  assert.ok(failures[0].error instanceof Deno.errors.BrokenPipe);
  assert.equal(failures[0].error.message, "Broken pipe (os error 32)");
  // Failed: no worker may write for it any more, and what comes here is counted as failed.
  assert.equal(sink.workerStopAsked, null);
  sink.write(records(4));
  assert.equal(sink.stats.failed, 7);
  assert.equal(out.taken.length, 0);
});

Deno.test("StdoutSink: no worker writes for a sink whose stdout is unwritable, nor without the option", () => {
  const stop = new SharedArrayBuffer(4);
  const out = target(10, 10, new Error("never"));
  assert.equal(
    new StdoutSink(out, { unwritable: "Bad file descriptor (os error 9)", workerStopAsked: stop })
      .workerStopAsked,
    null,
  );
  assert.equal(new StdoutSink(out).workerStopAsked, null);
});
