import assert from "node:assert/strict";
import { copyWords, NUMBER_MAX, putBytes, putNumber, WORD_COPY_MAX } from "./_put.ts";

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

Deno.test("copyWords() copies any bytes of any length between any offsets, and nothing around them", () => {
  // Bytes that would be NaNs read as doubles (0x7ff8…, 0xfff…): integer words keep them bit for bit.
  const source = new Uint8Array(200).map((_, i) => [0xff, 0xf8, 0x7f, 0x01, 0x00, 0x80][i % 6] ^ (i >> 3));
  const sourceView = new DataView(source.buffer);
  for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, WORD_COPY_MAX, 150]) {
    for (const [from, to] of [[0, 0], [1, 6], [7, 3]]) {
      const d = new Uint8Array(length + 20).fill(0xee);
      const end = copyWords(new DataView(d.buffer), d, to, sourceView, source, from, from + length);
      assert.equal(end, to + length);
      assert.deepEqual(d.subarray(to, end), source.subarray(from, from + length));
      assert.ok(d.subarray(0, to).every((x) => x === 0xee) && d.subarray(end).every((x) => x === 0xee));
    }
  }
});
