import assert from "node:assert/strict";
import { parseAddressText } from "../decode/ip_text.ts";
import { AddressTextCache } from "./address_text_cache.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const address = (text: string) => {
  const out = new Uint8Array(16);
  parseAddressText(text, out);
  return out;
};

Deno.test("AddressTextCache writes the address between its constants, on a miss and on a hit", () => {
  const cache = new AddressTextCache(encode('"dst":"'), encode('",'), 2); // two entries: collisions are certain
  const d = new Uint8Array(cache.max + 1);
  const texts = ["10.0.1.53", "2001:db8::1", "192.168.1.1", "10.0.1.53", "::", "2001:db8::1", "10.0.1.53"];
  for (const text of texts) {
    const end = cache.put(new DataView(d.buffer), 1, address(text), 0);
    assert.equal(new TextDecoder().decode(d.subarray(1, end)), `"dst":"${text}",`);
  }
});

Deno.test("AddressTextCache reads the address at its offset", () => {
  const cache = new AddressTextCache(encode(""), encode(""));
  const bytes = new Uint8Array(20);
  bytes.set(address("9.9.9.9"), 4);
  const d = new Uint8Array(cache.max);
  assert.equal(new TextDecoder().decode(d.subarray(0, cache.put(new DataView(d.buffer), 0, bytes, 4))), "9.9.9.9");
});
