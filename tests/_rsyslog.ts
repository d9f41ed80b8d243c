/**
 * Test helper: a real rsyslogd (Debian) of the test's own, in a temporary directory: a local socket at
 * `<dir>/dev/log` (imuxsock, rate limiting off), UDP and TCP inputs on free loopback ports, and one file action
 * writing `facility.severity programname msg` per message. The machine's `/dev/log` is never touched: the sensor runs
 * in a private mount namespace (`unshare -m`) where `<dir>/dev` (the socket plus bind mounts of the device nodes
 * Deno needs) is mounted over `/dev`.
 */
import assert from "node:assert/strict";
import { freeTcpPort, freeUdpPort } from "./_ports.ts";

/** rsyslog's largest message in these tests; past it rsyslog cuts the message (its default is 8 KiB). */
export const RSYSLOG_MAX_MESSAGE = 256 * 1024;

export interface Rsyslog {
  dir: string;
  /** What rsyslog received: `facility.severity programname msg` per line. */
  out: string;
  udpPort: number;
  tcpPort: number;
  /** A command line running `args` with `<dir>/dev` as `/dev`. */
  inNamespace(args: string[]): string[];
  /** Ends the daemon (SIGTERM) and, when `restart`, starts it again on the same socket, ports and file. */
  kill(restart: boolean): Promise<void>;
  /** Starts it again after `kill(false)`. */
  start(): Promise<void>;
  /** Stops (SIGSTOP) or resumes (SIGCONT) the daemon, to make it slow. */
  signal(signal: "SIGSTOP" | "SIGCONT"): void;
  /** The lines received so far. */
  lines(): string[];
  /** Waits until at least `count` lines arrived (or throws after ~30 s). */
  waitForLines(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

const DEVICES = ["null", "zero", "random", "urandom", "full", "tty"];

/** Makes `<dir>/dev` with mount points for the device nodes Deno needs (and nothing else: no `/dev/log`). */
export async function makePrivateDev(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/dev`);
  for (const name of DEVICES) await Deno.writeFile(`${dir}/dev/${name}`, new Uint8Array());
}

/** A command line running `args` in a private mount namespace where `<dir>/dev` (see makePrivateDev) is `/dev`. */
export function withPrivateDev(dir: string, args: string[]): string[] {
  const binds = DEVICES.map((name) => `mount --bind /dev/${name} ${dir}/dev/${name}`).join(" && ");
  return [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    `${binds} && mount --rbind ${dir}/dev /dev && exec "$@"`,
    "sh",
    ...args,
  ];
}

/** `maxMessageSize`: rsyslog's limit (default here {@link RSYSLOG_MAX_MESSAGE}; `null` leaves rsyslog's own 8 KiB). */
export async function startRsyslog(maxMessageSize: number | null = RSYSLOG_MAX_MESSAGE): Promise<Rsyslog> {
  const rsyslogd = "/usr/sbin/rsyslogd";
  try {
    Deno.statSync(rsyslogd);
  } catch {
    throw new Error("rsyslogd is not installed: run scripts/install_test_deps.sh (Debian package rsyslog)");
  }
  const dir = await Deno.makeTempDir({ prefix: "rsyslog-" });
  await makePrivateDev(dir);
  await Deno.symlink("/proc/self/fd", `${dir}/dev/fd`);
  const out = `${dir}/received.log`;
  const udpPort = await freeUdpPort();
  const tcpPort = freeTcpPort();
  const conf = `
global(workDirectory="${dir}"${maxMessageSize === null ? "" : ` maxMessageSize="${maxMessageSize}"`})
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="${dir}/dev/log" RateLimit.Interval="0" UseSysTimeStamp="on")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${udpPort}" RateLimit.Interval="0" rcvbufSize="16m")
module(load="imtcp" MaxSessions="10")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" SupportOctetCountedFraming="on")
template(name="received" type="list") {
  property(name="syslogfacility-text") constant(value=".") property(name="syslogseverity-text")
  constant(value=" ") property(name="programname") constant(value=" ") property(name="msg" droplastlf="on")
  constant(value="\\n")
}
*.* action(type="omfile" file="${out}" template="received")
`;
  await Deno.writeTextFile(`${dir}/rsyslog.conf`, conf);
  let child: Deno.ChildProcess;
  let stderr: Promise<string> = Promise.resolve("");
  /** Starts rsyslogd and waits until its socket and TCP port answer. */
  async function launch(): Promise<void> {
    try {
      Deno.removeSync(`${dir}/rsyslogd.pid`);
    } catch { /* first start */ }
    child = new Deno.Command(rsyslogd, {
      args: ["-n", "-f", `${dir}/rsyslog.conf`, "-i", `${dir}/rsyslogd.pid`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    stderr = new Response(child.stderr).text();
    for (let i = 0;; i++) {
      try {
        Deno.lstatSync(`${dir}/dev/log`);
        (await Deno.connect({ hostname: "127.0.0.1", port: tcpPort })).close();
        return;
      } catch (error) {
        if (i > 200) {
          child.kill();
          throw new Error(`rsyslogd did not start: ${error}; ${await stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
  await launch();

  const lines = (): string[] => {
    try {
      return Deno.readTextFileSync(out).split("\n").slice(0, -1);
    } catch {
      return [];
    }
  };
  return {
    dir,
    out,
    udpPort,
    tcpPort,
    inNamespace: (args) => withPrivateDev(dir, args),
    lines,
    signal: (signal) => child.kill(signal),
    async kill(restart) {
      child.kill("SIGTERM");
      await child.status;
      await stderr;
      if (restart) await launch();
    },
    start: launch,
    async waitForLines(count) {
      for (let i = 0; i < 600; i++) {
        const seen = lines();
        if (seen.length >= count) return seen;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const seen = lines();
      assert.fail(`rsyslog received ${seen.length} of ${count} messages`);
    },
    async stop() {
      try {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
      } catch { /* already ended */ }
      await child.status;
      await stderr;
      await Deno.remove(dir, { recursive: true });
    },
  };
}
