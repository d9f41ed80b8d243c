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

/**
 * Run `body` (JavaScript, with V8's `%` functions) in a fresh Deno with `--allow-natives-syntax`, after importing
 * counters.ts as `counters`; returns what it prints.
 */
async function withNatives(body: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".js" });
  const module = new URL("./counters.ts", import.meta.url).href;
  await Deno.writeTextFile(path, `import * as counters from ${JSON.stringify(module)};\n${body}\n`);
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", "--v8-flags=--allow-natives-syntax", path],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return new TextDecoder().decode(stdout).trim();
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("addToCounter() adds counts read from a Float64Array without changing the Counters map (no deoptimization)", async () => {
  const printed = await withNatives(`
    const fresh = counters.newCounters();
    const added = counters.newCounters();
    const worker = new Float64Array([3, 1881031, 0]);
    counters.addToCounter(added, "records", worker[1] - worker[2]);
    counters.addToCounter(added, "dns_anomalies", worker[0]);
    console.log(added.records, added.dns_anomalies, %HaveSameMap(fresh, added));
    // Past a small integer's range the value is kept exact (the map may then change: once, after 2^30 counts).
    const large = counters.newCounters();
    counters.addToCounter(large, "bytes", new Float64Array([2 ** 40 + 1])[0]);
    console.log(large.bytes === 2 ** 40 + 1);
  `);
  assert.equal(printed, "1881031 3 true\ntrue");
});
