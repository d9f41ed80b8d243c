import assert from "node:assert/strict";
import { be16, be32, hex, renderOne, wireName } from "../_test_builder.ts";

const NSEC = 47;
const NSEC3 = 50;
const NSEC3PARAM = 51;
const CSYNC = 62;

Deno.test("NSEC renders like the RFC 4034 §4.3 example", () => {
  const rdata = [
    ...wireName("host.example.com"),
    ...hex(`
      00 06 40 01 00 00 00 03   // window 0, 6 octets: A MX RRSIG NSEC
      04 1b 00 00 00 00 00 00   // window 4, 27 octets: 26 zero octets,
      00 00 00 00 00 00 00 00   //   then bit 2 of octet 26 (TYPE1234)
      00 00 00 00 00 00 00 00
      00 00 00 00 20
    `),
  ];
  assert.equal(renderOne(NSEC, rdata).data, "host.example.com A MX RRSIG NSEC TYPE1234");
  assert.equal(renderOne(NSEC, wireName("host.example.com")).data, "host.example.com");
});

Deno.test("NSEC with windows out of order or an empty window falls back to RFC 3597", () => {
  const next = wireName("a");
  assert.deepEqual(renderOne(NSEC, [...next, 1, 1, 0x40, 0, 1, 0x40]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(NSEC, [...next, 0, 0]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(NSEC, [...next, 0, 33, ...new Array(33).fill(0)]).anomalies, ["bad_rdata"]);
  assert.deepEqual(renderOne(NSEC, [...next, 0, 4, 0x40]).anomalies, ["bad_rdata"]);
});

Deno.test("NSEC3 renders like the RFC 5155 Appendix A example, in dig's upper case", () => {
  const rdata = hex(`
    01 01 00 0c                       // 0   alg 1, flags 1 (opt-out), 12 iterations
    04 aa bb cc dd                    // 4   salt
    14 17 4e b2 40 9f e2 8b cb 48     // 9   hash (20 octets)
       87 a1 83 6f 95 7f 0a 84 25
       e2 7b
    00 07 22 01 00 00 00 02 90        // 30  window 0: NS SOA MX RRSIG DNSKEY NSEC3PARAM
  `);
  assert.equal(
    renderOne(NSEC3, rdata).data,
    "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA MX RRSIG DNSKEY NSEC3PARAM",
  );
});

Deno.test("NSEC3PARAM renders its salt as hex, or - when empty", () => {
  assert.equal(renderOne(NSEC3PARAM, hex("01 00 00 0c 04 aa bb cc dd")).data, "1 0 12 AABBCCDD");
  assert.equal(renderOne(NSEC3PARAM, hex("01 00 00 00 00")).data, "1 0 0 -");
  assert.deepEqual(renderOne(NSEC3PARAM, hex("01 00 00 00 04 aa")).anomalies, ["bad_rdata"]);
});

Deno.test("CSYNC renders serial, flags and types", () => {
  // RFC 7477 §2.1.1 example: 66 3 A NS AAAA
  assert.equal(renderOne(CSYNC, [...be32(66), ...be16(3), 0, 4, 0x60, 0, 0, 0x08]).data, "66 3 A NS AAAA");
});
