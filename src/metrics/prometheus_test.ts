import assert from "node:assert/strict";
import { prometheusText } from "./prometheus.ts";
import { countDecodeError, countUnsupportedLink, newCounters } from "./counters.ts";
import { type Sink, SinkStats } from "../sinks/sink.ts";

function sink(name: string, stats: Partial<SinkStats>): Sink {
  return {
    name,
    stats: Object.assign(new SinkStats(), stats),
    write() {},
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

Deno.test("prometheusText() gives one HELP and TYPE per family, counters as _total, labels for sink and code", () => {
  const counters = newCounters();
  counters.packets = 3000;
  countDecodeError(counters, "dns.bad_name");
  countDecodeError(counters, 'odd"code\\');
  const text = prometheusText({
    counters,
    sinks: [sink("file", { written: 300 }), sink("syslog", { dropped: 7, queued: 12 })],
  });
  const lines = text.split("\n");
  assert.ok(lines.includes("# HELP denopassivedns_packets_total Frames handed to the decoder."));
  assert.ok(lines.includes("# TYPE denopassivedns_packets_total counter"));
  assert.ok(lines.includes("denopassivedns_packets_total 3000"));
  assert.ok(lines.includes('denopassivedns_decode_errors_by_code_total{code="dns.bad_name"} 1'));
  assert.ok(lines.includes('denopassivedns_decode_errors_by_code_total{code="odd\\"code\\\\"} 1'));
  assert.ok(lines.includes('denopassivedns_sink_records_written_total{sink="file"} 300'));
  assert.ok(lines.includes('denopassivedns_sink_records_dropped_total{sink="syslog"} 7'));
  assert.ok(lines.includes("# TYPE denopassivedns_sink_records_queued gauge"));
  assert.ok(lines.includes('denopassivedns_sink_records_queued{sink="syslog"} 12'));
  assert.ok(lines.includes("denopassivedns_records_dropped_total 7"), "the sinks' losses are in records_dropped");
  for (const family of ["sink_records_written_total", "decode_errors_by_code_total", "packets_total"]) {
    assert.equal(lines.filter((l) => l.startsWith(`# TYPE denopassivedns_${family} `)).length, 1, family);
  }
  assert.ok(text.endsWith("\n"));
});

Deno.test("prometheusText() exports frames of unsupported link types by link_type, one family", () => {
  const counters = newCounters();
  countUnsupportedLink(counters, 147);
  countUnsupportedLink(counters, 147);
  countUnsupportedLink(counters, 9);
  const lines = prometheusText({ counters, sinks: [] }).split("\n");
  assert.ok(lines.includes("denopassivedns_packets_unsupported_link_total 3"));
  assert.ok(lines.includes('denopassivedns_packets_unsupported_link_by_type_total{link_type="147"} 2'));
  assert.ok(lines.includes('denopassivedns_packets_unsupported_link_by_type_total{link_type="9"} 1'));
  const family = "denopassivedns_packets_unsupported_link_by_type_total";
  assert.equal(lines.filter((l) => l === `# TYPE ${family} counter`).length, 1);
  assert.ok(lines.some((l) => l.startsWith(`# HELP ${family} `)));
});
