/**
 * The Fluentd sink against a forward-protocol receiver decoding with a real msgpack library and acknowledging
 * chunks (tests/_forward_receiver.ts): over a Unix socket and over TCP, the original's tag and map, and a receiver
 * restart mid-run that loses nothing.
 */
import assert from "node:assert/strict";
import { ROOT, runSensor, stdinSensor, text } from "./_cli.ts";
import { type ForwardEvent, ForwardReceiver } from "./_forward_receiver.ts";

/** The original's record keys, in its order (behaviour notes §7.1); `level` only when not empty. */
const KEYS = [
  "query_id",
  "rcode",
  "q",
  "qtype",
  "a",
  "atype",
  "ttl",
  "dst",
  "src",
  "tstamp",
  "elapsed",
  "sport",
  "level",
  "bytes",
  "protocol",
  "truncated",
  "aa",
  "rd",
  "ra",
];

function lines(stdout: Uint8Array): string[] {
  return text(stdout).split("\n").filter((line) => line !== "");
}

/** What the receiver should hold for a JSON record line (level left out when empty, as the original). */
function expectedEvent(line: string): Record<string, unknown> {
  const record = JSON.parse(line);
  if (record.level === "") delete record.level;
  return record;
}

function sinkCounter(stderr: string, stat: string): number {
  const match = new RegExp(`\\sfluentd\\.${stat}=(\\d+)`).exec(stderr);
  return match === null ? 0 : Number(match[1]);
}

const canonical = (event: ForwardEvent) => JSON.stringify(event.record);

Deno.test({
  name: "records reach a forward receiver over a Unix socket as the original's tagged maps, acknowledged",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pdns-fluentd-" });
    const receiver = ForwardReceiver.start(`${dir}/fluentd.sock`);
    try {
      const pcap = `${ROOT}testdata/gopassivedns/100_udp_lookups.pcap`;
      const want = lines((await runSensor(["-pcap", pcap])).stdout);
      const before = Math.floor(Date.now() / 1000);
      const run = await runSensor([
        "-pcap",
        pcap,
        "-quiet",
        "-name",
        "sensor1",
        "-fluentd_socket",
        receiver.socketOption,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.length, 0);
      assert.equal(sinkCounter(run.stderr, "written"), want.length, run.stderr);
      assert.equal(receiver.events.length, want.length);
      assert.ok(receiver.chunks >= 1);
      for (const [i, event] of receiver.events.entries()) {
        assert.equal(event.tag, "sensor1.service");
        assert.equal(typeof event.time, "number");
        assert.ok((event.time as number) >= before && (event.time as number) <= Date.now() / 1000 + 1);
        assert.deepEqual(Object.keys(event.record), KEYS.filter((k) => k !== "level"));
        assert.deepEqual(event.record, expectedEvent(want[i]));
        assert.ok(Number.isInteger(event.record.query_id) && typeof event.record.rd === "boolean");
      }
    } finally {
      await receiver.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "tcp://host:port reaches a forward receiver over TCP, transaction records as nested maps",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const receiver = ForwardReceiver.start();
    try {
      const args = [
        "-pcap",
        `${ROOT}testdata/gopassivedns/100_tcp_lookups.pcap`,
        "-format",
        "transaction",
        "-name",
        "tap9",
      ];
      const want = lines((await runSensor(args)).stdout);
      const run = await runSensor([...args, "-quiet", "-fluentd_socket", receiver.socketOption]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(receiver.events.map((e) => e.record), want.map((line) => JSON.parse(line)));
      assert.ok(receiver.events.every((e) => e.tag === "tap9.service"));
    } finally {
      await receiver.stop();
    }
  },
});

Deno.test({
  name: "a forward receiver restarted mid-run loses no record (the sink holds and resends what was not acknowledged)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pdns-fluentd-" });
    const receiver = ForwardReceiver.start(`${dir}/fluentd.sock`);
    try {
      const capture = `${dir}/gen.pcap`;
      const gen = await new Deno.Command("/usr/bin/python3", {
        args: [`${ROOT}scripts/gen_dns_pcap.py`, "--pairs", "10000", "--seed", "3", "--out", capture],
        stdout: "null",
      }).output();
      assert.equal(gen.code, 0);
      const want = lines((await runSensor(["-pcap", capture])).stdout);
      const pcap = await Deno.readFile(capture);
      const { sensor, writer } = stdinSensor([
        "-quiet",
        "-fluentd_socket",
        receiver.socketOption,
        "-sink_timeout",
        "60s",
      ]);
      const third = Math.floor(pcap.length / 3);
      await writer.write(pcap.subarray(0, third));
      for (let i = 0; i < 300 && receiver.events.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(receiver.events.length > 0, "first records received");
      await receiver.stop();
      const before = receiver.events.length;
      await writer.write(pcap.subarray(third, 2 * third)); // sent while the receiver is away
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      receiver.restart();
      await writer.write(pcap.subarray(2 * third));
      await writer.close();
      const { code, stderr } = await sensor.output();
      const log = text(stderr);
      assert.equal(code, 0, log);
      assert.ok(before < want.length / 2, `${before} of ${want.length} records were in before the restart`);
      assert.equal(sinkCounter(log, "failed") + sinkCounter(log, "dropped"), 0, log);
      assert.match(log, /Sink fluentd: .*fluentd\.sock: .*reconnecting/);
      assert.match(log, /Sink fluentd: .*fluentd\.sock: connected again/);
      // At least once: every record is there; a chunk received but not acknowledged before the stop may come twice.
      const got = new Map<string, number>();
      for (const event of receiver.events) got.set(canonical(event), (got.get(canonical(event)) ?? 0) + 1);
      const missing = want.filter((line) => !got.has(JSON.stringify(expectedEvent(line))));
      assert.equal(missing.length, 0, `${missing.length} records lost`);
      assert.ok(receiver.events.length >= want.length);
    } finally {
      await receiver.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("without the permission for the socket the Fluentd sink refuses to start (exit 1), never silently", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdns-fluentd-" });
  try {
    const pcap = `${ROOT}testdata/gopassivedns/a.pcap`;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--config=${ROOT}deno.json`,
        "--allow-read",
        "--allow-env",
        "--allow-sys=hostname",
        `--allow-write=${dir}/elsewhere`,
        `${ROOT}main.ts`,
        "-pcap",
        pcap,
        "-fluentd_socket",
        `${dir}/fluentd.sock`,
      ],
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 1);
    assert.match(text(stderr), /the fluentd sink has no write permission for .*fluentd\.sock: run with --allow-write/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a malformed -fluentd_socket is refused at start-up", async () => {
  const run = await runSensor([
    "-pcap",
    `${ROOT}testdata/gopassivedns/a.pcap`,
    "-fluentd_socket",
    "tcp://127.0.0.1:99999",
  ]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /invalid value "tcp:\/\/127\.0\.0\.1:99999" for -fluentd_socket/);
});

Deno.test("with no server at the socket the records wait, are counted as failed at the deadline, and it is said", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pdns-fluentd-" });
  try {
    const run = await runSensor([
      "-pcap",
      `${ROOT}testdata/gopassivedns/100_udp_lookups.pcap`,
      "-quiet",
      "-fluentd_socket",
      `${dir}/nobody.sock`,
      "-sink_timeout",
      "1s",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(sinkCounter(run.stderr, "failed"), 50, run.stderr);
    assert.equal(sinkCounter(run.stderr, "written"), 0, run.stderr);
    assert.match(run.stderr, /Sink fluentd: .*nobody\.sock: connect ENOENT/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
