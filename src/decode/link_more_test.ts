/**
 * The link types of src/decode/link_wireless.ts and src/decode/link_serial.ts, PPI and PKTAP, on frames whose header
 * choices the bundled captures (testdata/links) do not all cover; and the counting of unsupported link types.
 */
import assert from "node:assert/strict";
import { resetSync } from "@logtape/logtape";
import { DecodeError } from "../decode_error.ts";
import { setupLogging } from "../config/logging.ts";
import { counterSummary } from "../metrics/summary.ts";
import { decodeLink, LinkLayer, NET_IPV4, NET_IPV6, NET_NOT_IP } from "./link.ts";
import { Collector, embed, EMBED_AT, hex, udpFrame } from "./_test_frames.ts";

/** [net type, offset of the network header, EtherType] of `frame`, decoded alone and in place (they must agree). */
function link(linkType: number, frame: Uint8Array): [number, number, number] {
  const out = new LinkLayer();
  decodeLink(frame, 0, frame.length, linkType, out);
  const inPlace = new LinkLayer();
  decodeLink(embed(frame), EMBED_AT, EMBED_AT + frame.length, linkType, inPlace);
  assert.deepEqual([inPlace.netType, inPlace.netOffset - EMBED_AT, inPlace.etherType], [
    out.netType,
    out.netOffset,
    out.etherType,
  ]);
  return [out.netType, out.netOffset, out.etherType];
}

function error(linkType: number, frame: Uint8Array): string {
  try {
    decodeLink(frame, 0, frame.length, linkType, new LinkLayer());
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return "none";
}

const ADDRESSES = "020000000001 02000000000a 020000000002"; // 802.11 addresses 1-3
const SNAP_IPV4 = "aaaa03 000000 0800";
const SEQUENCE = "1000";

Deno.test("802.11: data, QoS, QoS with HT control, four addresses; not IP for the rest", () => {
  assert.deepEqual(link(105, hex(`0801 0000 ${ADDRESSES} ${SEQUENCE} ${SNAP_IPV4} 45`)), [NET_IPV4, 32, 0x0800]);
  assert.deepEqual(link(105, hex(`8801 0000 ${ADDRESSES} ${SEQUENCE} 0500 ${SNAP_IPV4} 45`)), [NET_IPV4, 34, 0x0800]);
  // Order bit on a QoS data frame: a 4-byte HT control field follows the QoS control.
  assert.deepEqual(link(105, hex(`8881 0000 ${ADDRESSES} ${SEQUENCE} 0500 00000000 ${SNAP_IPV4} 45`)), [
    NET_IPV4,
    38,
    0x0800,
  ]);
  assert.deepEqual(link(105, hex(`0803 0000 ${ADDRESSES} ${SEQUENCE} 020000000003 aaaa03 000000 86dd 60`)), [
    NET_IPV6,
    38,
    0x86dd,
  ]);
  const notIp = [
    `8000 0000 ${ADDRESSES} ${SEQUENCE} 00`, // beacon (management)
    `0841 0000 ${ADDRESSES} ${SEQUENCE} ${SNAP_IPV4}`, // protected
    `4801 0000 ${ADDRESSES} ${SEQUENCE}`, // null function
    `8801 0000 ${ADDRESSES} ${SEQUENCE} 8500 ${SNAP_IPV4}`, // A-MSDU
    `0801 0000 ${ADDRESSES} ${SEQUENCE} f0f003 45`, // LLC without SNAP
  ];
  for (const frame of notIp) assert.equal(link(105, hex(frame))[0], NET_NOT_IP, frame);
  assert.equal(error(105, hex(`0801 0000 ${ADDRESSES}`)), "link.truncated");
  assert.equal(error(105, hex(`0801 0000 ${ADDRESSES} ${SEQUENCE} aaaa03`)), "link.truncated");
});

Deno.test("radiotap, PPI, Prism and AVS headers are skipped by their own lengths; bad ones are typed errors", () => {
  const wlan = `0801 0000 ${ADDRESSES} ${SEQUENCE} ${SNAP_IPV4} 45`;
  assert.deepEqual(link(127, hex(`00 00 0c00 04000000 0200 0000 ${wlan}`)), [NET_IPV4, 44, 0x0800]);
  assert.deepEqual(link(192, hex(`00 00 0800 69000000 ${wlan}`)), [NET_IPV4, 40, 0x0800]);
  assert.deepEqual(link(119, hex(`44000000 10000000 ${"00".repeat(8)} ${wlan}`)), [NET_IPV4, 48, 0x0800]);
  const avs = `80211001 00000010 ${"00".repeat(8)}`;
  assert.deepEqual(link(163, hex(`${avs} ${wlan}`)), [NET_IPV4, 48, 0x0800]);
  assert.deepEqual(link(119, hex(`${avs} ${wlan}`)), [NET_IPV4, 48, 0x0800], "AVS under the Prism link type");
  assert.equal(error(127, hex(`01 00 0800 00000000 ${wlan}`)), "link.bad_header");
  assert.equal(error(127, hex(`00 00 ff00 00000000 ${wlan}`)), "link.truncated");
  assert.equal(error(192, hex(`00 00 0800 c0000000 ${wlan}`)), "link.bad_header", "PPI inside PPI");
  assert.equal(error(192, hex(`00 00 0800 93000000 ${wlan}`)), "link.bad_header", "unsupported inner type");
  assert.equal(error(163, hex(`12345678 00000010 ${"00".repeat(8)} ${wlan}`)), "link.bad_header");
  assert.equal(error(119, hex(`44000000 ffff0000`)), "link.bad_header");
});

Deno.test("PKTAP names the link type of the frame after its header", () => {
  const header = `6c000000 01000000 01000000 ${"00".repeat(96)}`;
  assert.deepEqual(link(258, hex(`${header} 020000000053 020000000001 0800 45`)), [NET_IPV4, 122, 0x0800]);
  assert.equal(error(258, hex(`08000000 01000000 01000000`)), "link.bad_header");
});

Deno.test("PPP, PPP in HDLC, Cisco HDLC, FDDI, ARCNET and IPoIB", () => {
  assert.deepEqual(link(9, hex("ff03 0021 45")), [NET_IPV4, 4, 0x0800]);
  assert.deepEqual(link(9, hex("0057 60")), [NET_IPV6, 2, 0x86dd]);
  assert.deepEqual(link(9, hex("21 45")), [NET_IPV4, 1, 0x0800], "RFC 1661 §6.5 one-byte protocol");
  assert.deepEqual(link(9, hex("ff03 0281 00010140")), [NET_NOT_IP, 4, 0x8847], "MPLS, decapsulated by the decoder");
  assert.deepEqual(link(9, hex("ff03 c021 01")), [NET_NOT_IP, 4, 0], "LCP");
  assert.deepEqual(link(50, hex("ff03 0021 45")), [NET_IPV4, 4, 0x0800]);
  assert.deepEqual(link(50, hex("0f00 86dd 60")), [NET_IPV6, 4, 0x86dd]);
  assert.deepEqual(link(104, hex("8f00 0800 45")), [NET_IPV4, 4, 0x0800]);
  assert.deepEqual(link(104, hex("8f00 8035 00")), [NET_NOT_IP, 4, 0x8035], "SLARP");
  assert.deepEqual(link(10, hex(`50 020000000053 020000000001 ${SNAP_IPV4} 45`)), [NET_IPV4, 21, 0x0800]);
  assert.deepEqual(link(129, hex("0102 0000 f0 45")), [NET_IPV4, 5, 0x0800], "RFC 1051");
  assert.deepEqual(link(129, hex("0102 0000 d4 00 0001 45")), [NET_IPV4, 8, 0x0800], "RFC 1201");
  assert.deepEqual(link(129, hex("0102 0000 c4 ff ffff c400 00 0001 60")), [NET_IPV6, 13, 0x86dd], "exception");
  assert.deepEqual(link(242, hex(`${"00".repeat(40)} 0800 0000 45`)), [NET_IPV4, 44, 0x0800]);
  assert.equal(error(9, hex("ff03 00")), "link.truncated");
  assert.equal(error(129, hex("0102 0000 d4 00")), "link.truncated");
  assert.equal(error(242, hex("0800 0000 45")), "link.truncated");
});

Deno.test("NFLOG finds the packet TLV in either byte order, and says when there is none", () => {
  // Family AF_INET6; a PACKET_HDR TLV (length 8, type 1), then the payload TLV (length 8, type 9), little-endian.
  assert.deepEqual(link(239, hex("0a000000 0800 0100 86dd0000 0800 0900 60000000")), [NET_IPV6, 16, 0]);
  assert.deepEqual(link(239, hex("02000000 0008 0009 45000000")), [NET_IPV4, 8, 0], "big-endian TLV");
  assert.deepEqual(link(239, hex("02000000 0800 0a00 00000000")), [NET_NOT_IP, 12, 0], "no payload TLV");
  assert.equal(error(239, hex("02000000 0200 0900")), "link.bad_header");
});

Deno.test("an unsupported link type is counted by number, and -debug names it once", () => {
  const lines: string[] = [];
  setupLogging(true, (text) => lines.push(text));
  const c = new Collector();
  try {
    c.feed([udpFrame(new Uint8Array(12)), { linkType: 147 }], [udpFrame(new Uint8Array(12)), { linkType: 147 }]);
    c.feed([udpFrame(new Uint8Array(12)), { linkType: 6 }]);
  } finally {
    resetSync();
  }
  assert.equal(c.counters.packets_unsupported_link, 3);
  assert.deepEqual([...c.counters.unsupportedLinks], [[147, 2], [6, 1]]);
  assert.match(counterSummary(c.counters), /packets_unsupported_link\.6=1 packets_unsupported_link\.147=2/);
  assert.equal(lines.length, 2, lines.join(""));
  assert.match(lines[0], /Link type USER0 \(147\) is not decoded/);
  assert.match(lines[1], /Link type IEEE802_5 \(6\) is not decoded/);
});
