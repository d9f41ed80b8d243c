import assert from "node:assert/strict";
import { decodeMessage } from "./decode_message.ts";
import { ascii, be16, hex, message, rr } from "./_test_builder.ts";

const OPT = 41;

function option(code: number, data: number[]): number[] {
  return [...be16(code), ...be16(data.length), ...data];
}

/** OPT RR: owner root, CLASS = UDP size, TTL = ext-rcode | version | DO. */
function opt(udpSize: number, ttl: number, options: number[], owner: string | number[] = "."): number[] {
  return rr(owner, OPT, ttl, options, udpSize);
}

Deno.test("the OPT RR becomes edns with version, UDP size, DO bit and extended RCODE", () => {
  const msg = decodeMessage(message({ additionals: [opt(1232, 0x01008000, [])] }), "full");
  assert.deepEqual(msg.edns, { version: 0, udpSize: 1232, do: true, extendedRcode: 1, options: [] });
  assert.deepEqual(msg.additionals, []);
  assert.deepEqual(msg.anomalies, []);
});

Deno.test("ECS decodes family, prefixes and the zero-padded address", () => {
  const v4 = option(8, [...hex("0001 18 00"), 192, 0, 2]); // family 1, /24, scope 0
  const v6 = option(8, [...hex("0002 38 30"), ...hex("20010db8123456")]); // family 2, /56, scope /48
  const msg = decodeMessage(message({ additionals: [opt(4096, 0, [...v4, ...v6])] }), "full");
  assert.deepEqual(msg.edns?.options, [
    {
      code: 8,
      name: "ECS",
      hex: "00011800c00002",
      decoded: { family: 1, sourcePrefix: 24, scopePrefix: 0, address: "192.0.2.0" },
    },
    {
      code: 8,
      name: "ECS",
      hex: "0002383020010db8123456",
      decoded: { family: 2, sourcePrefix: 56, scopePrefix: 48, address: "2001:db8:1234:5600::" },
    },
  ]);
  assert.deepEqual(msg.anomalies, []);
});

Deno.test("COOKIE decodes the client and server cookies as hex", () => {
  const cookie = option(10, [...hex("0102030405060708"), ...hex("1112131415161718191a1b1c1d1e1f20")]);
  const clientOnly = option(10, [...hex("0102030405060708")]);
  const msg = decodeMessage(message({ additionals: [opt(4096, 0, [...cookie, ...clientOnly])] }), "full");
  assert.deepEqual(msg.edns?.options[0].decoded, {
    client: "0102030405060708",
    server: "1112131415161718191a1b1c1d1e1f20",
  });
  assert.deepEqual(msg.edns?.options[1].decoded, { client: "0102030405060708", server: "" });
});

Deno.test("EDE, TCP-KEEPALIVE and EXPIRE are decoded; other options keep name and hex only", () => {
  const options = [
    ...option(15, [...be16(18), ...ascii("Prohibited")]),
    ...option(11, be16(300)),
    ...option(9, [0, 0, 0x0e, 0x10]),
    ...option(3, ascii("ns1")),
    ...option(12, [0, 0]),
    ...option(65001, [0xab]),
  ];
  const msg = decodeMessage(message({ additionals: [opt(4096, 0, options)] }), "full");
  assert.deepEqual(msg.edns?.options, [
    { code: 15, name: "EDE", hex: "001250726f68696269746564", decoded: { infoCode: 18, extraText: "Prohibited" } },
    { code: 11, name: "TCP-KEEPALIVE", hex: "012c", decoded: { timeout: 300 } },
    { code: 9, name: "EXPIRE", hex: "00000e10", decoded: { expire: 3600 } },
    { code: 3, name: "NSID", hex: "6e7331" },
    { code: 12, name: "PADDING", hex: "0000" },
    { code: 65001, name: "OPT65001", hex: "ab" },
  ]);
});

Deno.test("a malformed known option keeps its hex and flags bad_edns_option", () => {
  const msg = decodeMessage(message({ additionals: [opt(4096, 0, option(10, [1, 2, 3]))] }), "full");
  assert.deepEqual(msg.edns?.options, [{ code: 10, name: "COOKIE", hex: "010203" }]);
  assert.deepEqual(msg.anomalies, ["bad_edns_option"]);
  const ecs = decodeMessage(
    message({ additionals: [opt(4096, 0, option(8, [...hex("0001 21 00 01020304")]))] }),
    "full",
  );
  assert.equal(ecs.edns?.options[0].decoded, undefined);
  assert.deepEqual(ecs.anomalies, ["bad_edns_option"]);
});

Deno.test("an option that overruns the OPT RDATA keeps the options before it", () => {
  const rdata = [...option(3, []), ...be16(10), ...be16(9), 1];
  const msg = decodeMessage(message({ additionals: [opt(4096, 0, rdata)] }), "full");
  assert.deepEqual(msg.edns?.options, [{ code: 3, name: "NSID", hex: "" }]);
  assert.deepEqual(msg.anomalies, ["bad_edns_option"]);
});

Deno.test("a second OPT is flagged multiple_opt and a non-root owner opt_not_root", () => {
  const msg = decodeMessage(
    message({ additionals: [opt(4096, 0, [], "example.com"), opt(512, 0, [])] }),
    "full",
  );
  assert.equal(msg.edns?.udpSize, 4096);
  assert.deepEqual(msg.anomalies, ["opt_not_root", "multiple_opt"]);
});

Deno.test("an OPT in the answer section stays an RR and is flagged", () => {
  const msg = decodeMessage(message({ answers: [opt(4096, 0, [])] }), "full");
  assert.deepEqual(msg.answers, [{ name: ".", type: 41, class: 4096, ttl: 0, data: "\\# 0" }]);
  assert.equal(msg.edns, null);
  assert.deepEqual(msg.anomalies, ["opt_outside_additional"]);
});

Deno.test("EDNS is only decoded at depth full", () => {
  const bytes = message({ answers: [rr("example.com", 1, 1, [1, 2, 3, 4])], additionals: [opt(4096, 0, [])] });
  assert.equal(decodeMessage(bytes, "answers").edns, null);
  assert.equal(decodeMessage(bytes, "full").edns?.udpSize, 4096);
});
