import assert from "node:assert/strict";
import dgram from "node:dgram";
import type { Config, ConfigIo } from "./config.ts";
import { ConfigError } from "./config_error.ts";
import { loadConfig } from "./load.ts";
import { OPTIONS } from "./options.ts";
import { grantsFor, permissionFlags, resolveUdpPeers, RESOURCE_OPTIONS } from "./permissions.ts";

const CWD = "/srv/sensor";

function configOf(args: string[], envFile: Record<string, string> | null = null): Config {
  const io: ConfigIo = {
    cwd: CWD,
    readTextFile: (path) => envFile !== null && path === "/etc/pdns.env" ? "x" : null,
    fileExists: () => true,
    hostname: () => "sensor1",
    parseEnvFile: () => ({ ...envFile }),
  };
  const result = loadConfig(args, {}, io);
  assert.equal(result.kind, "run");
  return result.kind === "run" ? result.config : (undefined as never);
}

Deno.test("a plain replay reads only its capture and the .env it may read: no write or net", () => {
  const flags = permissionFlags(grantsFor(configOf(["-pcap", "in/dns.pcap"]), CWD));
  assert.deepEqual(flags, [
    "--allow-env",
    "--allow-sys=hostname",
    "--allow-read=/srv/sensor/.env,/srv/sensor/in/dns.pcap",
    "--allow-ffi",
  ]);
});

Deno.test("standard input needs no read grant; a -config file is read", () => {
  const grants = grantsFor(configOf(["-pcap", "-", "-config", "/etc/pdns.env"], {}), CWD);
  assert.deepEqual(grants.read, ["/srv/sensor/.env", "/etc/pdns.env"]);
});

Deno.test("-logfile grants its directory (rotation renames beside it); -cpuprofile its file and the inspector", () => {
  const grants = grantsFor(
    configOf(["-pcap", "-", "-logfile", "/var/log/pdns/dns.log", "-cpuprofile", "run.cpuprofile"]),
    CWD,
  );
  assert.deepEqual(grants.write, ["/srv/sensor/run.cpuprofile", "/var/log/pdns"]);
  assert.ok(grants.read.includes("/var/log/pdns"));
  assert.equal(grants.allSys, true);
  assert.ok(permissionFlags(grants).includes("--allow-sys"));
});

Deno.test("brokers keep their ports; a statsd name is granted whole, with the UDP client's ephemeral bind", () => {
  const grants = grantsFor(
    configOf([
      "-pcap",
      "-",
      "-kafka_brokers",
      "k1.example:9092, 10.0.0.2:9093,[2001:db8::1]:9094",
      "-statsd_host",
      "stats.example:8125",
    ]),
    CWD,
  );
  assert.deepEqual(grants.net, [
    "k1.example:9092",
    "10.0.0.2:9093",
    "[2001:db8::1]:9094",
    "stats.example",
    "0.0.0.0:0",
  ]);
});

Deno.test("FFI is always granted (libc for stdout and the signal watchdog), and unscoped", () => {
  const flags = permissionFlags(grantsFor(configOf(["-pcap", "-"]), CWD));
  assert.ok(flags.includes("--allow-ffi"));
  assert.ok(!flags.some((flag) => flag.startsWith("--allow-ffi=")));
});

Deno.test("Kafka TLS files are read; a fluentd Unix socket is read and written, a tcp:// address is a peer", () => {
  const unix = grantsFor(
    configOf(["-pcap", "-", "-fluentd_socket", "/run/fluent.sock", "-kafka_tls_ca", "/etc/ssl/ca.pem"]),
    CWD,
  );
  assert.ok(unix.read.includes("/run/fluent.sock") && unix.read.includes("/etc/ssl/ca.pem"));
  assert.deepEqual(unix.write, ["/run/fluent.sock"]);
  const tcp = grantsFor(configOf(["-pcap", "-", "-fluentd_socket", "tcp://127.0.0.1:24224"]), CWD);
  assert.deepEqual(tcp.net, ["127.0.0.1:24224"]);
  assert.deepEqual(tcp.write, []);
});

Deno.test("a syslog server URL's scheme chooses the transport; the metrics address is listened on", () => {
  const udp = grantsFor(configOf(["-pcap", "-", "-syslog_server", "udp://logs.example:514"]), CWD);
  assert.deepEqual(udp.net, ["logs.example", "0.0.0.0:0"]);
  assert.deepEqual(udp.udpNames, [{ host: "logs.example", port: 514 }]);
  const tcp = grantsFor(
    configOf(["-pcap", "-", "-syslog_server", "tcp://10.1.2.3:6514", "-metrics_listen", "127.0.0.1:9167"]),
    CWD,
  );
  assert.deepEqual(tcp.net, ["10.1.2.3:6514", "127.0.0.1:9167"]);
});

Deno.test("a path Deno's flag syntax cannot carry is a usage error naming the option", () => {
  assert.throws(
    () => grantsFor(configOf(["-pcap", "-", "-logfile", "/var/log/a,b/dns.log"]), CWD),
    (error) => error instanceof ConfigError && error.option === "logfile" && /comma or line break/.test(error.message),
  );
});

Deno.test("every option whose value is a file, socket or address says which permission it needs", () => {
  const namesResource = (arg: string) => arg === "file" || arg === "path" || /host|addr|listen|url/.test(arg);
  const missing = OPTIONS.filter((o) => namesResource(o.arg) && o.name !== "config" && !(o.name in RESOURCE_OPTIONS));
  assert.deepEqual(missing.map((o) => o.name), []);
});

// The grants are checked against Deno itself: a probe run under exactly the computed flags does what the sensor does
// with each resource, and what lies outside is refused.
const PROBE = `
import dgram from "node:dgram";
import net from "node:net";
const [op, a, b] = Deno.args;
try {
  if (op === "write") Deno.writeTextFileSync(a, "x");
  if (op === "rename") Deno.renameSync(a, b);
  if (op === "udp") {
    await new Promise((resolve, reject) => {
      const socket = dgram.createSocket("udp4");
      socket.send("probe:1|c", Number(b), a, (error) => { socket.close(); error ? reject(error) : resolve(null); });
    });
  }
  if (op === "tcp") {
    await new Promise((resolve, reject) => {
      const socket = net.connect(Number(b), a, () => { socket.destroy(); resolve(null); });
      socket.on("error", reject);
    });
  }
  console.log("ok");
} catch (error) {
  console.log(error instanceof Error ? error.name + " " + error.message : String(error));
}
`;

async function probe(flags: string[], ...args: string[]): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(path, PROBE);
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", ...flags, path, ...args],
    env: { NO_COLOR: "1" },
  }).output();
  await Deno.remove(path);
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("under the -logfile grants, Deno lets the sensor write and rotate in the log directory and nowhere else", async () => {
  const logs = await Deno.makeTempDir();
  const elsewhere = await Deno.makeTempDir();
  const flags = permissionFlags(grantsFor(configOf(["-pcap", "-", "-logfile", `${logs}/dns.log`]), CWD));
  assert.equal(await probe(flags, "write", `${logs}/dns.log`), "ok");
  assert.equal(await probe(flags, "rename", `${logs}/dns.log`, `${logs}/dns-2026.log`), "ok");
  assert.match(await probe(flags, "write", `${elsewhere}/dns.log`), /^NotCapable Requires write access to /);
  assert.match(await probe(flags, "rename", `${logs}/dns-2026.log`, `${elsewhere}/x`), /^NotCapable/);
  await Deno.remove(logs, { recursive: true });
  await Deno.remove(elsewhere, { recursive: true });
});

Deno.test("under the broker and statsd grants, Deno lets the sensor reach those hosts only", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const statsd = dgram.createSocket("udp4");
  const received = new Promise<string>((resolve) => statsd.on("message", (message) => resolve(message.toString())));
  await new Promise<void>((resolve) => statsd.bind(0, "127.0.0.1", resolve));
  const accepting = (async () => {
    for await (const conn of listener) conn.close();
  })();
  const otherAccepting = (async () => {
    for await (const conn of other) conn.close();
  })();
  const tcpPort = String(listener.addr.port);
  const udpPort = String(statsd.address().port);
  const grants = grantsFor(
    configOf(["-pcap", "-", "-kafka_brokers", `localhost:${tcpPort}`, "-statsd_host", `localhost:${udpPort}`]),
    CWD,
  );
  await resolveUdpPeers(grants);
  assert.ok(grants.net.includes(`127.0.0.1:${udpPort}`), grants.net.join(","));
  const flags = permissionFlags(grants);
  try {
    assert.equal(await probe(flags, "tcp", "localhost", tcpPort), "ok");
    assert.equal(await probe(flags, "udp", "localhost", udpPort), "ok");
    assert.equal(await received, "probe:1|c");
    assert.match(await probe(flags, "tcp", "127.0.0.1", String(other.addr.port)), /NotCapable|EPERM|permission/i);
  } finally {
    listener.close();
    other.close();
    statsd.close();
    await accepting.catch(() => {});
    await otherAccepting.catch(() => {});
  }
});
