import assert from "node:assert/strict";
import { parseAddressText } from "../decode/ip_text.ts";
import { addressWords, KEY_CELLS, keyAddress, keyMatches, LookupKey, storedKeysMatch, storeKey } from "./lookup_key.ts";

const address = (text: string) => {
  const out = new Uint8Array(16);
  parseAddressText(text, out);
  return out;
};
/** The same address at an odd offset of a larger buffer. */
const unaligned = (text: string) => {
  const out = new Uint8Array(17).subarray(1);
  out.set(address(text));
  return out;
};

Deno.test("LookupKey builds the same key from aligned and unaligned address arrays", () => {
  const a = new LookupKey().set("udp", address("10.0.0.1"), 40000, address("2001:db8::53"), 53, 7);
  const b = new LookupKey().set("udp", unaligned("10.0.0.1"), 40000, unaligned("2001:db8::53"), 53, 7);
  assert.equal(a.hash, b.hash);
  const rows = new Int32Array(KEY_CELLS);
  storeKey(a, rows, 0);
  assert.ok(keyMatches(b, rows, 0));
});

Deno.test("LookupKey reads an address array's current bytes each time it is set", () => {
  const client = address("10.0.0.1");
  const server = address("10.0.0.53");
  const key = new LookupKey();
  const rows = new Int32Array(2 * KEY_CELLS);
  storeKey(key.set("udp", client, 40000, server, 53, 7), rows, 0);
  client.set(address("10.0.0.2"));
  storeKey(key.set("udp", client, 40000, server, 53, 7), rows, KEY_CELLS);
  assert.ok(!storedKeysMatch(rows, 0, KEY_CELLS), "another client is another key");
  client.set(address("10.0.0.1"));
  assert.ok(keyMatches(key.set("udp", client, 40000, server, 53, 7), rows, 0));
});

Deno.test("LookupKey tells apart every part of the key", () => {
  const c = address("10.0.0.1");
  const s = address("10.0.0.53");
  const base = new LookupKey().set("udp", c, 40000, s, 53, 7);
  const rows = new Int32Array(KEY_CELLS);
  storeKey(base, rows, 0);
  const variants = [
    new LookupKey().set("tcp", c, 40000, s, 53, 7),
    new LookupKey().set("udp", s, 40000, c, 53, 7),
    new LookupKey().set("udp", c, 40001, s, 53, 7),
    new LookupKey().set("udp", c, 40000, s, 54, 7),
    new LookupKey().set("udp", c, 40000, s, 53, 8),
  ];
  assert.deepEqual(variants.map((k) => keyMatches(k, rows, 0)), [false, false, false, false, false]);
  assert.ok(keyMatches(new LookupKey().set("udp", address("10.0.0.1"), 40000, s, 53, 7), rows, 0));
});

Deno.test("LookupKey.setWords gives the key set gives, and keyAddress gives the address back", () => {
  const client = address("192.0.2.7");
  const server = address("2001:db8::53");
  const fromBytes = new LookupKey().set("tcp", unaligned("192.0.2.7"), 40000, unaligned("2001:db8::53"), 53, 7);
  const fromWords = new LookupKey().setWords("tcp", addressWords(client), 40000, addressWords(server), 53, 7);
  assert.equal(fromWords.hash, fromBytes.hash);
  const rows = new Int32Array(KEY_CELLS);
  storeKey(fromBytes, rows, 0);
  assert.ok(keyMatches(fromWords, rows, 0));
  const back = new Uint8Array(16);
  keyAddress(fromWords, 1, addressWords(back));
  assert.deepEqual(back, server);
  keyAddress(fromWords, 0, addressWords(back));
  assert.deepEqual(back, client);
});
