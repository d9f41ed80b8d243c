import assert from "node:assert/strict";
import { hex, renderOne } from "../_test_builder.ts";
import { ipv6Text } from "./addresses.ts";

const A = 1;
const AAAA = 28;
const WKS = 11;
const EUI48 = 108;
const EUI64 = 109;

function v6(rows: string, mappedAsIpv4 = true): string {
  return ipv6Text(hex(rows), 0, mappedAsIpv4);
}

Deno.test("A renders as a dotted quad", () => {
  assert.deepEqual(renderOne(A, [192, 0, 2, 1]), { data: "192.0.2.1", anomalies: [] });
  assert.deepEqual(renderOne(A, [0, 0, 0, 0]), { data: "0.0.0.0", anomalies: [] });
  assert.deepEqual(renderOne(A, [255, 255, 255, 255]), { data: "255.255.255.255", anomalies: [] });
});

Deno.test("A of the wrong length falls back to RFC 3597 with a bad_rdata anomaly", () => {
  assert.deepEqual(renderOne(A, [1, 2, 3, 4, 5]), { data: "\\# 5 0102030405", anomalies: ["bad_rdata"] });
  assert.deepEqual(renderOne(A, []), { data: "\\# 0", anomalies: ["bad_rdata"] });
});

Deno.test("AAAA renders in RFC 5952 form", () => {
  assert.equal(v6("2001 0db8 0000 0000 0000 0000 0000 0001"), "2001:db8::1");
  assert.equal(v6("2607 f8b0 4001 0c02 0000 0000 0000 0093"), "2607:f8b0:4001:c02::93");
  assert.equal(v6("0000 0000 0000 0000 0000 0000 0000 0001"), "::1");
  assert.equal(v6("0000 0000 0000 0000 0000 0000 0000 0000"), "::");
  assert.equal(v6("fe80 0000 0000 0000 0000 0000 0000 0000"), "fe80::");
  // RFC 5952 §4.2.2: a single zero group is not compressed.
  assert.equal(v6("2001 0db8 0000 0001 0001 0001 0001 0001"), "2001:db8:0:1:1:1:1:1");
  // RFC 5952 §4.2.3: the longest run wins, the first on a tie.
  assert.equal(v6("2001 0000 0000 0001 0000 0000 0000 0001"), "2001:0:0:1::1");
  assert.equal(v6("2001 0db8 0000 0000 0001 0000 0000 0001"), "2001:db8::1:0:0:1");
  // Upper-case input digits print lower-case.
  assert.equal(v6("2001 0DB8 ABCD 0000 0000 0000 0000 00EF"), "2001:db8:abcd::ef");
});

Deno.test("AAAA prints an IPv4-mapped address as dotted IPv4, like Go net.IP", () => {
  const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1];
  assert.deepEqual(renderOne(AAAA, mapped), { data: "192.0.2.1", anomalies: [] });
  assert.equal(v6("0000 0000 0000 0000 0000 ffff c000 0201", false), "::ffff:192.0.2.1");
  // IPv4-compatible (deprecated) addresses stay hex, as Go prints them.
  assert.equal(v6("0000 0000 0000 0000 0000 0000 c000 0201"), "::c000:201");
});

Deno.test("AAAA of the wrong length falls back to RFC 3597", () => {
  assert.deepEqual(renderOne(AAAA, [1, 2, 3, 4]), { data: "\\# 4 01020304", anomalies: ["bad_rdata"] });
});

Deno.test("WKS renders the address, protocol and listed ports", () => {
  const rdata = hex(`
    c0 00 02 01                      // 0  192.0.2.1
    06                               // 4  protocol 6 (TCP)
    00 00 00 40                      // 5  bit 25 (port 25, SMTP)
    00 00 00 00 00 00 80             // 9  bit 80 (port 80, HTTP)
  `);
  assert.equal(renderOne(WKS, rdata).data, "192.0.2.1 6 25 80");
});

Deno.test("EUI48 and EUI64 render as hyphenated hex (RFC 7043)", () => {
  assert.equal(renderOne(EUI48, hex("00 00 5e 00 53 2a")).data, "00-00-5e-00-53-2a");
  assert.equal(renderOne(EUI64, hex("00 00 5e ef 10 00 00 2a")).data, "00-00-5e-ef-10-00-00-2a");
  assert.deepEqual(renderOne(EUI48, hex("00 00 5e")).anomalies, ["bad_rdata"]);
});
