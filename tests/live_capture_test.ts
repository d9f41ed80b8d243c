/**
 * Live capture (`-dev`) against real traffic: knotd on loopback queried by dig, kdig and dnsperf, and the bundled
 * captures sent with tcpreplay onto veth pairs in network namespaces made for each test. Every assertion is about
 * this test's own server port or namespace, so other programs capturing or querying on `lo` do not disturb it.
 */
import assert from "node:assert/strict";
import { TESTDATA } from "./_replay.ts";
import { runSensor, text } from "./_cli.ts";
import { CORES_VARIABLE } from "../src/parallel/test_hooks.ts";
import {
  type ClientLookup,
  concatenateCaptures,
  dig,
  freePort,
  LiveSensor,
  liveTest,
  must,
  parseDigOutput,
  randomLoopback,
  sh,
  startKnot,
  tcpreplay,
  vethPair,
  waitFor,
} from "./_live.ts";

type LiveRecord = Record<string, unknown> & {
  status: string;
  client_ip: string;
  client_port: number;
  server_ip: string;
  server_port: number;
  id: number;
  protocol: string;
  question: { name: string; type: string };
  rcode_name: string;
  answers: { type: string; data: string }[];
};

/** The questions dig asks over each transport: data, NXDOMAIN, NODATA. */
const QUESTIONS: [string, string][] = [
  ["www.example.test", "A"],
  ["www.example.test", "AAAA"],
  ["mail.example.test", "A"],
  ["example.test", "MX"],
  ["example.test", "NS"],
  ["nosuch.example.test", "A"],
  ["v4only.example.test", "AAAA"],
];

/** The record of a client's lookup: same server, question and ID. */
function recordOf(records: LiveRecord[], lookup: ClientLookup): LiveRecord[] {
  return records.filter((r) =>
    r.server_ip === lookup.server && r.id === lookup.id && r.question.name === lookup.name &&
    r.question.type === lookup.type && r.protocol === (lookup.tcp ? "tcp" : "udp")
  );
}

liveTest(
  "on lo, every lookup dig, kdig and dnsperf completed is logged with the answers they got (UDP, TCP, IPv4, IPv6)",
  ["knotd", "dig", "kdig", "dnsperf"],
  async () => {
    const server4 = randomLoopback();
    const perfClient = randomLoopback();
    const perfTcpClient = randomLoopback();
    const port = freePort(server4);
    const knot = await startKnot(server4, port);
    let sensor: LiveSensor | null = null;
    try {
      sensor = await LiveSensor.start([
        "-dev",
        "lo",
        "-dns_ports",
        String(port),
        "-format",
        "transaction",
        "-statsd_interval",
        "1",
      ]);
      const lookups: ClientLookup[] = [];
      for (const server of [server4, "::1"]) {
        for (const tcp of [false, true]) {
          for (const [name, type] of QUESTIONS) lookups.push(await dig(server, port, name, type, tcp));
        }
      }
      // kdig pipelines several queries over one TCP connection (+keepopen).
      const kdigArgs = ["+retry=2", "+time=3", "+tcp", "+keepopen", `@${server4}`, "-p", String(port)];
      for (const [name, type] of QUESTIONS) kdigArgs.push(name, type);
      lookups.push(...parseDigOutput(await must("kdig", kdigArgs), server4, true));
      assert.equal(lookups.length, QUESTIONS.length * 5);
      for (const lookup of lookups) assert.ok(lookup.id >= 0, `${lookup.name} ${lookup.type}: no answer from knotd`);

      // dnsperf from addresses of its own, over UDP and TCP: its "Queries completed" is the count to find.
      const queries = await Deno.makeTempFile();
      await Deno.writeTextFile(queries, QUESTIONS.map(([n, t]) => `${n} ${t}`).join("\n") + "\n");
      const perf = async (client: string, mode: string) => {
        const out = await must("dnsperf", [
          "-s",
          server4,
          "-p",
          String(port),
          "-a",
          client,
          "-m",
          mode,
          "-d",
          queries,
          "-n",
          "40",
          "-c",
          "2",
          "-Q",
          "2000",
        ]);
        return Number(/Queries completed:\s+(\d+)/.exec(out)?.[1]);
      };
      const perfUdp = await perf(perfClient, "udp");
      const perfTcp = await perf(perfTcpClient, "tcp");
      await Deno.remove(queries);
      assert.ok(perfUdp > 0 && perfTcp > 0);

      const answered = (client: string) =>
        (sensor!.records() as LiveRecord[]).filter((r) => r.client_ip === client && r.status === "answered").length;
      await sensor.settle();
      assert.equal(await sensor.stop("SIGTERM"), 0, sensor.stderr);

      const records = sensor.records() as LiveRecord[];
      for (const lookup of lookups) {
        const found = recordOf(records, lookup);
        const what = `${lookup.tcp ? "tcp" : "udp"} ${lookup.server} ${lookup.name} ${lookup.type} id ${lookup.id}`;
        assert.equal(found.length, 1, what);
        assert.equal(found[0].status, "answered", what);
        assert.equal(found[0].rcode_name, lookup.status, what);
        assert.equal(found[0].server_port, port, what);
        assert.deepEqual(found[0].answers.map((a) => a.data.replace(/\.$/, "")).sort(), lookup.answers.sort(), what);
      }
      assert.equal(answered(perfClient), perfUdp, "dnsperf UDP lookups");
      assert.equal(answered(perfTcpClient), perfTcp, "dnsperf TCP lookups");
      // libpcap's statistics: deltas every -statsd_interval, their sum in the summary.
      const lines = [...sensor.stderr.matchAll(/Statistics received: (\d+), dropped: (\d+), interface dropped (\d+)/g)];
      assert.ok(lines.length >= 1, sensor.stderr);
      const received = Number(/pcap_received=(\d+)/.exec(sensor.stderr)?.[1]);
      assert.equal(lines.reduce((sum, m) => sum + Number(m[1]), 0), received);
      assert.ok(!/pcap_dropped=/.test(sensor.stderr), "no kernel drops");
    } finally {
      sensor?.kill();
      await knot.stop();
    }
  },
);

// Three threads too: two lookup workers taking turns to write stdout, where a capture's batch ends often hold
// nothing (found: an empty batch passed the turn before its predecessor had, and the workers waited for ever).
for (const threads of [0, 3]) {
  const how = threads === 0 ? "" : ` (-numprocs ${threads})`;
  liveTest(
    `live equals replay${how}: the bundled captures (tunnels too) sent onto a veth pair give the records of replaying them`,
    ["tcpreplay", "ip"],
    async () => {
      const files = [
        ...[...Deno.readDirSync(`${TESTDATA}gopassivedns`)].map((e) => `${TESTDATA}gopassivedns/${e.name}`),
        ...[...Deno.readDirSync(`${TESTDATA}crafted`)].map((e) => `${TESTDATA}crafted/${e.name}`),
        ...[...Deno.readDirSync(`${TESTDATA}real`)].map((e) => `${TESTDATA}real/${e.name}`),
        // Tunnels as a tap or cloud mirror delivers them: the default kernel filter must let every kind through.
        // (testdata/links holds no Ethernet capture: those link types cannot be sent onto a veth.)
        ...[...Deno.readDirSync(`${TESTDATA}tunnels`)].map((e) => `${TESTDATA}tunnels/${e.name}`),
      ].filter((path) => /\.pcap(ng)?$/.test(path)).sort();
      const combined = await Deno.makeTempFile({ suffix: ".pcap" });
      // Gaps cut to 10 ms keep the replay short; both sides see the same file, so the same timing.
      const frames = await concatenateCaptures(files, combined, 10_000_000);
      assert.ok(frames > 4000, `${frames} frames`);
      const pair = await vethPair();
      const sensors: LiveSensor[] = [];
      try {
        const formats = ["gopassivedns", "transaction"];
        const expected = await Promise.all(formats.map(async (format) => {
          const run = await runSensor(["-pcap", combined, "-format", format]);
          assert.equal(run.code, 0, run.stderr);
          return text(run.stdout).split("\n").filter((l) => l !== "").map((l) => stripTimes(JSON.parse(l)));
        }));
        for (const format of formats) {
          const args = ["-dev", pair.captureIf, "-format", format];
          if (threads > 0) args.push("-numprocs", String(threads));
          const env: Record<string, string> = threads > 0 ? { [CORES_VARIABLE]: String(threads) } : {};
          sensors.push(await LiveSensor.start(args, pair.captureNs, undefined, undefined, env));
        }
        await tcpreplay(pair, combined);
        // Records of lookups still pending at the end of the input are written at exit, as at the end of a file.
        for (const sensor of sensors) await sensor.settle();
        for (const [i, sensor] of sensors.entries()) {
          assert.equal(await sensor.stop("SIGINT"), 0, sensor.stderr);
          const live = sensor.records().map(stripTimes);
          assert.equal(live.length, expected[i].length, formats[i]);
          assert.deepEqual(live, expected[i], formats[i]);
        }
      } finally {
        for (const sensor of sensors) sensor.kill();
        await pair.close();
        await Deno.remove(combined);
      }
    },
  );
}

/** A record without the fields that depend on when it was captured or written. */
function stripTimes(record: Record<string, unknown>): Record<string, unknown> {
  const { tstamp: _t, elapsed: _e, query_time: _q, response_time: _r, rtt_ns: _n, ...rest } = record;
  return rest;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  liveTest(`${signal} mid-traffic: exit 0, every lookup completed before it logged, the load's too`, [
    "knotd",
    "dig",
    "dnsperf",
  ], async () => {
    const server4 = randomLoopback();
    const port = freePort(server4);
    const knot = await startKnot(server4, port);
    let sensor: LiveSensor | null = null;
    let load: Deno.ChildProcess | null = null;
    try {
      sensor = await LiveSensor.start(["-dev", "lo", "-dns_ports", String(port), "-format", "transaction"]);
      // Background load that is still running when the signal comes. It asks dig's questions with random IDs, so
      // it comes from an address of its own: a load query with a dig lookup's ID must not be taken for it.
      const perfClient = randomLoopback();
      const queries = await Deno.makeTempFile();
      await Deno.writeTextFile(queries, QUESTIONS.map(([n, t]) => `${n} ${t}`).join("\n") + "\n");
      load = new Deno.Command("dnsperf", {
        args: ["-s", server4, "-p", String(port), "-a", perfClient, "-d", queries, "-l", "30", "-Q", "500"],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const completed: ClientLookup[] = [];
      for (let i = 0; i < 20; i++) {
        const [name, type] = QUESTIONS[i % QUESTIONS.length];
        completed.push(await dig(server4, port, name, type, i % 2 === 1));
      }
      const code = await sensor.stop(signal);
      assert.equal(code, 0, sensor.stderr);
      const records = sensor.records() as LiveRecord[];
      // A dig that got no answer (a loaded machine) completed nothing; most do.
      assert.ok(completed.filter((l) => l.id >= 0).length >= 10, "dig lookups completed");
      const digRecords = records.filter((r) => r.client_ip !== perfClient);
      for (const lookup of completed.filter((l) => l.id >= 0)) {
        assert.equal(recordOf(digRecords, lookup).length, 1, `${lookup.name} ${lookup.type} id ${lookup.id} logged`);
      }
      assert.ok(records.some((r) => r.client_ip === perfClient), "dnsperf's lookups were logged as well");
      assert.ok(sensor.stdout.endsWith("\n"), "output ends with a whole record");
      assert.match(sensor.stderr, /Caught signal/);
      assert.match(sensor.stderr, /Summary: .*pcap_received=\d+/);
      await Deno.remove(queries);
    } finally {
      sensor?.kill();
      try {
        load?.kill("SIGTERM");
      } catch {
        // finished already
      }
      await load?.status;
      await knot.stop();
    }
  });
}

liveTest("an unanswered query on a quiet link expires on the wall clock, without further packets", [
  "dig",
], async () => {
  const server4 = randomLoopback();
  const port = freePort(server4);
  const sensor = await LiveSensor.start([
    "-dev",
    "lo",
    "-dns_ports",
    String(port),
    "-format",
    "transaction",
    "-gc_age",
    "1s",
    "-gc_interval",
    "1s",
  ]);
  try {
    // Nothing listens on the port: the query stays unanswered (the ICMP error is not DNS).
    await sh("dig", ["+tries=1", "+time=1", `@${server4}`, "-p", String(port), "quiet.example.test", "A"]);
    await waitFor("the expired query's record", () => sensor.records().length > 0);
    const [record] = sensor.records() as LiveRecord[];
    assert.equal(record.status, "unanswered");
    assert.equal(record.question.name, "quiet.example.test");
    assert.ok(!sensor.exited, "written while the sensor runs");
    assert.equal(await sensor.stop("SIGINT"), 0);
  } finally {
    sensor.kill();
  }
});

liveTest("an interface deleted mid-capture is reopened when it is back (-dev_retry, the default)", [
  "tcpreplay",
  "ip",
], async () => {
  const pair = await vethPair();
  let sensor: LiveSensor | null = null;
  try {
    sensor = await LiveSensor.start(["-dev", pair.captureIf], pair.captureNs);
    await tcpreplay(pair, `${TESTDATA}gopassivedns/a.pcap`);
    await waitFor("the first record", () => sensor!.records().length === 1);
    await must("ip", ["-n", pair.captureNs, "link", "set", pair.captureIf, "down"]);
    await waitFor("the down message", () => /is down: no packets until it is up again/.test(sensor!.stderr));
    await must("ip", ["-n", pair.captureNs, "link", "set", pair.captureIf, "up"]);
    await waitFor("the up message", () => /is up again/.test(sensor!.stderr));
    await pair.deleteLink();
    await waitFor("the failure", () => /Capture on \S+ failed: .*; reopening it in 1 s/.test(sensor!.stderr));
    await pair.recreateLink();
    await waitFor("the reopening", () => (sensor!.stderr.match(/Capturing on/g) ?? []).length === 2);
    await tcpreplay(pair, `${TESTDATA}gopassivedns/aaaa.pcap`);
    await waitFor("the second record", () => sensor!.records().length === 2);
    assert.equal(await sensor.stop("SIGINT"), 0, sensor.stderr);
    assert.deepEqual(sensor.records().map((r) => r.q), ["www.slashdot.org", "www.google.com"]);
    assert.match(sensor.stderr, /capture_restarts=1/);
  } finally {
    sensor?.kill();
    await pair.close();
  }
});

liveTest("an interface that is down at start-up is waited for, then captured on", ["tcpreplay", "ip"], async () => {
  const pair = await vethPair();
  let sensor: LiveSensor | null = null;
  try {
    await must("ip", ["-n", pair.captureNs, "link", "set", pair.captureIf, "down"]);
    sensor = await LiveSensor.start(["-dev", pair.captureIf], pair.captureNs, undefined, /waiting for it to come up/);
    assert.match(sensor.stderr, /Interface \S+ is down: .*; waiting for it to come up \(-dev_retry\)/);
    await must("ip", ["-n", pair.captureNs, "link", "set", pair.captureIf, "up"]);
    await waitFor("the capture", () => /Capturing on/.test(sensor!.stderr));
    await tcpreplay(pair, `${TESTDATA}gopassivedns/a.pcap`);
    await waitFor("the record", () => sensor!.records().length === 1);
    assert.equal(await sensor.stop("SIGTERM"), 0, sensor.stderr);
    assert.doesNotMatch(sensor.stderr, /capture_restarts/, "the first opening is not a restart");
  } finally {
    sensor?.kill();
    await pair.close();
  }
});

liveTest("an interface deleted mid-capture ends the run with status 1 under -dev_retry=false", ["ip"], async () => {
  const pair = await vethPair();
  let sensor: LiveSensor | null = null;
  try {
    sensor = await LiveSensor.start(["-dev", pair.captureIf, "-dev_retry=false"], pair.captureNs);
    await pair.deleteLink();
    assert.equal(await sensor.exit(), 1);
    assert.match(sensor.stderr, /Capture on \S+ failed: The interface disappeared/);
  } finally {
    sensor?.kill();
    await pair.close();
  }
});

liveTest("capturing as a user without CAP_NET_RAW fails with how to grant it", ["setpriv"], async () => {
  const sensor = await LiveSensor.start(["-dev", "lo"], undefined, [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=-all",
  ]);
  assert.equal(await sensor.exit(), 1, sensor.stderr);
  assert.match(sensor.stderr, /Not permitted to capture on lo/);
  assert.match(sensor.stderr, /setcap cap_net_raw,cap_net_admin\+eip /);
  assert.match(sensor.stderr, /AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN/);
});

liveTest("an unknown interface and a bad filter are usage errors (exit 2) in libpcap's words", [], async () => {
  const unknown = await runSensor(["-dev", "nosuch9"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /invalid value "nosuch9" for -dev \(PDNS_DEV\): expected a network interface .*\blo\b/);
  const filter = await runSensor(["-dev", "lo", "-bpf", "port nope"]);
  assert.equal(filter.code, 2);
  assert.match(filter.stderr, /invalid value "port nope" for -bpf \(PDNS_BPF\).*unknown port 'nope'/);
  const both = await runSensor(["-dev", "lo", "-pcap", `${TESTDATA}gopassivedns/a.pcap`]);
  assert.equal(both.code, 2);
  const snaplen = await runSensor(["-dev", "lo", "-snaplen", "53"]);
  assert.equal(snaplen.code, 2);
  assert.match(snaplen.stderr, /-snaplen \(PDNS_SNAPLEN\): expected an integer from 54/);
});

liveTest("-dev any captures in Linux cooked mode v2 and decodes it", ["dig", "knotd"], async () => {
  const server4 = randomLoopback();
  const port = freePort(server4);
  const knot = await startKnot(server4, port);
  let sensor: LiveSensor | null = null;
  try {
    sensor = await LiveSensor.start(["-dev", "any", "-dns_ports", String(port)]);
    assert.match(sensor.stderr, /link type LINUX_SLL2 \(276\)/);
    const lookup = await dig(server4, port, "www.example.test", "A");
    await waitFor("the records", () => sensor!.records().filter((r) => r.query_id === lookup.id).length === 2);
    assert.equal(await sensor.stop("SIGINT"), 0);
  } finally {
    sensor?.kill();
    await knot.stop();
  }
});

liveTest("a second signal during the final drain exits at once with 130", [], async () => {
  const sensor = await LiveSensor.start(["-dev", "lo", "-dns_ports", String(freePort(randomLoopback()))]);
  try {
    // The first signal starts a drain of at least 250 ms (what the kernel still holds), so the second one lands in it.
    sensor.signal("SIGTERM");
    sensor.signal("SIGINT");
    assert.equal(await sensor.exit(), 130, sensor.stderr);
    assert.match(sensor.stderr, /Second signal: exiting without waiting for the flush/);
  } finally {
    sensor.kill();
  }
});

liveTest("without libpcap, -dev names the package to install (exit 1)", ["unshare", "mount"], async () => {
  const library = ["/usr/lib/x86_64-linux-gnu/libpcap.so.0.8", "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"]
    .map((path) => {
      try {
        return Deno.realPathSync(path);
      } catch {
        return null;
      }
    }).find((path) => path !== null);
  assert.ok(library, "libpcap0.8 is installed");
  // In a mount namespace of its own, the library file reads as empty: dlopen fails as if it were not installed.
  const sensor = await LiveSensor.start(["-dev", "lo"], undefined, [
    "unshare",
    "-m",
    "sh",
    "-c",
    `mount --bind /dev/null ${library} && exec "$@"`,
    "sh",
  ]);
  assert.equal(await sensor.exit(), 1, sensor.stderr);
  assert.match(sensor.stderr, /Cannot load libpcap .*Debian\/Ubuntu: apt install libpcap0\.8/);
});

liveTest("the README's VLAN filter catches 802.1Q-tagged DNS live, as replay decodes it", [
  "tcpreplay",
  "ip",
], async () => {
  const pair = await vethPair();
  let sensor: LiveSensor | null = null;
  try {
    const expected = await runSensor(["-pcap", `${TESTDATA}crafted/vlan.pcap`]);
    assert.equal(expected.code, 0);
    const records = text(expected.stdout).trim().split("\n").map((l) => stripTimes(JSON.parse(l)));
    assert.ok(records.length > 0);
    sensor = await LiveSensor.start(["-dev", pair.captureIf, "-bpf", "port 53 or (vlan and port 53)"], pair.captureNs);
    await tcpreplay(pair, `${TESTDATA}crafted/vlan.pcap`);
    await waitFor("the VLAN records", () => sensor!.records().length >= records.length);
    assert.equal(await sensor.stop("SIGINT"), 0, sensor.stderr);
    assert.deepEqual(sensor.records().map(stripTimes), records);
  } finally {
    sensor?.kill();
    await pair.close();
  }
});
