import assert from "node:assert/strict";
import { formatDuration, parseGoDuration } from "./duration.ts";

Deno.test("parseGoDuration() reads every form Go's time.ParseDuration accepts", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["-0", 0],
    ["+0", 0],
    ["0s", 0],
    ["-1m", -60_000],
    ["3m", 180_000],
    ["90s", 90_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    ["-0.5s", -500],
    [".5s", 500],
    ["5.s", 5_000],
    ["+2s", 2_000],
    ["1h1m1s1ms", 3_661_001],
    ["100us", 0.1],
    ["100µs", 0.1], // U+00B5 micro sign
    ["100μs", 0.1], // U+03BC Greek mu
    ["1500ns", 0.0015],
    ["0.1s", 100],
    ["2h45m", 9_900_000],
    ["1.000000001s", 1000.000001],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

Deno.test("parseGoDuration() rejects what Go rejects, saying why", () => {
  const cases: [string, RegExp][] = [
    ["", /^Invalid duration ""$/],
    ["-", /^Invalid duration "-"$/],
    ["abc", /^Invalid duration "abc"$/],
    ["1", /^Missing unit in duration "1"$/],
    ["00", /^Missing unit in duration "00"$/],
    ["1d", /^Unknown unit "d" in duration "1d"$/],
    ["1 m", /^Unknown unit " m" in duration "1 m"$/],
    ["1M", /^Unknown unit "M" in duration "1M"$/],
    ["1mm", /^Unknown unit "mm" in duration "1mm"$/],
    [".s", /^Invalid duration ".s"$/],
    ["1m-5s", /^Unknown unit "m-" in duration "1m-5s"$/],
    ["--1m", /^Invalid duration "--1m"$/],
    ["s", /^Invalid duration "s"$/],
    ["3000000h", /out of range/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseGoDuration(text), (e) => e instanceof SyntaxError && message.test(e.message), text);
  }
});

Deno.test("parseGoDuration() accepts the largest Go duration and rejects one nanosecond more", () => {
  assert.equal(parseGoDuration("9223372036854775807ns"), 9223372036854.775);
  assert.equal(parseGoDuration("-9223372036854775808ns"), -9223372036854.775);
  assert.throws(() => parseGoDuration("9223372036854775808ns"), SyntaxError);
});

Deno.test("formatDuration() writes compact Go-style text", () => {
  assert.equal(formatDuration(-60_000), "-1m");
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(500), "500ms");
  assert.equal(formatDuration(0.0015), "1500ns");
});
