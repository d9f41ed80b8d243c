import assert from "node:assert/strict";
import { AddressPair } from "./address_pair.ts";
import { hex } from "./_test_frames.ts";

// An IPv4 header's address block at offset 2: source, then destination.
const V4 = hex(
  "aabb" + //          2 bytes before the addresses, as in a packet
    "c0000201" + //    source 192.0.2.1
    "c0000235", //     destination 192.0.2.53
);
// An IPv6 header's address block at offset 1: source, then destination.
const V6 = hex(
  "aa" + //                                   1 byte before the addresses
    "2001 0db8 0000 0000 0000 0000 0000 0001" + // source 2001:db8::1
    "2001 0db8 0000 0000 0000 0000 0000 0035", //  destination 2001:db8::35
);
const MAPPED_PREFIX = "0000 0000 0000 0000 0000 ffff";

Deno.test("AddressPair.write() gives IPv4 addresses their IPv4-mapped form", () => {
  const pair = new AddressPair();
  pair.write(V4, 2, 6, 4);
  assert.deepEqual(pair.src, hex(MAPPED_PREFIX + "c0000201"));
  assert.deepEqual(pair.dst, hex(MAPPED_PREFIX + "c0000235"));
});

Deno.test("AddressPair.write() writes the whole form again after an IPv6 packet overwrote the prefix", () => {
  const pair = new AddressPair();
  pair.write(V4, 2, 6, 4);
  pair.write(V6, 1, 17, 6);
  assert.deepEqual(pair.src, hex("2001 0db8 0000 0000 0000 0000 0000 0001"));
  assert.deepEqual(pair.dst, hex("2001 0db8 0000 0000 0000 0000 0000 0035"));
  pair.write(V4, 6, 2, 4); // swapped: a response
  assert.deepEqual(pair.src, hex(MAPPED_PREFIX + "c0000235"));
  assert.deepEqual(pair.dst, hex(MAPPED_PREFIX + "c0000201"));
  pair.write(V4, 2, 6, 4); // the prefix is kept, only the address bytes change
  assert.deepEqual(pair.src, hex(MAPPED_PREFIX + "c0000201"));
  assert.deepEqual(pair.dst, hex(MAPPED_PREFIX + "c0000235"));
});

Deno.test("AddressPair fills the buffers it was given", () => {
  const src = new Uint8Array(16), dst = new Uint8Array(16);
  const pair = new AddressPair(src, dst);
  pair.write(V4, 2, 6, 4);
  assert.equal(pair.src, src);
  assert.equal(pair.dst, dst);
  assert.deepEqual(dst, hex(MAPPED_PREFIX + "c0000235"));
});
