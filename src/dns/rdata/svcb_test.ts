import assert from "node:assert/strict";
import { ascii, be16, hex, renderOne, wireName } from "../_test_builder.ts";

const SVCB = 64;
const HTTPS = 65;

function param(key: number, value: number[]): number[] {
  return [...be16(key), ...be16(value.length), ...value];
}

Deno.test("SVCB renders the RFC 9460 Appendix D AliasMode and ServiceMode vectors", () => {
  assert.equal(renderOne(HTTPS, [...be16(0), ...wireName("foo.example.com")]).data, "0 foo.example.com");
  assert.equal(renderOne(SVCB, hex("00 01 00")).data, "1 .");
  assert.equal(
    renderOne(SVCB, [...be16(16), ...wireName("foo.example.com"), ...param(3, [0, 53])]).data,
    "16 foo.example.com port=53",
  );
});

Deno.test("SVCB renders unknown keys as keyNNNNN with a quoted, escaped value", () => {
  const hello = ascii("hello");
  assert.equal(
    renderOne(SVCB, [...be16(1), ...wireName("foo.example.com"), ...param(667, hello)]).data,
    '1 foo.example.com key667="hello"',
  );
  assert.equal(
    renderOne(SVCB, [...be16(1), ...wireName("foo.example.com"), ...param(667, [...hello, 0xd2, 0x71, 0x6f, 0x6f])])
      .data,
    '1 foo.example.com key667="hello\\210qoo"',
  );
  assert.equal(renderOne(SVCB, [...be16(1), 0, ...param(65000, [])]).data, "1 . key65000");
});

Deno.test("SVCB renders mandatory, alpn and ipv4hint in wire order", () => {
  const rdata = [
    ...be16(16),
    ...wireName("foo.example.org"),
    ...param(0, [0, 1, 0, 4]), // mandatory=alpn,ipv4hint
    ...param(1, [2, ...ascii("h2"), 5, ...ascii("h3-19")]),
    ...param(4, [192, 0, 2, 1]),
  ];
  assert.equal(
    renderOne(SVCB, rdata).data,
    '16 foo.example.org mandatory=alpn,ipv4hint alpn="h2,h3-19" ipv4hint=192.0.2.1',
  );
});

Deno.test("SVCB escapes commas and backslashes inside an alpn id twice (RFC 9460 Appendix A.1)", () => {
  const rdata = [
    ...be16(16),
    ...wireName("foo.example.org"),
    ...param(1, [8, ...ascii("f\\oo,bar"), 2, ...ascii("h2")]),
  ];
  assert.equal(renderOne(SVCB, rdata).data, '16 foo.example.org alpn="f\\\\\\\\oo\\\\,bar,h2"');
});

Deno.test("SVCB renders ipv6hint in RFC 5952 form", () => {
  const rdata = [
    ...be16(1),
    ...wireName("foo.example.com"),
    ...param(6, [...hex("20010db8000000000000000000000001"), ...hex("20010db8000000000000000000530001")]),
  ];
  assert.equal(renderOne(SVCB, rdata).data, "1 foo.example.com ipv6hint=2001:db8::1,2001:db8::53:1");
  const mapped = [...be16(1), 0, ...param(6, [...hex("00000000000000000000ffffc0000221")])];
  assert.equal(renderOne(SVCB, mapped).data, "1 . ipv6hint=::ffff:192.0.2.33");
});

Deno.test("HTTPS renders no-default-alpn, ech, dohpath and ohttp", () => {
  const rdata = [
    ...be16(1),
    0,
    ...param(1, [2, ...ascii("h3")]),
    ...param(2, []),
    ...param(5, [1, 2, 3]),
    ...param(7, ascii("/dns-query{?dns}")),
    ...param(8, []),
  ];
  assert.equal(renderOne(HTTPS, rdata).data, '1 . alpn="h3" no-default-alpn ech=AQID dohpath="/dns-query{?dns}" ohttp');
});

Deno.test("SVCB with keys out of order or a bad value length falls back to RFC 3597", () => {
  const base = [...be16(1), 0];
  assert.deepEqual(renderOne(SVCB, [...base, ...param(3, [0, 53]), ...param(1, [2, 0x68, 0x32])]).anomalies, [
    "bad_rdata",
  ]);
  assert.deepEqual(renderOne(SVCB, [...base, ...param(3, [0, 53]), ...param(3, [0, 53])]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(SVCB, [...base, ...param(3, [53])]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(SVCB, [...base, ...param(4, [1, 2, 3])]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(SVCB, [...base, ...param(1, [3, 0x68])]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(SVCB, [...base, ...be16(3), ...be16(9), 0]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(SVCB, [...base, ...param(65535, [])]).anomalies, ["bad_rdata"]);
});
