import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeLink, LinkLayer, NET_IPV4, NET_IPV6, NET_NOT_IP, NET_UNSUPPORTED_LINK } from "./link.ts";
import { embed, EMBED_AT, hex } from "./_test_frames.ts";

/** Decodes `frame` on its own, then in place inside a larger buffer; both must agree. */
function link(linkType: number, frame: Uint8Array): [number, number, number[]] {
  const out = new LinkLayer();
  decodeLink(frame, 0, frame.length, linkType, out);
  const alone: [number, number, number[]] = [out.netType, out.netOffset, out.vlans.slice(0, out.vlanCount)];
  const inPlace = new LinkLayer();
  decodeLink(embed(frame), EMBED_AT, EMBED_AT + frame.length, linkType, inPlace);
  // An unsupported link type leaves the offset unset (0).
  const shift = inPlace.netType === NET_UNSUPPORTED_LINK ? 0 : EMBED_AT;
  assert.deepEqual([inPlace.netType, inPlace.netOffset - shift, inPlace.vlans.slice(0, inPlace.vlanCount)], alone);
  return alone;
}

// Each row: name, link type, frame (rows of hex with what they are), expected [net type, IP offset, VLAN ids].
const CASES: [string, number, Uint8Array, [number, number, number[]]][] = [
  [
    "Ethernet IPv4",
    1,
    hex(`
    020000000053 020000000001  # dst, src MAC
    0800                       # IPv4
    45`),
    [NET_IPV4, 14, []],
  ],
  ["Ethernet IPv6", 1, hex("020000000053 020000000001 86dd 60"), [NET_IPV6, 14, []]],
  [
    "802.1Q",
    1,
    hex(`
    020000000053 020000000001
    8100 2064                  # TPID, PCP 1 VID 100
    0800 45`),
    [NET_IPV4, 18, [100]],
  ],
  [
    "QinQ 802.1ad outer, 802.1Q inner",
    1,
    hex(`
    020000000053 020000000001
    88a8 000a                  # S-tag VID 10
    8100 0fff                  # C-tag VID 4095
    86dd 60`),
    [NET_IPV6, 22, [10, 4095]],
  ],
  ["pre-standard QinQ 0x9100", 1, hex("020000000053 020000000001 9100 0007 8100 0008 0800 45"), [NET_IPV4, 22, [7, 8]]],
  ["ARP is not IP", 1, hex("ffffffffffff 020000000001 0806 0001"), [NET_NOT_IP, 14, []]],
  ["802.3 length field is not IP", 1, hex("ffffffffffff 020000000001 0026 aaaa03"), [NET_NOT_IP, 14, []]],
  [
    "Linux SLL",
    113,
    hex(`
    0000 0001 0006             # packet type, ARPHRD_ETHER, address length
    020000000001 0000          # address, padded to 8
    0800 45`),
    [NET_IPV4, 16, []],
  ],
  [
    "Linux SLL2",
    276,
    hex(`
    86dd 0000                  # protocol, reserved
    00000002                   # interface index
    0001 00 06                 # ARPHRD_ETHER, packet type, address length
    020000000001 0000          # address
    60`),
    [NET_IPV6, 20, []],
  ],
  ["NULL IPv4 little-endian", 0, hex("02000000 45"), [NET_IPV4, 4, []]],
  ["NULL IPv4 big-endian", 0, hex("00000002 45"), [NET_IPV4, 4, []]],
  ["NULL IPv6 little-endian (FreeBSD 28)", 0, hex("1c000000 60"), [NET_IPV6, 4, []]],
  ["NULL IPv6 big-endian (macOS 30)", 0, hex("0000001e 60"), [NET_IPV6, 4, []]],
  ["NULL IPv6 (NetBSD 24)", 0, hex("18000000 60"), [NET_IPV6, 4, []]],
  ["NULL unknown family", 0, hex("07000000 45"), [NET_NOT_IP, 4, []]],
  ["LOOP IPv4 (network byte order)", 108, hex("00000002 45"), [NET_IPV4, 4, []]],
  ["LOOP little-endian is not accepted", 108, hex("02000000 45"), [NET_NOT_IP, 4, []]],
  ["raw IP, version 4", 101, hex("45"), [NET_IPV4, 0, []]],
  ["raw IP, version 6", 101, hex("60"), [NET_IPV6, 0, []]],
  ["raw IP 12, version 6", 12, hex("60"), [NET_IPV6, 0, []]],
  ["raw IP 14, version 4", 14, hex("45"), [NET_IPV4, 0, []]],
  ["raw IP, version 5", 101, hex("50"), [NET_NOT_IP, 0, []]],
  ["IPv4 link type", 228, hex("45"), [NET_IPV4, 0, []]],
  ["IPv6 link type", 229, hex("60"), [NET_IPV6, 0, []]],
  ["unknown link type", 147, hex("45"), [NET_UNSUPPORTED_LINK, 0, []]],
  ["link type past the table", 100000, hex("45"), [NET_UNSUPPORTED_LINK, 0, []]],
];

for (const [name, linkType, frame, expected] of CASES) {
  Deno.test(`decodeLink() finds the network layer: ${name}`, () => {
    const [type, offset, vlans] = link(linkType, frame);
    assert.equal(type, expected[0]);
    if (type !== NET_UNSUPPORTED_LINK) assert.equal(offset, expected[1]);
    assert.deepEqual(vlans, expected[2]);
  });
}

const TRUNCATED: [string, number, Uint8Array][] = [
  ["Ethernet header", 1, hex("020000000053 020000000001 08")],
  ["VLAN tag", 1, hex("020000000053 020000000001 8100 00")],
  ["SLL header", 113, hex("0000 0001 0006 020000000001 0000 08")],
  ["SLL2 header", 276, hex("0800 0000 00000002")],
  ["NULL header", 0, hex("020000")],
  ["LOOP header", 108, hex("")],
  ["raw IP", 101, hex("")],
];

for (const [name, linkType, frame] of TRUNCATED) {
  Deno.test(`decodeLink() rejects a truncated ${name}`, () => {
    assert.throws(() => link(linkType, frame), (e: unknown) => e instanceof DecodeError && e.code === "link.truncated");
  });
}

Deno.test("decodeLink() names the need in its error message", () => {
  assert.throws(() => link(1, hex("0200")), {
    name: "DecodeError",
    message: "Cannot decode Ethernet header: needs 14 bytes, frame has 2",
  });
});
