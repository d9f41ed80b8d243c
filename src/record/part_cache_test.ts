import assert from "node:assert/strict";
import { PartCache } from "./part_cache.ts";

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
