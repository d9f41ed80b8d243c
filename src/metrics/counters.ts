/**
 * Every counter the sensor keeps, in one table. Modules increment fields directly
 * (`counters.packets++`), which is as cheap as a local variable on the hot path.
 * Decode errors are counted by their `DecodeError.code`.
 */
export const COUNTER_NAMES = [
  "packets", // frames handed to the decoder
  "bytes", // wire bytes of those frames
  "packets_ipv4",
  "packets_ipv6",
  "packets_not_ip", // link payload is neither IPv4 nor IPv6 (ARP, LLDP, ...)
  "packets_unsupported_link", // link type the decoder does not know
  "packets_not_dns", // IP packets not on a DNS port (or not UDP/TCP)
  "ip_fragments", // fragments received
  "ip_fragments_reassembled", // datagrams completed from fragments
  "ip_fragments_expired", // partial datagrams dropped on timeout
  "ip_fragments_evicted", // partial datagrams dropped because the table was full
  "udp_messages", // DNS messages found in UDP datagrams
  "tcp_segments", // TCP segments on a DNS port
  "tcp_messages", // DNS messages reassembled from TCP streams
  "tcp_streams_opened",
  "tcp_streams_closed", // FIN or RST
  "tcp_streams_expired", // idle timeout
  "tcp_streams_evicted", // table full
  "tcp_bytes_dropped", // stream bytes dropped (buffer bound, gaps that never filled)
  "tcp_gaps", // holes in a stream skipped over
  "dns_queries",
  "dns_responses",
  "dns_anomalies", // messages decoded with at least one anomaly flag
  "decode_errors", // all DecodeErrors (the per-code split is in `decodeErrors`)
  "pairs", // query matched with its response
  "query_retransmits",
  "response_duplicates",
  "queries_unanswered", // expired (or flushed at exit) without a response
  "responses_orphan", // expired (or flushed at exit) without a query
  "correlation_evicted", // entries dropped because the table was full
  "records", // records produced
  "records_dropped", // records a sink could not take (queue full, broker down past its buffer)
] as const;

export type CounterName = typeof COUNTER_NAMES[number];

export type Counters = Record<CounterName, number> & {
  /** DecodeError counts by error code. */
  decodeErrors: Map<string, number>;
};

/** A fresh counter table, every counter at zero. */
export function newCounters(): Counters {
  const counters = { decodeErrors: new Map<string, number>() } as Counters;
  for (const name of COUNTER_NAMES) counters[name] = 0;
  return counters;
}

/** Count one decode error under its code (and in the `decode_errors` total). */
export function countDecodeError(counters: Counters, code: string): void {
  counters.decode_errors++;
  counters.decodeErrors.set(code, (counters.decodeErrors.get(code) ?? 0) + 1);
}
