import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { QueuedSink, type RecordTransport } from "./queued_sink.ts";

const encoder = new TextEncoder();
const lines = (...texts: string[]) => encoder.encode(texts.map((t) => t + "\n").join(""));

/** A transport that records what it was sent, fails while `down` is set, and can be held back by a gate. */
class TestTransport implements RecordTransport {
  readonly sent: string[] = [];
  down = false;
  attempts = 0;
  closed = false;
  gate: Promise<void> = Promise.resolve();
  async send(records: Uint8Array, count: number): Promise<void> {
    this.attempts++;
    await this.gate;
    if (this.down) throw new Error("connection refused");
    const text = new TextDecoder().decode(records);
    assertEquals(text.split("\n").length - 1, count);
    this.sent.push(...text.split("\n").slice(0, -1));
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

Deno.test("QueuedSink delivers batches in order and counts them as written", async () => {
  const transport = new TestTransport();
  const sink = new QueuedSink("test", transport);
  sink.write(lines("a", "b"));
  sink.write(lines("c"));
  await sink.close();
  assertEquals(transport.sent, ["a", "b", "c"]);
  assertEquals([sink.stats.written, sink.stats.dropped, sink.stats.failed, sink.stats.queued], [3, 0, 0, 0]);
  assertEquals(transport.closed, true);
});

Deno.test("QueuedSink copies the batch, so the caller may reuse its buffer at once", async () => {
  const transport = new TestTransport();
  const sink = new QueuedSink("test", transport);
  const buffer = lines("x1");
  sink.write(buffer);
  buffer.fill(0x7a, 0, 2);
  await sink.close();
  assertEquals(transport.sent, ["x1"]);
});

Deno.test("QueuedSink drops and counts the batch that does not fit, never blocking the writer", async () => {
  const transport = new TestTransport();
  let open!: () => void;
  transport.gate = new Promise<void>((resolve) => open = resolve);
  const sink = new QueuedSink("test", transport, { maxQueueRecords: 3 });
  sink.write(lines("a", "b"));
  sink.write(lines("c", "d")); // 4 > 3: dropped whole
  sink.write(lines("e"));
  assertEquals([sink.stats.queued, sink.stats.dropped], [3, 2]);
  open();
  await sink.close();
  assertEquals(transport.sent, ["a", "b", "e"]);
  assertEquals([sink.stats.written, sink.stats.dropped], [3, 2]);
});

Deno.test("QueuedSink retries a failed batch with back-off and reports the outage once and the recovery", async () => {
  const transport = new TestTransport();
  transport.down = true;
  const reports: (string | null)[] = [];
  const sink = new QueuedSink("test", transport, {
    retryInitialMs: 5,
    retryMaxMs: 20,
    onError: (_name, error) => reports.push(error === null ? null : String(error)),
  });
  sink.write(lines("a"));
  // Wait for three failed attempts, however slow the machine: two of them are retries.
  while (transport.attempts < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  transport.down = false;
  await sink.close();
  assertEquals(transport.sent, ["a"]);
  assertEquals(reports, ["Error: connection refused", null]);
  assertEquals(sink.stats.written, 1);
  assertEquals(sink.stats.retried >= 2, true, `retried ${sink.stats.retried}`);
});

Deno.test("QueuedSink.close() gives up at its deadline and counts what it could not deliver as failed", async () => {
  const transport = new TestTransport();
  transport.down = true;
  const sink = new QueuedSink("test", transport, { retryInitialMs: 5, closeTimeoutMs: 100 });
  sink.write(lines("a", "b"));
  sink.write(lines("c"));
  const started = Date.now();
  await sink.close();
  const took = Date.now() - started;
  assertEquals(took < 2_000, true, `close took ${took} ms`);
  assertEquals([sink.stats.written, sink.stats.failed, sink.stats.queued], [0, 3, 0]);
  sink.write(lines("late"));
  assertEquals(sink.stats.dropped, 1);
});

Deno.test("QueuedSink counts the records a transport says it could never deliver as failed", async () => {
  const sink = new QueuedSink("test", {
    send: (_records, count) => Promise.resolve(count - 2),
    close: () => Promise.resolve(),
  });
  sink.write(lines("a", "b", "c", "d", "e"));
  await sink.close();
  assertEquals([sink.stats.written, sink.stats.failed, sink.stats.queued], [2, 3, 0]);
});
