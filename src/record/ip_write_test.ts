import assert from "node:assert/strict";
import { IPV6_TEXT_CASES } from "../decode/_ipv6_text_cases.ts";
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

for (const [hex, expected] of IPV6_TEXT_CASES) {
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
