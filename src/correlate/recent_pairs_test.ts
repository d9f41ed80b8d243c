import assert from "node:assert/strict";
import { parseAddressText } from "../decode/ip_text.ts";
import { LookupKey } from "./lookup_key.ts";
import { RecentPairs } from "./recent_pairs.ts";

const address = (text: string) => {
  const out = new Uint8Array(16);
  parseAddressText(text, out);
  return out;
};
const SERVER = address("10.0.0.53");
const CLIENTS: Record<string, string> = { a: "10.0.0.1", b: "10.0.0.2", c: "2001:db8::3" };
/** A distinct key per client address. */
const key = (client: string) => new LookupKey().set("udp", address(CLIENTS[client]), 40000, SERVER, 53, 1);

Deno.test("RecentPairs remembers a key until its time runs out", () => {
  const recent = new RecentPairs(4);
  recent.remember(key("a"), 1000);
  assert.ok(recent.has(key("a"), 999));
  assert.ok(recent.has(key("a"), 1000));
  assert.ok(!recent.has(key("a"), 1001));
  assert.ok(!recent.has(key("b"), 0));
});

Deno.test("RecentPairs forgets the oldest key when its capacity is reached", () => {
  const recent = new RecentPairs(2);
  recent.remember(key("a"), 1000);
  recent.remember(key("b"), 1000);
  recent.remember(key("c"), 1000);
  assert.deepEqual(["a", "b", "c"].map((k) => recent.has(key(k), 0)), [false, true, true]);
});

Deno.test("RecentPairs extends a key remembered again without taking a new slot", () => {
  const recent = new RecentPairs(2);
  recent.remember(key("a"), 10);
  recent.remember(key("a"), 20);
  recent.remember(key("b"), 20);
  assert.ok(recent.has(key("a"), 15), "a kept its slot and its later time");
  assert.ok(recent.has(key("b"), 15));
});

Deno.test("RecentPairs agrees with a first-in first-out model over many reused and colliding keys", () => {
  const capacity = 8;
  const recent = new RecentPairs(capacity);
  /** The model: distinct keys oldest first, each with its time. */
  const model: { id: number; untilMs: number }[] = [];
  const keyOf = (id: number) => new LookupKey().set("udp", SERVER, 40000 + (id % 3), SERVER, 53, id);
  let seed = 99;
  const next = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  for (let step = 0; step < 5000; step++) {
    const id = next(24);
    if (next(3) === 0) {
      const entry = model.find((e) => e.id === id);
      assert.equal(recent.has(keyOf(id), 50), entry !== undefined && entry.untilMs >= 50, `step ${step}`);
      continue;
    }
    const untilMs = next(100);
    recent.remember(keyOf(id), untilMs);
    const entry = model.find((e) => e.id === id);
    if (entry !== undefined) {
      entry.untilMs = untilMs;
    } else {
      model.push({ id, untilMs });
      if (model.length > capacity) model.shift();
    }
  }
});

Deno.test("RecentPairs agrees with the first-in first-out model over hundreds of keys and often reused slots", () => {
  const capacity = 512;
  const recent = new RecentPairs(capacity);
  const model = new Map<number, number>(); // id -> untilMs, in insertion order (oldest first)
  const keyOf = (id: number) => new LookupKey().set("tcp", SERVER, 1024 + (id >> 16), SERVER, 53, id & 0xffff);
  let seed = 7;
  // The high bits of the generator: its low bits repeat with short periods.
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  for (let step = 0; step < 60000; step++) {
    const id = next(1500);
    if (next(2) === 0) {
      const until = model.get(id);
      assert.equal(recent.has(keyOf(id), 50), until !== undefined && until >= 50, `step ${step}`);
      continue;
    }
    const untilMs = next(100);
    recent.remember(keyOf(id), untilMs);
    if (model.has(id)) {
      model.set(id, untilMs); // keeps its place in the order
    } else {
      model.set(id, untilMs);
      if (model.size > capacity) model.delete(model.keys().next().value!);
    }
  }
});
