import assert from "node:assert/strict";
import { RecentPairs } from "./recent_pairs.ts";

Deno.test("RecentPairs remembers a key until its time runs out", () => {
  const recent = new RecentPairs(4);
  recent.remember("a", 1000);
  assert.ok(recent.has("a", 999));
  assert.ok(recent.has("a", 1000));
  assert.ok(!recent.has("a", 1001));
  assert.ok(!recent.has("b", 0));
});

Deno.test("RecentPairs forgets the oldest key when its capacity is reached", () => {
  const recent = new RecentPairs(2);
  recent.remember("a", 1000);
  recent.remember("b", 1000);
  recent.remember("c", 1000);
  assert.deepEqual(["a", "b", "c"].map((k) => recent.has(k, 0)), [false, true, true]);
});

Deno.test("RecentPairs extends a key remembered again without taking a new slot", () => {
  const recent = new RecentPairs(2);
  recent.remember("a", 10);
  recent.remember("a", 20);
  recent.remember("b", 20);
  assert.ok(recent.has("a", 15), "a kept its slot and its later time");
  assert.ok(recent.has("b", 15));
});
