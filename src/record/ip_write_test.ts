import assert from "node:assert/strict";
import { ipv4Text, ipv6Text } from "../decode/ip_text.ts";
import { IP_TEXT_MAX, putIp16, putIpv4 } from "./ip_write.ts";
import { WORD_SLACK } from "./_put.ts";

/** What a writer puts at index 1 of a fresh buffer (index 0 must stay untouched). */
function written(put: (v: DataView, d: Uint8Array, u: number) => number): string {
  const d = new Uint8Array(1 + IP_TEXT_MAX + WORD_SLACK).fill(0x78); // "x"
  const end = put(new DataView(d.buffer), d, 1);
  return new TextDecoder().decode(d.subarray(0, end));
}

/** 16 address bytes from hex text with spaces (one row per case below). */
const address = (hex: string) => new Uint8Array(hex.replaceAll(" ", "").match(/../g)!.map((h) => parseInt(h, 16)));

// Each row: the 16 address bytes, the text Go's net.IP.String() gives.
const CASES: [string, string][] = [
  ["2001 0db8 0000 0000 0000 0000 0000 0001", "2001:db8::1"],
  ["0000 0000 0000 0000 0000 0000 0000 0000", "::"],
  ["0000 0000 0000 0000 0000 0000 0000 0001", "::1"],
  ["0001 0000 0000 0000 0000 0000 0000 0000", "1::"],
  ["2001 0db8 0000 0000 0001 0000 0000 0001", "2001:db8::1:0:0:1"], // tie: the first run
  ["2001 0db8 0000 0001 0000 0000 0000 0001", "2001:db8:0:1::1"], // longest run, not the first
  ["2001 0db8 0000 0001 0001 0001 0001 0001", "2001:db8:0:1:1:1:1:1"], // one zero field stays
  ["fe80 0000 0000 0000 abcd 00ef 0000 0000", "fe80::abcd:ef:0:0"], // lower case, no leading zeros
  ["0a0b 0100 0010 000f 00f0 0f00 f000 ffff", "a0b:100:10:f:f0:f00:f000:ffff"], // every leading-zero width
  ["0000 0000 0000 0000 0000 ffff c000 0201", "192.0.2.1"], // IPv4-mapped: dotted, like Go
  ["0000 0000 0000 0000 0000 0000 c000 0201", "::c000:201"], // IPv4-compatible: not dotted in Go
  ["0064 ff9b 0000 0000 0000 0000 c000 0201", "64:ff9b::c000:201"], // NAT64 prefix: not mapped
  ["ffff ffff ffff ffff ffff ffff ffff ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
];

for (const [hex, expected] of CASES) {
  Deno.test(`putIp16() writes ${expected}`, () => {
    assert.equal(written((v, d, u) => putIp16(v, d, u, address("aabb" + hex), 2)), "x" + expected); // at an offset
  });
}

Deno.test("putIp16() and putIpv4() agree with ipv6Text() and ipv4Text() on pseudo-random addresses", () => {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  const bytes = new Uint8Array(16);
  for (let n = 0; n < 20000; n++) {
    // Mostly zero bytes, so that runs of zero fields of every length and position come up.
    for (let i = 0; i < 16; i++) bytes[i] = next() < 128 ? 0 : next() >> (next() & 7);
    if (n % 10 === 0) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    assert.equal(written((v, d, u) => putIp16(v, d, u, bytes, 0)), "x" + ipv6Text(bytes, 0));
    assert.equal(written((v, d, u) => putIpv4(v, d, u, bytes, 12)), "x" + ipv4Text(bytes, 12));
  }
});
