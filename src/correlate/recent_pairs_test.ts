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

Deno.test("RecentPairs counts a key's time from its clock when it is remembered", () => {
  const clock = new Float64Array(1);
  const recent = new RecentPairs(4, clock);
  clock[0] = 1_700_000_000_000.5;
  recent.remember(key("a"), 1000);
  clock[0] = 1_700_000_000_600;
  recent.remember(key("b"), 1000);
  assert.ok(recent.has(key("a"), 1_700_000_001_000.5));
  assert.ok(!recent.has(key("a"), 1_700_000_001_001));
  assert.ok(recent.has(key("b"), 1_700_000_001_600));
  assert.ok(!recent.has(key("b"), 1_700_000_001_600.5));
});

Deno.test("RecentPairs forgets the oldest key when its capacity is reached", () => {
  const recent = new RecentPairs(2);
  recent.remember(key("a"), 1000);
  recent.remember(key("b"), 1000);
  recent.remember(key("c"), 1000);
  assert.deepEqual(["a", "b", "c"].map((k) => recent.has(key(k), 0)), [false, true, true]);
});

Deno.test("RecentPairs keeps a key remembered again until its later time", () => {
  const recent = new RecentPairs(2);
  recent.remember(key("a"), 10);
  recent.remember(key("a"), 20);
  recent.remember(key("b"), 20);
  assert.ok(recent.has(key("a"), 15), "a has its later time, in the slot of its newest copy");
  assert.ok(recent.has(key("b"), 15));
});

Deno.test("RecentPairs agrees with a first-in first-out model over many reused and colliding keys", () => {
  const capacity = 8;
  const recent = new RecentPairs(capacity);
  /** The model: the last `capacity` keys remembered, oldest first, each with its time; the newest copy counts. */
  const model: { id: number; untilMs: number }[] = [];
  const keyOf = (id: number) => new LookupKey().set("udp", SERVER, 40000 + (id % 3), SERVER, 53, id);
  let seed = 99;
  const next = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  for (let step = 0; step < 5000; step++) {
    const id = next(24);
    if (next(3) === 0) {
      const entry = model.findLast((e) => e.id === id);
      assert.equal(recent.has(keyOf(id), 50), entry !== undefined && entry.untilMs >= 50, `step ${step}`);
      continue;
    }
    const untilMs = next(100);
    recent.remember(keyOf(id), untilMs);
    model.push({ id, untilMs });
    if (model.length > capacity) model.shift();
  }
});

Deno.test("RecentPairs agrees with the first-in first-out model over hundreds of keys and often reused slots", () => {
  const capacity = 512;
  const recent = new RecentPairs(capacity);
  // The last `capacity` keys remembered (ring slot -> id and untilMs); a key's newest copy counts.
  const ids = new Int32Array(capacity).fill(-1);
  const untils = new Float64Array(capacity);
  let written = 0;
  const keyOf = (id: number) => new LookupKey().set("tcp", SERVER, 1024 + (id >> 16), SERVER, 53, id & 0xffff);
  let seed = 7;
  // The high bits of the generator: its low bits repeat with short periods.
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  for (let step = 0; step < 60000; step++) {
    const id = next(1500);
    if (next(2) === 0) {
      let until: number | undefined;
      for (let back = 1; back <= Math.min(written, capacity) && until === undefined; back++) {
        const at = (written - back) % capacity;
        if (ids[at] === id) until = untils[at];
      }
      assert.equal(recent.has(keyOf(id), 50), until !== undefined && until >= 50, `step ${step}`);
      continue;
    }
    const untilMs = next(100);
    recent.remember(keyOf(id), untilMs);
    ids[written % capacity] = id;
    untils[written % capacity] = untilMs;
    written++;
  }
});

Deno.test("RecentPairs answers right after many keys were remembered without a lookup, the ring wrapping between", () => {
  const capacity = 64;
  const recent = new RecentPairs(capacity);
  const ids: number[] = []; // every key remembered, in order
  const untils: number[] = [];
  const keyOf = (id: number) => new LookupKey().set("udp", SERVER, 2000 + (id % 7), SERVER, 53, id);
  let seed = 3;
  const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % n;
  for (let round = 0; round < 200; round++) {
    // Between lookups: from none to three ring lengths of keys, some of them repeated.
    for (let k = next(3 * capacity); k > 0; k--) {
      const id = next(150);
      const untilMs = next(100);
      recent.remember(keyOf(id), untilMs);
      ids.push(id);
      untils.push(untilMs);
    }
    for (let probe = 0; probe < 20; probe++) {
      const id = next(150);
      let until: number | undefined;
      for (let at = ids.length - 1; at >= Math.max(0, ids.length - capacity) && until === undefined; at--) {
        if (ids[at] === id) until = untils[at];
      }
      assert.equal(recent.has(keyOf(id), 50), until !== undefined && until >= 50, `round ${round}`);
    }
  }
});
