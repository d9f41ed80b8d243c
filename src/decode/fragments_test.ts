import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { newCounters } from "../metrics/counters.ts";
import { FragmentTable, MAX_FRAGMENTS_PER_DATAGRAM } from "./fragments.ts";
import {
  bytes,
  CLIENT,
  CLIENT6,
  Collector,
  dnsMessage,
  ethernet,
  ipv4,
  ipv6,
  SERVER,
  SERVER6,
  T0,
  u16,
  u32,
  udp,
} from "./_test_frames.ts";

const PAYLOAD = Uint8Array.from({ length: 40 }, (_, i) => i);

function table(maxSets = 4, timeoutSec = 30) {
  const counters = newCounters();
  return { counters, fragments: new FragmentTable(maxSets, timeoutSec, counters) };
}

/** Add PAYLOAD[from, to) as one fragment of datagram "k" at time `now`. */
function add(fragments: FragmentTable, from: number, to: number, more: boolean, key = "k", now = T0) {
  return fragments.add(key, from, more, PAYLOAD, from, to, now, 17);
}

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof DecodeError && e.code === code);
}

Deno.test("FragmentTable reassembles fragments in order and out of order", () => {
  const { fragments } = table();
  assert.equal(add(fragments, 0, 16, true), null);
  assert.deepEqual(add(fragments, 16, 40, false), PAYLOAD);
  assert.equal(add(fragments, 24, 40, false), null);
  assert.equal(add(fragments, 0, 8, true), null);
  assert.deepEqual(add(fragments, 8, 24, true), PAYLOAD);
  assert.equal(fragments.size, 0);
});

Deno.test("FragmentTable ignores an exact duplicate fragment", () => {
  const { fragments } = table();
  add(fragments, 0, 16, true);
  assert.equal(add(fragments, 0, 16, true), null);
  assert.deepEqual(add(fragments, 16, 40, false), PAYLOAD);
});

Deno.test("FragmentTable drops the datagram on an overlapping fragment", () => {
  const { fragments } = table();
  add(fragments, 0, 16, true);
  rejects(() => add(fragments, 8, 24, true), "fragment.overlap");
  assert.equal(fragments.size, 0);
  add(fragments, 16, 32, true);
  rejects(() => add(fragments, 0, 24, true), "fragment.overlap"); // overlaps the one after it
  add(fragments, 0, 16, true);
  rejects(() => add(fragments, 0, 8, true), "fragment.overlap"); // same offset, other length
});

Deno.test("FragmentTable rejects data past 65535 bytes, two ends and data past the end", () => {
  const { fragments } = table();
  assert.throws(() => fragments.add("k", 65528, false, PAYLOAD, 0, 16, T0, 17), {
    name: "DecodeError",
    message: "Cannot reassemble IP datagram: fragment ends at byte 65544, past 65535",
  });
  add(fragments, 16, 24, false);
  rejects(() => add(fragments, 24, 40, false), "fragment.bad_length");
  add(fragments, 16, 24, false);
  rejects(() => add(fragments, 24, 40, true), "fragment.bad_length");
});

Deno.test("FragmentTable caps the pieces of one datagram", () => {
  const { fragments } = table();
  const tiny = new Uint8Array(8);
  for (let i = 0; i < MAX_FRAGMENTS_PER_DATAGRAM; i++) fragments.add("k", 8 * i, true, tiny, 0, 8, T0, 17);
  rejects(() => fragments.add("k", 8 * MAX_FRAGMENTS_PER_DATAGRAM, true, tiny, 0, 8, T0, 17), "fragment.too_many");
});

Deno.test("FragmentTable evicts the oldest partial datagram when full", () => {
  const { fragments, counters } = table(2);
  add(fragments, 0, 8, true, "a");
  add(fragments, 0, 8, true, "b");
  add(fragments, 0, 8, true, "c");
  assert.equal(counters.ip_fragments_evicted, 1);
  assert.equal(add(fragments, 8, 40, false, "a"), null, "a was evicted, so this starts over");
  assert.deepEqual(add(fragments, 8, 40, false, "c"), PAYLOAD);
});

Deno.test("FragmentTable expires partial datagrams on packet time", () => {
  const { fragments, counters } = table(4, 30);
  add(fragments, 0, 8, true, "a", T0);
  add(fragments, 0, 8, true, "b", T0 + 10);
  fragments.expire(T0 + 29);
  assert.equal(counters.ip_fragments_expired, 0);
  fragments.expire(T0 + 30);
  assert.equal(counters.ip_fragments_expired, 1);
  assert.equal(fragments.size, 1);
  fragments.clear();
  assert.equal(counters.ip_fragments_expired, 2);
});

// Through the decoder: a UDP DNS response cut into three IPv4 fragments, sent out of order.
const RESPONSE = dnsMessage(0x6005, "frag.example", true, 100);
const UDP_DATAGRAM = udp(53, 40000, RESPONSE);

function v4Fragment(from: number, to: number, more: boolean, id = 77) {
  const flags = (more ? 0x2000 : 0) | (from / 8);
  return ethernet(0x0800, ipv4(SERVER, CLIENT, 17, UDP_DATAGRAM.subarray(from, to), { id, flagsFragment: flags }));
}

Deno.test("PacketDecoder reassembles IPv4 fragments out of order, with the last frame's time and length", () => {
  const last = v4Fragment(0, 48, true);
  const x = new Collector().feed(
    [v4Fragment(96, UDP_DATAGRAM.length, false), { tsSec: T0 }],
    [v4Fragment(48, 96, true), { tsSec: T0 + 1 }],
    [last, { tsSec: T0 + 2, origLen: 1500 }],
  );
  assert.deepEqual(x.datagrams.map((d) => d.message), [RESPONSE]);
  assert.deepEqual([x.datagrams[0].tsSec, x.datagrams[0].wireLen, x.datagrams[0].srcPort], [T0 + 2, 1500, 53]);
  assert.deepEqual([x.counters.ip_fragments, x.counters.ip_fragments_reassembled], [3, 1]);
  assert.equal(last.length, 14 + 20 + 48);
});

Deno.test("PacketDecoder counts an overlapping IPv4 fragment and drops the datagram", () => {
  const x = new Collector().feed(v4Fragment(0, 48, true), v4Fragment(40, 96, true));
  assert.deepEqual(x.errors, { "fragment.overlap": 1 });
  x.feed(v4Fragment(96, UDP_DATAGRAM.length, false));
  assert.deepEqual(x.ids, []);
});

Deno.test("PacketDecoder expires fragments on packet time and bounds the table", () => {
  const x = new Collector({ fragmentTimeoutSec: 30, maxFragmentSets: 2 });
  x.feed([v4Fragment(0, 48, true, 1), { tsSec: T0 }]);
  x.feed([v4Fragment(0, 48, true, 2), { tsSec: T0 + 10 }]);
  x.feed([v4Fragment(0, 48, true, 3), { tsSec: T0 + 20 }]);
  assert.equal(x.counters.ip_fragments_evicted, 1);
  x.feed([v4Fragment(48, UDP_DATAGRAM.length, false, 2), { tsSec: T0 + 40 }]); // id 2 expired at +40
  assert.equal(x.counters.ip_fragments_expired, 1);
  assert.deepEqual(x.ids, []);
  x.decoder.flush();
  assert.equal(x.counters.ip_fragments_expired, 3, "id 3 and the new id 2 are dropped at flush");
});

Deno.test("PacketDecoder reassembles IPv6 fragments behind a hop-by-hop header", () => {
  const hopByHop = [44, 0, 1, 4, 0, 0, 0, 0]; // next: fragment; PadN option
  // Fragment header: next destination options, reserved, offset | M, identification.
  // The fragmentable part starts with a destination options header, then UDP.
  const x = new Collector();
  const destinationOptions = bytes([17, 0, 1, 4, 0, 0, 0, 0]);
  const whole = bytes(destinationOptions, UDP_DATAGRAM);
  const piece = (from: number, to: number, more: boolean) =>
    ethernet(
      0x86dd,
      ipv6(SERVER6, CLIENT6, 0, bytes(hopByHop, [60, 0], u16(from | (more ? 1 : 0)), u32(7), whole.subarray(from, to))),
    );
  x.feed(piece(64, whole.length, false), piece(0, 64, true));
  assert.deepEqual(x.datagrams.map((d) => [d.srcIp, d.dstIp, d.srcPort]), [["2001:db8::53", "2001:db8::1", 53]]);
  assert.deepEqual(x.datagrams[0].message, RESPONSE);
  assert.equal(x.counters.packets_ipv6, 2);
});
