import assert from "node:assert/strict";
import dgram from "node:dgram";
import { STATSD_MAX_DATAGRAM, StatsdExporter } from "./statsd.ts";
import { countDecodeError, COUNTER_NAMES, countUnsupportedLink, newCounters } from "./counters.ts";
import { type Sink, SinkStats } from "../sinks/sink.ts";

function sink(name: string): Sink {
  return {
    name,
    stats: new SinkStats(),
    write() {},
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

Deno.test("StatsdExporter packs lines into datagrams under the MTU and sends increases, not running totals", async () => {
  const receiver = dgram.createSocket("udp4");
  const datagrams: string[] = [];
  receiver.on("message", (message) => datagrams.push(message.toString()));
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", () => resolve()));
  const counters = newCounters();
  COUNTER_NAMES.forEach((name, i) => counters[name] = 1000 + i);
  for (let i = 0; i < 40; i++) countDecodeError(counters, `dns.some_long_error_code_${i}`);
  const sinks = [sink("file"), sink("syslog")];
  sinks[0].stats.written = 500;
  const exporter = new StatsdExporter({ counters, sinks }, {
    host: "127.0.0.1",
    port: receiver.address().port,
    prefix: "gopassivedns.sensor1",
    intervalMs: 3_600_000,
    onError: (error) => assert.fail(String(error)),
  });
  exporter.report();
  counters.packets += 5;
  sinks[0].stats.written += 7;
  await exporter.close(); // the final report, flushed
  await new Promise((resolve) => setTimeout(resolve, 200));
  receiver.close();

  assert.ok(datagrams.length > 1, `${datagrams.length} datagrams`);
  const lines = datagrams.flatMap((d) => d.split("\n").filter((l) => l !== ""));
  for (const datagram of datagrams) assert.ok(datagram.length <= STATSD_MAX_DATAGRAM, `${datagram.length} bytes`);
  for (const line of lines) assert.match(line, /^gopassivedns\.sensor1\.[\w.]+:\d+\|[cg]$/);
  const values = (name: string) =>
    lines.filter((l) => l.startsWith(`gopassivedns.sensor1.${name}:`)).map((l) => Number(l.split(/[:|]/)[1]))
      .sort((a, b) => b - a); // datagrams may arrive in any order; statsd sums them
  assert.deepEqual(values("packets"), [1000, 5], "the second report sends the increase");
  assert.deepEqual(values("file.written"), [500, 7]);
  assert.deepEqual(values("decode_error.dns.some_long_error_code_3"), [1], "an increase of 0 is not sent");
  assert.deepEqual(values("syslog.queued"), [0, 0], "gauges every report");
});

Deno.test("StatsdExporter sends frames of unsupported link types as packets_unsupported_link.<type>", async () => {
  const receiver = dgram.createSocket("udp4");
  const lines: string[] = [];
  receiver.on("message", (message) => lines.push(...message.toString().split("\n").filter((l) => l !== "")));
  await new Promise<void>((resolve) => receiver.bind(0, "127.0.0.1", () => resolve()));
  const counters = newCounters();
  countUnsupportedLink(counters, 147);
  countUnsupportedLink(counters, 147);
  countUnsupportedLink(counters, 9);
  const exporter = new StatsdExporter({ counters, sinks: [] }, {
    host: "127.0.0.1",
    port: receiver.address().port,
    prefix: "pdns",
    intervalMs: 3_600_000,
    onError: (error) => assert.fail(String(error)),
  });
  await exporter.close(); // the final report, flushed
  await new Promise((resolve) => setTimeout(resolve, 200));
  receiver.close();
  assert.ok(lines.includes("pdns.packets_unsupported_link:3|c"), lines.join(" "));
  assert.ok(lines.includes("pdns.packets_unsupported_link.147:2|c"), lines.join(" "));
  assert.ok(lines.includes("pdns.packets_unsupported_link.9:1|c"), lines.join(" "));
});
