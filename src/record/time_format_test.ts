import assert from "node:assert/strict";
import { WORD_SLACK } from "./_put.ts";
import {
  ELAPSED_MAX,
  elapsedNs,
  GO_TIME_MAX,
  goElapsedNs,
  goTimeString,
  GoTimeWriter,
  putElapsed,
  rfc3339Nano,
  Rfc3339Writer,
} from "./time_format.ts";

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

/** Unix seconds (with 123456 µs) and what Go 1.26 prints for them: `t.String()`, `t.Format(time.RFC3339Nano)`. */
const GO_TIMES: [number, string][] = [
  [-8640000000000, "-271821-04-20 00:00:00.123456"],
  [8640000000000, "275760-09-13 00:00:00.123456"],
  [-62135596800, "0001-01-01 00:00:00.123456"],
  [-62135596801, "0000-12-31 23:59:59.123456"],
  [-62198755200, "-0001-01-01 00:00:00.123456"],
  [-4611686018427, "-144169-06-28 09:59:33.123456"],
  [253402300799, "9999-12-31 23:59:59.123456"],
  [253402300800, "10000-01-01 00:00:00.123456"],
  [-210866803200, "-4713-11-24 00:00:00.123456"],
  [18446744073709, "586524-01-19 08:01:49.123456"],
  [-1, "1969-12-31 23:59:59.123456"],
];

Deno.test("goTimeString() and rfc3339Nano() write years outside 0-9999 as Go does", () => {
  for (const [sec, go] of GO_TIMES) {
    // 18446744073709 s is past the range of capture times: written as its bound.
    const expected = sec > 8640000000000 ? "275760-09-13 00:00:00.123456" : go;
    assert.equal(goTimeString(sec, 123456000), expected + " +0000 UTC");
    assert.equal(rfc3339Nano(sec, 123456000), expected.replace(" ", "T") + "000Z");
  }
});

Deno.test("the time writers take any number: clamped, floored, carried, never an exception", () => {
  assert.equal(goTimeString(1e300, 0), "275760-09-13 00:00:00 +0000 UTC");
  assert.equal(goTimeString(-Infinity, 5), "-271821-04-20 00:00:00.000000005 +0000 UTC");
  assert.equal(goTimeString(Number.NaN, Number.NaN), "1970-01-01 00:00:00 +0000 UTC");
  assert.equal(goTimeString(0.5, 2_500_000_000), "1970-01-01 00:00:02.5 +0000 UTC");
  assert.equal(rfc3339Nano(10, -1), "1970-01-01T00:00:09.999999999Z");
  const w = new GoTimeWriter(new Uint8Array([0x3c]), new Uint8Array([0x3e]));
  for (const [sec, nsec] of [[1e300, -3], [Number.NaN, 1e12], [-1e15, 0.25]]) {
    const d = new Uint8Array(GO_TIME_MAX + 3 + WORD_SLACK);
    const end = w.put(new DataView(d.buffer), d, 1, sec, nsec);
    assert.equal(new TextDecoder().decode(d.subarray(1, end)), "<" + goTimeString(sec, nsec) + ">");
  }
});

Deno.test("goElapsedNs() is exact past 2^53 ns and saturates at int64 as Go's Time.Sub does", () => {
  assert.equal(goElapsedNs(0, 0, 1, 5), 1_000_000_005);
  assert.equal(goElapsedNs(0, 1, 200 * 86400, 0), 17_279_999_999_999_999n);
  // Go: time.Unix(8640000000000, 5).Sub(time.Unix(-8640000000000, 0)) and the reverse.
  assert.equal(goElapsedNs(-8640000000000, 0, 8640000000000, 5), 9223372036854775807n);
  assert.equal(goElapsedNs(8640000000000, 5, -8640000000000, 0), -9223372036854775808n);
  const d = new Uint8Array(ELAPSED_MAX + WORD_SLACK);
  const end = putElapsed(new DataView(d.buffer), d, 0, 8640000000000, 5, -8640000000000, 0);
  assert.equal(new TextDecoder().decode(d.subarray(0, end)), "-9223372036854775808");
});

Deno.test("Rfc3339Writer writes JSON.stringify of rfc3339Nano between its texts, for any time", () => {
  const writer = new Rfc3339Writer(',"t":', ',"next":');
  const buffer = new Uint8Array(256);
  const view = new DataView(buffer.buffer);
  const times: Array<[number, number]> = [
    [1_700_000_000, 0],
    [1_700_000_000, 1],
    [1_700_000_000, 999_999_999],
    [1_700_000_001, 120_000_000],
    [-62_135_596_801, 5],
    [253_402_300_800, 42],
    [1_700_000_000, 2_500_000_000], // nanoseconds past a second carry over
    [Number.NaN, 7],
    [1e20, 3],
  ];
  for (const [sec, nsec] of times) {
    const end = writer.put(view, buffer, 0, sec, nsec);
    const text = new TextDecoder().decode(buffer.subarray(0, end));
    assert.equal(text, ',"t":' + JSON.stringify(rfc3339Nano(sec, nsec)) + ',"next":', `${sec} ${nsec}`);
  }
});
