import assert from "node:assert/strict";
import { replay, TESTDATA } from "../../tests/_replay.ts";

/**
 * Transferring an ArrayBuffer detaches it, which invalidates a V8 protector for the whole isolate: measured on the
 * 1M-pair capture, every hot function of both threads was then deoptimized and recompiled with a detach check on
 * each typed array access. The batches are shared buffers instead; this holds the decoding thread to that.
 */
Deno.test("-numprocs 2 never transfers a buffer to the lookup worker (both formats)", async () => {
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
      const { lines } = await replay(`${TESTDATA}gopassivedns/100_udp_lookups.pcap`, { numprocs: 2, format });
      assert.ok(lines.length > 0, format);
    }
  } finally {
    Worker.prototype.postMessage = post;
  }
  assert.ok(messages.includes("batch"), `the worker was fed: ${messages.join(" ")}`);
  assert.deepEqual(transfers, []);
});
