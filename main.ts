/**
 * denopassivedns entry point: parse the configuration, build the pipeline, install signal handlers, run, and map
 * the outcome to an exit status. The only place that calls `Deno.exit` (the signal watchdog's worker, which must end
 * the process when this thread cannot, excepted: src/signal_watchdog.ts).
 *
 * Exit status: 0 success, 1 runtime failure (unreadable or corrupt capture, stdout not writable or full, a failed
 * lookup worker (`-numprocs`), a sink or the metrics server that cannot start), 2 usage error, 130 a second SIGINT/SIGTERM before the flush finished, 141 the reader of stdout went away (as a Unix tool
 * killed by SIGPIPE). After the configuration is read, every exit path prints the summary on stderr.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { CaptureError, type PacketSource } from "./src/capture/mod.ts";
import {
  type Config,
  ConfigError,
  type ConfigResult,
  denoConfigIo,
  loadConfig,
  LOG_CATEGORY,
  setupLogging,
  startCpuProfile,
} from "./src/config/mod.ts";
import { newCounters } from "./src/metrics/counters.ts";
import { runSummary } from "./src/metrics/summary.ts";
import { countSinkLosses } from "./src/metrics/snapshot.ts";
import { type Exporters, ExporterStartError, startExporters } from "./src/metrics/exporters.ts";
import type { FileSink } from "./src/sinks/file_sink.ts";
import type { Pipeline } from "./src/pipeline.ts";
import { buildPipeline, buildSinks, openSource, packetFilter } from "./src/sensor.ts";
import { installSignals, watchBatches } from "./src/shutdown_signals.ts";
import { FanOut, type OutputFailure, type Sink } from "./src/sinks/sink.ts";
import { SinkStartError } from "./src/sinks/sink_start_error.ts";
import { stdoutPipeNonBlocking } from "./src/sinks/stdout_sink.ts";
import { stalledReaderReason, StopAsked } from "./src/sinks/stdout_stall.ts";
import type { BpfFilter } from "./src/capture/bpf_filter.ts";
import { LookupWorkerError } from "./src/parallel/remote_stage.ts";

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;
/** 128 + SIGPIPE: what a shell reports for a tool that a closed pipe ended (`cat big | head -1`). */
const EXIT_BROKEN_PIPE = 141;

/** How long the run may take to finish its last batch after the first signal. */
const STOP_GRACE_MS = 1_000;

const log = getLogger([LOG_CATEGORY, "main"]);

/** `running`'s outcome, or null when it has not settled within `ms`. */
async function settledWithin(running: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), ms));
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The summary line of what was counted (nothing yet when the run ended before its pipeline existed). */
function summaryLine(pipeline: Pipeline | null, sink: Sink | null): string {
  if (pipeline !== null && sink instanceof FanOut) countSinkLosses({ counters: pipeline.counters, sinks: sink.sinks });
  return `Summary: ${runSummary(pipeline?.counters ?? newCounters(), sink)}`;
}

function printSummary(pipeline: Pipeline | null, sink: Sink | null): void {
  log.info(summaryLine(pipeline, sink));
}

/**
 * The status a failed output ends the run with: stdout's reader going away ends it quietly (141, as SIGPIPE would);
 * any other failure is reported once, naming the output and the error, and is a failure (1).
 */
function outputFailureStatus(failure: OutputFailure): number {
  if (failure.brokenPipe) {
    log.debug(`The reader of ${failure.sink} went away (${failure.error.message}); stopping`);
    return EXIT_BROKEN_PIPE;
  }
  log.error(
    `Cannot write records to ${failure.sink}: ${failure.error.message}; stopping (records not written are ` +
      `counted as ${failure.sink}.failed)`,
  );
  return EXIT_FAILURE;
}

/** A queued sink's delivery started failing (it retries; said once per episode), or recovered (`error` null). */
function reportSinkError(name: string, error: unknown | null): void {
  if (error === null) {
    log.info(`Sink ${name}: delivering again`);
  } else {
    const reason = error instanceof Error ? error.message : String(error);
    log.warn(`Sink ${name}: delivery failed, retrying with back-off: ${reason}`);
  }
}

async function run(config: Config): Promise<number> {
  let filter;
  try {
    filter = await packetFilter(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  // A pipe is written without blocking, so that a reader which stops reading cannot hold a shutdown forever.
  const pipe = config.quiet ? null : stdoutPipeNonBlocking();
  try {
    return await runPipeline(config, filter, pipe?.flags ?? null);
  } finally {
    pipe?.restore();
  }
}

async function runPipeline(config: Config, filter: BpfFilter | null, stdoutFlags: number | null): Promise<number> {
  let source: PacketSource | null = null;
  let status = EXIT_OK;
  let signalsSeen = () => 0;
  let sink: FanOut;
  const stopAsked = new StopAsked();
  try {
    sink = await buildSinks(config, {
      onFailure: (failure) => {
        status = outputFailureStatus(failure);
        source?.stop();
      },
      // A first signal asks for a shutdown: a reader that reads nothing for a while after it gets no more records.
      giveUpWaiting: (waited) => stalledReaderReason(signalsSeen(), waited),
      stopAsked,
      onError: reportSinkError,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return EXIT_USAGE;
    }
    if (!(error instanceof SinkStartError)) throw error;
    log.error(error.message);
    printSummary(null, null);
    return EXIT_FAILURE;
  }
  for (const one of sink.sinks) log.debug(`${one.name} logging enabled`); // as the original's -debug said
  const pipeline = buildPipeline(config, sink, filter);
  try {
    source = await openSource(config, pipeline);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return EXIT_USAGE;
    }
    if (!(error instanceof CaptureError)) throw error;
    log.error(error.message);
    printSummary(pipeline, sink);
    return EXIT_FAILURE;
  }
  let exporters: Exporters;
  try {
    exporters = await startExporters(config, { counters: pipeline.counters, sinks: sink.sinks }, log);
  } catch (error) {
    if (!(error instanceof ExporterStartError)) throw error;
    log.error(error.message);
    printSummary(pipeline, sink);
    return EXIT_FAILURE;
  }
  // SIGHUP reopens the log file (logrotate's postrotate); without a file sink it ends the process, as the original.
  // The file sink's module is loaded only when it is configured (src/sensor.ts, buildSinks).
  const fileSink = config.logfile === "" ? null : (await import("./src/sinks/file_sink.ts")).FileSink;
  const reopenable = fileSink === null ? [] : sink.sinks.filter((one): one is FileSink => one instanceof fileSink);
  const onHangup = () => {
    log.info("Caught SIGHUP, reopening the log file");
    for (const file of reopenable) file.reopen();
  };
  if (reopenable.length > 0) Deno.addSignalListener("SIGHUP", onHangup);

  let onFirstSignal = () => {};
  const signalled = new Promise<void>((resolve) => onFirstSignal = resolve);
  const stop = () => {
    stopAsked.set();
    source!.stop();
    onFirstSignal();
  };
  const signals = installSignals({
    stop,
    summary: () => summaryLine(pipeline, sink),
    stdoutFlags,
    exitInterrupted: () => Deno.exit(EXIT_INTERRUPTED),
  });
  signalsSeen = () => signals.count();
  try {
    // Settles with the run's error (or null); never rejects, so a run still going after a signal cannot go unhandled.
    const running = pipeline.run(watchBatches(source, () => signals.update())).then(
      () => null,
      (error: unknown) => error,
    );
    // After a signal the run gets a moment to end its batch (live capture drains what the kernel still holds).
    const error = await Promise.race([running, signalled.then(() => settledWithin(running, STOP_GRACE_MS))]);
    if (error !== null) {
      if (!(error instanceof CaptureError || error instanceof LookupWorkerError)) throw error;
      log.error(error.message);
      if (status === EXIT_OK) status = EXIT_FAILURE;
    }
  } finally {
    // Whatever ended the input, what the tables hold is delivered and every sink is flushed.
    log.debug("Input ended: flushing what the tables hold");
    signals.update(true);
    // A worker that failed during the last batch or the final flush (one that failed earlier was reported above).
    const failed = await pipeline.finish().then(() => null, (error: unknown) => {
      if (!(error instanceof LookupWorkerError)) throw error;
      return error;
    });
    if (failed !== null) {
      log.error(failed.message);
      if (status === EXIT_OK) status = EXIT_FAILURE;
    }
    await sink.close();
    await exporters.close(); // after the sinks, so the last report has their final counts
    if (reopenable.length > 0) Deno.removeSignalListener("SIGHUP", onHangup);
    // A second signal during a long synchronous flush may have reached only the watchdog (or this thread's listener
    // may not have run yet): it still means "interrupted".
    if (signals.count() >= 2) {
      log.warn("Second signal: the flush was interrupted");
      status = EXIT_INTERRUPTED;
    }
    signals.remove();
    printSummary(pipeline, sink);
  }
  return status;
}

async function main(): Promise<number> {
  let result: ConfigResult;
  try {
    const env = Deno.env.toObject();
    result = loadConfig(Deno.args, env, await denoConfigIo(Deno.args, env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  if (result.kind !== "run") {
    Deno.stdout.writeSync(new TextEncoder().encode(result.text));
    return EXIT_OK;
  }
  const { config } = result;
  setupLogging(config.debug);
  for (const warning of result.warnings) log.warn(warning);
  let stopProfile = null;
  if (config.cpuprofile !== "") {
    try {
      stopProfile = await startCpuProfile(config.cpuprofile);
    } catch (error) {
      log.error(`Cannot profile to ${config.cpuprofile} (-cpuprofile): ${(error as Error).message}`);
      printSummary(null, null);
      return EXIT_FAILURE;
    }
  }
  try {
    return await run(config);
  } finally {
    await stopProfile?.();
  }
}

let status: number;
try {
  status = await main();
} catch (error) {
  // Only a bug gets here: its stack is what a report needs.
  console.error(`denopassivedns: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  status = EXIT_FAILURE;
}
Deno.exit(status);
