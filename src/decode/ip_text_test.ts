import assert from "node:assert/strict";
import { ipv4Text, ipv6Text } from "./ip_text.ts";
import { hex } from "./_test_frames.ts";
import { IPV6_TEXT_CASES } from "./_ipv6_text_cases.ts";

for (const [address, text] of IPV6_TEXT_CASES) {
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
