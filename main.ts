/**
 * denopassivedns entry point: parse the configuration, build the pipeline, install signal handlers, run, and map
 * the outcome to an exit status. The only place that calls `Deno.exit`.
 *
 * Exit status: 0 success, 1 runtime failure (unreadable or corrupt capture, sink failure), 2 usage error,
 * 130 a second SIGINT/SIGTERM before the flush finished.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { CaptureError, openCaptureFile } from "./src/capture/mod.ts";
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
import { counterSummary } from "./src/metrics/summary.ts";
import { buildPipeline, buildSinks, packetFilter } from "./src/sensor.ts";

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

const log = getLogger([LOG_CATEGORY, "main"]);

/** Options whose feature is not in this version yet: refusing them beats silently not logging where asked. */
function unavailableFeatures(config: Config): string[] {
  const wanted: [boolean, string][] = [
    [config.logfile !== "", "the file sink (-logfile)"],
    [config.syslogFacility !== "" && config.syslogPriority !== "", "the syslog sink (-syslog_facility)"],
    [config.kafkaBrokers.length > 0 || config.kafkaTopic !== "", "the Kafka sink (-kafka_brokers, -kafka_topic)"],
    [config.fluentdSocket !== "", "the fluentd sink (-fluentd_socket)"],
    [config.statsdHost !== "", "statsd metrics (-statsd_host)"],
  ];
  return wanted.filter(([on]) => on).map(([, name]) => name);
}

async function run(config: Config): Promise<number> {
  const unavailable = unavailableFeatures(config);
  if (unavailable.length > 0) {
    log.error(`Not available in this version yet: ${unavailable.join(", ")}`);
    return EXIT_FAILURE;
  }
  if (config.dev !== "") {
    log.error(`Live capture (-dev ${config.dev}) is not available in this version; replay a file with -pcap`);
    return EXIT_FAILURE;
  }
  let filter;
  try {
    filter = packetFilter(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return EXIT_USAGE;
  }
  const sink = buildSinks(config);
  const pipeline = buildPipeline(config, sink, filter);
  const source = await openCaptureFile(config.pcap);

  // The first SIGINT/SIGTERM ends the capture between two batches (a blocked read of stdin or of an idle
  // interface is not waited for), then everything held is flushed; a second one exits at once.
  let signals = 0;
  let onFirstSignal = () => {};
  const signalled = new Promise<void>((resolve) => onFirstSignal = resolve);
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      log.info("Caught signal, flushing and exiting");
      source.stop();
      onFirstSignal();
    } else {
      log.warn("Second signal: exiting without waiting for the flush");
      Deno.exit(EXIT_INTERRUPTED);
    }
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  let status = EXIT_OK;
  // Settles with the run's error (or null); never rejects, so a run still going after a signal cannot go unhandled.
  const running = pipeline.run(source).then(() => null, (error: unknown) => error);
  try {
    const error = await Promise.race([running, signalled.then(() => null)]);
    if (error !== null) {
      if (!(error instanceof CaptureError)) throw error;
      log.error(error.message);
      status = EXIT_FAILURE;
    }
  } finally {
    // Whatever ended the input, what the tables hold is delivered and every sink is flushed.
    await pipeline.finish();
    await sink.close();
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  log.info(`Summary: ${counterSummary(pipeline.counters)}`);
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
  const stopProfile = config.cpuprofile === "" ? null : await startCpuProfile(config.cpuprofile);
  try {
    return await run(config);
  } catch (error) {
    if (!(error instanceof CaptureError)) throw error;
    log.error(error.message);
    return EXIT_FAILURE;
  } finally {
    await stopProfile?.();
  }
}

let status: number;
try {
  status = await main();
} catch (error) {
  console.error(`denopassivedns: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  status = EXIT_FAILURE;
}
Deno.exit(status);
