import assert from "node:assert/strict";
import { PartCache, RecentParts } from "./part_cache.ts";

Deno.test("PartCache keeps a part per key and never holds more than its limit", () => {
  const cache = new PartCache<string>(4);
  let made = 0;
  const part = (key: number) => cache.get(key) ?? cache.set(key, `part ${key} #${++made}`);
  assert.equal(part(1), "part 1 #1");
  assert.equal(part(1), "part 1 #1");
  for (let key = 2; key < 100; key++) part(key);
  assert.ok(cache.size <= 4, `size ${cache.size}`);
  assert.equal(part(99), "part 99 #99");
  assert.equal(made, 99);
});

Deno.test("RecentParts finds the last eight keys it was given, large keys too, and forgets the oldest", () => {
  const recent = new RecentParts<string>();
  const keys = [0, 1, 2 ** 32 * 0x10000 + 4096, 2 ** 45 + 7, 5, 6, 7, 8];
  for (const key of keys) assert.equal(recent.add(key, `part ${key}`), `part ${key}`);
  for (const key of keys) assert.equal(recent.get(key), `part ${key}`);
  assert.equal(recent.get(9), undefined);
  assert.equal(recent.get(-1), undefined, "an empty place is not a key");
  recent.add(9, "part 9");
  assert.equal(recent.get(0), undefined, "the oldest went");
  assert.equal(recent.get(9), "part 9");
  assert.equal(recent.get(1), "part 1");
});
