import assert from "node:assert/strict";
import { be16, be32, hex, renderOne, wireName } from "../_test_builder.ts";
import { rrsigTime } from "./_format.ts";

const SIG = 24;
const CERT = 37;
const DS = 43;
const SSHFP = 44;
const RRSIG = 46;
const DNSKEY = 48;
const TLSA = 52;
const CDS = 59;
const OPENPGPKEY = 61;
const ZONEMD = 63;
const DLV = 32769;

Deno.test("DS renders like the RFC 4034 §5.4 example", () => {
  const rdata = hex(`
    ec 45 05 01                                       // 0  key tag 60485, alg 5, digest type 1
    2b b1 83 af 5f 22 58 81 79 a5 3b 0a 98 63 1f ad   // 4  SHA-1 digest
    1a 29 21 18
  `);
  assert.equal(renderOne(DS, rdata).data, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  assert.equal(renderOne(CDS, rdata).data, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  assert.equal(renderOne(DLV, rdata).data, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118");
  assert.deepEqual(renderOne(DS, hex("ec 45 05 01")).anomalies, ["bad_rdata"]);
});

Deno.test("DNSKEY renders flags, protocol, algorithm and the base64 key", () => {
  const rdata = [...be16(257), 3, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(renderOne(DNSKEY, rdata).data, "257 3 8 AQIDBAUGBwgJCg==");
  assert.equal(renderOne(DNSKEY, [...be16(256), 3, 13, 0xff]).data, "256 3 13 /w==");
});

Deno.test("RRSIG renders like the RFC 4034 §3.3 example (with a short signature)", () => {
  const rdata = [
    ...be16(1), // type covered A
    5, // algorithm
    3, // labels
    ...be32(86400), // original TTL
    ...be32(1048354263), // expiration 2003-03-22 17:31:03
    ...be32(1045762263), // inception 2003-02-20 17:31:03
    ...be16(2642), // key tag
    ...wireName("example.com"),
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
  ];
  assert.equal(
    renderOne(RRSIG, rdata).data,
    "A 5 3 86400 20030322173103 20030220173103 2642 example.com AQIDBAUGBwgJCg==",
  );
  assert.equal(
    renderOne(SIG, rdata.slice(0, -10)).data,
    "A 5 3 86400 20030322173103 20030220173103 2642 example.com",
  );
  assert.deepEqual(renderOne(RRSIG, rdata.slice(0, 12)).anomalies, ["bad_rdata"]);
});

Deno.test("rrsigTime() formats the whole uint32 range in UTC", () => {
  assert.equal(rrsigTime(0), "19700101000000");
  assert.equal(rrsigTime(951782400), "20000229000000");
  assert.equal(rrsigTime(4294967295), "21060207062815");
});

Deno.test("TLSA and SSHFP render numbers and upper-case hex", () => {
  assert.equal(renderOne(TLSA, [3, 1, 1, 0x0c, 0x72, 0xac, 0x70]).data, "3 1 1 0C72AC70");
  assert.equal(renderOne(SSHFP, [2, 1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]).data, "2 1 123456789ABC");
  assert.deepEqual(renderOne(TLSA, [3, 1, 1]).anomalies, ["bad_rdata"]);
});

Deno.test("CERT, OPENPGPKEY and ZONEMD render their numeric fields and payloads", () => {
  assert.equal(renderOne(CERT, [...be16(1), ...be16(12345), 8, 0xff, 0xfe]).data, "1 12345 8 //4=");
  assert.equal(renderOne(OPENPGPKEY, [1, 2, 3]).data, "AQID");
  assert.equal(renderOne(ZONEMD, [...be32(2018031500), 1, 1, 0xfe, 0xbe]).data, "2018031500 1 1 FEBE");
});
