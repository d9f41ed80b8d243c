import assert from "node:assert/strict";
import {
  className,
  ednsOptionName,
  GOPASSIVEDNS_NAMED_TYPES,
  gopassivednsRcodeText,
  gopassivednsTypeName,
  isKnownType,
  opcodeName,
  rcodeName,
  typeName,
} from "./registries.ts";

Deno.test("typeName() gives IANA mnemonics and TYPE<n> for unassigned types", () => {
  assert.equal(typeName(1), "A");
  assert.equal(typeName(23), "NSAP-PTR");
  assert.equal(typeName(65), "HTTPS");
  assert.equal(typeName(99), "SPF");
  assert.equal(typeName(109), "EUI64");
  assert.equal(typeName(255), "ANY");
  assert.equal(typeName(261), "RESINFO");
  assert.equal(typeName(32768), "TA");
  assert.equal(typeName(32769), "DLV");
  assert.equal(typeName(0), "TYPE0");
  assert.equal(typeName(54), "TYPE54");
  assert.equal(typeName(65280), "TYPE65280");
  assert.equal(isKnownType(257), true);
  assert.equal(isKnownType(54), false);
});

Deno.test("gopassivednsTypeName() names every type the original named and prints others in decimal", () => {
  const original: Record<number, string> = {
    1: "A",
    28: "AAAA",
    5: "CNAME",
    15: "MX",
    2: "NS",
    12: "PTR",
    16: "TXT",
    6: "SOA",
    33: "SRV",
    255: "ANY",
    3: "MD",
    4: "MF",
    7: "MB",
    8: "MG",
    9: "MR",
    10: "NULL",
    11: "WKS",
    13: "HINFO",
    14: "MINFO",
    41: "OPT",
    46: "RRSIG",
    48: "DNSKEY",
    64: "SVCB",
    65: "HTTPS",
    256: "URI",
  };
  for (const n of GOPASSIVEDNS_NAMED_TYPES) assert.equal(gopassivednsTypeName(n), original[n]);
  assert.equal(gopassivednsTypeName(43), "DS");
  assert.equal(gopassivednsTypeName(54), "54");
  assert.equal(gopassivednsTypeName(65280), "65280");
  assert.equal(gopassivednsTypeName(0), "0");
});

Deno.test("className(), rcodeName() and opcodeName() cover the IANA tables", () => {
  assert.deepEqual([1, 3, 4, 254, 255, 2, 300].map(className), ["IN", "CH", "HS", "NONE", "ANY", "CLASS2", "CLASS300"]);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17, 23, 24].map(rcodeName),
    [
      "NOERROR",
      "FORMERR",
      "SERVFAIL",
      "NXDOMAIN",
      "NOTIMP",
      "REFUSED",
      "YXDOMAIN",
      "YXRRSET",
      "NXRRSET",
      "NOTAUTH",
      "NOTZONE",
      "DSOTYPENI",
      "RCODE12",
      "BADVERS",
      "BADKEY",
      "BADCOOKIE",
      "RCODE24",
    ],
  );
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 15].map(opcodeName), [
    "QUERY",
    "IQUERY",
    "STATUS",
    "OPCODE3",
    "NOTIFY",
    "UPDATE",
    "DSO",
    "OPCODE15",
  ]);
});

Deno.test("ednsOptionName() gives IANA option names and OPT<code> otherwise", () => {
  assert.deepEqual([3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20292, 0, 4, 65001].map(ednsOptionName), [
    "NSID",
    "DAU",
    "DHU",
    "N3U",
    "ECS",
    "EXPIRE",
    "COOKIE",
    "TCP-KEEPALIVE",
    "PADDING",
    "CHAIN",
    "KEY-TAG",
    "EDE",
    "UMBRELLA-IDENT",
    "OPT0",
    "OPT4",
    "OPT65001",
  ]);
});

Deno.test("gopassivednsRcodeText() gives the original texts, without the seed's trailing space", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15].map(gopassivednsRcodeText), [
    "No Error",
    "Format Error",
    "Server Failure",
    "Non-Existent Domain",
    "Not Implemented",
    "Query Refused",
    "Name Exists when it should not",
    "RR Set Exists when it should not",
    "RR Set that should exist does not",
    "Server Not Authoritative for zone",
    "Name not contained in zone",
    "Unknown",
    "Unknown",
  ]);
});
