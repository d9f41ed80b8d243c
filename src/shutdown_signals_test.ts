import assert from "node:assert/strict";
import type { ClockHandler, PacketHandler, PacketSource } from "./capture/packet.ts";
import { installSignals, watchBatches, WATCHDOG_UPDATE_MS } from "./shutdown_signals.ts";

Deno.test("watchBatches() runs its hook before each batch end and hands a live source's clock through", async () => {
  const seen: string[] = [];
  const source: PacketSource = {
    async run(_onPacket: PacketHandler, onBatchEnd: () => Promise<void>, onClock?: ClockHandler) {
      onClock?.(1_700_000_000, 5);
      await onBatchEnd();
    },
    stop() {},
  };
  await watchBatches(source, () => seen.push("hook")).run(
    () => {},
    () => {
      seen.push("batch end");
      return Promise.resolve();
    },
    (sec, nsec) => seen.push(`clock ${sec} ${nsec}`),
  );
  assert.deepEqual(seen, ["clock 1700000000 5", "hook", "batch end"]);
});

Deno.test("installSignals(): batch ends hand the watchdog a summary at most every WATCHDOG_UPDATE_MS, the end of input at once", async () => {
  let built = 0;
  const signals = installSignals({
    stop() {},
    summary: () => `packets=${++built}`,
    stdoutFlags: null,
    exitInterrupted: () => {
      throw new Error("not in this test");
    },
  });
  try {
    for (let i = 0; i < 1000; i++) signals.update();
    assert.equal(built, 1, "a thousand batch ends in a moment: one summary");
    signals.update(true);
    assert.equal(built, 2, "the end of input: at once");
    await new Promise((resolve) => setTimeout(resolve, WATCHDOG_UPDATE_MS + 20));
    signals.update();
    assert.equal(built, 3, "a batch end after the interval");
  } finally {
    signals.remove();
  }
});
