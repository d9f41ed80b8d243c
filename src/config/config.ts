/**
 * The resolved configuration: one typed field per option of the options table (`options.ts`), plus the few values
 * resolved after parsing. Every field is always present.
 *
 * @module
 */

/** The record formats. */
export type OutputFormat = "gopassivedns" | "transaction";

/** Every setting of the sensor, after precedence, parsing and validation. */
export interface Config {
  // Capture
  /** Live capture interface; "" when not capturing live. Never set together with `pcap` (a usage error). */
  dev: string;
  /** Capture file to read (pcap or pcapng), "-" for standard input, "" when not reading a file. */
  pcap: string;
  /** BPF filter program; "" passes every packet. */
  bpf: string;
  /** Bytes kept per packet in live capture, 54..262144. */
  snaplen: number;
  /** `-pfring` was given: accepted and ignored (libpcap on Linux already uses a memory-mapped ring). */
  pfring: boolean;
  /** Promiscuous mode for live capture. */
  promisc: boolean;
  /** Kernel capture buffer for live capture, in MiB (1..2047). */
  bufferSize: number;
  /** Live capture: reopen an interface that went down or disappeared (true), or exit 1 (false). */
  devRetry: boolean;

  // Decoding
  /** Ports decoded as DNS (UDP and TCP), each 1..65535, without duplicates. */
  dnsPorts: number[];
  /** UDP ports of each tunnel kind decapsulated (src/decode/tunnels.ts); empty turns the kind off. */
  vxlanPorts: number[];
  genevePorts: number[];
  greUdpPorts: number[];
  gtpuPorts: number[];
  teredoPorts: number[];
  /** The original's worker count, ≥ 1. Decoding is single-threaded for now; the value is only validated. */
  numprocs: number;
  /** Bound of the TCP reassembly table. */
  maxTcpStreams: number;
  /** Bound of the IP defragmentation table. */
  maxFragments: number;
  /** Idle time (packet time, ms, > 0) after which a TCP stream is flushed and forgotten. */
  tcpTimeoutMs: number;

  // Correlation
  /**
   * The original's `-gc_age` in ms: negative as the original wrote it (`-1m`); a positive value means the same age.
   * Never 0. Consumers use `Math.abs(gcAgeMs)`.
   */
  gcAgeMs: number;
  /** Correlation table sweep period in ms, > 0. */
  gcIntervalMs: number;
  /** Bound of the correlation table (queries waiting for a response). */
  maxPending: number;
  /** Bound, in bytes, of what the correlation table holds (≥ 1 MiB). */
  maxPendingBytes: number;
  /** Resource records decoded per section of a message, ≥ 1. */
  maxRecords: number;

  // Output
  /** Record format. */
  format: OutputFormat;
  /** No records on stdout. */
  quiet: boolean;
  /** At exit, how long each queued sink may take to deliver what it holds (ms, > 0). */
  sinkTimeoutMs: number;
  /** Bound of each queued sink's queue, in MiB. */
  sinkQueueMb: number;
  /** Sensor name: `-name`, else the host name, else "UNKNOWN". Used in the statsd prefix and the fluentd tag. */
  name: string;

  // File sink
  /** Rotating output file; "" disables the file sink. */
  logfile: string;
  /** Days to keep rotated files; 0 = no age limit. */
  logMaxAge: number;
  /** Rotated files to keep; 0 = keep all. */
  logMaxBackups: number;
  /** Rotation size in MB (1 MB = 1 048 576 bytes); 0 = 100. */
  logMaxSize: number;

  // Syslog
  /** Canonical upper-case facility name (`LOCAL0`) or "". Syslog output is on only when facility and priority are set. */
  syslogFacility: string;
  /** Severity name as given (`info`, checked without regard to case), or "". Copied into every record's `level`. */
  syslogPriority: string;
  /** Syslog tag (APP-NAME); default `denopassivedns`. */
  syslogTag: string;
  /** `udp://host:port` or `tcp://host:port` for a remote syslog server, "" for the local syslog (syslog(3)). */
  syslogServer: string;

  // Kafka
  /** Brokers from the comma-separated list, trimmed, empty entries dropped (no default port added here). */
  kafkaBrokers: string[];
  /** Kafka topic; Kafka output is on when brokers and topic are set (one without the other is a usage error). */
  kafkaTopic: string;
  /** Avro single-object encoding for Kafka instead of JSON. */
  kafkaAvro: boolean;
  /** Record batch compression: none, gzip, snappy, lz4 or zstd. */
  kafkaCompression: string;
  /** TLS to the brokers (also on when a TLS file is named). */
  kafkaTls: boolean;
  /** PEM CA file, client certificate and key; "" for none. */
  kafkaTlsCa: string;
  kafkaTlsCert: string;
  kafkaTlsKey: string;
  /** "" (no SASL), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
  kafkaSaslMechanism: string;
  kafkaSaslUsername: string;
  kafkaSaslPassword: string;

  // Fluentd
  /** Unix stream socket of fluentd, or `tcp://host:port`; "" disables the fluentd sink. */
  fluentdSocket: string;

  // Metrics
  /** statsd `host:port`; "" disables statsd. */
  statsdHost: string;
  /** Seconds between statsd flushes, ≥ 1. */
  statsdInterval: number;
  /** Metric prefix; metrics are `<statsdPrefix>.<name>.<counter>`. */
  statsdPrefix: string;
  /** `ADDR:PORT` where Prometheus metrics are served, "" for none. */
  metricsListen: string;

  // Diagnostics
  /** Debug diagnostics on stderr. */
  debug: boolean;
  /** File for a V8 CPU profile, "" for none. */
  cpuprofile: string;
  /** `-config` / `PDNS_CONFIG` as given ("" when not given). */
  config: string;
  /** Absolute path of the .env file whose settings were used, or `null` when none was read. */
  envFile: string | null;
}

/** What {@link loadConfig} decided: run with a configuration, or print a text and exit 0. */
export type ConfigResult =
  | {
    kind: "run";
    config: Config;
    /** Things worth a warning on stderr once logging is set up (ignored options, half-set syslog, …). */
    warnings: string[];
  }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string };

/** The file system and host access {@link loadConfig} needs, injected so tests run without touching the machine. */
export interface ConfigIo {
  /** Working directory, for the default `.env` and relative paths. */
  cwd: string;
  /** The file's text, or `null` when it does not exist; other failures throw. */
  readTextFile(path: string): string | null;
  /** Whether a path exists (for the `-pcap` check). */
  fileExists(path: string): boolean;
  /** The host name; may throw or return "" (the name then becomes "UNKNOWN"). */
  hostname(): string;
  /** The variables of a `.env` file's text (dotenv's rules). */
  parseEnvFile(text: string): Record<string, string>;
}
