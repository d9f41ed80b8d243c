/**
 * Every counter the sensor keeps, in one table. Modules increment fields directly (`counters.packets++`).
 *
 * A class with every field declared and set in the constructor, so V8 gives it one fixed shape with in-object
 * fields: an object built by adding 30+ properties in a loop falls into dictionary mode, which made each
 * increment several times slower on the per-packet path. The list of names is read off an instance, so the fields
 * below are the one place a counter is declared. Decode errors are counted by their `DecodeError.code`.
 */
export class Counters {
  packets = 0; // frames handed to the decoder
  bytes = 0; // wire bytes of those frames
  packets_filtered = 0; // frames the -bpf filter rejected (not counted in packets)
  packets_ipv4 = 0;
  packets_ipv6 = 0;
  packets_not_ip = 0; // link payload is neither IPv4 nor IPv6 (ARP, LLDP, ...)
  packets_unsupported_link = 0; // link type the decoder does not know
  timestamps_clamped = 0; // capture times outside years -271821..275760, written as the nearest bound
  packets_tunneled = 0; // frames with at least one encapsulation decoded (src/decode/tunnels.ts)
  packets_not_dns = 0; // IP packets not on a DNS port (or not UDP/TCP)
  ip_fragments = 0; // fragments received
  ip_fragments_reassembled = 0; // datagrams completed from fragments
  ip_fragments_expired = 0; // partial datagrams dropped on timeout
  ip_fragments_evicted = 0; // partial datagrams dropped because the table was full
  udp_messages = 0; // DNS messages found in UDP datagrams
  tcp_segments = 0; // TCP segments on a DNS port
  tcp_messages = 0; // DNS messages reassembled from TCP streams
  tcp_streams_opened = 0;
  tcp_streams_closed = 0; // FIN or RST
  tcp_streams_expired = 0; // idle timeout
  tcp_streams_evicted = 0; // table full
  tcp_bytes_dropped = 0; // stream bytes dropped (buffer bound, gaps that never filled)
  tcp_gaps = 0; // holes in a stream skipped over
  dns_queries = 0;
  dns_responses = 0;
  dns_anomalies = 0; // messages decoded with at least one anomaly flag
  decode_errors = 0; // all DecodeErrors (the per-code split is in `decodeErrors`)
  pairs = 0; // query matched with its response
  query_retransmits = 0;
  response_duplicates = 0;
  queries_unanswered = 0; // expired (or flushed at exit) without a response
  responses_orphan = 0; // expired (or flushed at exit) without a query
  correlation_evicted = 0; // entries dropped because the table was full
  records = 0; // records produced
  records_dropped = 0; // records a sink could not take (queue full, broker down past its buffer)
  pcap_received = 0; // live capture: packets libpcap received (on Linux including those it then dropped)
  pcap_dropped = 0; // live capture: packets the kernel dropped for lack of buffer space (-buffer_size)
  pcap_ifdropped = 0; // live capture: packets the interface dropped (when the driver reports it)
  capture_restarts = 0; // live capture: reopenings after the interface went down or disappeared
  /** DecodeError counts by error code. */
  readonly decodeErrors = new Map<string, number>();
  /** Frames of a link type the decoder does not know, by LINKTYPE_* number (the total is packets_unsupported_link). */
  readonly unsupportedLinks = new Map<number, number>();
}

/** The name of a counter: every numeric field of {@link Counters}. */
export type CounterName = Exclude<keyof Counters, "decodeErrors" | "unsupportedLinks">;

/** Every counter name, in declaration order (the order of the exit summary and of metrics). */
export const COUNTER_NAMES: readonly CounterName[] = Object.keys(new Counters()).filter(
  (key): key is CounterName => key !== "decodeErrors" && key !== "unsupportedLinks",
);

/** A fresh counter table, every counter at zero. */
export function newCounters(): Counters {
  return new Counters();
}

/** Below this, V8 keeps a whole number as a small integer (31 bits with pointer compression). */
const SMALL_INTEGER_LIMIT = 0x40000000;

/**
 * Add `delta`, a whole number that may have been read from a Float64Array (the lookup worker's counts), to a counter,
 * stored as V8 stores an integer literal when it fits one. A counter field starts as a small integer; a float stored
 * there once changed the Counters map, and every hot function that counts (decoding, pairing) was deoptimized when
 * the worker's first counts arrived (measured with `--trace-generalization` and `--trace-deopt`).
 */
export function addToCounter(counters: Counters, name: CounterName, delta: number): void {
  counters[name] += delta >= 0 && delta < SMALL_INTEGER_LIMIT ? delta | 0 : delta;
}

/** Count one decode error under its code (and in the `decode_errors` total). */
export function countDecodeError(counters: Counters, code: string): void {
  counters.decode_errors++;
  counters.decodeErrors.set(code, (counters.decodeErrors.get(code) ?? 0) + 1);
}

/** Count one frame of an unsupported link type; true the first time that type is met (to name it once in -debug). */
export function countUnsupportedLink(counters: Counters, linkType: number): boolean {
  counters.packets_unsupported_link++;
  const before = counters.unsupportedLinks.get(linkType) ?? 0;
  counters.unsupportedLinks.set(linkType, before + 1);
  return before === 0;
}
