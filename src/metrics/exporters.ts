/**
 * Starts what exports the counters while the sensor runs: statsd (`-statsd_host`), Prometheus (`-metrics_listen`),
 * and with `-debug` a per-sink counter line on stderr every `-statsd_interval` seconds. `close` sends the final
 * statsd report and stops the server.
 *
 * @module
 */

import type { Config } from "../config/mod.ts";
import { parseHostPort } from "../config/endpoints.ts";
import type { MetricsSource } from "./snapshot.ts";
import type { StatsdExporter } from "./statsd.ts";
import { sinkSummary } from "./summary.ts";

export interface ExporterLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface Exporters {
  close(): Promise<void>;
}

/** An exporter that cannot start (the metrics address is taken); main.ts reports it and exits 1. */
export class ExporterStartError extends Error {}

/**
 * Starts the exporters the options ask for; statsd (hot-shots) and the HTTP server are imported only then, as
 * loading them costs start-up time (110-150 ms measured on a busy 2-core machine) that a plain replay should not pay.
 * @throws {ExporterStartError} when `-metrics_listen` cannot be bound.
 */
export async function startExporters(config: Config, source: MetricsSource, log: ExporterLog): Promise<Exporters> {
  const intervalMs = config.statsdInterval * 1000;
  let statsd: StatsdExporter | null = null;
  if (config.statsdHost !== "") {
    const endpoint = parseHostPort(config.statsdHost)!; // checked by the options table
    const { StatsdExporter } = await import("./statsd.ts");
    statsd = new StatsdExporter(source, {
      ...endpoint,
      prefix: `${config.statsdPrefix}.${config.name}`,
      intervalMs,
      onError: (error) => log.warn(`statsd: ${error.message} (further statsd errors are not reported)`),
    });
    log.debug(`statsd metrics to ${config.statsdHost} every ${config.statsdInterval} s`);
  }
  let server: Deno.HttpServer | null = null;
  if (config.metricsListen !== "") {
    const listen = parseHostPort(config.metricsListen)!;
    const { servePrometheus } = await import("./prometheus.ts");
    try {
      server = servePrometheus(
        source,
        listen,
        (address) => log.info(`Prometheus metrics at http://${address}/metrics`),
      );
    } catch (error) {
      throw new ExporterStartError(
        `cannot serve metrics on ${config.metricsListen} (-metrics_listen): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }
  let debugTimer: ReturnType<typeof setInterval> | null = null;
  if (config.debug) {
    const timer = setInterval(() => log.debug(`Sinks: ${sinkSummary(source.sinks) || "nothing yet"}`), intervalMs);
    Deno.unrefTimer(timer);
    debugTimer = timer;
  }
  return {
    async close() {
      if (debugTimer !== null) clearInterval(debugTimer);
      await statsd?.close();
      await server?.shutdown();
    },
  };
}
