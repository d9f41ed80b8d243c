import assert from "node:assert/strict";
import { countDecodeError, COUNTER_NAMES, newCounters } from "./counters.ts";

Deno.test("newCounters() starts every counter at zero", () => {
  const counters = newCounters();
  assert.ok(COUNTER_NAMES.length >= 30);
  for (const name of COUNTER_NAMES) assert.equal(counters[name], 0, name);
  assert.equal(counters.decodeErrors.size, 0);
});

Deno.test("COUNTER_NAMES lists the numeric counters in declaration order, not the per-code map", () => {
  assert.equal(COUNTER_NAMES[0], "packets");
  assert.ok(!(COUNTER_NAMES as readonly string[]).includes("decodeErrors"));
  assert.equal(new Set(COUNTER_NAMES).size, COUNTER_NAMES.length);
});

Deno.test("countDecodeError() counts the total and the code", () => {
  const counters = newCounters();
  countDecodeError(counters, "dns.bad_name");
  countDecodeError(counters, "dns.bad_name");
  countDecodeError(counters, "ipv4.truncated");
  assert.equal(counters.decode_errors, 3);
  assert.deepEqual([...counters.decodeErrors], [["dns.bad_name", 2], ["ipv4.truncated", 1]]);
});
