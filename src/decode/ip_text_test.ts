import assert from "node:assert/strict";
import { ipv4Text, ipv6Text } from "./ip_text.ts";
import { hex } from "./_test_frames.ts";

// Each row: the 16 address bytes, the text Go's net.IP.String() gives.
const IPV6_CASES: [string, string][] = [
  ["2001 0db8 0000 0000 0000 0000 0000 0001", "2001:db8::1"],
  ["0000 0000 0000 0000 0000 0000 0000 0000", "::"],
  ["0000 0000 0000 0000 0000 0000 0000 0001", "::1"],
  ["0001 0000 0000 0000 0000 0000 0000 0000", "1::"],
  ["2001 0db8 0000 0000 0001 0000 0000 0001", "2001:db8::1:0:0:1"], // tie: the first run
  ["2001 0db8 0000 0001 0000 0000 0000 0001", "2001:db8:0:1::1"], // longest run, not the first
  ["2001 0db8 0000 0001 0001 0001 0001 0001", "2001:db8:0:1:1:1:1:1"], // one zero field stays
  ["FE80 0000 0000 0000 ABCD 00EF 0000 0000", "fe80::abcd:ef:0:0"], // lower case, no leading zeros
  ["0000 0000 0000 0000 0000 ffff c000 0201", "192.0.2.1"], // IPv4-mapped: dotted, like Go
  ["0000 0000 0000 0000 0000 0000 c000 0201", "::c000:201"], // IPv4-compatible: not dotted in Go
  ["0064 ff9b 0000 0000 0000 0000 c000 0201", "64:ff9b::c000:201"], // NAT64 prefix: not mapped
  ["ffff ffff ffff ffff ffff ffff ffff ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
];

for (const [address, text] of IPV6_CASES) {
  Deno.test(`ipv6Text() writes ${text}`, () => {
    const bytes = hex("aabb" + address); // at an offset, as in a packet
    assert.equal(ipv6Text(bytes, 2), text);
    assert.equal(ipv6Text(bytes, 2), text, "a second call (from the cache) agrees");
  });
}

Deno.test("ipv4Text() writes dotted decimal", () => {
  assert.equal(ipv4Text(new Uint8Array([0, 0, 0, 0]), 0), "0.0.0.0");
  assert.equal(ipv4Text(new Uint8Array([255, 255, 255, 255]), 0), "255.255.255.255");
  assert.equal(ipv4Text(new Uint8Array([1, 10, 0, 0, 53]), 1), "10.0.0.53");
});

Deno.test("ipv4Text() never returns another address's text from a shared cache slot", () => {
  // 10.0.0.1 and 10.1.0.1 differ only in bits the slot hash folds together with others.
  const seen = new Map<number, string>();
  for (let i = 0; i < 70000; i += 7) {
    const bytes = new Uint8Array([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]);
    seen.set(i, ipv4Text(bytes, 0));
  }
  for (const [i, text] of seen) {
    const bytes = new Uint8Array([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]);
    assert.equal(ipv4Text(bytes, 0), text);
    assert.equal(text, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  }
});
