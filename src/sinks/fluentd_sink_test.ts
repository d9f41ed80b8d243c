import assert from "node:assert/strict";
import { FluentdTransport, parseFluentdAddress } from "./fluentd_sink.ts";

Deno.test("parseFluentdAddress() reads a socket path, unix:// and tcp:// with IPv6 in brackets", () => {
  assert.deepEqual(parseFluentdAddress("/var/run/fluentd/fluentd.sock"), { path: "/var/run/fluentd/fluentd.sock" });
  assert.deepEqual(parseFluentdAddress("fluentd.sock"), { path: "fluentd.sock" });
  assert.deepEqual(parseFluentdAddress("unix:///run/f.sock"), { path: "/run/f.sock" });
  assert.deepEqual(parseFluentdAddress("tcp://127.0.0.1:24224"), { host: "127.0.0.1", port: 24224 });
  assert.deepEqual(parseFluentdAddress("tcp://[::1]:24224"), { host: "::1", port: 24224 });
  assert.deepEqual(parseFluentdAddress("tcp://fluentd.example:1"), { host: "fluentd.example", port: 1 });
});

Deno.test("parseFluentdAddress() rejects a missing or bad port, other schemes and an empty unix path", () => {
  for (const bad of ["tcp://127.0.0.1", "tcp://h:0", "tcp://h:65536", "tcp://::1:24224", "udp://h:1", "unix://"]) {
    assert.equal(parseFluentdAddress(bad), null, bad);
  }
});

Deno.test("FluentdTransport resends only the records not acknowledged when a batch is retried", async () => {
  // A stand-in client whose second event fails once: the transport's per-record bookkeeping under test (the real
  // receiver restart is tests/fluentd_sink_test.ts).
  const received: unknown[] = [];
  let calls = 0;
  const client = {
    emit(label: string, record: Record<string, unknown>) {
      assert.equal(label, "service");
      if (++calls === 2) return Promise.reject(new Error("ack timeout"));
      received.push(record);
      return Promise.resolve();
    },
    shutdown: () => Promise.resolve(),
  };
  // deno-lint-ignore no-explicit-any
  const transport = new FluentdTransport(client as any);
  const lines = ['{"query_id":1,"level":""}', '{"query_id":2,"level":"info"}', '{"query_id":3,"level":""}'];
  const batch = new TextEncoder().encode(lines.join("\n") + "\n");
  await assert.rejects(transport.send(batch, 3), /ack timeout/);
  await transport.send(batch, 3);
  assert.deepEqual(received, [{ query_id: 1 }, { query_id: 3 }, { query_id: 2, level: "info" }]);
});
