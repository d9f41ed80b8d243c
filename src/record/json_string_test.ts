import assert from "node:assert/strict";
import { jsonString } from "./json_string.ts";

Deno.test("jsonString() leaves plain ASCII alone", () => {
  assert.equal(jsonString("www.example.com"), '"www.example.com"');
  assert.equal(jsonString(""), '""');
});

Deno.test("jsonString() escapes quotes, backslashes and control characters", () => {
  assert.equal(jsonString('"a" \\b'), '"\\"a\\" \\\\b"');
  assert.equal(jsonString("a\tb\nc\rd\u0001"), '"a\\tb\\nc\\rd\\u0001"');
});

Deno.test("jsonString() output parses back to its input", () => {
  for (const text of ['\\"<a&b>"', "\u007f\u00e9\u2028", "\\255\\254.COM", "x\u0000y"]) {
    assert.equal(JSON.parse(jsonString(text)), text);
    assert.ok(/^[\x20-\x7e]*$/.test(jsonString(text)), "output is printable ASCII");
  }
});
