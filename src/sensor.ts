/** From a resolved Config to a running pipeline: the one place that maps options onto component settings. */
import type { Config } from "./config/mod.ts";
import type { CorrelatorOptions } from "./correlate/correlator.ts";
import { DEFAULT_CORRELATOR_OPTIONS } from "./correlate/correlator.ts";
import { type DecoderOptions, DEFAULT_DECODER_OPTIONS } from "./decode/mod.ts";
import { BpfFilter, bpfSyntaxError } from "./capture/bpf_filter.ts";
import { ConfigError, quoteValue } from "./config/config_error.ts";
import { Pipeline } from "./pipeline.ts";
import { FanOut, type OutputFailure, type Sink } from "./sinks/sink.ts";
import { StdoutSink, stdoutUnwritable, stdoutWriter, trimStdoutFile } from "./sinks/stdout_sink.ts";

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

/** How a run hears from its sinks. */
export interface SinkHooks {
  /** A sink stopped delivering (main.ts decides what that does to the run). */
  onFailure?: (failure: OutputFailure) => void;
  /** Asked while stdout waits for a reader (a full pipe), with the time waited: a reason ends the wait as a failure. */
  giveUpWaiting?: (waitedMs: number) => string | null;
}

/** The enabled sinks, in the original's order (stdout unless -quiet, ...). */
export function buildSinks(config: Config, hooks: SinkHooks = {}): FanOut {
  const sinks: Sink[] = [];
  if (!config.quiet) {
    const options = { onFailure: hooks.onFailure, unwritable: stdoutUnwritable(), trimPartial: trimStdoutFile };
    sinks.push(new StdoutSink(stdoutWriter(hooks.giveUpWaiting) ?? Deno.stdout, options));
  }
  return new FanOut(sinks);
}

/** The default `-bpf`: what `-dns_ports 53` selects already, so it is not compiled (replay then needs no libpcap). */
export const DEFAULT_BPF = "port 53";

/**
 * The `-bpf` filter for capture files, or null for none (empty or the default). Throws a ConfigError for an
 * expression libpcap rejects, and a CaptureError when libpcap is missing.
 */
export function packetFilter(config: Config): BpfFilter | null {
  if (config.bpf === "" || config.bpf === DEFAULT_BPF) return null;
  const syntax = bpfSyntaxError(config.bpf);
  if (syntax !== null) {
    throw new ConfigError(
      `invalid value ${quoteValue(config.bpf)} for -bpf (PDNS_BPF): expected a libpcap filter expression ` +
        `(${syntax})`,
      "bpf",
      config.bpf,
    );
  }
  return new BpfFilter(config.bpf);
}

export function buildPipeline(config: Config, sink: Sink, filter: BpfFilter | null = null): Pipeline {
  return new Pipeline({
    filter,
    decoder: decoderOptions(config),
    correlator: correlatorOptions(config),
    format: config.format,
    level: config.syslogPriority,
    sensor: config.name,
  }, sink);
}
