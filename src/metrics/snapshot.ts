/**
 * The one list of metric values that statsd and Prometheus both export, read generically from the counter table and
 * from the fan-out's sinks (so a sink added later, Fluentd or Kafka, appears without more code):
 * - every counter of {@link Counters} (`packets`, `records`, …, and libpcap's `pcap_*` totals where a live source
 *   keeps them), frames of unsupported link types by link type, decode errors by code;
 * - per sink: records written, dropped, failed, retried (counters) and queued (a gauge).
 *
 * @module
 */

import { COUNTER_NAMES, type Counters } from "./counters.ts";
import { type Sink, SINK_STAT_NAMES } from "../sinks/sink.ts";
import { recordsLost } from "./summary.ts";

/** What the exporters read. */
export interface MetricsSource {
  readonly counters: Counters;
  readonly sinks: readonly Sink[];
}

export interface MetricValue {
  /** Counters only grow; gauges are a current value. */
  readonly type: "counter" | "gauge";
  /** The counter's name in the exit summary: `records`, `decode_error.dns.bad_name`, `file.written`. */
  readonly name: string;
  readonly value: number;
  /** Prometheus family and labels for the same value. */
  readonly family: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Folds the sinks' losses into `records_dropped` (the one counter the fan-out, not the pipeline, keeps). */
export function countSinkLosses(source: MetricsSource): void {
  source.counters.records_dropped = recordsLost(source.sinks);
}

/** Every metric now, counters in the order of the exit summary. */
export function metricSnapshot(source: MetricsSource): MetricValue[] {
  countSinkLosses(source);
  const values: MetricValue[] = [];
  for (const name of COUNTER_NAMES) {
    values.push({ type: "counter", name, value: source.counters[name], family: name, labels: {} });
  }
  for (const [linkType, count] of [...source.counters.unsupportedLinks].sort((a, b) => a[0] - b[0])) {
    values.push({
      type: "counter",
      name: `packets_unsupported_link.${linkType}`,
      value: count,
      family: "packets_unsupported_link_by_type",
      labels: { link_type: String(linkType) },
    });
  }
  for (const [code, count] of [...source.counters.decodeErrors].sort()) {
    values.push({
      type: "counter",
      name: `decode_error.${code}`,
      value: count,
      family: "decode_errors_by_code",
      labels: { code },
    });
  }
  for (const sink of source.sinks) {
    for (const stat of SINK_STAT_NAMES) {
      values.push({
        type: stat === "queued" ? "gauge" : "counter",
        name: `${sink.name}.${stat}`,
        value: sink.stats[stat],
        family: `sink_records_${stat}`,
        labels: { sink: sink.name },
      });
    }
  }
  return values;
}

/** One sentence per metric family, for Prometheus HELP lines (and the README's list). */
export const METRIC_HELP: Readonly<Record<string, string>> = {
  packets: "Frames handed to the decoder.",
  bytes: "Wire bytes of the frames handed to the decoder.",
  packets_filtered: "Frames the -bpf filter rejected.",
  packets_ipv4: "IPv4 packets.",
  packets_ipv6: "IPv6 packets.",
  packets_not_ip: "Frames whose link payload is neither IPv4 nor IPv6.",
  packets_unsupported_link: "Frames of a link type the decoder does not know.",
  packets_not_dns: "IP packets not on a DNS port, or neither UDP nor TCP.",
  ip_fragments: "IP fragments received.",
  ip_fragments_reassembled: "Datagrams completed from fragments.",
  ip_fragments_expired: "Partial datagrams dropped on timeout.",
  ip_fragments_evicted: "Partial datagrams dropped because the fragment table was full.",
  udp_messages: "DNS messages found in UDP datagrams.",
  tcp_segments: "TCP segments on a DNS port.",
  tcp_messages: "DNS messages reassembled from TCP streams.",
  tcp_streams_opened: "TCP streams opened.",
  tcp_streams_closed: "TCP streams closed by FIN or RST.",
  tcp_streams_expired: "TCP streams forgotten after the idle timeout.",
  tcp_streams_evicted: "TCP streams evicted because the stream table was full.",
  tcp_bytes_dropped: "TCP stream bytes dropped (buffer bound, gaps that never filled).",
  tcp_gaps: "Holes in TCP streams skipped over.",
  dns_queries: "DNS queries decoded.",
  dns_responses: "DNS responses decoded.",
  dns_anomalies: "DNS messages decoded with at least one anomaly flag.",
  decode_errors: "Frames or messages that could not be decoded (all codes).",
  pairs: "Queries matched with their response.",
  query_retransmits: "Retransmitted queries folded into the first.",
  response_duplicates: "Duplicated responses not logged twice.",
  queries_unanswered: "Queries expired or flushed at exit without a response.",
  responses_orphan: "Responses expired or flushed at exit without a query.",
  correlation_evicted: "Pending queries or responses evicted because the correlation table was full.",
  records: "Records produced.",
  records_dropped: "Records some sink did not deliver (dropped or failed, summed over the sinks).",
  pcap_received: "Packets libpcap received (live capture).",
  pcap_dropped: "Packets libpcap dropped because its buffer was full (live capture).",
  pcap_ifdropped: "Packets the interface dropped (live capture).",
  capture_restarts: "Reopenings of the live capture after the interface went down or disappeared.",
  timestamps_clamped: "Capture timestamps outside the representable range, clamped.",
  packets_unsupported_link_by_type: "Frames of a link type the decoder does not know, by libpcap link type number.",
  decode_errors_by_code: "Decode errors by error code.",
  sink_records_written: "Records a sink delivered.",
  sink_records_dropped: "Records a sink did not take because its queue was full.",
  sink_records_failed: "Records a sink gave up on after errors, or still held at the close deadline.",
  sink_records_retried: "Records whose delivery a sink retried after an error.",
  sink_records_queued: "Records waiting in a sink's queue.",
};
