import assert from "node:assert/strict";
import dotenv from "dotenv";
import type { Config, ConfigIo } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import { loadConfig } from "./load.ts";
import { DEFAULT_NUMPROCS, OPTIONS } from "./options.ts";

/** A fake machine: files by absolute path (a string, or an Error to throw when read) and host name "sensor1". */
function fakeIo(files: Record<string, string | Error> = {}, hostname: () => string = () => "sensor1"): ConfigIo {
  return {
    cwd: "/work",
    readTextFile(path) {
      const file = files[path];
      if (file instanceof Error) throw file;
      return file ?? null;
    },
    fileExists: (path) => path in files,
    hostname,
    parseEnvFile: dotenv.parse,
  };
}

function run(args: string[], env: Record<string, string> = {}, io = fakeIo()) {
  const result = loadConfig(args, env, io);
  if (result.kind !== "run") throw new Error(`expected a run, got ${result.kind}`);
  return result;
}

function usageError(args: string[], env: Record<string, string> = {}, io = fakeIo()): ConfigError {
  try {
    loadConfig(args, env, io);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`no ConfigError for ${args.join(" ")}`);
}

const DEFAULTS: Config = {
  dev: "",
  pcap: "-",
  bpf: "port 53",
  snaplen: 262_144,
  pfring: false,
  promisc: true,
  bufferSize: 32,
  devRetry: true,
  dnsPorts: [53],
  vxlanPorts: [4789, 8472],
  genevePorts: [6081],
  greUdpPorts: [4754],
  gtpuPorts: [2152],
  teredoPorts: [3544],
  numprocs: DEFAULT_NUMPROCS,
  maxTcpStreams: 4096,
  maxFragments: 1024,
  tcpTimeoutMs: 120_000,
  gcAgeMs: -60_000,
  gcIntervalMs: 180_000,
  maxPending: 100_000,
  maxPendingBytes: 32 << 20,
  maxRecords: 512,
  format: "gopassivedns",
  quiet: false,
  sinkTimeoutMs: 5_000,
  sinkQueueMb: 64,
  name: "sensor1",
  logfile: "",
  logMaxAge: 28,
  logMaxBackups: 3,
  logMaxSize: 100,
  syslogFacility: "",
  syslogPriority: "",
  syslogTag: "denopassivedns",
  syslogServer: "",
  kafkaBrokers: [],
  kafkaTopic: "",
  kafkaAvro: false,
  kafkaCompression: "lz4",
  kafkaTls: false,
  kafkaTlsCa: "",
  kafkaTlsCert: "",
  kafkaTlsKey: "",
  kafkaSaslMechanism: "",
  kafkaSaslUsername: "",
  kafkaSaslPassword: "",
  fluentdSocket: "",
  statsdHost: "",
  statsdInterval: 5,
  statsdPrefix: "gopassivedns",
  metricsListen: "",
  debug: false,
  cpuprofile: "",
  config: "",
  envFile: null,
};

/** One non-default value per option: its text and the typed value it gives. */
const SAMPLES: Record<string, [string, unknown]> = {
  dev: ["eth1", "eth1"],
  pcap: ["/work/a.pcap", "/work/a.pcap"],
  bpf: ["udp port 5353", "udp port 5353"],
  snaplen: ["65535", 65535],
  pfring: ["true", true],
  promisc: ["false", false],
  buffer_size: ["256", 256],
  dev_retry: ["0", false],
  dns_ports: ["53, 5353,53", [53, 5353]],
  vxlan_ports: ["4789,4790", [4789, 4790]],
  geneve_ports: ["", []],
  gre_udp_ports: ["4754", [4754]],
  gtpu_ports: ["2152, 2123", [2152, 2123]],
  teredo_ports: ["3545", [3545]],
  numprocs: ["010", 8],
  max_tcp_streams: ["0x10", 16],
  max_fragments: ["2048", 2048],
  tcp_timeout: ["30s", 30_000],
  gc_age: ["-5m", -300_000],
  gc_interval: ["1h30m", 5_400_000],
  max_pending: ["1_000", 1000],
  max_pending_bytes: ["0x200000", 2 << 20],
  max_records: ["64", 64],
  format: ["transaction", "transaction"],
  quiet: ["T", true],
  name: ["sensor9", "sensor9"],
  logfile: ["/var/log/dns.log", "/var/log/dns.log"],
  logMaxAge: ["0", 0],
  logMaxBackups: ["7", 7],
  logMaxSize: ["0b1010", 10],
  syslog_facility: ["local3", "LOCAL3"],
  syslog_priority: ["info", "info"],
  syslog_tag: ["pdns", "pdns"],
  syslog_server: ["tcp://127.0.0.1:601", "tcp://127.0.0.1:601"],
  metrics_listen: ["127.0.0.1:9167", "127.0.0.1:9167"],
  kafka_brokers: ["a:9092, b,", ["a:9092", "b"]],
  kafka_topic: ["dns", "dns"],
  kafka_avro: ["1", true],
  fluentd_socket: ["/run/fluent.sock", "/run/fluent.sock"],
  sink_timeout: ["1m", 60_000],
  sink_queue_mb: ["256", 256],
  kafka_compression: ["LZ4", "lz4"],
  kafka_tls: ["1", true],
  kafka_tls_ca: ["/etc/ca.pem", "/etc/ca.pem"],
  kafka_tls_cert: ["/etc/c.pem", "/etc/c.pem"],
  kafka_tls_key: ["/etc/k.pem", "/etc/k.pem"],
  kafka_sasl_mechanism: ["scram-sha-512", "SCRAM-SHA-512"],
  kafka_sasl_username: ["sensor", "sensor"],
  kafka_sasl_password: ["secret", "secret"],
  statsd_host: ["127.0.0.1:8125", "127.0.0.1:8125"],
  statsd_interval: ["10", 10],
  statsd_prefix: ["pdns", "pdns"],
  debug: ["True", true],
  cpuprofile: ["/tmp/p.cpuprofile", "/tmp/p.cpuprofile"],
};

Deno.test("loadConfig() gives the original's defaults, with the host name as sensor name", () => {
  assert.deepEqual(run(["-pcap", "-"]).config, DEFAULTS);
});

Deno.test("loadConfig() names the sensor UNKNOWN when the host name is empty or unavailable", () => {
  assert.equal(run(["-pcap", "-"], {}, fakeIo({}, () => "")).config.name, "UNKNOWN");
  assert.equal(
    run(
      ["-pcap", "-"],
      {},
      fakeIo({}, () => {
        throw new Error("no permission");
      }),
    ).config.name,
    "UNKNOWN",
  );
});

Deno.test("every option except -config has a sample value for the per-source tests", () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), OPTIONS.map((o) => o.name).filter((n) => n !== "config").sort());
});

Deno.test("every option is read from the command line, the .env file and the environment", () => {
  for (const option of OPTIONS) {
    if (option.name === "config") continue;
    const [text, value] = SAMPLES[option.name];
    // -pcap "-" satisfies the "-dev or -pcap" rule without touching the option under test (which may be one of them).
    const base = option.name === "pcap" || option.name === "dev" ? [] : ["-pcap", "-"];
    const files = { "/work/a.pcap": "" };
    const fromFlag = run([...base, `-${option.name}=${text}`], {}, fakeIo(files)).config;
    assert.deepEqual(fromFlag[option.key], value, `-${option.name}=${text}`);
    // Booleans take no separate value: the bare flag means true (and a default-true one is turned off with =false).
    const bool = value === true ? [`-${option.name}`] : [`-${option.name}=${text}`];
    const spaced = option.type === "bool" ? bool : [`-${option.name}`, text];
    const fromSpacedFlag = run([...base, ...spaced], {}, fakeIo(files)).config;
    assert.deepEqual(fromSpacedFlag[option.key], value, spaced.join(" "));
    const envLine = `${option.env}=${JSON.stringify(text)}\n`;
    const fromFile = run(base, {}, fakeIo({ ...files, "/work/.env": envLine })).config;
    assert.deepEqual(fromFile[option.key], value, `${option.env} in .env`);
    assert.equal(fromFile.envFile, "/work/.env");
    const fromEnv = run(base, { [option.env]: text }, fakeIo(files)).config;
    assert.deepEqual(fromEnv[option.key], value, `${option.env} in the environment`);
  }
});

Deno.test("precedence is command line, then .env file, then environment, then default", () => {
  const env = { PDNS_THREADS: "4" };
  const io = fakeIo({ "/work/.env": "PDNS_THREADS=3\n" });
  assert.equal(run(["-pcap", "-", "-numprocs", "2"], env, io).config.numprocs, 2);
  assert.equal(run(["-pcap", "-"], env, io).config.numprocs, 3);
  assert.equal(run(["-pcap", "-"], env).config.numprocs, 4);
  assert.equal(run(["-pcap", "-"]).config.numprocs, DEFAULT_NUMPROCS);
});

Deno.test("the last of a repeated option wins, as in Go", () => {
  assert.equal(run(["-pcap", "-", "-numprocs", "2", "-numprocs=5"]).config.numprocs, 5);
});

Deno.test("a set but empty variable counts as set, like Go's LookupEnv", () => {
  assert.equal(run(["-pcap", "-"], { PDNS_BPF: "" }).config.bpf, "");
  assert.equal(run(["-pcap", "-"], { PDNS_STATSD_PREFIX: "" }).config.statsdPrefix, "");
  assert.equal(
    usageError(["-pcap", "-"], { PDNS_THREADS: "" }).message,
    'denopassivedns: invalid value "" for PDNS_THREADS (-numprocs) in the environment: expected an integer from 1 to 2147483647',
  );
});

Deno.test("booleans take Go's forms: -quiet, -quiet=false, and ParseBool spellings from the environment", () => {
  assert.equal(run(["-pcap", "-", "-quiet"]).config.quiet, true);
  assert.equal(run(["-pcap", "-", "--quiet"]).config.quiet, true);
  assert.equal(run(["-pcap", "-", "-quiet=false"], { PDNS_QUIET: "true" }).config.quiet, false);
  for (const text of ["1", "t", "T", "TRUE", "true", "True"]) {
    assert.equal(run(["-pcap", "-"], { PDNS_QUIET: text }).config.quiet, true, text);
  }
  for (const text of ["0", "f", "F", "FALSE", "false", "False"]) {
    assert.equal(run(["-pcap", "-"], { PDNS_QUIET: text }).config.quiet, false, text);
  }
});

Deno.test("integers from the environment use Go's base-0 forms: 010 is 8, 0x10 is 16", () => {
  const cases: [string, number][] = [["010", 8], ["0x10", 16], ["0o10", 8], ["0b10", 2], ["+3", 3], ["1_0", 10]];
  for (const [text, value] of cases) assert.equal(run(["-pcap", "-"], { PDNS_THREADS: text }).config.numprocs, value);
});

Deno.test("durations use Go's syntax from every source", () => {
  const cases: [string, number][] = [["-1m", -60_000], ["90s", 90_000], ["1h30m", 5_400_000], ["500ms", 500], [
    "1.5h",
    5_400_000,
  ], ["-0.5s", -500]];
  for (const [text, ms] of cases) {
    assert.equal(run(["-pcap", "-", "-gc_age", text]).config.gcAgeMs, ms, text);
    assert.equal(run(["-pcap", "-"], { PDNS_GC_AGE: text }).config.gcAgeMs, ms, text);
  }
});

Deno.test(".env files: -config and PDNS_CONFIG name one, relative to the working directory", () => {
  const io = fakeIo({ "/work/.env": "PDNS_THREADS=3", "/etc/pdns.env": "PDNS_THREADS=5", "/work/sub/x.env": "" });
  const named = run(["-pcap", "-", "-config", "/etc/pdns.env"], {}, io).config;
  assert.equal(named.numprocs, 5);
  assert.equal(named.config, "/etc/pdns.env");
  assert.equal(named.envFile, "/etc/pdns.env");
  assert.equal(run(["-pcap", "-"], { PDNS_CONFIG: "/etc/pdns.env" }, io).config.numprocs, 5);
  assert.equal(run(["-pcap", "-", "-config=sub/x.env"], {}, io).config.envFile, "/work/sub/x.env");
  assert.equal(run(["-pcap", "-", "-config", "/etc/pdns.env"], { PDNS_CONFIG: "/nowhere" }, io).config.numprocs, 5);
  assert.equal(run(["-pcap", "-"]).config.envFile, null);
});

Deno.test(".env files accept comments, quotes and export, and their values beat the environment", () => {
  const text = '# sensor settings\nexport PDNS_DEV=eth3\nPDNS_BPF="udp and port 53" # inline\nOTHER=1\n';
  const { config } = run([], { PDNS_DEV: "eth9", PDNS_BPF: "tcp" }, fakeIo({ "/work/.env": text }));
  assert.equal(config.dev, "eth3");
  assert.equal(config.bpf, "udp and port 53");
});

Deno.test(".env files: unknown PDNS_ variables and PDNS_CONFIG inside a file give warnings", () => {
  const io = fakeIo({ "/work/.env": "PDNS_THREAD=4\nPDNS_CONFIG=/etc/x.env\nHOME=/root\n" });
  assert.deepEqual(run(["-pcap", "-"], {}, io).warnings, [
    "PDNS_THREAD in /work/.env is not a denopassivedns setting and is ignored",
    "PDNS_CONFIG in /work/.env is ignored: name the .env file with -config or in the environment",
  ]);
});

Deno.test("loadConfig() warns about accepted settings that have no effect", () => {
  assert.deepEqual(run(["-pcap", "-", "-pfring"]).warnings, [
    "-pfring is ignored: libpcap on Linux already captures through a memory-mapped ring (TPACKET_V3)",
  ]);
  assert.deepEqual(run(["-pcap", "-", "-syslog_priority", "INFO"]).warnings, [
    "syslog output is off: -syslog_priority is set but -syslog_facility is not; set both to enable it",
  ]);
  assert.deepEqual(run(["-pcap", "-", "-syslog_priority", "INFO", "-syslog_facility", "daemon"]).warnings, []);
});

Deno.test("-h, -help, --help and -version return their texts instead of a configuration", () => {
  for (const flag of ["-h", "-help", "--help"]) {
    const result = loadConfig([flag], {}, fakeIo());
    assert.equal(result.kind, "help");
    if (result.kind === "help") {
      for (const option of OPTIONS) {
        assert.match(result.text, new RegExp(`\\n  -${option.name}\\b.* ${option.env}\\b`), option.name);
      }
    }
  }
  assert.deepEqual(loadConfig(["-version"], {}, fakeIo()), { kind: "version", text: "denopassivedns 0.1.0\n" });
  assert.deepEqual(loadConfig(["--version"], {}, fakeIo()), { kind: "version", text: "denopassivedns 0.1.0\n" });
});

Deno.test("every usage error is one line naming the option, the value and the expected form", () => {
  const p = ["-pcap", "-"];
  const cases: [string[], Record<string, string>, string, string][] = [
    [
      [],
      {},
      "dev",
      "neither -dev nor -pcap given: expected -dev interface (PDNS_DEV) to capture live or -pcap file (PDNS_PCAP_FILE) to read a capture file",
    ],
    [
      ["-pcap", "x.pcap"],
      {},
      "pcap",
      'invalid value "x.pcap" for -pcap (PDNS_PCAP_FILE): expected an existing pcap or pcapng file, or - for standard input (not found)',
    ],
    [
      [],
      { PDNS_PCAP_FILE: "x.pcap" },
      "pcap",
      'invalid value "x.pcap" for PDNS_PCAP_FILE (-pcap) in the environment: expected an existing pcap or pcapng file, or - for standard input (not found)',
    ],
    [[...p, "-foo"], {}, "foo", "unknown option -foo: run denopassivedns -h to list the options"],
    [
      [...p, "-numprocs", "abc"],
      {},
      "numprocs",
      'invalid value "abc" for -numprocs (PDNS_THREADS): expected an integer from 1 to 2147483647',
    ],
    [
      [...p, "-numprocs", "0"],
      {},
      "numprocs",
      'invalid value "0" for -numprocs (PDNS_THREADS): expected an integer from 1 to 2147483647',
    ],
    [
      [...p, "-numprocs", "2147483648"],
      {},
      "numprocs",
      'invalid value "2147483648" for -numprocs (PDNS_THREADS): expected an integer from 1 to 2147483647',
    ],
    [
      [...p],
      { PDNS_THREADS: "aaa" },
      "numprocs",
      'invalid value "aaa" for PDNS_THREADS (-numprocs) in the environment: expected an integer from 1 to 2147483647',
    ],
    [
      [...p, "-snaplen", "262145"],
      {},
      "snaplen",
      'invalid value "262145" for -snaplen (PDNS_SNAPLEN): expected an integer from 54 to 262144',
    ],
    [
      [...p, "-snaplen", "53"],
      {},
      "snaplen",
      'invalid value "53" for -snaplen (PDNS_SNAPLEN): expected an integer from 54 to 262144',
    ],
    [
      [...p, "-buffer_size", "0"],
      {},
      "buffer_size",
      'invalid value "0" for -buffer_size (PDNS_BUFFER_SIZE): expected an integer from 1 to 2047',
    ],
    [
      ["-dev", "eth0", "-pcap", "-"],
      {},
      "dev",
      "both -dev eth0 (PDNS_DEV) and -pcap - (PDNS_PCAP_FILE) are set: expected one input, -dev to capture live " +
      "or -pcap to read a capture file",
    ],
    [
      [...p, "-logMaxSize", "-1"],
      {},
      "logMaxSize",
      'invalid value "-1" for -logMaxSize (PDNS_LOG_SIZE): expected an integer from 0 to 2147483647',
    ],
    [
      [...p, "-statsd_interval", "0"],
      {},
      "statsd_interval",
      'invalid value "0" for -statsd_interval (PDNS_STATSD_INTERVAL): expected an integer from 1 to 2147483647',
    ],
    [
      [...p, "-gc_age", "1d"],
      {},
      "gc_age",
      'invalid value "1d" for -gc_age (PDNS_GC_AGE): expected a non-zero Go duration such as -1m, 90s, 1h30m or 500ms (unknown unit "d")',
    ],
    [
      [...p, "-gc_age", "0"],
      {},
      "gc_age",
      'invalid value "0" for -gc_age (PDNS_GC_AGE): expected a non-zero Go duration such as -1m, 90s, 1h30m or 500ms',
    ],
    [
      [...p, "-gc_interval", "-3m"],
      {},
      "gc_interval",
      'invalid value "-3m" for -gc_interval (PDNS_GC_INTERVAL): expected a positive Go duration such as 90s, 3m, 1h30m or 500ms',
    ],
    [
      [...p],
      { PDNS_GC_INTERVAL: "5" },
      "gc_interval",
      'invalid value "5" for PDNS_GC_INTERVAL (-gc_interval) in the environment: expected a positive Go duration such as 90s, 3m, 1h30m or 500ms (missing unit)',
    ],
    [
      [...p, "-tcp_timeout", "abc"],
      {},
      "tcp_timeout",
      'invalid value "abc" for -tcp_timeout (PDNS_TCP_TIMEOUT): expected a positive Go duration such as 90s, 3m, 1h30m or 500ms (invalid duration "abc")',
    ],
    [
      [...p, "-syslog_facility", "LOCAL8"],
      {},
      "syslog_facility",
      'invalid value "LOCAL8" for -syslog_facility (PDNS_SYSLOG_FACILITY): expected one of KERN, USER, MAIL, DAEMON, AUTH, SYSLOG, LPR, NEWS, UUCP, CRON, AUTHPRIV, FTP, LOCAL0, LOCAL1, LOCAL2, LOCAL3, LOCAL4, LOCAL5, LOCAL6, LOCAL7 (any case), or empty',
    ],
    [
      [...p, "-syslog_priority", "WARN"],
      {},
      "syslog_priority",
      'invalid value "WARN" for -syslog_priority (PDNS_SYSLOG_PRIORITY): expected one of EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG (any case), or empty',
    ],
    [
      [...p, "-format", "json"],
      {},
      "format",
      'invalid value "json" for -format (PDNS_FORMAT): expected one of gopassivedns, transaction',
    ],
    [
      [...p, "-dns_ports", "53,"],
      {},
      "dns_ports",
      'invalid value "53," for -dns_ports (PDNS_DNS_PORTS): expected a comma-separated list of ports from 1 to 65535, such as 53,5353',
    ],
    [
      [...p, "-dns_ports", "0"],
      {},
      "dns_ports",
      'invalid value "0" for -dns_ports (PDNS_DNS_PORTS): expected a comma-separated list of ports from 1 to 65535, such as 53,5353',
    ],
    [
      [...p, "-dns_ports", "65536"],
      {},
      "dns_ports",
      'invalid value "65536" for -dns_ports (PDNS_DNS_PORTS): expected a comma-separated list of ports from 1 to 65535, such as 53,5353',
    ],
    [
      [...p, "-quiet=yes"],
      {},
      "quiet",
      'invalid value "yes" for -quiet (PDNS_QUIET): expected true or false (1 t T TRUE true True 0 f F FALSE false False)',
    ],
    [
      [...p],
      { PDNS_QUIET: "yes" },
      "quiet",
      'invalid value "yes" for PDNS_QUIET (-quiet) in the environment: expected true or false (1 t T TRUE true True 0 f F FALSE false False)',
    ],
    [
      [...p, "-quiet", "false"],
      {},
      "quiet",
      'unexpected argument "false" after -quiet: a boolean takes its value only after "=", as in -quiet=false',
    ],
    [
      [...p, "eth0"],
      {},
      "eth0",
      'unexpected argument "eth0": this program takes only options (-name value or -name=value)',
    ],
    [[...p, "-dev"], {}, "dev", "option -dev needs a value: write -dev VALUE or -dev=VALUE"],
    [
      [...p, "-config", "missing.env"],
      {},
      "config",
      'invalid value "missing.env" for -config (PDNS_CONFIG): expected a readable .env file (not found: /work/missing.env)',
    ],
    [
      [...p],
      { PDNS_CONFIG: "/etc/missing.env" },
      "config",
      'invalid value "/etc/missing.env" for PDNS_CONFIG (-config) in the environment: expected a readable .env file (not found: /etc/missing.env)',
    ],
  ];
  for (const [args, env, option, message] of cases) {
    const error = usageError(args, env, fakeIo({ "/work/a.pcap": "" }));
    assert.equal(error.message, `denopassivedns: ${message}`, args.join(" "));
    assert.equal(error.option, option, args.join(" "));
    assert.ok(!error.message.includes("\n"));
  }
});

Deno.test("a bad value in a .env file is an error naming the file", () => {
  const error = usageError([], {}, fakeIo({ "/work/.env": "PDNS_DEV=eth0\nPDNS_GC_AGE=1d\n" }));
  assert.equal(
    error.message,
    'denopassivedns: invalid value "1d" for PDNS_GC_AGE (-gc_age) in /work/.env: expected a non-zero Go duration ' +
      'such as -1m, 90s, 1h30m or 500ms (unknown unit "d")',
  );
  assert.equal(error.value, "1d");
});

Deno.test("an unreadable .env file is a usage error, whether named or found in the working directory", () => {
  const denied = new Error("Permission denied (os error 13)");
  assert.equal(
    usageError(["-pcap", "-"], {}, fakeIo({ "/work/.env": denied })).message,
    "denopassivedns: cannot read /work/.env: Permission denied (os error 13): make it readable or name another " +
      "file with -config",
  );
  assert.equal(
    usageError(["-pcap", "-", "-config", "/etc/p.env"], {}, fakeIo({ "/etc/p.env": denied })).message,
    'denopassivedns: invalid value "/etc/p.env" for -config (PDNS_CONFIG): expected a readable .env file ' +
      "(Permission denied (os error 13))",
  );
});

Deno.test("gopacket's -assembly_debug_log and -assembly_memuse_log are accepted, ignored and warned about", () => {
  const result = run(["-assembly_debug_log", "-pcap", "-", "-assembly_memuse_log=false"]);
  assert.deepEqual(result.config, DEFAULTS);
  assert.deepEqual(result.warnings, [
    "-assembly_debug_log switched on gopacket's internal TCP assembly logging in the original; it is ignored",
    "-assembly_memuse_log switched on gopacket's internal TCP assembly logging in the original; it is ignored",
  ]);
  assert.match(usageError(["-assembly_debug_log", "true", "-pcap", "-"]).message, /unexpected argument "true"/);
});

Deno.test("a long bad value is cut in the message, which says how long it was", () => {
  const error = usageError(["-pcap", "-", "-numprocs", "9".repeat(1_000_000) + "x"]);
  assert.ok(error.message.length < 400, `${error.message.length} characters`);
  assert.match(
    error.message,
    /^denopassivedns: invalid value "9{100}"… \(1000001 characters, cut to the first 100\) for -numprocs/,
  );
  assert.equal(error.value.length, 1_000_001); // the error keeps the whole value for callers
});

Deno.test("DEL is escaped in messages like every other control byte", () => {
  const error = usageError(["-pcap", "-"], { PDNS_FORMAT: "json\x7f\x01" });
  assert.match(error.message, /invalid value "json\\u007f\\u0001" for PDNS_FORMAT/);
  assert.doesNotMatch(error.message, /\x7f/);
  const unknown = usageError(["-pcap", "-", "-bad\x7fname"]);
  assert.match(unknown.message, /unknown option "-bad\\u007fname"/);
});

Deno.test("surrounding whitespace is not part of any value, whatever the option and wherever it comes from", () => {
  const io = fakeIo({ "/work/.env": 'PDNS_GC_AGE="-1m "\nPDNS_FORMAT="transaction\t"\n' });
  const { config } = run(["-pcap", " - ", "-numprocs", "4 ", "-quiet= true"], {
    PDNS_DNS_PORTS: " 53,5353 ",
    PDNS_BPF: " udp port 53\r",
    PDNS_MAX_PENDING: "\t1000\n",
  }, io);
  assert.deepEqual(
    [config.pcap, config.numprocs, config.quiet, config.dnsPorts, config.bpf, config.maxPending],
    ["-", 4, true, [53, 5353], "udp port 53", 1000],
  );
  assert.deepEqual([config.gcAgeMs, config.format], [-60_000, "transaction"]);
});

Deno.test("unknown PDNS_ variables in the environment warn, as they do in a .env file", () => {
  const { warnings } = run(["-pcap", "-"], { PDNS_THREAD: "4", PDNS_THREADS: "4", HOME: "/root" });
  assert.deepEqual(warnings, ["PDNS_THREAD in the environment is not a denopassivedns setting and is ignored"]);
});
