import assert from "node:assert/strict";
import { openCaptureFile } from "../capture/mod.ts";
import {
  bytes,
  CLIENT,
  CLIENT6,
  Collector,
  dnsMessage,
  ethernet,
  hex,
  ipv4,
  ipv6,
  prefixed,
  SERVER,
  SERVER6,
  tcp,
  tcpFrame,
  u16,
  udp,
  udpFrame,
} from "./_test_frames.ts";

const TESTDATA = new URL("../../testdata/", import.meta.url);

/** Decode a whole capture file, then flush, as the sensor does at end of input. */
async function decodeFile(relative: string): Promise<Collector> {
  const collector = new Collector();
  const source = await openCaptureFile(new URL(relative, TESTDATA).pathname);
  await source.run((p) => collector.decoder.decode(p), () => Promise.resolve());
  collector.decoder.flush();
  return collector;
}

Deno.test("PacketDecoder finds the 600 DNS messages of 100_tcp_lookups.pcap", async () => {
  const c = await decodeFile("gopassivedns/100_tcp_lookups.pcap");
  assert.equal(c.datagrams.length, 600);
  assert.equal(c.counters.tcp_messages, 600);
  assert.equal(c.datagrams.filter((d) => d.transport === "tcp").length, 600);
  const queries = c.datagrams.filter((d) => (d.message[2] & 0x80) === 0);
  assert.equal(queries.length, 300);
  for (const q of queries) assert.equal(q.dstPort, 53);
  for (const r of c.datagrams.filter((d) => (d.message[2] & 0x80) !== 0)) assert.equal(r.srcPort, 53);
  assert.equal(c.counters.decode_errors, 0);
  assert.equal(c.counters.tcp_gaps, 0);
});

Deno.test("PacketDecoder finds the 100 UDP messages of 100_udp_lookups.pcap", async () => {
  const c = await decodeFile("gopassivedns/100_udp_lookups.pcap");
  assert.equal(c.datagrams.length, 100);
  assert.equal(c.counters.udp_messages, 100);
  assert.equal(c.counters.decode_errors, 0);
});

Deno.test("PacketDecoder reads the VLAN id of vlan.pcap", async () => {
  const c = await decodeFile("crafted/vlan.pcap");
  assert.deepEqual(c.datagrams.map((d) => [d.srcIp, d.srcPort, d.dstIp, d.dstPort, d.vlans]), [
    ["10.0.0.1", 43001, "10.0.0.53", 53, [100]],
    ["10.0.0.53", 53, "10.0.0.1", 43001, [100]],
  ]);
});

Deno.test("PacketDecoder decodes Linux SLL (sll.pcap) and raw IP (rawip.pcap)", async () => {
  for (const [file, id] of [["crafted/sll.pcap", 0x6002], ["crafted/rawip.pcap", 0x6003]] as const) {
    const c = await decodeFile(file);
    assert.deepEqual(c.ids, [id, id], file);
    assert.equal(c.datagrams[0].srcIp, "10.0.0.1");
    assert.equal(c.datagrams[1].srcIp, "10.0.0.53");
  }
});

Deno.test("PacketDecoder decodes IPv6 (ipv6.pcap) with RFC 5952 addresses", async () => {
  const c = await decodeFile("crafted/ipv6.pcap");
  assert.deepEqual(c.datagrams.map((d) => [d.srcIp, d.dstIp]), [
    ["2001:db8::1", "2001:db8::53"],
    ["2001:db8::53", "2001:db8::1"],
  ]);
  assert.equal(c.counters.packets_ipv6, 2);
});

Deno.test("PacketDecoder reassembles the fragmented response of frag.pcap", async () => {
  const c = await decodeFile("crafted/frag.pcap");
  assert.deepEqual(c.ids, [0x6005, 0x6005]);
  assert.equal(c.counters.ip_fragments, 2);
  assert.equal(c.counters.ip_fragments_reassembled, 1);
  const response = c.datagrams[1];
  // header 12 + question 18 + TXT answer (owner 14 + fixed 10 + 8 strings of 201 bytes)
  assert.equal(response.message.length, 12 + 18 + 14 + 10 + 8 * 201);
  assert.equal(response.tsNsec, 2_000_000); // the frame that completed it
});

Deno.test("PacketDecoder reassembles DNS over TCP in tcp_whole.pcap and tcp_split.pcap", async () => {
  for (const [file, id] of [["crafted/tcp_whole.pcap", 0x7001], ["crafted/tcp_split.pcap", 0x7002]] as const) {
    const c = await decodeFile(file);
    assert.deepEqual(c.ids, [id, id], file);
    assert.deepEqual(c.datagrams.map((d) => [d.transport, d.srcPort, d.dstPort]), [["tcp", 44000 + (id & 0xf), 53], [
      "tcp",
      53,
      44000 + (id & 0xf),
    ]]);
    assert.equal(c.counters.tcp_streams_opened, 1);
    assert.equal(c.counters.tcp_streams_closed, 1);
    assert.equal(c.counters.tcp_bytes_dropped, 0);
  }
});

Deno.test("PacketDecoder gives every UDP pair of the other crafted captures", async () => {
  const expected: Record<string, number> = {
    "crafted/txt.pcap": 2,
    "crafted/rrtypes.pcap": 16,
    "crafted/rcodes.pcap": 12,
    "crafted/ordering.pcap": 11,
    "crafted/ports.pcap": 2, // only the 53<->53 pair is on a DNS port; 5353 and 5300 are not DNS by default
    "crafted/qdcount0.pcap": 2,
    "crafted/truncated.pcap": 2,
    "crafted/notify.pcap": 2,
    "crafted/oddname.pcap": 2,
  };
  for (const [file, count] of Object.entries(expected)) {
    const c = await decodeFile(file);
    assert.equal(c.datagrams.length, count, file);
    assert.equal(c.counters.decode_errors, 0, file);
  }
});

const QUERY = dnsMessage(0x1234, "a.example");

Deno.test("PacketDecoder trims Ethernet padding: the message ends where the UDP length says", () => {
  const tiny = hex("0001 0100 0000 0000 0000 0000"); // a bare header: the frame is padded to 60 bytes
  const frame = bytes(udpFrame(tiny), new Array(60 - 14 - 20 - 8 - tiny.length).fill(0xee));
  const x = new Collector().feed(frame);
  assert.deepEqual(x.datagrams.map((d) => d.message), [tiny]);
});

Deno.test("PacketDecoder fills every DnsDatagram field from the frame", () => {
  const x = new Collector().feed([udpFrame(QUERY), { tsSec: 1700000000, tsNsec: 123, origLen: 99, interfaceId: 3 }]);
  assert.deepEqual({ ...x.datagrams[0], message: [...x.datagrams[0].message] }, {
    transport: "udp",
    srcIp: "10.0.0.1",
    dstIp: "10.0.0.53",
    srcPort: 40000,
    dstPort: 53,
    tsSec: 1700000000,
    tsNsec: 123,
    wireLen: 99,
    message: [...QUERY],
    vlans: [],
    interfaceId: 3,
    tunnels: [],
    // The 16-byte forms (IPv4-mapped) the default format keys on.
    srcAddress: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]),
    dstAddress: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 53]),
  });
});

Deno.test("PacketDecoder decodes QinQ, SLL2 and NULL in both byte orders end to end", () => {
  const ip = ipv4(CLIENT, SERVER, 17, udp(40000, 53, QUERY));
  const x = new Collector().feed(
    ethernet(0x0800, ip, [[0x88a8, 10], [0x8100, 20]]),
    [bytes("0800 0000 00000002 0001 00 06 020000000001 0000", ip), { linkType: 276 }],
    [bytes("02000000", ip), { linkType: 0 }],
    [bytes("00000002", ip), { linkType: 0 }],
    [bytes("00000002", ip), { linkType: 108 }],
    [ip, { linkType: 228 }],
  );
  assert.deepEqual(x.datagrams.map((d) => d.vlans), [[10, 20], [], [], [], [], []]);
  assert.equal(x.counters.packets_ipv4, 6);
});

Deno.test("PacketDecoder prints an IPv4-mapped IPv6 source as dotted IPv4", () => {
  const mapped = hex("0000 0000 0000 0000 0000 ffff c000 0201");
  const x = new Collector().feed(ethernet(0x86dd, ipv6(mapped, SERVER6, 17, udp(40000, 53, QUERY))));
  assert.deepEqual([x.datagrams[0].srcIp, x.datagrams[0].dstIp], ["192.0.2.1", "2001:db8::53"]);
});

Deno.test("PacketDecoder counts packets, bytes and what is not DNS", () => {
  const x = new Collector().feed(
    udpFrame(QUERY),
    ethernet(0x0806, hex("0001 0800 0604 0001")), // ARP
    [hex("0000"), { linkType: 147 }], // unknown link type
    ethernet(0x0800, ipv4(CLIENT, SERVER, 1, hex("0800 0000 0001 0001"))), // ICMP echo
    ethernet(0x0800, ipv4(CLIENT, SERVER, 17, udp(40000, 123, QUERY))), // NTP port
    ethernet(0x0800, ipv4(CLIENT, SERVER, 6, tcp(44000, 443, 1, "S"))), // HTTPS
  );
  assert.equal(x.counters.packets, 6);
  assert.equal(x.counters.packets_ipv4, 4);
  assert.equal(x.counters.packets_not_ip, 1);
  assert.equal(x.counters.packets_unsupported_link, 1);
  assert.equal(x.counters.packets_not_dns, 3);
  assert.equal(x.counters.udp_messages, 1);
  assert.equal(
    x.counters.bytes,
    udpFrame(QUERY).length + 14 + 8 + 2 + (14 + 20 + 8) + (14 + 20 + 8 + QUERY.length) + 54,
  );
});

Deno.test("PacketDecoder recognises DNS on the ports it is given", () => {
  const frame = ethernet(0x0800, ipv4(CLIENT, SERVER, 17, udp(5353, 5353, QUERY)));
  assert.equal(new Collector().feed(frame).datagrams.length, 0);
  assert.equal(new Collector({ dnsPorts: new Set([53, 5353]) }).feed(frame).datagrams.length, 1);
});

Deno.test("PacketDecoder hands on a UDP message cut by the snap length, but not a cut TCP segment", () => {
  const full = udpFrame(QUERY);
  const x = new Collector().feed([full.subarray(0, full.length - 5), { origLen: full.length }]);
  assert.equal(x.datagrams[0].message.length, QUERY.length - 5);
  const segment = tcpFrame(true, 1, "AP", bytes(u16(QUERY.length), QUERY));
  x.feed([segment.subarray(0, segment.length - 5), { origLen: segment.length }]);
  assert.deepEqual(x.errors, { "tcp.capture_truncated": 1 });
});

Deno.test("PacketDecoder counts each malformed layer under its code and never throws", () => {
  const good = udpFrame(QUERY);
  const x = new Collector().feed(
    good.subarray(0, 10), // link.truncated
    good.subarray(0, 30), // ipv4.truncated
    ethernet(0x0800, ipv4(CLIENT, SERVER, 17, hex("0035 0035 0004 0000"))), // udp.bad_length
    ethernet(0x0800, ipv4(CLIENT, SERVER, 6, hex("0035 0035 00000000"))), // tcp.truncated
    ethernet(0x86dd, hex("6000 0000")), // ipv6.truncated
  );
  assert.deepEqual(x.errors, {
    "link.truncated": 1,
    "ipv4.truncated": 1,
    "udp.bad_length": 1,
    "tcp.truncated": 1,
    "ipv6.truncated": 1,
  });
  assert.equal(x.counters.decode_errors, 5);
});

/** Frames of real captures, each corrupted at random (a fixed seed: the same frames every run). */
async function corruptedFrames(rounds: number): Promise<[Uint8Array, { linkType: number }][]> {
  const frames: Uint8Array[] = [];
  for (const file of ["gopassivedns/100_tcp_lookups.pcap", "crafted/frag.pcap", "crafted/ipv6.pcap"]) {
    const source = await openCaptureFile(new URL(file, TESTDATA).pathname);
    await source.run((p) => void frames.push(p.data.slice()), () => Promise.resolve());
  }
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const out: [Uint8Array, { linkType: number }][] = [];
  for (let round = 0; round < rounds; round++) {
    const frame = frames[Math.floor(random() * frames.length)].slice();
    const flips = 1 + Math.floor(random() * 4);
    for (let i = 0; i < flips; i++) frame[Math.floor(random() * frame.length)] = Math.floor(random() * 256);
    const cut = random() < 0.3 ? Math.floor(random() * frame.length) : frame.length;
    out.push([frame.subarray(0, cut), { linkType: random() < 0.9 ? 1 : Math.floor(random() * 300) }]);
  }
  return out;
}

Deno.test("PacketDecoder survives random corruption of real frames with only counted errors", async () => {
  const x = new Collector({ maxTcpStreamBytes: 4096 }).feed(...await corruptedFrames(3000));
  x.decoder.flush();
  assert.equal(x.counters.packets, 3000);
});

Deno.test("PacketDecoder decodes a frame in place in a capture buffer exactly as from its own array", async () => {
  const frames = [
    ...await corruptedFrames(1500),
    ...[udpFrame(QUERY), udpFrame(QUERY, true)].map((f) => [f, { linkType: 1 }] as [Uint8Array, { linkType: number }]),
  ];
  const inPlace = new Collector({ maxTcpStreamBytes: 4096 }).feed(...frames);
  const plain = new Collector({ maxTcpStreamBytes: 4096 }, true).feed(...frames);
  inPlace.decoder.flush();
  plain.decoder.flush();
  assert.ok(plain.datagrams.length > 100, `${plain.datagrams.length} datagrams`);
  assert.deepEqual(inPlace.datagrams, plain.datagrams);
  assert.deepEqual(inPlace.counters, plain.counters);
});

Deno.test("PacketDecoder gives TCP datagrams their address bytes, like UDP ones", () => {
  const x = new Collector().feed(
    tcpFrame(true, 100, "AP", prefixed(QUERY)),
    ethernet(0x86dd, ipv6(CLIENT6, SERVER6, 6, tcp(44000, 53, 7, "AP", prefixed(QUERY)))),
  );
  assert.deepEqual(x.datagrams.map((d) => [d.transport, d.srcIp, d.srcAddress]), [
    ["tcp", "10.0.0.1", new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1])],
    ["tcp", "2001:db8::1", CLIENT6],
  ]);
  assert.deepEqual(x.datagrams.map((d) => d.dstAddress), [
    new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 53]),
    SERVER6,
  ]);
});

Deno.test("real IPv6 fragments (knotd's 3 kB answer on a 1280-byte MTU path) are reassembled into the whole answer", async () => {
  const c = await decodeFile("tunnels/ipv6_fragments.pcap");
  assert.equal(c.counters.ip_fragments, 3);
  assert.equal(c.counters.ip_fragments_reassembled, 1);
  assert.equal(c.counters.decode_errors, 0);
  const answer = c.datagrams.find((d) => d.message.length > 2464);
  assert.ok(answer !== undefined, "the reassembled answer");
  // Its question is the query's: big.tunnel.test TXT; the last TXT string (the 16th, "015015…") comes just before the
  // 11-byte OPT record.
  assert.ok(new TextDecoder().decode(answer.message).includes("\x03big\x06tunnel\x04test"));
  assert.ok(new TextDecoder().decode(answer.message.subarray(-11 - 48, -11)) === "015".repeat(16));
  assert.equal(answer.srcIp, "fd42::2");
});
