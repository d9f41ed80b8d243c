import assert from "node:assert/strict";
import type { ClockHandler, PacketHandler, PacketSource } from "./capture/packet.ts";
import { watchBatches } from "./shutdown_signals.ts";

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
