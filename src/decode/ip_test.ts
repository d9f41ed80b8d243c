import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeIpv4, decodeIpv6, IpLayer } from "./ip.ts";
import { embed, EMBED_AT, hex } from "./_test_frames.ts";

/** Decodes `frame` on its own, then in place inside a larger buffer; both must agree (offsets shifted). */
function both(decode: typeof decodeIpv4, frame: Uint8Array, frameCut: boolean): IpLayer {
  const out = new IpLayer();
  decode(frame, 0, frame.length, frameCut, out);
  const inPlace = new IpLayer();
  decode(embed(frame), EMBED_AT, EMBED_AT + frame.length, frameCut, inPlace);
  for (const field of ["srcOffset", "dstOffset", "payloadOffset", "payloadEnd", "claimedEnd"] as const) {
    inPlace[field] -= EMBED_AT;
  }
  assert.deepEqual(inPlace, out);
  return out;
}

function v4(frame: Uint8Array, frameCut = false): IpLayer {
  return both(decodeIpv4, frame, frameCut);
}

function v6(frame: Uint8Array, frameCut = false): IpLayer {
  return both(decodeIpv6, frame, frameCut);
}

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof DecodeError && e.code === code);
}

const V4_WITH_OPTION = hex(`
  46 00 0020         # version 4, IHL 6 (one option word), total length 32
  0001 0000          # id 1, no fragmentation
  40 11 0000         # TTL 64, UDP, checksum
  0a000001 0a000035  # 10.0.0.1 > 10.0.0.53
  01010100           # options: NOP NOP NOP EOL
  1234 0035 0008 0000  # UDP header (8 bytes)
  00000000000000     # Ethernet padding: not part of the packet
`);

Deno.test("decodeIpv4() skips options (IHL) and trims padding to the total length", () => {
  const ip = v4(V4_WITH_OPTION);
  assert.equal(ip.protocol, 17);
  assert.equal(ip.payloadOffset, 24);
  assert.equal(ip.payloadEnd, 32);
  assert.equal(ip.srcOffset, 12);
  assert.equal(ip.dstOffset, 16);
  assert.equal(ip.isFragment, false);
});

Deno.test("decodeIpv4() reads fragment fields", () => {
  const first = hex("4500 0020 004d 2000 4011 0000 0a000035 0a000001 0000000000000000 0000000000000000");
  assert.deepEqual([v4(first).isFragment, v4(first).moreFragments, v4(first).fragmentOffset, v4(first).fragmentId], [
    true,
    true,
    0,
    77,
  ]);
  const last = hex("4500 0020 004d 0080 4011 0000 0a000035 0a000001 0000000000000000 0000000000000000");
  assert.deepEqual([v4(last).isFragment, v4(last).moreFragments, v4(last).fragmentOffset], [true, false, 1024]);
});

Deno.test("decodeIpv4() rejects a short header, a bad IHL, version and total length", () => {
  rejects(() => v4(hex("4500 0014 0001 0000 4011 0000 0a00")), "ipv4.truncated");
  rejects(() => v4(hex("4400 0014 0001 0000 4011 0000 0a000001 0a000035")), "ipv4.bad_ihl");
  rejects(() => v4(hex("4f00 0014 0001 0000 4011 0000 0a000001 0a000035")), "ipv4.truncated");
  rejects(() => v4(hex("6500 0014 0001 0000 4011 0000 0a000001 0a000035")), "ipv4.bad_version");
  rejects(() => v4(hex("4500 0013 0001 0000 4011 0000 0a000001 0a000035")), "ipv4.bad_total_length");
  rejects(() => v4(hex("4500 0040 0001 0000 4011 0000 0a000001 0a000035")), "ipv4.bad_total_length");
});

Deno.test("decodeIpv4() accepts a total length past the data when the snap length cut the frame", () => {
  const ip = v4(hex("4500 0040 0001 0000 4011 0000 0a000001 0a000035 1234"), true);
  assert.equal(ip.captureTruncated, true);
  assert.equal(ip.payloadEnd, 22);
  assert.equal(ip.claimedEnd, 64);
});

const V6_WITH_EXTENSIONS = hex(`
  6000 0000 0028 00 40                  # payload length 40, next: hop-by-hop
  20010db8000000000000000000000001      # source
  20010db8000000000000000000000053      # destination
  3c 00 0104 00000000                   # hop-by-hop (8 bytes), next: destination options
  2b 01 0000 00000000 0000000000000000  # destination options (16 bytes), next: routing
  11 00 00 00 00000000                  # routing (8 bytes), next: UDP
  a8f4 0035 0008 0000                   # UDP header
`);

Deno.test("decodeIpv6() walks hop-by-hop, destination options and routing headers", () => {
  const ip = v6(V6_WITH_EXTENSIONS);
  assert.equal(ip.protocol, 17);
  assert.equal(ip.payloadOffset, 40 + 8 + 16 + 8);
  assert.equal(ip.payloadEnd, 80);
  assert.equal(ip.srcOffset, 8);
  assert.equal(ip.dstOffset, 24);
});

Deno.test("decodeIpv6() walks an AH header (4-octet units) and stops at ESP", () => {
  const ah = hex(`
    6000 0000 0014 33 40 ${"00".repeat(32)}
    11 01 0000 00000100 00000001          # AH: payload length 1 -> (1+2)*4 = 12 bytes
    a8f4 0035 0008 0000`);
  assert.deepEqual([v6(ah).protocol, v6(ah).payloadOffset], [17, 52]);
  const esp = hex(`6000 0000 0008 32 40 ${"00".repeat(32)} 00000100 00000001`);
  assert.deepEqual([v6(esp).protocol, v6(esp).isFragment], [50, false]);
});

Deno.test("decodeIpv6() stops at a fragment header and reads its fields", () => {
  const fragment = hex(`
    6000 0000 0010 2c 40 ${"00".repeat(32)}
    11 00 0401 0000abcd                   # fragment: next UDP, offset 0x0400 = 1024 bytes, M set
    0000000000000000`);
  const ip = v6(fragment);
  assert.deepEqual([ip.isFragment, ip.protocol, ip.fragmentOffset, ip.moreFragments, ip.fragmentId], [
    true,
    17,
    1024,
    true,
    0xabcd,
  ]);
  assert.equal(ip.payloadOffset, 48);
});

Deno.test("decodeIpv6() treats an atomic fragment (offset 0, no M) as a whole packet", () => {
  const atomic = hex(`6000 0000 0010 2c 40 ${"00".repeat(32)} 11 00 0000 00000001 a8f4 0035 0008 0000`);
  const ip = v6(atomic);
  assert.deepEqual([ip.isFragment, ip.protocol, ip.payloadOffset], [false, 17, 48]);
});

Deno.test("decodeIpv6() rejects extension headers that overrun the payload", () => {
  rejects(() => v6(hex(`6000 0000 0008 00 40 ${"00".repeat(32)} 11 01 000000000000`)), "ipv6.bad_ext_header");
  rejects(() => v6(hex(`6000 0000 0001 3c 40 ${"00".repeat(32)} 11`)), "ipv6.bad_ext_header");
  rejects(() => v6(hex(`6000 0000 0004 2c 40 ${"00".repeat(32)} 11000000`)), "ipv6.bad_ext_header");
});

Deno.test("decodeIpv6() rejects a short header, a wrong version, a bad length and jumbograms", () => {
  rejects(() => v6(hex("6000 0000 0000 11 40 0000")), "ipv6.truncated");
  rejects(() => v6(hex(`4000 0000 0000 11 40 ${"00".repeat(32)}`)), "ipv6.bad_version");
  rejects(() => v6(hex(`6000 0000 0010 11 40 ${"00".repeat(32)}`)), "ipv6.bad_payload_length");
  rejects(() => v6(hex(`6000 0000 0000 00 40 ${"00".repeat(32)}`)), "ipv6.jumbogram");
});
