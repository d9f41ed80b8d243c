/**
 * The anomaly flags a decoded message can carry (`DnsMessage.anomalies`). They are stable,
 * lower_snake identifiers: sinks and counters key on them, so rename none of them. Each flag appears
 * at most once per message, in the order first met.
 *
 * @module
 */

/** Every anomaly identifier, with what it means. */
export const DNS_ANOMALIES = [
  /** An RR in the answer, authority or additional section runs past the message end; the RRs before it are kept. */
  "truncated_section",
  /** An RR owner name cannot be decoded (forward pointer, loop, reserved label type, too long); decoding stops there. */
  "bad_name",
  /** The message ends cleanly on an RR boundary before the header's ANCOUNT/NSCOUNT/ARCOUNT are reached. */
  "count_mismatch",
  /** Bytes remain after the last section (only checked at depth "full"). */
  "trailing_bytes",
  /**
   * RDATA does not match its type (wrong length, bad inner name, bytes left over): the RR is kept and
   * rendered as RFC 3597 `\# len hex`, and decoding continues at the end of its RDLENGTH.
   */
  "bad_rdata",
  /** More than one OPT RR in the additional section (RFC 6891 §6.1.1); only the first becomes `edns`. */
  "multiple_opt",
  /** The OPT RR owner is not the root name (RFC 6891 §6.1.2); it is still decoded. */
  "opt_not_root",
  /** An OPT RR in the answer or authority section; it is kept there as an ordinary RR (RFC 3597 form). */
  "opt_outside_additional",
  /** An EDNS option overruns the OPT RDATA, or a known option (ECS, COOKIE, EDE) has an invalid body. */
  "bad_edns_option",
  /**
   * A section holds more RRs than `-max_records` (decodeMessage's `maxRecords`): the first ones are kept and decoding
   * stops there, so one message cannot cost megabytes of rendering.
   */
  "too_many_records",
] as const;

/** One anomaly identifier. */
export type DnsAnomaly = typeof DNS_ANOMALIES[number];

/** Add `anomaly` to `list` unless it is already there (lists hold a handful of entries at most). */
export function addAnomaly(list: string[], anomaly: DnsAnomaly): void {
  if (!list.includes(anomaly)) list.push(anomaly);
}
