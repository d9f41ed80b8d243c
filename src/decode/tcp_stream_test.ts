import assert from "node:assert/strict";
import { bytes, Collector, dnsMessage, prefixed, T0, tcpFrame } from "./_test_frames.ts";

const C_ISN = 1000; // client data starts at 1001
const S_ISN = 5000; // server data starts at 5001

/** Client segment carrying stream bytes from `offset` (0 = first data byte after the SYN). */
function c(offset: number, payload?: Uint8Array, flags = "AP"): Uint8Array {
  return tcpFrame(true, C_ISN + 1 + offset, flags, payload);
}
function s(offset: number, payload?: Uint8Array, flags = "AP"): Uint8Array {
  return tcpFrame(false, S_ISN + 1 + offset, flags, payload);
}
const HANDSHAKE = [tcpFrame(true, C_ISN, "S"), tcpFrame(false, S_ISN, "SA"), c(0, undefined, "A")];

const q1 = dnsMessage(1, "one.example");
const q2 = dnsMessage(2, "two.example");
const q3 = dnsMessage(3, "three.example");
const r1 = dnsMessage(1, "one.example", true);
const r2 = dnsMessage(2, "two.example", true);
const r3 = dnsMessage(3, "three.example", true);

Deno.test("TCP: three pipelined queries in one segment give three messages", () => {
  const x = new Collector().feed(...HANDSHAKE, c(0, prefixed(q1, q2, q3)));
  assert.deepEqual(x.ids, [1, 2, 3]);
  assert.deepEqual(x.datagrams[2].message, q3);
  assert.equal(x.counters.tcp_messages, 3);
});

Deno.test("TCP: answers in a different order than the queries come out in stream order", () => {
  const x = new Collector().feed(
    ...HANDSHAKE,
    c(0, prefixed(q1, q2, q3)),
    s(0, prefixed(r3)),
    s(2 + r3.length, prefixed(r1, r2)),
  );
  assert.deepEqual(x.ids, [1, 2, 3, 3, 1, 2]);
  assert.deepEqual(x.datagrams.slice(3).map((d) => [d.srcIp, d.srcPort, d.dstIp, d.dstPort]), [
    ["10.0.0.53", 53, "10.0.0.1", 44000],
    ["10.0.0.53", 53, "10.0.0.1", 44000],
    ["10.0.0.53", 53, "10.0.0.1", 44000],
  ]);
});

Deno.test("TCP: a length prefix in its own segment, then the message", () => {
  const stream = prefixed(q1);
  const x = new Collector().feed(...HANDSHAKE, c(0, stream.subarray(0, 2)), c(2, stream.subarray(2)));
  assert.deepEqual(x.datagrams.map((d) => d.message), [q1]);
});

Deno.test("TCP: a message split over three segments is handed on with the last frame's time and length", () => {
  const stream = prefixed(q1);
  const parts = [stream.subarray(0, 5), stream.subarray(5, 17), stream.subarray(17)];
  const x = new Collector().feed(
    ...HANDSHAKE,
    [c(0, parts[0]), { tsSec: T0 + 1 }],
    [c(5, parts[1]), { tsSec: T0 + 2 }],
    [c(17, parts[2]), { tsSec: T0 + 3, tsNsec: 7 }],
  );
  assert.deepEqual(x.datagrams.map((d) => d.message), [q1]);
  assert.equal(x.datagrams[0].tsSec, T0 + 3);
  assert.equal(x.datagrams[0].tsNsec, 7);
  assert.equal(x.datagrams[0].wireLen, 14 + 20 + 20 + parts[2].length);
});

Deno.test("TCP: a segment that ends one message and starts the next", () => {
  const stream = prefixed(q1, q2, q3);
  const cut1 = 2 + q1.length + 7; // inside q2
  const cut2 = stream.length - 1; // one byte short of q3's end
  const x = new Collector().feed(
    ...HANDSHAKE,
    c(0, stream.subarray(0, cut1)),
    c(cut1, stream.subarray(cut1, cut2)),
    c(cut2, stream.subarray(cut2)),
  );
  assert.deepEqual(x.datagrams.map((d) => d.message), [q1, q2, q3]);
});

Deno.test("TCP: out-of-order segments are held until the hole fills", () => {
  const stream = prefixed(q1, q2);
  const cut = 10;
  const x = new Collector().feed(...HANDSHAKE, c(cut, stream.subarray(cut)));
  assert.deepEqual(x.ids, []);
  x.feed([c(0, stream.subarray(0, cut)), { tsSec: T0 + 5 }]);
  assert.deepEqual(x.datagrams.map((d) => d.message), [q1, q2]);
  assert.equal(x.datagrams[1].tsSec, T0 + 5, "the frame that filled the hole completes both messages");
});

Deno.test("TCP: retransmitted and overlapping segments are trimmed, each message comes once", () => {
  const stream = prefixed(q1, q2);
  const x = new Collector().feed(
    ...HANDSHAKE,
    c(0, stream.subarray(0, 20)),
    c(0, stream.subarray(0, 20)), // plain retransmission
    c(10, stream.subarray(10, 40)), // overlaps 10 bytes already delivered
    c(0, stream), // everything again
  );
  assert.deepEqual(x.datagrams.map((d) => d.message), [q1, q2]);
  assert.equal(x.counters.tcp_bytes_dropped, 0);
});

Deno.test("TCP: sequence numbers wrap around 2^32", () => {
  const isn = 0xfffffff0;
  const stream = prefixed(q1, q2);
  const x = new Collector().feed(
    tcpFrame(true, isn, "S"),
    tcpFrame(true, (isn + 1 + 20) >>> 0, "AP", stream.subarray(20)), // out of order, after the wrap
    tcpFrame(true, isn + 1, "AP", stream.subarray(0, 20)),
  );
  assert.deepEqual(x.datagrams.map((d) => d.message), [q1, q2]);
});

Deno.test("TCP: a stream picked up mid-connection starts at its first data segment", () => {
  const x = new Collector().feed(c(500, prefixed(q1)), s(900, prefixed(r1)));
  assert.deepEqual(x.ids, [1, 1]);
  assert.equal(x.counters.tcp_streams_opened, 1);
});

Deno.test("TCP: a mid-connection pickup inside a message resyncs at a later segment boundary", () => {
  const tail = prefixed(q1).subarray(9); // the end of a message whose start was not seen
  const x = new Collector().feed(c(500, tail), c(500 + tail.length, prefixed(q2)));
  assert.deepEqual(x.ids, [2]);
  assert.equal(x.counters.tcp_bytes_dropped, tail.length);
});

Deno.test("TCP: a length below the DNS header size loses framing until a boundary that looks right", () => {
  const x = new Collector().feed(...HANDSHAKE, c(0, bytes("0005 0102030405")), c(7, prefixed(q1)));
  assert.deepEqual(x.ids, [1]);
  assert.deepEqual(x.errors, { "tcp.bad_dns_length": 1 });
  assert.equal(x.counters.tcp_bytes_dropped, 7);
});

Deno.test("TCP: RST in the middle of a message drops the cut message and closes the connection", () => {
  const stream = prefixed(q1, q2);
  const cut = 2 + q1.length + 5;
  const x = new Collector().feed(...HANDSHAKE, c(0, stream.subarray(0, cut)), c(cut, undefined, "R"));
  assert.deepEqual(x.ids, [1]);
  assert.equal(x.counters.tcp_bytes_dropped, 5);
  assert.equal(x.counters.tcp_streams_closed, 1);
  x.feed(c(cut, stream.subarray(cut))); // late data starts a new pickup, which cannot resync on a tail
  assert.deepEqual(x.ids, [1]);
});

Deno.test("TCP: FIN after a cut message drops it; both FINs close the connection", () => {
  const stream = prefixed(q1);
  const x = new Collector().feed(...HANDSHAKE, c(0, stream.subarray(0, 10)), c(10, undefined, "AF"));
  assert.deepEqual(x.ids, []);
  assert.equal(x.counters.tcp_bytes_dropped, 10);
  assert.equal(x.counters.tcp_streams_closed, 0);
  x.feed(s(0, undefined, "AF"));
  assert.equal(x.counters.tcp_streams_closed, 1);
});

Deno.test("TCP: a FIN that arrives before the last data waits for it", () => {
  const stream = prefixed(q1);
  const x = new Collector().feed(...HANDSHAKE, c(10, stream.subarray(10), "AFP"), c(0, stream.subarray(0, 10)));
  assert.deepEqual(x.ids, [1]);
  assert.equal(x.counters.tcp_bytes_dropped, 0);
});

Deno.test("TCP: held data past the per-direction bound skips the hole and resyncs", () => {
  // Message 1 is lost; messages 2..n arrive; the bound forces the gap to be skipped.
  const big = dnsMessage(7, "big.example", false, 100);
  const lost = prefixed(q1);
  let offset = lost.length;
  const frames = [...HANDSHAKE];
  for (let i = 0; i < 3; i++) {
    frames.push(c(offset, prefixed(big)));
    offset += 2 + big.length;
  }
  const x = new Collector({ maxTcpStreamBytes: 300 }).feed(...frames);
  assert.equal(x.counters.tcp_gaps, 1);
  assert.deepEqual(x.ids, [7, 7, 7]);
});

Deno.test("TCP: a hole that never fills is skipped at flush and the held messages are delivered", () => {
  const lost = prefixed(q1);
  const x = new Collector().feed(...HANDSHAKE, c(lost.length, prefixed(q2, q3)));
  assert.deepEqual(x.ids, []);
  x.decoder.flush();
  assert.deepEqual(x.ids, [2, 3]);
  assert.equal(x.counters.tcp_gaps, 1);
});

Deno.test("TCP: a partial message left at flush is dropped and counted", () => {
  const x = new Collector().feed(...HANDSHAKE, c(0, prefixed(q1).subarray(0, 9)));
  x.decoder.flush();
  assert.deepEqual(x.ids, []);
  assert.equal(x.counters.tcp_bytes_dropped, 9);
});

Deno.test("TCP: a segment on a port outside dnsPorts is not DNS", () => {
  const x = new Collector().feed(tcpFrame(true, 1, "S", undefined, 44000));
  assert.equal(x.counters.tcp_segments, 1);
  const y = new Collector({ dnsPorts: new Set([853]) }).feed(tcpFrame(true, 1, "S"));
  assert.equal(y.counters.tcp_segments, 0);
  assert.equal(y.counters.packets_not_dns, 1);
});
