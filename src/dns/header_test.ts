import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeHeader } from "./header.ts";
import { hex } from "./_test_builder.ts";

Deno.test("decodeHeader() reads id, every flag and the four counts", () => {
  const h = decodeHeader(hex(`
    4f b8   // 0   id 0x4fb8
    af f3   // 2   QR, opcode 5, AA, TC, RD, RA, Z, AD, CD, rcode 3
    00 01   // 4   qdcount 1
    00 02   // 6   ancount 2
    00 03   // 8   nscount 3
    ff ff   // 10  arcount 65535
  `));
  assert.deepEqual(h, {
    id: 0x4fb8,
    qr: true,
    opcode: 5,
    aa: true,
    tc: true,
    rd: true,
    ra: true,
    z: true,
    ad: true,
    cd: true,
    rcode: 3,
    qdcount: 1,
    ancount: 2,
    nscount: 3,
    arcount: 65535,
  });
});

Deno.test("decodeHeader() reads a plain query with every flag clear", () => {
  const h = decodeHeader(hex("00 01 00 00 00 01 00 00 00 00 00 00"));
  assert.equal(h.qr || h.aa || h.tc || h.rd || h.ra || h.z || h.ad || h.cd, false);
  assert.equal(h.opcode, 0);
  assert.equal(h.rcode, 0);
});

Deno.test("decodeHeader() rejects fewer than 12 bytes", () => {
  assert.throws(
    () => decodeHeader(hex("4f b8 81 80 00 01 00")),
    (e: unknown) =>
      e instanceof DecodeError && e.code === "dns.short_header" && e.offset === 7 &&
      e.message === "Cannot decode DNS header: message is 7 bytes, a header needs 12",
  );
});
