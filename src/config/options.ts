/**
 * The options table: every option once, with its flag name, `PDNS_*` variable, type, default, group and help. Flag
 * parsing, environment and `.env` lookup, defaults, validation and `--help` are all driven from here.
 *
 * Names, variables and defaults of the original's options are those of gopassivedns (including its odd ones:
 * `PDNS_KAFKA_PEERS` for `-kafka_brokers`, `PDNS_THREADS` for `-numprocs`, `PDNS_PROFILE_FILE` for `-cpuprofile`).
 *
 * @module
 */

import type { Config } from "./config.ts";
import { parseGoDuration } from "./duration.ts";
import { GO_BOOL_FORMS, parseGoBool, parseGoInt } from "./go_values.ts";
import { parseHostPort, parseSyslogServer } from "./endpoints.ts";

/** The help sections, in the order `--help` prints them. */
export const OPTION_GROUPS = [
  "Capture",
  "Decoding",
  "Correlation",
  "Output",
  "File sink",
  "Syslog",
  "Kafka",
  "Fluentd",
  "Metrics",
  "Diagnostics",
] as const;

/** A help section. */
export type OptionGroup = typeof OPTION_GROUPS[number];

/** The value types of the table. */
export type OptionType = "string" | "int" | "bool" | "duration" | "list" | "enum";

/** What a parser returns for a rejected value; `detail` says why when the expected form alone does not. */
export class Invalid {
  constructor(readonly detail?: string) {}
}

/** One option. */
export interface OptionSpec {
  /** Flag name without the dash, case-sensitive as in Go (`logMaxAge`). */
  readonly name: string;
  /** Environment (and `.env`) variable. */
  readonly env: string;
  readonly type: OptionType;
  /** The {@link Config} field it sets. */
  readonly key: keyof Config;
  /** Default as text, parsed like any other source (so a default can never disagree with its parser). */
  readonly default: string;
  /** How `--help` shows the default when the text alone would mislead ("hostname" for `-name`). */
  readonly defaultShown?: string;
  readonly group: OptionGroup;
  /** One sentence for `--help`. */
  readonly help: string;
  /** Placeholder for the value in `--help` ("" for booleans). */
  readonly arg: string;
  /** The accepted form, completing "expected …" in error messages. */
  readonly expected: string;
  /** Text to value, or {@link Invalid}. */
  parse(text: string): unknown;
}

/** Largest int the original accepted from the environment (Go parsed them as int32). */
const INT32_MAX = 2 ** 31 - 1;

/** Largest snapshot length libpcap accepts (MAXIMUM_SNAPLEN in pcap-int.h); also tcpdump's default. */
const MAX_SNAPLEN = 262_144;
/**
 * The shortest frame that can hold a DNS header: Ethernet (14) + IPv4 (20) + UDP (8) + DNS header (12). A smaller
 * snap length could never deliver a DNS message.
 */
export const MIN_SNAPLEN = 54;

/** Keys of {@link Config} whose value type is `T`. */
type KeysOf<T> = { [K in keyof Config]-?: Config[K] extends T ? K : never }[keyof Config];

interface Common<T> {
  name: string;
  env: string;
  key: KeysOf<T>;
  group: OptionGroup;
  help: string;
  arg?: string;
  defaultShown?: string;
}

function stringOption(o: Common<string> & { default?: string }): OptionSpec {
  return { type: "string", default: "", arg: "string", expected: "a string", parse: (text) => text, ...o };
}

function boolOption(o: Common<boolean> & { default?: string }): OptionSpec {
  return {
    type: "bool",
    default: "false",
    arg: "",
    expected: `true or false (${GO_BOOL_FORMS})`,
    parse: (text) => parseGoBool(text) ?? new Invalid(),
    ...o,
  };
}

function intOption(o: Common<number> & { default: string; min: number; max?: number }): OptionSpec {
  const { min, max = INT32_MAX, ...rest } = o;
  const expected = `an integer from ${min} to ${max}`;
  return {
    type: "int",
    arg: "int",
    expected,
    parse(text) {
      const value = parseGoInt(text);
      return value !== undefined && value >= min && value <= max ? value : new Invalid();
    },
    ...rest,
  };
}

function durationOption(o: Common<number> & { default: string; rule: "positive" | "nonzero" }): OptionSpec {
  const { rule, ...rest } = o;
  const expected = rule === "positive"
    ? "a positive Go duration such as 90s, 3m, 1h30m or 500ms"
    : "a non-zero Go duration such as -1m, 90s, 1h30m or 500ms";
  return {
    type: "duration",
    arg: "duration",
    expected,
    parse(text) {
      let ms: number;
      try {
        ms = parseGoDuration(text);
      } catch (e) {
        return new Invalid((e as SyntaxError).message.replace(/ in duration ".*"$/s, "").toLowerCase());
      }
      return (rule === "positive" ? ms > 0 : ms !== 0) ? ms : new Invalid();
    },
    ...rest,
  };
}

/** `keepCase`: the value is checked without regard to case but kept as given (`-syslog_priority info`). */
function enumOption(
  o: Common<string> & { default: string; values: readonly string[]; keepCase?: boolean },
): OptionSpec {
  const { values, keepCase = false, ...rest } = o;
  const canonical = new Map(values.map((v) => [v.toLowerCase(), v]));
  const empty = values.includes("");
  const listed = values.filter((v) => v !== "").join(", ");
  return {
    type: "enum",
    arg: "name",
    expected: `one of ${listed}${empty ? " (any case), or empty" : ""}`,
    parse(text) {
      const known = canonical.get(text.toLowerCase());
      return known === undefined ? new Invalid() : keepCase ? text : known;
    },
    ...rest,
  };
}

/** `emptyAllowed`: an empty value is the empty list (turns a feature off) rather than an error. */
function portListOption(o: Common<number[]> & { default: string; emptyAllowed?: boolean }): OptionSpec {
  const { emptyAllowed = false, ...common } = o;
  return {
    type: "list",
    arg: "ports",
    expected: "a comma-separated list of ports from 1 to 65535, such as 53,5353" + (emptyAllowed ? ", or empty" : ""),
    parse(text) {
      const ports: number[] = [];
      if (emptyAllowed && text.trim() === "") return ports;
      for (const item of text.split(",")) {
        const trimmed = item.trim();
        const port = /^[0-9]{1,5}$/.test(trimmed) ? Number(trimmed) : 0;
        if (port < 1 || port > 65535) return new Invalid();
        if (!ports.includes(port)) ports.push(port);
      }
      return ports;
    },
    ...common,
  };
}

function stringListOption(o: Common<string[]>): OptionSpec {
  return {
    type: "list",
    arg: "list",
    default: "",
    expected: "a comma-separated list",
    parse: (text) => text.split(",").map((item) => item.trim()).filter((item) => item !== ""),
    ...o,
  };
}

/** Syslog facility names (RFC 5424 §6.2.1 codes 0-11 and 16-23), as Go's `log/syslog` names them. */
export const SYSLOG_FACILITIES = [
  "KERN",
  "USER",
  "MAIL",
  "DAEMON",
  "AUTH",
  "SYSLOG",
  "LPR",
  "NEWS",
  "UUCP",
  "CRON",
  "AUTHPRIV",
  "FTP",
  "LOCAL0",
  "LOCAL1",
  "LOCAL2",
  "LOCAL3",
  "LOCAL4",
  "LOCAL5",
  "LOCAL6",
  "LOCAL7",
] as const;

/** Syslog severity names (RFC 5424 §6.2.1 codes 0-7), as Go's `log/syslog` names them. */
export const SYSLOG_PRIORITIES = ["EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG"] as const;

/** Kafka record batch compressions (those `@platformatic/kafka` implements). */
export const KAFKA_COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/** SASL mechanisms offered for Kafka ("" = none). */
export const KAFKA_SASL_MECHANISMS = ["", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;

/**
 * The most threads `-numprocs` gives: the decoding and pairing thread and up to seven lookup workers (the original's
 * default is 8 decoding goroutines whatever the machine, so its configurations often say 8). Each worker costs about
 * 20 MB, and past one or two of them the pairing thread is the limit (see {@linkcode DEFAULT_NUMPROCS}).
 */
export const MAX_NUMPROCS = 8;

/**
 * The default `-numprocs`: the machine's cores, at most 2. Measured on two cores (README, Threads): two threads replay
 * the 1M-pair file in 0.63 of one thread's time (the transaction format in 0.69) and drain a live ring faster, within
 * 120 MB; a one-core machine keeps one thread, where a worker could only compete. More threads were measured here
 * with per-thread CPU times (two cores, so the wall time says nothing): the decoding and pairing thread stays at
 * 0.84–1.02 CPU-s in the default format with one, two or three workers while each worker's share falls (0.7, 0.4,
 * 0.3 s), so that thread bounds the run from two threads on; in the transaction format it goes from 1.59–1.66 to
 * 1.49–1.62 with two workers, perhaps a tenth less time on a machine with the cores, for 20 MB more. Hence 2, and
 * `-numprocs 3` or more for those who want that tenth. A capture file under 32 MiB is replayed on one thread whatever
 * the value (src/sensor.ts `threadsFor`).
 */
export const DEFAULT_NUMPROCS = Math.max(1, Math.min(navigator.hardwareConcurrency ?? 1, 2));

/**
 * The threads `-numprocs n` runs on a machine with `cores`: n, but at most the cores (at least 2, so that the worker
 * can be asked for on one core) and {@linkcode MAX_NUMPROCS}. More threads than cores only compete: measured on two
 * cores (1M-pair file, medians), `-numprocs 3` and 4 took 1.08× and 1.17× the time of 2 in the default format, 1.14×
 * and 1.22× in the transaction format, with 20 and 40 MB more.
 */
export function usableNumprocs(numprocs: number, cores: number): number {
  return Math.min(numprocs, Math.max(2, cores), MAX_NUMPROCS);
}

/** Every option, in `--help` order within each group. */
export const OPTIONS: readonly OptionSpec[] = [
  // Capture
  stringOption({
    name: "dev",
    env: "PDNS_DEV",
    key: "dev",
    group: "Capture",
    arg: "interface",
    help: "Capture live from this network interface, e.g. eth0. Wins over -pcap when both are set.",
  }),
  stringOption({
    name: "pcap",
    env: "PDNS_PCAP_FILE",
    key: "pcap",
    group: "Capture",
    arg: "file",
    help: 'Read packets from this pcap or pcapng file ("-" for standard input) instead of capturing live.',
  }),
  stringOption({
    name: "bpf",
    env: "PDNS_BPF",
    key: "bpf",
    group: "Capture",
    arg: "filter",
    default: "port 53",
    help: "BPF filter for live and file input; an empty filter passes every packet.",
  }),
  intOption({
    name: "snaplen",
    env: "PDNS_SNAPLEN",
    key: "snaplen",
    group: "Capture",
    default: String(MAX_SNAPLEN),
    min: MIN_SNAPLEN,
    max: MAX_SNAPLEN,
    help: "Bytes kept of each live-captured packet; the default keeps any DNS message whole, even in a " +
      "64 KiB TCP segment.",
  }),
  boolOption({
    name: "pfring",
    env: "PDNS_PFRING",
    key: "pfring",
    group: "Capture",
    help: "Accepted for compatibility and ignored: libpcap on Linux already captures through a memory-mapped " +
      "ring (TPACKET_V3).",
  }),
  boolOption({
    name: "promisc",
    env: "PDNS_PROMISC",
    key: "promisc",
    group: "Capture",
    default: "true",
    help: "Put the live interface in promiscuous mode (as the original always did); -promisc=false to not.",
  }),
  intOption({
    name: "buffer_size",
    env: "PDNS_BUFFER_SIZE",
    key: "bufferSize",
    group: "Capture",
    arg: "MiB",
    default: "32",
    min: 1,
    max: 2047,
    help: "Kernel capture buffer in MiB: what absorbs bursts while the sensor is busy.",
  }),
  boolOption({
    name: "dev_retry",
    env: "PDNS_DEV_RETRY",
    key: "devRetry",
    group: "Capture",
    default: "true",
    help: "When the live interface goes down or disappears, reopen it with back-off (1 s doubling to 30 s); " +
      "-dev_retry=false exits 1 instead.",
  }),

  // Decoding
  portListOption({
    name: "dns_ports",
    env: "PDNS_DNS_PORTS",
    key: "dnsPorts",
    group: "Decoding",
    default: "53",
    help: "Ports whose UDP and TCP traffic is decoded as DNS.",
  }),
  portListOption({
    name: "vxlan_ports",
    env: "PDNS_VXLAN_PORTS",
    key: "vxlanPorts",
    group: "Decoding",
    default: "4789,8472",
    emptyAllowed: true,
    help: "UDP ports decapsulated as VXLAN (empty: none); the inner packet must still be on a -dns_ports port.",
  }),
  portListOption({
    name: "geneve_ports",
    env: "PDNS_GENEVE_PORTS",
    key: "genevePorts",
    group: "Decoding",
    default: "6081",
    emptyAllowed: true,
    help: "UDP ports decapsulated as Geneve (empty: none).",
  }),
  portListOption({
    name: "gre_udp_ports",
    env: "PDNS_GRE_UDP_PORTS",
    key: "greUdpPorts",
    group: "Decoding",
    default: "4754",
    emptyAllowed: true,
    help: "UDP ports decapsulated as GRE-in-UDP, RFC 8086 (empty: none).",
  }),
  portListOption({
    name: "gtpu_ports",
    env: "PDNS_GTPU_PORTS",
    key: "gtpuPorts",
    group: "Decoding",
    default: "2152",
    emptyAllowed: true,
    help: "UDP ports decapsulated as GTP-U (empty: none).",
  }),
  portListOption({
    name: "teredo_ports",
    env: "PDNS_TEREDO_PORTS",
    key: "teredoPorts",
    group: "Decoding",
    default: "3544",
    emptyAllowed: true,
    help: "UDP ports decapsulated as Teredo, RFC 4380 (empty: none).",
  }),
  intOption({
    name: "numprocs",
    env: "PDNS_THREADS",
    key: "numprocs",
    group: "Decoding",
    default: String(DEFAULT_NUMPROCS),
    min: 1,
    help: "Threads (default: the cores, at most 2): 1 runs everything on one; N writes records in N-1 workers " +
      "(same output; at most the cores and 8; a capture file under 32 MiB uses one).",
  }),
  intOption({
    name: "max_tcp_streams",
    env: "PDNS_MAX_TCP_STREAMS",
    key: "maxTcpStreams",
    group: "Decoding",
    default: "4096",
    min: 1,
    help: "Most TCP streams reassembled at once; beyond this the oldest is evicted and counted.",
  }),
  intOption({
    name: "max_fragments",
    env: "PDNS_MAX_FRAGMENTS",
    key: "maxFragments",
    group: "Decoding",
    default: "1024",
    min: 1,
    help: "Most fragmented IP datagrams held at once; beyond this the oldest is evicted and counted.",
  }),
  durationOption({
    name: "tcp_timeout",
    env: "PDNS_TCP_TIMEOUT",
    key: "tcpTimeoutMs",
    group: "Decoding",
    default: "2m",
    rule: "positive",
    help: "A TCP stream idle this long (in packet time) is flushed and forgotten.",
  }),

  // Correlation
  durationOption({
    name: "gc_age",
    env: "PDNS_GC_AGE",
    key: "gcAgeMs",
    group: "Correlation",
    default: "-1m",
    rule: "nonzero",
    help: "Queries waiting longer than this for their response are dropped. Negative as in the original; " +
      "a positive value means the same age.",
  }),
  durationOption({
    name: "gc_interval",
    env: "PDNS_GC_INTERVAL",
    key: "gcIntervalMs",
    group: "Correlation",
    default: "3m",
    rule: "positive",
    help: "How often waiting queries are checked against -gc_age.",
  }),
  intOption({
    name: "max_pending",
    env: "PDNS_MAX_PENDING",
    key: "maxPending",
    group: "Correlation",
    default: "100000",
    min: 1,
    help: "Most queries waiting for their response; beyond this the oldest is evicted and counted.",
  }),
  intOption({
    name: "max_pending_bytes",
    env: "PDNS_MAX_PENDING_BYTES",
    key: "maxPendingBytes",
    group: "Correlation",
    default: "33554432",
    min: 1048576,
    help: "Most bytes held by queries and responses waiting for their partner (default 32 MiB), each counted as " +
      "its message and a fixed cost; beyond this the oldest are evicted and counted.",
  }),
  intOption({
    name: "max_records",
    env: "PDNS_MAX_RECORDS",
    key: "maxRecords",
    group: "Decoding",
    default: "512",
    min: 1,
    help: "Most resource records decoded per section of a message; the rest are skipped and flagged " +
      "(too_many_records), so one amplifying response cannot cost megabytes of records.",
  }),

  // Output
  enumOption({
    name: "format",
    env: "PDNS_FORMAT",
    key: "format",
    group: "Output",
    default: "gopassivedns",
    values: ["gopassivedns", "transaction"],
    help: "Record format: gopassivedns (the original's JSON lines) or transaction.",
  }),
  boolOption({
    name: "quiet",
    env: "PDNS_QUIET",
    key: "quiet",
    group: "Output",
    help: "Do not write records to standard output.",
  }),
  durationOption({
    name: "sink_timeout",
    env: "PDNS_SINK_TIMEOUT",
    key: "sinkTimeoutMs",
    group: "Output",
    default: "5s",
    rule: "positive",
    help: "At exit, how long each queued sink (syslog, fluentd, Kafka) may take to deliver what it holds; the rest " +
      "is counted as failed.",
  }),
  intOption({
    name: "sink_queue_mb",
    env: "PDNS_SINK_QUEUE_MB",
    key: "sinkQueueMb",
    group: "Output",
    default: "64",
    min: 1,
    max: 4096,
    help: "Megabytes of records each queued sink may hold; when full, new records are dropped and counted.",
  }),
  stringOption({
    name: "name",
    env: "PDNS_NAME",
    key: "name",
    group: "Output",
    defaultShown: "host name",
    help: "Sensor name, used in the statsd prefix and the fluentd tag.",
  }),

  // File sink
  stringOption({
    name: "logfile",
    env: "PDNS_LOG_FILE",
    key: "logfile",
    group: "File sink",
    arg: "file",
    help: "Also append records to this file, rotated by size.",
  }),
  intOption({
    name: "logMaxAge",
    env: "PDNS_LOG_AGE",
    key: "logMaxAge",
    group: "File sink",
    default: "28",
    min: 0,
    help: "Days to keep rotated files; 0 keeps them regardless of age.",
  }),
  intOption({
    name: "logMaxBackups",
    env: "PDNS_LOG_BACKUP",
    key: "logMaxBackups",
    group: "File sink",
    default: "3",
    min: 0,
    help: "Rotated files to keep; 0 keeps all.",
  }),
  intOption({
    name: "logMaxSize",
    env: "PDNS_LOG_SIZE",
    key: "logMaxSize",
    group: "File sink",
    default: "100",
    min: 0,
    help: "Size in megabytes at which the file is rotated; 0 means 100.",
  }),

  // Syslog
  enumOption({
    name: "syslog_facility",
    env: "PDNS_SYSLOG_FACILITY",
    key: "syslogFacility",
    group: "Syslog",
    default: "",
    values: ["", ...SYSLOG_FACILITIES],
    help: "Syslog facility. Records go to the local syslog only when both facility and priority are set.",
  }),
  enumOption({
    name: "syslog_priority",
    env: "PDNS_SYSLOG_PRIORITY",
    key: "syslogPriority",
    group: "Syslog",
    default: "",
    values: ["", ...SYSLOG_PRIORITIES],
    keepCase: true,
    help: "Syslog severity of every record; also copied, as given, into every record's level field.",
  }),
  stringOption({
    name: "syslog_tag",
    env: "PDNS_SYSLOG_TAG",
    key: "syslogTag",
    group: "Syslog",
    arg: "tag",
    default: "denopassivedns",
    help: "Syslog tag (APP-NAME) of every record.",
  }),
  {
    type: "string",
    name: "syslog_server",
    env: "PDNS_SYSLOG_SERVER",
    key: "syslogServer",
    group: "Syslog",
    arg: "url",
    default: "",
    expected: "udp://host:port or tcp://host:port, or empty for the local syslog",
    help: "Send syslog records to this server (RFC 5424; octet counting on TCP) instead of the local syslog.",
    parse: (text) => text === "" || parseSyslogServer(text) !== null ? text : new Invalid(),
  },

  // Kafka
  stringListOption({
    name: "kafka_brokers",
    env: "PDNS_KAFKA_PEERS",
    key: "kafkaBrokers",
    group: "Kafka",
    arg: "host:port,...",
    help: "Kafka brokers (port 9092 by default); with -kafka_topic, one without the other is a usage error.",
  }),
  stringOption({
    name: "kafka_topic",
    env: "PDNS_KAFKA_TOPIC",
    key: "kafkaTopic",
    group: "Kafka",
    arg: "topic",
    help: "Kafka topic the records go to, keyed by client address.",
  }),
  boolOption({
    name: "kafka_avro",
    env: "PDNS_KAFKA_AVRO",
    key: "kafkaAvro",
    group: "Kafka",
    help: "Send Avro single-object messages (schema DnsLogEntry, as the original) instead of JSON.",
  }),
  enumOption({
    name: "kafka_compression",
    env: "PDNS_KAFKA_COMPRESSION",
    key: "kafkaCompression",
    group: "Kafka",
    // lz4 by default: measured here 57 k records/s acknowledged at 0.77 CPU-s per 100 k records, against 49 k and
    // 0.85 s uncompressed (README, Kafka sink benchmark); every broker since Kafka 0.10 accepts it.
    default: "lz4",
    values: KAFKA_COMPRESSIONS,
    help: "Compression of the record batches sent to Kafka.",
  }),
  boolOption({
    name: "kafka_tls",
    env: "PDNS_KAFKA_TLS",
    key: "kafkaTls",
    group: "Kafka",
    help: "Connect to the brokers over TLS (on when any -kafka_tls_* file is set).",
  }),
  stringOption({
    name: "kafka_tls_ca",
    env: "PDNS_KAFKA_TLS_CA",
    key: "kafkaTlsCa",
    group: "Kafka",
    arg: "file",
    help: "PEM file of the CA certificates that sign the brokers' certificates (default: the system's).",
  }),
  stringOption({
    name: "kafka_tls_cert",
    env: "PDNS_KAFKA_TLS_CERT",
    key: "kafkaTlsCert",
    group: "Kafka",
    arg: "file",
    help: "PEM client certificate for brokers that require one (with -kafka_tls_key).",
  }),
  stringOption({
    name: "kafka_tls_key",
    env: "PDNS_KAFKA_TLS_KEY",
    key: "kafkaTlsKey",
    group: "Kafka",
    arg: "file",
    help: "PEM private key of -kafka_tls_cert.",
  }),
  enumOption({
    name: "kafka_sasl_mechanism",
    env: "PDNS_KAFKA_SASL_MECHANISM",
    key: "kafkaSaslMechanism",
    group: "Kafka",
    default: "",
    values: KAFKA_SASL_MECHANISMS,
    help: "SASL authentication with the brokers (with -kafka_sasl_username and -kafka_sasl_password).",
  }),
  stringOption({
    name: "kafka_sasl_username",
    env: "PDNS_KAFKA_SASL_USERNAME",
    key: "kafkaSaslUsername",
    group: "Kafka",
    arg: "name",
    help: "SASL user name.",
  }),
  stringOption({
    name: "kafka_sasl_password",
    env: "PDNS_KAFKA_SASL_PASSWORD",
    key: "kafkaSaslPassword",
    group: "Kafka",
    arg: "secret",
    help: "SASL password; prefer the variable or the .env file to the command line, where ps shows it.",
  }),

  // Fluentd
  stringOption({
    name: "fluentd_socket",
    env: "PDNS_FLUENTD_SOCKET",
    key: "fluentdSocket",
    group: "Fluentd",
    arg: "path",
    help: "Send records to fluentd (forward protocol, acknowledged) over this Unix socket, or tcp://host:port.",
  }),

  // Metrics
  {
    type: "string",
    name: "statsd_host",
    env: "PDNS_STATSD_HOST",
    key: "statsdHost",
    group: "Metrics",
    arg: "host:port",
    default: "",
    expected: "host:port such as 127.0.0.1:8125, or empty",
    help: "Send counters to this statsd server over UDP.",
    parse: (text) => text === "" || parseHostPort(text) !== null ? text : new Invalid(),
  },
  intOption({
    name: "statsd_interval",
    env: "PDNS_STATSD_INTERVAL",
    key: "statsdInterval",
    group: "Metrics",
    default: "5",
    min: 1,
    help: "Seconds between statsd flushes, and between live capture's libpcap statistics lines on stderr.",
  }),
  stringOption({
    name: "statsd_prefix",
    env: "PDNS_STATSD_PREFIX",
    key: "statsdPrefix",
    group: "Metrics",
    arg: "prefix",
    default: "gopassivedns",
    help: "Metric prefix; metrics are named <prefix>.<name>.<counter>.",
  }),

  {
    type: "string",
    name: "metrics_listen",
    env: "PDNS_METRICS_LISTEN",
    key: "metricsListen",
    group: "Metrics",
    arg: "addr:port",
    default: "",
    expected: "an address and port such as 127.0.0.1:9167 or [::1]:9167, or empty",
    help: "Serve Prometheus metrics at http://ADDR:PORT/metrics.",
    parse: (text) => text === "" || parseHostPort(text) !== null ? text : new Invalid(),
  },

  // Diagnostics
  boolOption({
    name: "debug",
    env: "PDNS_DEBUG",
    key: "debug",
    group: "Diagnostics",
    help: "Write debug diagnostics to standard error.",
  }),
  stringOption({
    name: "cpuprofile",
    env: "PDNS_PROFILE_FILE",
    key: "cpuprofile",
    group: "Diagnostics",
    arg: "file",
    help: "Write a V8 CPU profile (opens in Chrome DevTools) to this file at exit.",
  }),
  stringOption({
    name: "config",
    env: "PDNS_CONFIG",
    key: "config",
    group: "Diagnostics",
    arg: "file",
    defaultShown: "./.env",
    help: "Read PDNS_* settings from this .env file instead of .env in the working directory.",
  }),
];

/** Options by flag name. */
export const OPTIONS_BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.name, o]));

/** Options by variable name. */
export const OPTIONS_BY_ENV: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.env, o]));
