import assert from "node:assert/strict";
import { WORD_SLACK } from "./_put.ts";
import { elapsedNs, GO_TIME_MAX, goTimeString, GoTimeWriter, rfc3339Nano } from "./time_format.ts";

Deno.test("goTimeString() trims trailing zeros of the fraction as Go's Time.String does", () => {
  assert.equal(goTimeString(1500000000, 1_000_000), "2017-07-14 02:40:00.001 +0000 UTC");
  assert.equal(goTimeString(1500000000, 508523230), "2017-07-14 02:40:00.50852323 +0000 UTC");
  assert.equal(goTimeString(1500000000, 7), "2017-07-14 02:40:00.000000007 +0000 UTC");
});

Deno.test("goTimeString() omits the dot when the nanoseconds are zero", () => {
  assert.equal(goTimeString(0, 0), "1970-01-01 00:00:00 +0000 UTC");
  assert.equal(goTimeString(1500000001, 0), "2017-07-14 02:40:01 +0000 UTC");
});

Deno.test("goTimeString() gives the right second after the cached one changes", () => {
  assert.equal(goTimeString(1500000000, 1), "2017-07-14 02:40:00.000000001 +0000 UTC");
  assert.equal(goTimeString(1600000000, 1), "2020-09-13 12:26:40.000000001 +0000 UTC");
  assert.equal(goTimeString(1500000000, 1), "2017-07-14 02:40:00.000000001 +0000 UTC");
});

Deno.test("rfc3339Nano() always writes nine fraction digits", () => {
  assert.equal(rfc3339Nano(1500000000, 1_000_000), "2017-07-14T02:40:00.001000000Z");
  assert.equal(rfc3339Nano(1500000000, 0), "2017-07-14T02:40:00.000000000Z");
});

Deno.test("elapsedNs() is exact across a second boundary and may be negative", () => {
  assert.equal(elapsedNs(100, 999_999_000, 101, 1_000), 2_000);
  assert.equal(elapsedNs(101, 0, 100, 999_000_000), -1_000_000);
});

Deno.test("GoTimeWriter writes the bytes of goTimeString() between its constants", () => {
  const writer = new GoTimeWriter(new TextEncoder().encode("<"), new TextEncoder().encode(">"));
  for (
    const [sec, nsec] of [
      [1460407385, 783991000],
      [0, 0],
      [1460407385, 1],
      [1460407385, 999999999],
      [86399, 10],
      [1, 100_000_000],
      [1, 120_000_000],
      [1, 1_000],
      [1, 10_000],
      [1, 123_450_000],
    ]
  ) {
    const d = new Uint8Array(GO_TIME_MAX + 3 + WORD_SLACK);
    const end = writer.put(new DataView(d.buffer), d, 1, sec, nsec);
    assert.equal(new TextDecoder().decode(d.subarray(1, end)), "<" + goTimeString(sec, nsec) + ">");
  }
});
