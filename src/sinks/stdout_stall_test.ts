import assert from "node:assert/strict";
import { STALLED_READER_MS, stalledReaderReason, StopAsked } from "./stdout_stall.ts";

Deno.test("a stalled reader is given up on only after a signal and the whole wait", () => {
  assert.equal(stalledReaderReason(0, 60_000), null);
  assert.equal(stalledReaderReason(1, STALLED_READER_MS - 100), null);
  assert.equal(
    stalledReaderReason(1, STALLED_READER_MS),
    "its reader has read nothing for 5 s, and a signal asked to stop",
  );
});

Deno.test("StopAsked is seen through its buffer by another holder (as the lookup worker holds it)", () => {
  const main = new StopAsked();
  const other = new StopAsked(main.buffer);
  assert.equal(other.signals, 0);
  main.set();
  assert.equal(other.signals, 1);
});
