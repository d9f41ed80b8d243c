import assert from "node:assert/strict";
import { CaptureStatsDeltas, statsLine } from "./capture_stats.ts";

Deno.test("CaptureStatsDeltas turns libpcap's running totals into the change since the last report", () => {
  const deltas = new CaptureStatsDeltas();
  assert.deepEqual(deltas.next({ received: 100, dropped: 2, ifDropped: 0 }), {
    received: 100,
    dropped: 2,
    ifDropped: 0,
  });
  assert.deepEqual(deltas.next({ received: 250, dropped: 2, ifDropped: 1 }), {
    received: 150,
    dropped: 0,
    ifDropped: 1,
  });
  assert.deepEqual(deltas.next({ received: 250, dropped: 2, ifDropped: 1 }), { received: 0, dropped: 0, ifDropped: 0 });
});

Deno.test("CaptureStatsDeltas survives the 32-bit wrap of libpcap's counters and a reopened handle", () => {
  const deltas = new CaptureStatsDeltas();
  deltas.next({ received: 0xffff_fff0, dropped: 0, ifDropped: 0 });
  assert.equal(deltas.next({ received: 0x10, dropped: 0, ifDropped: 0 }).received, 0x20);
  deltas.reset();
  assert.equal(deltas.next({ received: 5, dropped: 0, ifDropped: 0 }).received, 5);
});

Deno.test("statsLine() keeps the original's wording", () => {
  assert.equal(
    statsLine({ received: 10, dropped: 1, ifDropped: 2 }),
    "Statistics received: 10, dropped: 1, interface dropped 2",
  );
});
