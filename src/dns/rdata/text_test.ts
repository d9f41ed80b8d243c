import assert from "node:assert/strict";
import { ascii, be16, renderOne, wireName } from "../_test_builder.ts";

const HINFO = 13;
const TXT = 16;
const NAPTR = 35;
const SPF = 99;
const URI = 256;
const CAA = 257;

function cs(text: string): number[] {
  return [text.length, ...ascii(text)];
}

Deno.test("TXT renders each character-string quoted and space-separated", () => {
  assert.equal(renderOne(TXT, [...cs("v=spf1 -all"), ...cs('<a&b>"x"\\')]).data, '"v=spf1 -all" "<a&b>\\"x\\"\\\\"');
  assert.equal(renderOne(SPF, cs("v=spf1 -all")).data, '"v=spf1 -all"');
});

Deno.test("TXT escapes non-printable bytes as \\DDD and keeps empty strings", () => {
  assert.equal(renderOne(TXT, [3, 0x00, 0x7f, 0xff, 0]).data, '"\\000\\127\\255" ""');
  assert.equal(renderOne(TXT, []).data, '""');
});

Deno.test("TXT with a character-string past RDLENGTH falls back to RFC 3597", () => {
  assert.deepEqual(renderOne(TXT, [5, 0x61, 0x62]), { data: "\\# 3 056162", anomalies: ["bad_rdata"] });
});

Deno.test("HINFO renders cpu and os quoted", () => {
  assert.equal(renderOne(HINFO, [...cs("CPU"), ...cs("OS")]).data, '"CPU" "OS"');
  assert.deepEqual(renderOne(HINFO, cs("CPU")).anomalies, ["bad_rdata"]);
});

Deno.test("NAPTR renders like the RFC 3403 example", () => {
  const rdata = [
    ...be16(100),
    ...be16(10),
    ...cs("u"),
    ...cs("E2U+sip"),
    ...cs("!^.*$!sip:information@foo.se!i"),
    ...wireName("."),
  ];
  assert.equal(renderOne(NAPTR, rdata).data, '100 10 "u" "E2U+sip" "!^.*$!sip:information@foo.se!i" .');
});

Deno.test("CAA renders flags, tag and the quoted value", () => {
  assert.equal(
    renderOne(CAA, [0, 5, ...ascii("issue"), ...ascii("letsencrypt.org")]).data,
    '0 issue "letsencrypt.org"',
  );
  assert.equal(renderOne(CAA, [128, 5, ...ascii("iodef"), ...ascii('mailto:"a"')]).data, '128 iodef "mailto:\\"a\\""');
});

Deno.test("CAA with an empty or non-alphanumeric tag falls back to RFC 3597", () => {
  assert.deepEqual(renderOne(CAA, [0, 0]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(CAA, [0, 2, 0x2d, 0x61]).anomalies, ["bad_rdata"]);
});

Deno.test("URI renders priority weight and the quoted target", () => {
  assert.equal(
    renderOne(URI, [...be16(10), ...be16(1), ...ascii("ftp://ftp1.example.com/public")]).data,
    '10 1 "ftp://ftp1.example.com/public"',
  );
});
