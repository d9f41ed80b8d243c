import assert from "node:assert/strict";
import { jsonString } from "./json_string.ts";
import { RecordBuffer } from "./record_buffer.ts";

const text = (out: RecordBuffer) => new TextDecoder().decode(out.records());

Deno.test("RecordBuffer.jsonString() writes the same bytes as jsonString()", () => {
  for (const sample of ["www.example", 'a"b\\c', "tab\there\nnl\r", "\u0000\u001f\u007f", "é€😀", ""]) {
    const out = new RecordBuffer(4);
    out.jsonString(sample);
    assert.equal(text(out), jsonString(sample));
  }
});

Deno.test("RecordBuffer.number() prints numbers as String() does", () => {
  for (const n of [0, -0, 7, 10, 65535, 4294967295, -1012000, 2 ** 53 - 1, 1.5, 2 ** 60]) {
    const out = new RecordBuffer(1);
    out.number(n);
    assert.equal(text(out), String(n));
  }
});

Deno.test("RecordBuffer grows and keeps what it holds, repeating earlier parts", () => {
  const out = new RecordBuffer(2);
  out.ascii("head");
  out.repeat(0, 4);
  out.endLine();
  out.line("né");
  assert.equal(text(out), "headhead\nné\n");
  out.reset();
  assert.equal(out.records().length, 0);
});
