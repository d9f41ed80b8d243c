import assert from "node:assert/strict";
import { looksLikeDnsStart } from "./tcp_resync.ts";
import { hex } from "./_test_frames.ts";

// Each row: what it is, the bytes at a segment boundary, whether framing may start there.
const CASES: [string, string, boolean][] = [
  ["a query: length 29, QUERY, 1 question", "001d 1234 0100 0001 0000 0000 0000 03616263 03636f6d 00 0001 0001", true],
  ["a length prefix alone", "001d", true],
  ["prefix and part of a header", "001d 1234 01", true],
  ["one byte", "00", false],
  ["length below the 12-byte header", "000b 1234 0100 0001 0000 0000 00", false],
  ["unassigned opcode 3", "001d 1234 1900 0001 0000 0000 0000", false],
  ["opcode 15", "001d 1234 7900 0001 0000 0000 0000", false],
  ["NOTIFY", "0021 1234 2000 0001 0000 0000 0000", true],
  ["counts that cannot fit the length", "0020 1234 8180 0001 0005 0000 0000", false],
  ["counts that fit exactly", "001c 1234 8180 0001 0001 0000 0000", true], // 12 + 5 + 11 = 28
];

for (const [name, bytes, expected] of CASES) {
  Deno.test(`looksLikeDnsStart() is ${expected} for ${name}`, () => {
    const data = hex("ee" + bytes);
    assert.equal(looksLikeDnsStart(data, 1, data.length), expected);
  });
}
