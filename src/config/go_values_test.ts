import assert from "node:assert/strict";
import { parseGoBool, parseGoInt } from "./go_values.ts";

Deno.test("parseGoBool() accepts exactly the spellings of Go's strconv.ParseBool", () => {
  for (const text of ["1", "t", "T", "TRUE", "true", "True"]) assert.equal(parseGoBool(text), true, text);
  for (const text of ["0", "f", "F", "FALSE", "false", "False"]) assert.equal(parseGoBool(text), false, text);
});

Deno.test("parseGoBool() rejects other spellings such as yes, tRuE and an empty string", () => {
  for (const text of ["yes", "no", "on", "off", "tRuE", "fALSE", "", " true", "2", "y"]) {
    assert.equal(parseGoBool(text), undefined, text);
  }
});

Deno.test("parseGoInt() reads decimal, hex, octal and binary literals like strconv.ParseInt with base 0", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["8", 8],
    ["-3", -3],
    ["+7", 7],
    ["010", 8], // leading zero: octal, as the original read PDNS_THREADS=010
    ["0o17", 15],
    ["0O17", 15],
    ["0x10", 16],
    ["0XfF", 255],
    ["0b101", 5],
    ["0B11", 3],
    ["-0x10", -16],
    ["1_000", 1000],
    ["0x_ff", 255],
    ["0_10", 8],
    ["00", 0],
    ["4294967296", 4294967296],
  ];
  for (const [text, value] of cases) assert.equal(parseGoInt(text), value, text);
});

Deno.test("parseGoInt() rejects text that is not a Go integer literal", () => {
  const bad = [
    "",
    "-",
    "+",
    "abc",
    "12abc",
    "1.5",
    "08",
    "0x",
    "0b2",
    "0o8",
    "1__0",
    "_1",
    "1_",
    "0x_",
    " 1",
    "1 ",
    "--1",
  ];
  for (const text of bad) assert.equal(parseGoInt(text), undefined, text);
});
