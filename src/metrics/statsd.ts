/**
 * statsd export (`-statsd_host`), over UDP through hot-shots, every `-statsd_interval` seconds and once more at exit.
 * Names are `<statsd_prefix>.<name>.<metric>` as in the original, so its dashboards keep working:
 * - the original's metrics (reference §9), fed from our counters: `packets`, `reassembed_tcp` (sic),
 *   `0.dns_lookups`, `0.packet_wall_time` (decoding runs on one thread: worker 0), `cache_entries_dropped`,
 *   `packets_received`/`packets_dropped`/`packets_ifdropped` (libpcap's totals, sent as the increase since the last
 *   report: the original added the running totals every time), gauges `incoming_log_depth` and `<i>.log_depth`
 *   (records queued, all sinks and sink i in fan-out order);
 * - every counter of the exit summary, decode errors as `decode_error.<code>`, frames of unsupported link types as
 *   `packets_unsupported_link.<type>`, and per sink `<sink>.<stat>` (`file.written`), as in the summary.
 *
 * Counters are sent as the increase since the last report; an increase of 0 is not sent (as the original's client
 * did). Lines are packed into datagrams of at most 1 432 bytes (under a 1 500-byte MTU); send errors go to `onError`
 * (stderr), never to stdout.
 *
 * @module
 */

import StatsD from "hot-shots";
import type { Counters } from "./counters.ts";
import { metricSnapshot, type MetricsSource } from "./snapshot.ts";
import type { HostPort } from "../config/endpoints.ts";

/** Datagram payload bound: a 1 500-byte Ethernet MTU less IP, UDP and a margin for options and tunnels. */
export const STATSD_MAX_DATAGRAM = 1432;

export interface StatsdOptions extends HostPort {
  /** `<statsd_prefix>.<name>` (a dot is added). */
  prefix: string;
  intervalMs: number;
  /** Told once per episode of send errors. */
  onError: (error: Error) => void;
}

/** A libpcap total kept by a live source (absent for files). */
function pcapTotal(counters: Counters, name: string): number {
  return (counters as unknown as Record<string, number | undefined>)[name] ?? 0;
}

/** The original's counter names and how our counters give them. */
const ORIGINAL_COUNTERS: readonly [string, (c: Counters) => number][] = [
  ["reassembed_tcp", (c) => c.tcp_messages],
  ["0.dns_lookups", (c) => c.udp_messages],
  ["0.packet_wall_time", (c) => c.tcp_messages],
  ["cache_entries_dropped", (c) => c.queries_unanswered + c.responses_orphan],
  ["packets_received", (c) => pcapTotal(c, "pcap_received")],
  ["packets_dropped", (c) => pcapTotal(c, "pcap_dropped")],
  ["packets_ifdropped", (c) => pcapTotal(c, "pcap_ifdropped")],
];

export class StatsdExporter {
  readonly #client: InstanceType<typeof StatsD>;
  readonly #last = new Map<string, number>();
  readonly #timer: ReturnType<typeof setInterval>;
  #failing = false;

  constructor(readonly source: MetricsSource, options: StatsdOptions) {
    this.#client = new StatsD({
      host: options.host,
      port: options.port,
      protocol: "udp",
      prefix: `${options.prefix}.`,
      maxBufferSize: STATSD_MAX_DATAGRAM,
      bufferFlushInterval: options.intervalMs,
      includeDataDogTags: false,
      errorHandler: (error) => {
        if (!this.#failing) options.onError(error);
        this.#failing = true;
      },
    });
    this.#timer = setInterval(() => this.report(), options.intervalMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Queues one report: the increase of every counter since the last one, and every gauge. */
  report(): void {
    const counters = this.source.counters;
    for (const metric of metricSnapshot(this.source)) {
      if (metric.type === "gauge") this.#client.gauge(metric.name, metric.value);
      else this.#increase(metric.name, metric.value);
    }
    for (const [name, value] of ORIGINAL_COUNTERS) this.#increase(name, value(counters));
    let queued = 0;
    this.source.sinks.forEach((sink, index) => {
      this.#client.gauge(`${index}.log_depth`, sink.stats.queued);
      queued += sink.stats.queued;
    });
    this.#client.gauge("incoming_log_depth", queued);
  }

  /** The final report, flushed before this returns. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.report();
    await new Promise<void>((resolve) => this.#client.close(() => resolve()));
  }

  #increase(name: string, total: number): void {
    const delta = total - (this.#last.get(name) ?? 0);
    this.#last.set(name, total);
    if (delta > 0) this.#client.increment(name, delta);
  }
}
