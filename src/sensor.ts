/** From a resolved Config to a running pipeline: the one place that maps options onto component settings. */
import type { Config } from "./config/mod.ts";
import type { CorrelatorOptions } from "./correlate/pairing_options.ts";
import { DEFAULT_CORRELATOR_OPTIONS } from "./correlate/pairing_options.ts";
import { type DecoderOptions, DEFAULT_DECODER_OPTIONS } from "./decode/mod.ts";
import type { BpfFilter } from "./capture/bpf_filter.ts";
import { openCaptureFile } from "./capture/mod.ts";
import type { PacketSource } from "./capture/packet.ts";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from "./capture/link_types.ts";
import { ConfigError, quoteValue } from "./config/config_error.ts";
import { Pipeline } from "./pipeline.ts";
import { FanOut, type OutputFailure, type Sink } from "./sinks/sink.ts";
import { StdoutSink, stdoutUnwritable, stdoutWriter, trimStdoutFile } from "./sinks/stdout_sink.ts";
import type { StopAsked } from "./sinks/stdout_stall.ts";
import { kafkaSettings } from "./sinks/kafka_settings.ts";
import type { QueuedSinkOptions } from "./sinks/queued_sink.ts";
import { resolvePath } from "./config/_path.ts";
import {
  CORES_VARIABLE,
  testHook,
  WORKER_ANY_SIZE_VARIABLE,
  WORKER_AT_ONCE_VARIABLE,
  WORKER_FAIL_AT_VARIABLE,
} from "./parallel/test_hooks.ts";
import { parseSyslogServer } from "./config/endpoints.ts";
import { MAX_NUMPROCS, usableNumprocs } from "./config/options.ts";
import { getLogger } from "@logtape/logtape";
import { LOG_CATEGORY } from "./config/logging.ts";

const log = getLogger([LOG_CATEGORY, "main"]);

export function decoderOptions(config: Config): DecoderOptions {
  return {
    ...DEFAULT_DECODER_OPTIONS,
    dnsPorts: new Set(config.dnsPorts),
    maxTcpStreams: config.maxTcpStreams,
    maxFragmentSets: config.maxFragments,
    tcpIdleTimeoutSec: config.tcpTimeoutMs / 1000,
    tunnelPorts: {
      vxlan: config.vxlanPorts,
      geneve: config.genevePorts,
      greUdp: config.greUdpPorts,
      gtpu: config.gtpuPorts,
      teredo: config.teredoPorts,
    },
  };
}

export function correlatorOptions(config: Config): CorrelatorOptions {
  return {
    ...DEFAULT_CORRELATOR_OPTIONS,
    maxPending: config.maxPending,
    maxPendingBytes: config.maxPendingBytes,
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
  /** Set at the first signal: a lookup worker writing stdout's records gives up on a stalled reader by it. */
  stopAsked?: StopAsked;
  /** A queued sink's deliveries started failing (told once per episode; it retries), or recovered (`error` null). */
  onError?: SinkErrorReporter;
}

/** Told once per episode of a sink's delivery errors, and when it recovers (`error` null). */
export type SinkErrorReporter = (sink: string, error: unknown | null) => void;

/** The queue bound and close deadline of every queued sink (syslog, Fluentd, Kafka), from the options. */
export function queuedSinkOptions(config: Config, onError: SinkErrorReporter): Partial<QueuedSinkOptions> {
  return {
    maxQueueBytes: config.sinkQueueMb * 1024 * 1024,
    // The record bound follows the byte bound (a record is at least ~64 bytes), so -sink_queue_mb alone sizes it.
    maxQueueRecords: config.sinkQueueMb * 1024 * 1024 / 64,
    closeTimeoutMs: config.sinkTimeoutMs,
    onError,
  };
}

/**
 * The enabled sinks, in the original's order (stdout unless -quiet, file, syslog, Fluentd, Kafka). Throws a
 * ConfigError for a bad Kafka combination (exit 2) and a SinkStartError for a sink that cannot start (exit 1).
 * Stdout and the file write synchronously (back-pressure); the others are queued sinks that drop and count when
 * full. The file, syslog, Kafka and Fluentd modules are imported only when their sink is configured, so that a
 * plain replay loads no node: module and no npm package but logtape (tests/module_graph_test.ts).
 */
export async function buildSinks(config: Config, hooks: SinkHooks = {}): Promise<FanOut> {
  const kafka = kafkaSettings(config); // checked first: a usage error before anything connects
  const queued = queuedSinkOptions(config, hooks.onError ?? (() => {}));
  const sinks: Sink[] = [];
  if (!config.quiet) {
    const writer = stdoutWriter(hooks.giveUpWaiting);
    const options = {
      onFailure: hooks.onFailure,
      unwritable: stdoutUnwritable(),
      trimPartial: trimStdoutFile,
      // Through libc a worker can write descriptor 1 the same way (Deno.stdout's fallback stays on this thread).
      workerStopAsked: writer === null ? undefined : hooks.stopAsked?.buffer,
    };
    sinks.push(new StdoutSink(writer ?? Deno.stdout, options));
  }
  // File
  if (config.logfile !== "") {
    const { checkLogfileAllowed, FileSink, rotationBytes } = await import("./sinks/file_sink.ts");
    const path = resolvePath(Deno.cwd(), config.logfile);
    checkLogfileAllowed(path);
    sinks.push(
      new FileSink(path, {
        maxBytes: rotationBytes(config.logMaxSize),
        maxBackups: config.logMaxBackups,
        maxAgeDays: config.logMaxAge,
        now: Date.now,
        onError: hooks.onError ?? (() => {}),
      }),
    );
  }
  // Syslog
  if (config.syslogFacility !== "" && config.syslogPriority !== "") {
    const { syslogSink } = await import("./sinks/syslog_sink.ts");
    const server = config.syslogServer === "" ? null : parseSyslogServer(config.syslogServer);
    sinks.push(
      syslogSink(
        { facility: config.syslogFacility, priority: config.syslogPriority, tag: config.syslogTag, server },
        queued,
      ),
    );
  }
  // Fluentd
  if (config.fluentdSocket !== "") {
    const { createFluentdSink } = await import("./sinks/fluentd_sink.ts");
    sinks.push(createFluentdSink(config.fluentdSocket, config.name, queued));
  }
  // Kafka
  if (kafka !== null) {
    const { createKafkaSink } = await import("./sinks/kafka_sink.ts");
    sinks.push(await createKafkaSink(kafka, config.format, config.name, queued));
  }
  return new FanOut(sinks);
}

/** The default `-bpf`: what `-dns_ports 53` selects already, so it is not compiled (replay then needs no libpcap). */
export const DEFAULT_BPF = "port 53";

/**
 * The `-bpf` filter for capture files, or null for none (empty or the default, or live capture, where the filter
 * runs in the kernel). Throws a ConfigError for an expression libpcap rejects, and a CaptureError when libpcap is
 * missing. The filter's module (and its libpcap binding) is imported only when there is one to compile.
 */
export async function packetFilter(config: Config): Promise<BpfFilter | null> {
  if (config.dev !== "" || config.bpf === "" || config.bpf === DEFAULT_BPF) return null;
  const { BpfFilter, bpfSyntaxError } = await import("./capture/bpf_filter.ts");
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

/** The capture file chunk size with a lookup worker (see `openSource`). */
const PARALLEL_CHUNK_BYTES = 1 << 20;

/**
 * A capture file smaller than this is replayed on one thread whatever `-numprocs` says: the worker's start and warm-up
 * cost more than it saves there (session 6, default format, three runs each: 0.23–0.24 s against 0.18–0.19 s on 5 MB,
 * 0.38–0.39 against 0.34–0.39 s on 27 MB, 0.48–0.51 against 0.52–0.57 s on 54 MB). The records are the same.
 */
export const SMALL_CAPTURE_BYTES = 32 << 20;

/**
 * The threads a run uses (`-numprocs`, or one for a regular capture file under {@linkcode SMALL_CAPTURE_BYTES}), and
 * whether the worker starts with the run rather than when a first batch of lookups fills.
 */
export function threadsFor(config: Config): { threads: number; atOnce: boolean } {
  // A live source starts the worker at once: its records are not held back until a batch fills.
  const atOnce = config.dev !== "" || testHook(WORKER_AT_ONCE_VARIABLE) > 0;
  const threads = usableNumprocs(config.numprocs, machineCores());
  if (threads <= 1 || atOnce || config.pcap === "-") return { threads, atOnce };
  if (testHook(WORKER_ANY_SIZE_VARIABLE) > 0) return { threads, atOnce };
  try {
    const info = Deno.statSync(config.pcap);
    if (!info.isFile) return { threads, atOnce };
    // A file this large fills many batches: its worker loads its modules while this thread sets up and decodes the
    // first batch, instead of after (measured on the 1M-pair file: its first batch ~50 ms sooner).
    return info.size < SMALL_CAPTURE_BYTES ? { threads: 1, atOnce } : { threads, atOnce: true };
  } catch {
    return { threads, atOnce }; // opening it reports why it cannot be read
  }
}

/** The machine's cores as the runtime reports them (or as the test hook says). */
function machineCores(): number {
  return testHook(CORES_VARIABLE) || (navigator.hardwareConcurrency ?? 1);
}

export function buildPipeline(config: Config, sink: Sink, filter: BpfFilter | null = null): Pipeline {
  const { threads, atOnce } = threadsFor(config);
  if (threads > 1 && threads < config.numprocs) {
    const cores = `${machineCores()} cores`;
    log.info(
      `-numprocs ${config.numprocs}: using ${threads} threads (${cores}, at most ${MAX_NUMPROCS}: more only compete)`,
    );
  }
  return new Pipeline({
    numprocs: threads,
    workerStartBytes: atOnce ? 0 : undefined,
    workerFailAt: testHook(WORKER_FAIL_AT_VARIABLE),
    filter,
    decoder: decoderOptions(config),
    correlator: correlatorOptions(config),
    format: config.format,
    level: config.syslogPriority,
    sensor: config.name,
    maxRecords: config.maxRecords,
  }, sink);
}

/** An IPv4 fragment: more-fragments flag or a non-zero offset. */
const IPV4_FRAGMENT = "ip[6:2] & 0x3fff != 0";
/** An IPv6 packet whose first extension header is a Fragment header (44). */
const IPV6_FRAGMENT = "ip6[6] == 44";
/** GRE (47: also ERSPAN and PPTP's data) and IP-in-IP (4: IPv4, 41: IPv6), over IPv4 or IPv6. */
const IP_TUNNELS = "ip proto 47 or ip6 proto 47 or ip proto 4 or ip6 proto 4 or ip proto 41 or ip6 proto 41";
/** MPLS unicast and multicast, PPPoE session: ethertypes, which libpcap tests on Ethernet and Linux cooked links. */
const ETHER_TUNNELS = "ether proto 0x8847 or ether proto 0x8848 or ether proto 0x8864";
const ETHERTYPE_LINKS: ReadonlySet<number> = new Set([LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2]);

/**
 * The kernel filter of live capture: `-bpf` as given, except the default, which is widened to what replay decodes
 * (replay applies no filter for the default): the `-dns_ports` (`port 53` by default), IPv4 and IPv6 fragments
 * (after the first, a fragment carries no port, and `port 53` would drop the rest of a fragmented answer), the
 * tunnels the decoder opens (the UDP ports of `-vxlan_ports`, `-geneve_ports`, `-gre_udp_ports`, `-gtpu_ports` and
 * `-teredo_ports`, an empty one adding nothing; GRE and IP-in-IP; MPLS and PPPoE sessions where the link has an
 * ethertype), and the same inside one 802.1Q tag on Ethernet.
 *
 * @example
 * ```ts
 * import { liveFilter } from "./sensor.ts";
 * import { loadConfig } from "./config/mod.ts";
 *
 * const io = { cwd: "/", readTextFile: () => null, fileExists: () => true, hostname: () => "s", parseEnvFile: () => ({}) };
 * const result = loadConfig(["-dev", "eth0", "-dns_ports", "53,5353"], {}, io);
 * const filter = result.kind === "run" ? liveFilter(result.config) : "";
 * if (typeof filter !== "string") console.log(filter(1)); // for Ethernet
 * // port 53 or port 5353 or (ip[6:2] & 0x3fff != 0) or ip6[6] == 44 or udp port 4789 or … or (vlan and (…))
 * ```
 */
export function liveFilter(config: Config): string | ((linkType: number) => string) {
  if (config.bpf !== DEFAULT_BPF) return config.bpf;
  const ports = config.dnsPorts.map((port) => `port ${port}`).join(" or ");
  const tunnelPorts = [
    ...config.vxlanPorts,
    ...config.genevePorts,
    ...config.greUdpPorts,
    ...config.gtpuPorts,
    ...config.teredoPorts,
  ].filter((port, index, all) => all.indexOf(port) === index).map((port) => ` or udp port ${port}`).join("");
  const ip = `${ports} or (${IPV4_FRAGMENT}) or ${IPV6_FRAGMENT}${tunnelPorts} or ${IP_TUNNELS}`;
  return (linkType) => {
    const all = ETHERTYPE_LINKS.has(linkType) ? `${ip} or ${ETHER_TUNNELS}` : ip;
    // libpcap compiles `vlan` only for Ethernet-like links (not for `-dev any`'s cooked capture, nor raw IP).
    return linkType === LINKTYPE_ETHERNET ? `${all} or (vlan and (${all}))` : all;
  };
}

/**
 * The input the configuration asks for: the interface of `-dev` (live capture, reporting into the pipeline's
 * counters) or the file of `-pcap`. Live capture's modules are imported only for `-dev`.
 *
 * @throws {ConfigError} for an unknown interface or a filter libpcap rejects
 * @throws {CaptureError} when the input cannot be opened
 */
export async function openSource(config: Config, pipeline: Pipeline): Promise<PacketSource> {
  if (config.dev === "") {
    // With a lookup worker, smaller chunks: the records it sends back are written at each chunk end, so fewer of its
    // buffers are in flight (measured on the 1M file: 132 MB peak RSS against 155 MB with 4 MiB chunks).
    const threads = pipeline.options.numprocs ?? 1;
    return await openCaptureFile(config.pcap, { chunkSize: threads > 1 ? PARALLEL_CHUNK_BYTES : undefined });
  }
  const { LiveSource, PACKET_TIMEOUT_MS } = await import("./capture/live_source.ts");
  return LiveSource.open({
    device: config.dev,
    snaplen: config.snaplen,
    promisc: config.promisc,
    bufferBytes: config.bufferSize * 1024 * 1024,
    timeoutMs: PACKET_TIMEOUT_MS,
    filter: liveFilter(config),
    retry: config.devRetry,
    statsIntervalSec: config.statsdInterval,
    counters: pipeline.counters,
  });
}
