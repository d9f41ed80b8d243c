import assert from "node:assert/strict";
import { NUMBER_MAX, putBytes, putNumber } from "./_put.ts";

/** What a writer puts at index 1 of a fresh buffer. */
function written(put: (d: Uint8Array, u: number) => number): string {
  const d = new Uint8Array(1 + 64);
  return new TextDecoder().decode(d.subarray(1, put(d, 1)));
}

Deno.test("putNumber() prints numbers as String() does, within NUMBER_MAX bytes", () => {
  const samples = [0, -0, 7, 10, 99999, 100000, 999999, 1000000, 65535, 4294967295, 4294967296, -1, -1012000];
  samples.push(-4294967295, -4294967296, 2 ** 53 - 1, -(2 ** 53), 1.5, -1.2345678901234567e+308, 2 ** 60, NaN);
  for (const n of samples) {
    const text = written((d, u) => putNumber(d, u, n));
    assert.equal(text, String(n));
    assert.ok(text.length <= NUMBER_MAX);
  }
});

Deno.test("putBytes() copies short and long constants", () => {
  for (const text of ["", "a", "sixteen bytes...", "seventeen bytes.."]) {
    assert.equal(written((d, u) => putBytes(d, u, new TextEncoder().encode(text))), text);
  }
});
