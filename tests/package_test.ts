/**
 * The Debian package as an operator gets it: built by `deno task package`, installed with `dpkg -i` on this machine,
 * run by its launcher as the service user holding only CAP_NET_RAW and CAP_NET_ADMIN, and purged without a trace.
 * Needs root, dpkg-deb, setpriv and systemd-analyze (CI installs them); without them the test fails under CI=true.
 *
 * The package is installed system-wide, so the suite holds a lock file for its whole run: two test runs on one
 * machine take turns.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { ForwardReceiver } from "./_forward_receiver.ts";
import { FORMATS, goldenCaptures, goldenPath } from "./_golden_cases.ts";
import { KafkaBroker } from "./_kafka_broker.ts";
import { ROOT, text } from "./_cli.ts";
import { buildPackage, missingOf, output, skippedFor } from "./_package.ts";
import { WORKER_AT_ONCE_VARIABLE } from "../src/parallel/test_hooks.ts";

const PACKAGE = "denopassivedns";
const USER = "denopassivedns";
const LAUNCHER = "/usr/bin/denopassivedns";
const UNIT = "/lib/systemd/system/denopassivedns.service";
const SETTINGS = "/etc/denopassivedns/denopassivedns.env";
const INSTALLED_FILES = [
  LAUNCHER,
  "/usr/lib/denopassivedns/deno",
  "/usr/lib/denopassivedns/denopassivedns.js",
  "/usr/lib/denopassivedns/launch_permissions.js",
  "/usr/lib/denopassivedns/src/sinks/syslog_worker.js",
  "/usr/lib/denopassivedns/src/parallel/lookup_worker.js",
  "/usr/share/doc/denopassivedns/README.md",
  UNIT,
  SETTINGS,
];
const LEFT_BEHIND = [...INSTALLED_FILES, "/usr/lib/denopassivedns", "/etc/denopassivedns", "/var/log/denopassivedns"];

const missing = await missingOf(["dpkg-deb", "dpkg", "setpriv", "systemd-analyze", "adduser"], true);
const skipped = skippedFor("package_test", missing);

/** The installed launcher as the service would run it: the service user, only the two capture capabilities. */
function asService(
  args: string[],
  capabilities = true,
  env: Record<string, string> = {},
  stdin: "null" | "piped" = "null",
): Deno.Command {
  const caps = capabilities
    ? ["--inh-caps", "+net_raw,+net_admin", "--ambient-caps", "+net_raw,+net_admin"]
    : ["--inh-caps", "-all"];
  return new Deno.Command("setpriv", {
    args: [
      `--reuid=${USER}`,
      `--regid=${USER}`,
      "--clear-groups",
      ...caps,
      "--",
      "env",
      "-i",
      ...envPairs(env),
      LAUNCHER,
      ...args,
    ],
    cwd: "/",
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

function envPairs(env: Record<string, string>): string[] {
  return Object.entries({ PATH: "/usr/bin:/bin", NO_COLOR: "1", ...env }).map(([k, v]) => `${k}=${v}`);
}

/** Whether this version's sensor captures live (`-dev`), or still refuses it as not available. */
async function liveCaptureAvailable(): Promise<boolean> {
  const run = await asService(["-dev", "lo", "-quiet"]).spawn();
  const timer = setTimeout(() => run.kill("SIGTERM"), 1500);
  const { stderr } = await run.output();
  clearTimeout(timer);
  return !/not available in this version/.test(text(stderr));
}

/** A DNS query for `name` (A, IN, RD) with `id`, and the response carrying 192.0.2.7. */
function dnsPair(id: number, name: string): [Uint8Array, Uint8Array] {
  const qname = [...name.split(".").flatMap((label) => [label.length, ...new TextEncoder().encode(label)]), 0];
  const header = (
    flags: number,
    answers: number,
  ) => [id >> 8, id & 255, flags >> 8, flags & 255, 0, 1, 0, answers, 0, 0, 0, 0];
  const question = [...qname, 0, 1, 0, 1];
  const answer = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7];
  return [
    new Uint8Array([...header(0x0100, 0), ...question]),
    new Uint8Array([...header(0x8180, 1), ...question, ...answer]),
  ];
}

Deno.test({
  name: "the Debian package installs, runs as its service user with two capabilities, and purges cleanly",
  ignore: skipped,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(missing, [], `package_test needs ${missing.join(", ")}`);
    const lock = await Deno.open("/tmp/denopassivedns_package_test.lock", { create: true, write: true });
    await lock.lock(true);
    const work = await Deno.makeTempDir({ prefix: "package_test" });
    await Deno.chmod(work, 0o755); // the service user reads the captures from here
    try {
      if ((await output("dpkg", ["-s", PACKAGE])).code === 0) await output("dpkg", ["--purge", PACKAGE]);

      let deb = "";
      await t.step("deno task package builds the .deb and the .tar.gz", async () => {
        const build = await buildPackage("amd64", work);
        assert.equal(build.code, 0, build.stderr);
        deb = build.deb;
        assert.match(deb, /denopassivedns_[\d.]+_amd64\.deb$/);
        const info = await output("dpkg-deb", ["--field", deb, "Package", "Architecture", "Depends"]);
        assert.match(info.stdout, /Architecture: amd64/);
        assert.match(info.stdout, /libpcap0\.8/);
      });

      const installed = await t.step(
        "dpkg -i installs the files, the user, the log directory and a valid unit",
        async () => {
          const install = await output("dpkg", ["-i", deb]);
          assert.equal(install.code, 0, install.stderr + install.stdout);
          for (const file of INSTALLED_FILES) assert.ok((await Deno.stat(file)).isFile, file);
          const passwd = (await output("getent", ["passwd", USER])).stdout.split(":");
          assert.equal(passwd[0], USER);
          assert.ok(Number(passwd[2]) < 1000, "a system user");
          assert.match(passwd[6], /nologin|false/);
          const logs = await Deno.stat("/var/log/denopassivedns");
          assert.equal(logs.mode! & 0o777, 0o750);
          assert.equal(logs.uid, Number(passwd[2]));
          const settings = await Deno.stat(SETTINGS);
          assert.equal(settings.mode! & 0o777, 0o640);
          assert.equal(settings.gid, Number(passwd[3]));
          const verify = await output("systemd-analyze", ["verify", UNIT]);
          assert.equal(verify.code, 0, verify.stderr);
          const unit = await Deno.readTextFile(UNIT);
          for (
            const line of [
              "User=denopassivedns",
              "AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN",
              "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN",
              "NoNewPrivileges=yes",
              "ProtectSystem=strict",
              "ProtectHome=yes",
              "PrivateTmp=yes",
              "ReadWritePaths=/var/log/denopassivedns",
              "Restart=on-failure",
              `Environment=PDNS_CONFIG=${SETTINGS}`,
              `ExecReload=/bin/sh -c 'kill -HUP "$MAINPID"'`,
            ]
          ) assert.ok(unit.split("\n").includes(line), `unit has ${line}`);
        },
      );

      await t.step(
        "the sensor process runs as the service user with exactly CAP_NET_RAW and CAP_NET_ADMIN",
        async () => {
          const sensor = asService(["-pcap", "-"], true, {}, "piped").spawn();
          // Deno reads /proc only with --allow-all: cat does.
          const proc = async (file: string) =>
            text(
              (await new Deno.Command("cat", { args: [`/proc/${sensor.pid}/${file}`], stderr: "null" }).output())
                .stdout,
            );
          try {
            // setpriv, env and the launcher all exec: the PID becomes the sensor once the launcher's first step is done.
            let cmdline = "";
            for (let i = 0; i < 100 && !cmdline.includes("denopassivedns.js"); i++) {
              await new Promise((resolve) => setTimeout(resolve, 100));
              cmdline = (await proc("cmdline")).replaceAll("\0", " ");
            }
            assert.match(cmdline, /\/usr\/lib\/denopassivedns\/deno run .*--no-remote.*--cached-only/);
            const status = await proc("status");
            const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, "m").exec(status)?.[1];
            const uid = (await output("id", ["-u", USER])).stdout.trim();
            assert.equal(field("Uid")?.split(/\s+/)[0], uid);
            // bits 12 (CAP_NET_ADMIN) and 13 (CAP_NET_RAW)
            assert.equal(field("CapEff"), "0000000000003000");
            assert.equal(field("CapAmb"), "0000000000003000");
          } finally {
            await sensor.stdin.close();
          }
          const { code } = await sensor.output();
          assert.equal(code, 1, "an empty standard input is an empty capture");
        },
      );

      await t.step("the installed program gives byte-identical records to the checkout on every capture", async () => {
        const runs: [string, typeof FORMATS[number]][] = [];
        for (const capture of goldenCaptures()) {
          const copy = `${work}/${capture.replace("/", "_")}`;
          await Deno.copyFile(`${ROOT}testdata/${capture}`, copy);
          await Deno.chmod(copy, 0o644);
          for (const format of FORMATS) runs.push([capture, format]);
        }
        // Three at a time: most of each run is start-up.
        const check = async ([capture, format]: [string, typeof FORMATS[number]]) => {
          const copy = `${work}/${capture.replace("/", "_")}`;
          const run = await asService(["-pcap", copy, "-format", format, "-name", "golden"]).output();
          assert.equal(run.code, 0, text(run.stderr));
          assert.equal(text(run.stdout), await Deno.readTextFile(goldenPath(capture, format)), `${capture} ${format}`);
        };
        for (let i = 0; i < runs.length; i += 3) await Promise.all(runs.slice(i, i + 3).map(check));
        // And literally against `deno task replay` (the golden files are what it writes; golden_test holds them).
        for (const capture of ["gopassivedns/100_tcp_lookups.pcap", "crafted/ordering.pcap"]) {
          const task = await output(`${ROOT}node_modules/.bin/deno`, [
            "task",
            "-q",
            "replay",
            `${ROOT}testdata/${capture}`,
          ], {
            cwd: ROOT,
          });
          const installed = await asService(["-pcap", `${work}/${capture.replace("/", "_")}`]).output();
          assert.equal(text(installed.stdout), task.stdout, capture);
          // The lookup worker (src/parallel/lookup_worker.js under the program's directory) loads and runs under the scoped permissions.
          const threaded = await asService(
            ["-pcap", `${work}/${capture.replace("/", "_")}`, "-numprocs", "2"],
            true,
            { [WORKER_AT_ONCE_VARIABLE]: "1" },
          ).output();
          assert.equal(threaded.code, 0, text(threaded.stderr));
          assert.equal(text(threaded.stdout), task.stdout, `${capture} -numprocs 2`);
        }
      });

      await t.step("the settings file is read as the .env file (dotenv inside the bundle)", async () => {
        const settings = `${work}/settings.env`;
        await Deno.writeTextFile(settings, "PDNS_FORMAT=transaction\nPDNS_NAME=from-settings\n");
        await Deno.chmod(settings, 0o644);
        const run = await asService(["-pcap", `${work}/gopassivedns_a.pcap`], true, { PDNS_CONFIG: settings }).output();
        assert.equal(run.code, 0, text(run.stderr));
        assert.equal(JSON.parse(text(run.stdout)).sensor, "from-settings");
      });

      await t.step("-cpuprofile works under the launcher's scoped permissions, in the log directory", async () => {
        // Writing outside the granted paths is refused by Deno: src/config/permissions_test.ts.
        const profile = `/var/log/denopassivedns/run.cpuprofile`;
        const run = await asService(["-pcap", `${work}/gopassivedns_a.pcap`, "-cpuprofile", profile]).output();
        assert.equal(run.code, 0, text(run.stderr));
        assert.ok(JSON.parse(await Deno.readTextFile(profile)).nodes.length > 0);
      });

      await t.step(
        "the bundled Kafka and Fluentd clients deliver under the launcher's scoped permissions",
        async () => {
          // Both are imported lazily and read files of their own (Kafka's WebAssembly): the bundle must carry them, and
          // the scoped --allow-net must let the sensor reach exactly the configured peers.
          const capture = `${work}/gopassivedns_100_udp_lookups.pcap`;
          const broker = await KafkaBroker.start();
          const receiver = ForwardReceiver.start();
          try {
            await broker.createTopic("package", 1);
            const run = await asService([
              "-pcap",
              capture,
              "-quiet",
              "-kafka_brokers",
              broker.bootstrap,
              "-kafka_topic",
              "package",
              "-fluentd_socket",
              receiver.socketOption,
            ]).output();
            assert.equal(run.code, 0, text(run.stderr));
            assert.match(text(run.stderr), /kafka\.written=50\b/);
            assert.equal((await broker.consume("package")).length, 50);
            assert.equal(receiver.events.length, 50);
          } finally {
            await receiver.stop();
            await broker.stop();
          }
        },
      );

      await t.step(
        "statsd and remote syslog by host name reach their servers under the scoped permissions",
        async () => {
          // Both go through node:dgram to a name: Deno checks the lookup and the send separately (see permissions.ts).
          const receive = async () => {
            const socket = dgram.createSocket("udp4");
            await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
            const first = new Promise<string>((resolve) => socket.once("message", (m) => resolve(m.toString())));
            return { socket, port: socket.address().port, first };
          };
          const statsd = await receive();
          const syslog = await receive();
          try {
            const run = await asService([
              "-pcap",
              `${work}/gopassivedns_a.pcap`,
              "-quiet",
              "-statsd_host",
              `localhost:${statsd.port}`,
              "-syslog_server",
              `udp://localhost:${syslog.port}`,
              "-syslog_facility",
              "LOCAL0",
              "-syslog_priority",
              "INFO",
            ]).output();
            assert.equal(run.code, 0, text(run.stderr));
            assert.match(await statsd.first, /\.packets:2\|c/);
            assert.match(await syslog.first, /^<134>1 .*"q":"www\.slashdot\.org"/);
          } finally {
            statsd.socket.close();
            syslog.socket.close();
          }
        },
      );

      await t.step("the .tar.gz holds the same tree and runs from wherever it is unpacked", async () => {
        const tarball = (await Array.fromAsync(Deno.readDir(work))).find((e) => e.name.endsWith(".tar.gz"))!.name;
        assert.equal((await output("tar", ["-xzf", `${work}/${tarball}`, "-C", work])).code, 0);
        const dir = `${work}/${tarball.replace(/\.tar\.gz$/, "")}`;
        const run = await output(`${dir}/bin/denopassivedns`, [
          "-pcap",
          `${work}/gopassivedns_mx.pcap`,
          "-name",
          "golden",
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, await Deno.readTextFile(goldenPath("gopassivedns/mx.pcap", "gopassivedns")));
      });

      const live = installed && await liveCaptureAvailable();
      if (!live) {
        console.warn(
          "package_test: LIVE CAPTURE NOT TESTED: the sensor still answers -dev with 'not available in this version'; " +
            "the live steps run once live capture is merged",
        );
      }
      await t.step({
        name: "[needs live capture] as the service user with the two capabilities it captures live on lo",
        ignore: !live,
        async fn() {
          // The server's port is the kernel's choice, bound before the sensor starts: no other socket can hold it.
          const server = dgram.createSocket("udp4");
          const [query, response] = dnsPair(0x4242, "live.package.test");
          server.on("message", (_message, from) => server.send(response, from.port, from.address));
          await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
          const port = server.address().port;
          const sensor = asService(["-dev", "lo", "-bpf", `udp port ${port}`, "-dns_ports", String(port)]).spawn();
          const stdout = new Response(sensor.stdout).text();
          const stderr = new Response(sensor.stderr).text();
          await new Promise((resolve) => setTimeout(resolve, 1500)); // capture open
          const client = dgram.createSocket("udp4");
          await new Promise<void>((resolve) => client.once("message", () => resolve()).send(query, port, "127.0.0.1"));
          client.close();
          server.close();
          await new Promise((resolve) => setTimeout(resolve, 500));
          sensor.kill("SIGTERM");
          const status = await sensor.status;
          assert.equal(status.code, 0, await stderr);
          const record = JSON.parse((await stdout).trim().split("\n")[0]);
          assert.equal(record.q, "live.package.test");
          assert.equal(record.a, "192.0.2.7");
        },
      });
      await t.step({
        name: "[needs live capture] without the capabilities, live capture fails naming the capability to grant",
        ignore: !live,
        async fn() {
          const run = await asService(["-dev", "lo"], false).output();
          assert.equal(run.code, 1);
          assert.match(text(run.stderr), /CAP_NET_RAW/);
        },
      });

      await t.step("dpkg --purge leaves nothing behind", async () => {
        const purge = await output("dpkg", ["--purge", PACKAGE]);
        assert.equal(purge.code, 0, purge.stderr);
        for (const path of LEFT_BEHIND) {
          await assert.rejects(Deno.stat(path), Deno.errors.NotFound, `${path} is left behind`);
        }
        assert.notEqual((await output("getent", ["passwd", USER])).code, 0, "the user is removed");
        assert.notEqual((await output("getent", ["group", USER])).code, 0, "the group is removed");
        assert.notEqual((await output("dpkg", ["-s", PACKAGE])).code, 0);
      });
    } finally {
      if ((await output("dpkg", ["-s", PACKAGE])).code === 0) await output("dpkg", ["--purge", PACKAGE]);
      await Deno.remove(work, { recursive: true });
      lock.close();
    }
  },
});
