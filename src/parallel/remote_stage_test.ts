import assert from "node:assert/strict";
import { MemorySink, replay, TESTDATA } from "../../tests/_replay.ts";
import { DEFAULT_CORRELATOR_OPTIONS } from "../correlate/pairing_options.ts";
import { newCounters } from "../metrics/counters.ts";
import { RemoteGopassivednsWriter } from "./lookup_entry.ts";
import { RemoteStage } from "./remote_stage.ts";
import { lookup } from "./_test_lookups.ts";

/**
 * Transferring an ArrayBuffer detaches it, which invalidates a V8 protector for the whole isolate: measured on the
 * 1M-pair capture, every hot function of both threads was then deoptimized and recompiled with a detach check on
 * each typed array access. The batches are shared buffers instead; this holds the decoding thread to that.
 */
Deno.test("-numprocs 2 and 3 never transfer a buffer to the lookup workers (both formats)", async () => {
  const post = Worker.prototype.postMessage;
  const transfers: unknown[] = [];
  const messages: string[] = [];
  Worker.prototype.postMessage = function (this: Worker, message: unknown, options?: unknown) {
    messages.push((message as { type: string }).type);
    if (options !== undefined) transfers.push(options);
    // deno-lint-ignore no-explicit-any
    return (post as any).call(this, message, options);
  };
  try {
    for (const format of ["gopassivedns", "transaction"] as const) {
      for (const numprocs of [2, 3]) {
        const { lines } = await replay(`${TESTDATA}gopassivedns/100_udp_lookups.pcap`, { numprocs, format });
        assert.ok(lines.length > 0, format);
      }
    }
  } finally {
    Worker.prototype.postMessage = post;
  }
  assert.ok(messages.includes("batch"), `the worker was fed: ${messages.join(" ")}`);
  assert.deepEqual(transfers, []);
});

function lookupStage(): RemoteStage {
  const stage = { correlator: DEFAULT_CORRELATOR_OPTIONS, format: "gopassivedns" as const, level: "", sensor: "" };
  return new RemoteStage({ stage, startBytes: 0 }, newCounters(), new MemorySink());
}

Deno.test("a capture chunk the worker may still read is not handed out again before its batch is acknowledged", async () => {
  const remote = lookupStage();
  const first = remote.take(1000);
  // An entry in the batch being filled: it could name `first`.
  new RemoteGopassivednsWriter(newCounters(), remote.writer, "INFO").write(lookup(false, true, false, 1));
  assert.ok(remote.writer.used > 0);
  const second = remote.take(1000);
  remote.retire(first); // the batch goes now, and `first` waits for its ack
  const third = remote.take(1000);
  assert.notEqual(third.buffer, first.buffer);
  assert.notEqual(third.buffer, second.buffer);
  await remote.finish(); // every ack in
  assert.equal(remote.take(1000).buffer, first.buffer);
});

Deno.test("chunks are reused at once when no lookup names them (a flood of unanswered queries)", async () => {
  const remote = lookupStage();
  let current = remote.take(1000);
  for (let i = 0; i < 100; i++) {
    const next = remote.take(1000);
    remote.retire(current);
    current = next;
  }
  assert.equal(remote.chunks.length, 2);
  await remote.finish();
});

Deno.test("only the chunk array itself is named by index: another view of its memory is copied", async () => {
  const remote = lookupStage();
  const chunk = remote.take(1000);
  assert.equal(remote.chunkIndexOf(chunk), 0);
  assert.equal(remote.chunkIndexOf(chunk.subarray(10)), -1);
  assert.equal(remote.chunkIndexOf(new Uint8Array(chunk.buffer)), -1);
  assert.equal(remote.chunkIndexOf(new Uint8Array(16)), -1);
  await remote.finish();
});
