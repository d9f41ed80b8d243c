/**
 * Prometheus metrics (`-metrics_listen ADDR:PORT`, off by default): `GET /metrics` in the text exposition format
 * 0.0.4, the same values as statsd: every counter as `denopassivedns_<counter>_total`, decode errors by `code`,
 * frames of unsupported link types by `link_type`,
 * per-sink counters by `sink`, and the process metrics `process_resident_memory_bytes`,
 * `process_cpu_seconds_total` and `process_start_time_seconds`.
 *
 * @module
 */

import process from "node:process";
import { METRIC_HELP, metricSnapshot, type MetricsSource, type MetricValue } from "./snapshot.ts";
import type { HostPort } from "../config/endpoints.ts";

const NAMESPACE = "denopassivedns";

/** When this process started, in seconds since the epoch. */
const START_TIME_SECONDS = (Date.now() - performance.now()) / 1000;

/** A label value with `\`, `"` and newlines escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${labelValue(value)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** The exposition text for one snapshot. */
export function prometheusText(source: MetricsSource): string {
  const families = new Map<string, MetricValue[]>();
  for (const metric of metricSnapshot(source)) {
    const family = families.get(metric.family);
    if (family === undefined) families.set(metric.family, [metric]);
    else family.push(metric);
  }
  const lines: string[] = [];
  for (const [family, metrics] of families) {
    const type = metrics[0].type;
    const name = `${NAMESPACE}_${family}${type === "counter" ? "_total" : ""}`;
    lines.push(`# HELP ${name} ${METRIC_HELP[family] ?? `The ${family} counter.`}`);
    lines.push(`# TYPE ${name} ${type}`);
    for (const metric of metrics) lines.push(`${name}${labelText(metric.labels)} ${metric.value}`);
  }
  const cpu = process.cpuUsage();
  lines.push(
    "# HELP process_resident_memory_bytes Resident memory size in bytes.",
    "# TYPE process_resident_memory_bytes gauge",
    `process_resident_memory_bytes ${Deno.memoryUsage().rss}`,
    "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.",
    "# TYPE process_cpu_seconds_total counter",
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
    "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
    "# TYPE process_start_time_seconds gauge",
    `process_start_time_seconds ${START_TIME_SECONDS.toFixed(3)}`,
  );
  return lines.join("\n") + "\n";
}

/** Serves `/metrics` until `shutdown`; `onListen` is told the bound address (port 0 picks a free one). */
export function servePrometheus(
  source: MetricsSource,
  listen: HostPort,
  onListen: (address: string) => void,
): Deno.HttpServer {
  return Deno.serve({
    hostname: listen.host,
    port: listen.port,
    onListen: ({ hostname, port }) =>
      onListen(hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`),
  }, (request) => {
    const { pathname } = new URL(request.url);
    if (pathname !== "/metrics") return new Response("Not found: metrics are at /metrics\n", { status: 404 });
    return new Response(prometheusText(source), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
}
