import assert from "node:assert/strict";
import { ascii, be16, be32, hex, renderOne, wireName } from "../_test_builder.ts";

const LOC = 29;
const TSIG = 250;
const TKEY = 249;
const NULL = 10;
const EQUATOR = 0x80000000;

function loc(size: number, hp: number, vp: number, lat: number, lon: number, alt: number): number[] {
  return [0, size, hp, vp, ...be32(lat), ...be32(lon), ...be32(alt)];
}

Deno.test("LOC renders in the RFC 1876 text form, as dig prints it", () => {
  const lat = EQUATOR + ((52 * 60 + 22) * 60 + 23) * 1000; // 52 22 23.000 N
  const lon = EQUATOR + ((4 * 60 + 53) * 60 + 32) * 1000; // 4 53 32.000 E
  assert.equal(
    renderOne(LOC, loc(0x00, 0x16, 0x13, lat, lon, 10000000 - 200)).data,
    "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",
  );
});

Deno.test("LOC renders southern and western coordinates and sub-metre sizes", () => {
  const lat = EQUATOR - (((42 * 60 + 21) * 60 + 54) * 1000 + 500); // 42 21 54.500 S
  const lon = EQUATOR - ((71 * 60 + 6) * 60 + 18) * 1000; // 71 06 18.000 W
  assert.equal(
    renderOne(LOC, loc(0x12, 0x51, 0x13, lat, lon, 10000000 + 2405)).data,
    "42 21 54.500 S 71 6 18.000 W 24.05m 1m 0.50m 10m",
  );
});

Deno.test("LOC with a bad version, size digit or latitude falls back to RFC 3597", () => {
  const good = loc(0x12, 0x16, 0x13, EQUATOR, EQUATOR, 10000000);
  assert.equal(renderOne(LOC, good).data, "0 0 0.000 N 0 0 0.000 E 0.00m 1m 10000m 10m");
  assert.deepEqual(renderOne(LOC, [1, ...good.slice(1)]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(LOC, [0, 0xa2, ...good.slice(2)]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(LOC, loc(0x12, 0x16, 0x13, EQUATOR + 91 * 3600000, EQUATOR, 0)).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(LOC, good.slice(0, 15)).anomalies, ["bad_rdata"]);
});

Deno.test("TSIG renders algorithm, time, fudge, MAC and error like dig", () => {
  const rdata = [
    ...wireName("hmac-sha256"),
    ...be16(0),
    ...be32(1700000000), // time signed (48 bits)
    ...be16(300), // fudge
    ...be16(4), // MAC size
    1,
    2,
    3,
    4,
    ...be16(0x1234), // original id
    ...be16(18), // error BADTIME
    ...be16(0), // other length
  ];
  assert.equal(renderOne(TSIG, rdata).data, "hmac-sha256 1700000000 300 4 AQIDBA== 4660 BADTIME 0");
});

Deno.test("NULL and unknown types render in RFC 3597 form without an anomaly", () => {
  assert.deepEqual(renderOne(NULL, ascii("hi")), { data: "\\# 2 6869", anomalies: [] });
  assert.deepEqual(renderOne(65280, hex("0a 00 00 01")), { data: "\\# 4 0A000001", anomalies: [] });
  assert.deepEqual(renderOne(65280, []), { data: "\\# 0", anomalies: [] });
});

Deno.test("TKEY renders algorithm, inception, expiration, mode, error, key and other data like dig", () => {
  const rdata = [
    ...wireName("gss-tsig"),
    ...be32(1700000000), // inception
    ...be32(1700003600), // expiration
    ...be16(3), // mode: GSS-API negotiation
    ...be16(0), // error
    ...be16(3), // key size
    0xfb,
    0xff,
    0x01,
    ...be16(0), // other size
  ];
  assert.equal(renderOne(TKEY, rdata).data, "gss-tsig 1700000000 1700003600 3 NOERROR 3 +/8B 0");
  const withOther = [...rdata.slice(0, -2), ...be16(2), 0xab, 0xcd];
  assert.equal(renderOne(TKEY, withOther).data, "gss-tsig 1700000000 1700003600 3 NOERROR 3 +/8B 2 q80=");
  const truncated = rdata.slice(0, -3);
  assert.match(renderOne(TKEY, truncated).data, /^\\# /);
});
