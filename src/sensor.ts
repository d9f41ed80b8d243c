/** From a resolved Config to a running pipeline: the one place that maps options onto component settings. */
import type { Config } from "./config/mod.ts";
import type { CorrelatorOptions } from "./correlate/correlator.ts";
import { DEFAULT_CORRELATOR_OPTIONS } from "./correlate/correlator.ts";
import { type DecoderOptions, DEFAULT_DECODER_OPTIONS } from "./decode/mod.ts";
import { Pipeline } from "./pipeline.ts";
import { FanOut, type Sink } from "./sinks/sink.ts";
import { StdoutSink } from "./sinks/stdout_sink.ts";

export function decoderOptions(config: Config): DecoderOptions {
  return {
    ...DEFAULT_DECODER_OPTIONS,
    dnsPorts: new Set(config.dnsPorts),
    maxTcpStreams: config.maxTcpStreams,
    maxFragmentSets: config.maxFragments,
    tcpIdleTimeoutSec: config.tcpTimeoutMs / 1000,
  };
}

export function correlatorOptions(config: Config): CorrelatorOptions {
  return {
    ...DEFAULT_CORRELATOR_OPTIONS,
    maxPending: config.maxPending,
    gcAgeMs: Math.abs(config.gcAgeMs),
    gcIntervalMs: config.gcIntervalMs,
  };
}

/** The enabled sinks, in the original's order (stdout unless -quiet, ...). */
export function buildSinks(config: Config): Sink {
  const sinks: Sink[] = [];
  if (!config.quiet) sinks.push(new StdoutSink());
  return new FanOut(sinks);
}

export function buildPipeline(config: Config, sink: Sink): Pipeline {
  return new Pipeline({
    decoder: decoderOptions(config),
    correlator: correlatorOptions(config),
    format: config.format,
    level: config.syslogPriority,
    sensor: config.name,
  }, sink);
}
