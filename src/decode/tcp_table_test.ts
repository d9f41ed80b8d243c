import assert from "node:assert/strict";
import { Collector, dnsMessage, prefixed, T0, tcpFrame } from "./_test_frames.ts";

const q = dnsMessage(9, "q.example");
const r = dnsMessage(9, "q.example", true);

Deno.test("TcpTable keys both directions of a connection together", () => {
  const x = new Collector().feed(tcpFrame(true, 100, "AP", prefixed(q)), tcpFrame(false, 900, "AP", prefixed(r)));
  assert.equal(x.counters.tcp_streams_opened, 1);
  assert.deepEqual(x.datagrams.map((d) => [d.srcPort, d.dstPort]), [[44000, 53], [53, 44000]]);
});

Deno.test("TcpTable ignores a bare ACK, FIN or RST of an unknown connection", () => {
  const x = new Collector().feed(tcpFrame(true, 1, "A"), tcpFrame(true, 1, "AF"), tcpFrame(true, 1, "R"));
  assert.equal(x.counters.tcp_streams_opened, 0);
  assert.equal(x.counters.tcp_segments, 3);
});

Deno.test("TcpTable evicts the least recently used connection when full, flushing it first", () => {
  const x = new Collector({ maxTcpStreams: 2 });
  const lost = prefixed(q).length;
  // Connection A (port 1001) holds an out-of-order message behind a hole.
  x.feed(tcpFrame(true, 10, "S", undefined, 1001), tcpFrame(true, 11 + lost, "AP", prefixed(q), 1001));
  x.feed(tcpFrame(true, 10, "S", undefined, 1002)); // B
  x.feed(tcpFrame(true, 10, "S", undefined, 1001)); // touch A (retransmitted SYN): B is now the oldest
  x.feed(tcpFrame(true, 10, "S", undefined, 1003)); // C evicts B
  assert.equal(x.counters.tcp_streams_evicted, 1);
  assert.deepEqual(x.ids, []);
  x.feed(tcpFrame(true, 10, "S", undefined, 1004)); // D evicts A, whose held message is delivered
  assert.equal(x.counters.tcp_streams_evicted, 2);
  assert.deepEqual(x.datagrams.map((d) => d.srcPort), [1001]);
  assert.equal(x.counters.tcp_gaps, 1);
});

Deno.test("TcpTable expires an idle connection on packet time, not wall time", () => {
  const x = new Collector({ tcpIdleTimeoutSec: 120 });
  x.feed([tcpFrame(true, 100, "AP", prefixed(q).subarray(0, 8)), { tsSec: T0 }]);
  x.feed([tcpFrame(true, 1, "S", undefined, 2000), { tsSec: T0 + 119 }]);
  assert.equal(x.counters.tcp_streams_expired, 0);
  x.feed([tcpFrame(true, 1, "S", undefined, 2001), { tsSec: T0 + 120 }]);
  assert.equal(x.counters.tcp_streams_expired, 1);
  assert.equal(x.counters.tcp_bytes_dropped, 8);
  x.feed([tcpFrame(true, 1, "S", undefined, 2002), { tsSec: T0 + 239 }]); // port 2000 last seen at +119
  assert.equal(x.counters.tcp_streams_expired, 2);
});

Deno.test("TcpTable closes a connection after both FINs and opens a new one on the next SYN", () => {
  const x = new Collector().feed(
    tcpFrame(true, 100, "S"),
    tcpFrame(false, 500, "SA"),
    tcpFrame(true, 101, "AP", prefixed(q)),
    tcpFrame(false, 501, "AP", prefixed(r)),
    tcpFrame(true, 101 + 2 + q.length, "AF"),
    tcpFrame(false, 501 + 2 + r.length, "AF"),
    tcpFrame(true, 102 + 2 + q.length, "A"),
    tcpFrame(true, 7000, "S"),
  );
  assert.deepEqual(x.ids, [9, 9]);
  assert.equal(x.counters.tcp_streams_closed, 1);
  assert.equal(x.counters.tcp_streams_opened, 2);
});

Deno.test("PacketDecoder.flush() empties the connection table", () => {
  const x = new Collector().feed(tcpFrame(true, 100, "S"));
  x.decoder.flush();
  x.feed(tcpFrame(true, 101, "AP", prefixed(q))); // the same connection again: a new entry
  assert.equal(x.counters.tcp_streams_opened, 2);
});

Deno.test("TcpTable keeps thousands of connections apart, in both directions, and closes each", () => {
  const x = new Collector({ maxTcpStreams: 5000 });
  const ports = Array.from({ length: 3000 }, (_, i) => 10000 + i);
  for (const port of ports) x.feed(tcpFrame(true, 100, "AP", prefixed(q), port));
  for (const port of ports.toReversed()) x.feed(tcpFrame(false, 900, "AP", prefixed(r), port));
  assert.equal(x.counters.tcp_streams_opened, 3000);
  assert.deepEqual(x.datagrams.slice(3000).map((d) => d.dstPort), ports.toReversed());
  for (const port of ports) {
    x.feed(tcpFrame(true, 100 + 2 + q.length, "AF", undefined, port));
    x.feed(tcpFrame(false, 900 + 2 + r.length, "AF", undefined, port));
  }
  assert.equal(x.counters.tcp_streams_closed, 3000);
  assert.equal(x.decoder.flush(), undefined);
  assert.equal(x.counters.tcp_bytes_dropped, 0);
});

Deno.test("TcpTable evicts the least recently used connections when all together buffer too much", () => {
  const x = new Collector({ maxTcpBufferedBytes: 20 });
  const partial = prefixed(q).subarray(0, 8); // a length prefix and the start of a message: held, not delivered
  x.feed(tcpFrame(true, 100, "AP", partial, 3001)); // 8 bytes held
  x.feed(tcpFrame(true, 100, "AP", partial, 3002)); // 16
  assert.equal(x.counters.tcp_streams_evicted, 0);
  x.feed(tcpFrame(true, 100, "AP", partial, 3003)); // 24 > 20: the oldest (3001) goes
  assert.equal(x.counters.tcp_streams_evicted, 1);
  assert.equal(x.counters.tcp_bytes_dropped, 8);
  x.feed(tcpFrame(true, 108, "AP", prefixed(q).subarray(8), 3002)); // 3002 completes its message
  assert.deepEqual(x.datagrams.map((d) => d.srcPort), [3002]);
  assert.equal(x.counters.tcp_streams_evicted, 1, "delivering frees the budget");
});
