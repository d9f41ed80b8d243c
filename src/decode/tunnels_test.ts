import assert from "node:assert/strict";
import {
  bytes,
  CLIENT,
  Collector,
  dnsMessage,
  ethernet,
  ipv4,
  SERVER,
  u16,
  u32,
  udp,
  udpFrame,
} from "./_test_frames.ts";
import { MAX_TUNNEL_DEPTH } from "./packet_decoder.ts";

const OUTER_A = [203, 0, 113, 1];
const OUTER_B = [203, 0, 113, 2];
const QUERY = dnsMessage(0x1234, "www.example.test");

/** The inner frame: a DNS query over UDP/IPv4/Ethernet. */
const INNER = udpFrame(QUERY);
/** Its IP packet (no Ethernet header). */
const INNER_IP = INNER.subarray(14);

function vxlan(vni: number, payload: Uint8Array, port = 4789): Uint8Array {
  return ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 17, udp(50000, port, bytes([0x08, 0, 0, 0], u32(vni << 8), payload))));
}

function gre(protocol: number, payload: Uint8Array, key?: number): Uint8Array {
  const header = key === undefined ? bytes(u16(0), u16(protocol)) : bytes(u16(0x2000), u16(protocol), u32(key));
  return ipv4(OUTER_A, OUTER_B, 47, bytes(header, payload));
}

Deno.test("VXLAN: the record's addresses are the inner ones, the tunnel carries the outer ones and the VNI", () => {
  const c = new Collector().feed(vxlan(42, INNER));
  assert.equal(c.datagrams.length, 1);
  const d = c.datagrams[0];
  assert.deepEqual([d.srcIp, d.dstIp, d.srcPort, d.dstPort], ["10.0.0.1", "10.0.0.53", 40000, 53]);
  assert.deepEqual(d.tunnels, [
    { kind: "vxlan", outerSrcIp: "203.0.113.1", outerDstIp: "203.0.113.2", id: 42, labels: null },
  ]);
  assert.equal(c.counters.packets_tunneled, 1);
  assert.equal(c.counters.packets_ipv4, 1, "the outer packet only");
});

Deno.test("plain DNS frames carry no tunnels", () => {
  const c = new Collector().feed(INNER);
  assert.equal(c.datagrams[0].tunnels!.length, 0);
  assert.equal(c.counters.packets_tunneled, 0);
});

Deno.test("a tunnel port turned off by the options is not decapsulated", () => {
  const off = new Collector({ tunnelPorts: { vxlan: [], geneve: [], greUdp: [], gtpu: [], teredo: [] } });
  off.feed(vxlan(42, INNER));
  assert.equal(off.datagrams.length, 0);
  assert.equal(off.counters.packets_not_dns, 1);
  const moved = new Collector({ tunnelPorts: { vxlan: [9999], geneve: [], greUdp: [], gtpu: [], teredo: [] } });
  moved.feed(vxlan(7, INNER, 9999));
  assert.equal(moved.datagrams[0].tunnels![0].id, 7);
});

Deno.test("encapsulated DNS must still be on a -dns_ports port", () => {
  const c = new Collector({ dnsPorts: new Set([5353]) }).feed(vxlan(42, INNER));
  assert.equal(c.datagrams.length, 0);
  assert.equal(c.counters.packets_not_dns, 1);
});

Deno.test("GRE with a key carrying IPv4, nested four deep is decoded, five deep is tunnel.too_deep", () => {
  let packet = INNER_IP;
  for (let depth = 1; depth <= MAX_TUNNEL_DEPTH; depth++) packet = gre(0x0800, packet, depth);
  const ok = new Collector().feed(ethernet(0x0800, packet));
  assert.equal(ok.datagrams.length, 1);
  assert.deepEqual(ok.datagrams[0].tunnels!.map((t) => t.id), [4, 3, 2, 1]);
  const deep = new Collector().feed(ethernet(0x0800, gre(0x0800, packet, 5)));
  assert.equal(deep.datagrams.length, 0);
  assert.deepEqual(deep.errors, { "tunnel.too_deep": 1 });
});

Deno.test("truncated and malformed tunnel headers are counted decode errors", () => {
  const cases: [Uint8Array, string][] = [
    [ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 17, udp(50000, 4789, bytes([0x08, 0, 0])))), "tunnel.truncated"],
    [
      ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 17, udp(50000, 6081, bytes([0x80, 0, 0x65, 0x58, 0, 0, 0, 0])))),
      "tunnel.bad_version",
    ],
    [ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 47, bytes([0x20, 0x00, 0x08, 0x00, 0, 0]))), "tunnel.truncated"],
    [ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 47, bytes([0x00, 0x05, 0x08, 0x00]))), "tunnel.bad_version"],
    [
      ethernet(
        0x0800,
        ipv4(OUTER_A, OUTER_B, 17, udp(2152, 2152, bytes([0x34, 0xff, 0, 8], u32(1), [0, 0, 0, 0x85], [0]))),
      ),
      "tunnel.bad_gtpu",
    ],
    [ethernet(0x8847, bytes(u32((16 << 12) | 64))), "tunnel.truncated"],
    [ethernet(0x8864, bytes([0x12, 0, 0, 1, 0, 0])), "tunnel.bad_version"],
    [ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 4, INNER_IP.subarray(0, 10))), "ipv4.truncated"],
  ];
  for (const [frame, code] of cases) {
    const c = new Collector().feed(frame);
    assert.deepEqual(c.errors, { [code]: 1 }, code);
    assert.equal(c.datagrams.length, 0);
  }
});

Deno.test("a tunnel that carries no IP is counted as not IP, not as an error", () => {
  const arp = ethernet(0x0806, new Uint8Array(28));
  const c = new Collector().feed(vxlan(1, arp));
  assert.equal(c.counters.packets_not_ip, 1);
  assert.equal(c.counters.decode_errors, 0);
});

Deno.test("VLAN tags inside a VXLAN frame follow the outer ones", () => {
  const tagged = ethernet(0x0800, ipv4(CLIENT, SERVER, 17, udp(40000, 53, QUERY)), [[0x8100, 30]]);
  const outer = ethernet(
    0x0800,
    ipv4(OUTER_A, OUTER_B, 17, udp(50000, 4789, bytes([0x08, 0, 0, 0], u32(5 << 8), tagged))),
    [[0x8100, 10]],
  );
  const c = new Collector().feed(outer);
  assert.deepEqual(c.datagrams[0].vlans, [10, 30]);
});

Deno.test("MPLS inside GRE and over a PPP link; Teredo after an authentication indicator", () => {
  const label = (value: number, bottom: boolean) => u32((value << 12) | (bottom ? 0x100 : 0) | 64);
  const overGre = ethernet(0x0800, gre(0x8847, bytes(label(100, false), label(200, true), INNER_IP), 9));
  const overPpp: [Uint8Array, { linkType: number }] = [bytes("ff03 0281", label(300, true), INNER_IP), { linkType: 9 }];
  const ipv6Query = bytes(
    "60000000",
    u16(8 + QUERY.length),
    "1140",
    new Uint8Array(15),
    [1],
    new Uint8Array(15),
    [0x53],
    udp(40000, 53, QUERY),
  );
  // RFC 4380 §5.1.1: type 0x0001, client id length 0, authentication value length 2, the value, nonce, confirmation.
  const auth = bytes("0001 00 02 abcd", "0102030405060708", "00");
  const teredo = ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 17, udp(3544, 40001, bytes(auth, ipv6Query))));
  const c = new Collector().feed(overGre, overPpp, teredo);
  assert.deepEqual(c.errors, {});
  assert.deepEqual(c.datagrams.map((d) => d.tunnels!.map((t) => [t.kind, t.id, t.labels])), [
    [["gre", 9, null], ["mpls", null, [100, 200]]],
    [["mpls", null, [300]]],
    [["teredo", null, null]],
  ]);
  assert.equal(c.datagrams[2].srcIp, "::1");
});
