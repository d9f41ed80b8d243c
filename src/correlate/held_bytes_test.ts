import assert from "node:assert/strict";
import { HeldBytes } from "./held_bytes.ts";

const bytesOf = (
  held: HeldBytes,
  slot: number,
) => [...held.bytes.subarray(held.start(slot), held.start(slot) + held.length(slot))];

Deno.test("HeldBytes keeps each slot's bytes through growth and compaction", () => {
  const held = new HeldBytes(1 << 20);
  const expected = new Map<number, number[]>();
  // Store 4000 entries of 1..300 bytes, releasing two of every three, so the buffer both grows and compacts.
  for (let slot = 0; slot < 4000; slot++) {
    const n = 1 + (slot * 37) % 300;
    const source = Uint8Array.from({ length: n + 10 }, (_, i) => (slot + i) & 255);
    held.put(slot, source, 5, 5 + n);
    expected.set(slot, [...source.subarray(5, 5 + n)]);
    if (slot % 3 !== 0) {
      held.release(slot - (slot % 3 === 1 ? 0 : 1));
      expected.delete(slot - (slot % 3 === 1 ? 0 : 1));
    }
  }
  let live = 0;
  for (const [slot, bytes] of expected) {
    assert.deepEqual(bytesOf(held, slot), bytes, `slot ${slot}`);
    live += bytes.length;
  }
  assert.equal(held.liveBytes, live);
  assert.ok(held.bytes.length <= 1.25 * (1 << 20));
  assert.ok(held.usedBytes <= 1.25 * (1 << 20));
});

Deno.test("HeldBytes never grows its buffer past 1.25 times its limit", () => {
  const limit = 1 << 18;
  const held = new HeldBytes(limit);
  const message = new Uint8Array(60_000).fill(7);
  // Like a flood of 60 KB orphan responses under a 256 KiB bound: the caller releases the oldest to make room.
  let oldest = 0;
  for (let slot = 0; slot < 200; slot++) {
    while (held.liveBytes + message.length > limit) held.release(oldest++);
    held.put(slot, message, 0, message.length);
  }
  assert.ok(held.usedBytes <= limit * 1.25, `buffer ${held.usedBytes}`);
  assert.equal(held.liveBytes, (200 - oldest) * message.length);
  assert.deepEqual(bytesOf(held, 199).slice(0, 3), [7, 7, 7]);
});

Deno.test("HeldBytes holds empty entries and refuses to pass its limit", () => {
  const held = new HeldBytes(100);
  held.put(0, new Uint8Array(0), 0, 0);
  assert.ok(held.holds(0));
  held.put(1, new Uint8Array(100), 0, 100);
  held.release(0);
  assert.ok(!held.holds(0));
  assert.throws(() => held.put(2, new Uint8Array(1), 0, 1), RangeError);
  held.clear();
  assert.equal(held.liveBytes, 0);
  assert.ok(!held.holds(1));
});
