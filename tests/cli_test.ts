/**
 * The command line as a user meets it: `deno run main.ts …` in a subprocess, asserting stdout, stderr and the exit
 * status of help, version and every kind of usage error. Each run gets a clean environment and, where files matter,
 * its own temporary working directory.
 */
import assert from "node:assert/strict";
import { DEFAULT_NUMPROCS } from "../src/config/options.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the program with `args` in `cwd` and only the variables in `env` (plus HOME for Deno's cache). */
async function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const home = Deno.env.get("HOME");
  const cwd = options.cwd ?? Deno.makeTempDirSync();
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", `--config=${ROOT}deno.json`, MAIN, ...args],
    cwd,
    clearEnv: true,
    env: { NO_COLOR: "1", ...(home === undefined ? {} : { HOME: home }), ...options.env },
    stdin: "null",
  });
  const { code, stdout, stderr } = await command.output();
  if (options.cwd === undefined) Deno.removeSync(cwd, { recursive: true });
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Asserts a usage error: exit status 2, nothing on stdout, exactly `message` as one line on stderr. */
function assertUsageError(run: Run, message: string): void {
  assert.equal(run.stderr, `denopassivedns: ${message}\n`);
  assert.equal(run.stdout, "");
  assert.equal(run.code, 2);
}

/** A temporary directory holding `files`, removed after `body`. */
async function withDir(files: Record<string, string>, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "denopassivedns-cli-" });
  try {
    for (const [name, text] of Object.entries(files)) Deno.writeTextFileSync(`${dir}/${name}`, text);
    await body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

for (const flag of ["-h", "-help", "--help"]) {
  Deno.test(`${flag} prints the grouped option list on stdout and exits 0`, async () => {
    const run = await cli([flag]);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^Usage: denopassivedns -dev interface \| -pcap file \[options\]\n/);
    for (const group of ["Capture", "Decoding", "Correlation", "Output", "File sink", "Syslog", "Kafka"]) {
      assert.match(run.stdout, new RegExp(`\\n${group}:\\n`));
    }
    assert.match(run.stdout, new RegExp(`\\n {2}-numprocs int +PDNS_THREADS {2}\\(default ${DEFAULT_NUMPROCS}\\)\\n`));
    assert.match(run.stdout, /\n {2}-kafka_brokers host:port,\.\.\. +PDNS_KAFKA_PEERS\n/);
  });
}

for (const flag of ["-version", "--version"]) {
  Deno.test(`${flag} prints the version on stdout and exits 0`, async () => {
    const run = await cli([flag]);
    assert.deepEqual(run, { code: 0, stdout: "denopassivedns 0.1.0\n", stderr: "" });
  });
}

Deno.test("the CLI exits 2 when neither -dev nor -pcap is given", async () => {
  assertUsageError(
    await cli([]),
    "neither -dev nor -pcap given: expected -dev interface (PDNS_DEV) to capture live or -pcap file " +
      "(PDNS_PCAP_FILE) to read a capture file",
  );
});

Deno.test("the CLI exits 2 for a pcap file that does not exist", async () => {
  assertUsageError(
    await cli(["-pcap", "missing.pcap"]),
    'invalid value "missing.pcap" for -pcap (PDNS_PCAP_FILE): expected an existing pcap or pcapng file, ' +
      "or - for standard input (not found)",
  );
});

Deno.test("the CLI exits 2 for an unknown option", async () => {
  assertUsageError(await cli(["-pcap", "-", "-foo"]), "unknown option -foo: run denopassivedns -h to list the options");
});

Deno.test("the CLI exits 2 for a bad integer, from the command line or the environment", async () => {
  assertUsageError(
    await cli(["-pcap", "-", "-numprocs", "abc"]),
    'invalid value "abc" for -numprocs (PDNS_THREADS): expected an integer from 1 to 2147483647',
  );
  assertUsageError(
    await cli(["-pcap", "-"], { env: { PDNS_SNAPLEN: "0" } }),
    'invalid value "0" for PDNS_SNAPLEN (-snaplen) in the environment: expected an integer from 54 to 262144',
  );
});

Deno.test("the CLI exits 2 for a bad duration", async () => {
  assertUsageError(
    await cli(["-pcap", "-", "-gc_age", "1d"]),
    'invalid value "1d" for -gc_age (PDNS_GC_AGE): expected a non-zero Go duration such as -1m, 90s, 1h30m or ' +
      '500ms (unknown unit "d")',
  );
});

Deno.test("the CLI exits 2 for an unknown syslog facility", async () => {
  assertUsageError(
    await cli(["-pcap", "-", "-syslog_facility", "LOCAL9", "-syslog_priority", "INFO"]),
    'invalid value "LOCAL9" for -syslog_facility (PDNS_SYSLOG_FACILITY): expected one of KERN, USER, MAIL, ' +
      "DAEMON, AUTH, SYSLOG, LPR, NEWS, UUCP, CRON, AUTHPRIV, FTP, LOCAL0, LOCAL1, LOCAL2, LOCAL3, LOCAL4, LOCAL5, " +
      "LOCAL6, LOCAL7 (any case), or empty",
  );
});

Deno.test("the CLI exits 2 for an unknown syslog priority", async () => {
  assertUsageError(
    await cli(["-pcap", "-", "-syslog_facility", "daemon", "-syslog_priority", "WARN"]),
    'invalid value "WARN" for -syslog_priority (PDNS_SYSLOG_PRIORITY): expected one of EMERG, ALERT, CRIT, ERR, ' +
      "WARNING, NOTICE, INFO, DEBUG (any case), or empty",
  );
});

Deno.test("the CLI exits 2 for a boolean followed by a separate value, where Go would stop parsing", async () => {
  assertUsageError(
    await cli(["-pcap", "-", "-quiet", "false"]),
    'unexpected argument "false" after -quiet: a boolean takes its value only after "=", as in -quiet=false',
  );
});

Deno.test("the CLI exits 2 when the -config file cannot be read", async () => {
  await withDir({}, async (dir) => {
    assertUsageError(
      await cli(["-pcap", "-", "-config", "nope.env"], { cwd: dir }),
      `invalid value "nope.env" for -config (PDNS_CONFIG): expected a readable .env file (not found: ${dir}/nope.env)`,
    );
    Deno.mkdirSync(`${dir}/a-directory`);
    const run = await cli(["-pcap", "-"], { cwd: dir, env: { PDNS_CONFIG: "a-directory" } });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^denopassivedns: invalid value "a-directory" for PDNS_CONFIG \(-config\) in the environment: expected a readable \.env file \(.+\)\n$/,
    );
  });
});

Deno.test("the CLI reads .env in its working directory", async () => {
  await withDir({ ".env": "PDNS_PCAP_FILE=-\nPDNS_THREADS=abc\n" }, async (dir) => {
    assertUsageError(
      await cli([], { cwd: dir }),
      `invalid value "abc" for PDNS_THREADS (-numprocs) in ${dir}/.env: expected an integer from 1 to 2147483647`,
    );
  });
});

Deno.test("the CLI reads the file named by -config instead of ./.env", async () => {
  await withDir({ ".env": "PDNS_THREADS=abc\n", "sensor.env": "PDNS_DEV=eth0\nPDNS_GC_INTERVAL=0s\n" }, async (dir) => {
    assertUsageError(
      await cli(["-config", "sensor.env"], { cwd: dir }),
      `invalid value "0s" for PDNS_GC_INTERVAL (-gc_interval) in ${dir}/sensor.env: expected a positive Go ` +
        "duration such as 90s, 3m, 1h30m or 500ms",
    );
  });
});

Deno.test("the CLI reads the file named by --config=FILE or PDNS_CONFIG, with no .env in its directory", async () => {
  // Neither run has a ./.env: the .env parser is loaded because the option or the variable names a file.
  await withDir({ "sensor.env": "PDNS_PCAP_FILE=-\nPDNS_THREADS=abc\n" }, async (dir) => {
    const message =
      `invalid value "abc" for PDNS_THREADS (-numprocs) in ${dir}/sensor.env: expected an integer from 1 to 2147483647`;
    assertUsageError(await cli(["--config=sensor.env"], { cwd: dir }), message);
    assertUsageError(await cli([], { cwd: dir, env: { PDNS_CONFIG: "sensor.env" } }), message);
  });
});

Deno.test("the command line wins over the .env file, which wins over the environment", async () => {
  // Options are checked in table order, so the error is about -statsd_interval only if the bad -numprocs (environment)
  // and -gc_age (.env) values were overridden.
  await withDir({ ".env": "PDNS_THREADS=4\nPDNS_GC_AGE=1d\n" }, async (dir) => {
    assertUsageError(
      await cli(["-pcap", "-", "-gc_age", "-1m", "-statsd_interval", "0"], { cwd: dir, env: { PDNS_THREADS: "abc" } }),
      'invalid value "0" for -statsd_interval (PDNS_STATSD_INTERVAL): expected an integer from 1 to 2147483647',
    );
  });
});

Deno.test("the CLI exits 2 when ./.env exists but cannot be read", async () => {
  await withDir({}, async (dir) => {
    Deno.mkdirSync(`${dir}/.env`);
    const run = await cli(["-pcap", "-"], { cwd: dir });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      new RegExp(
        `^denopassivedns: cannot read ${dir}/\\.env: .+: make it readable or name another file with -config\n$`,
      ),
    );
  });
});
