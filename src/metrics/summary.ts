import { COUNTER_NAMES, type Counters } from "./counters.ts";
import { type Sink, SINK_STAT_NAMES } from "../sinks/sink.ts";

/**
 * One line of every non-zero counter, then frames of unsupported link types by number, decode errors by code last: what was seen, produced and lost, for stderr
 * at exit. `packets=3000 bytes=… records=300 …`
 */
export function counterSummary(counters: Counters): string {
  const parts: string[] = [];
  for (const name of COUNTER_NAMES) if (counters[name] !== 0) parts.push(`${name}=${counters[name]}`);
  for (const [linkType, count] of [...counters.unsupportedLinks].sort((a, b) => a[0] - b[0])) {
    parts.push(`packets_unsupported_link.${linkType}=${count}`);
  }
  for (const [code, count] of [...counters.decodeErrors].sort()) parts.push(`decode_error.${code}=${count}`);
  return parts.join(" ");
}

/** What {@linkcode runSummary} reads of each sink: its name and per-sink counters. */
export interface SinkCounts {
  readonly name: string;
  readonly stats: object;
  /** A fan-out's sinks, each summarised under its own name. */
  readonly sinks?: readonly SinkCounts[];
}

/**
 * The exit summary: every non-zero counter, then each sink's non-zero counters as `name.counter=N`
 * (`stdout.written=50 stdout.failed=12`); `packets=0` when nothing at all was counted.
 */
export function runSummary(counters: Counters, sink: SinkCounts | null): string {
  const parts = [counterSummary(counters)];
  for (const one of sink?.sinks ?? (sink === null ? [] : [sink])) {
    for (const [name, value] of Object.entries(one.stats)) if (value !== 0) parts.push(`${one.name}.${name}=${value}`);
  }
  const text = parts.filter((part) => part !== "").join(" ");
  return text === "" ? "packets=0" : text;
}

/** Every non-zero per-sink counter, as in the summary: `file.written=1881031 syslog.dropped=12 …`, fan-out order. */
export function sinkSummary(sinks: readonly Sink[]): string {
  const parts: string[] = [];
  for (const sink of sinks) {
    for (const stat of SINK_STAT_NAMES) {
      if (sink.stats[stat] !== 0) parts.push(`${sink.name}.${stat}=${sink.stats[stat]}`);
    }
  }
  return parts.join(" ");
}

/** Records some sink did not deliver: dropped (queue full) or failed, summed over the sinks (`records_dropped`). */
export function recordsLost(sinks: readonly Sink[]): number {
  return sinks.reduce((sum, sink) => sum + sink.stats.dropped + sink.stats.failed, 0);
}
