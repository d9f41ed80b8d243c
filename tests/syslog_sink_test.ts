/**
 * The syslog sink against a real rsyslogd started by the test (tests/_rsyslog.ts): locally through libc syslog(3)
 * (the sensor in a private mount namespace whose /dev/log is the test's socket), and remotely over UDP and TCP
 * (RFC 5424, octet counting). Every record arrives whole and in order, long records included.
 */
import assert from "node:assert/strict";
import { ROOT, sensorArgv, text } from "./_cli.ts";
import { makePrivateDev, type Rsyslog, startRsyslog, withPrivateDev } from "./_rsyslog.ts";
import { tempFile } from "./_temp.ts";
import { be16, message, rr } from "../src/dns/_test_builder.ts";
import { udpFrame } from "../src/decode/_test_frames.ts";
import { pcapFile } from "../src/capture/_test_captures.ts";

const TESTDATA = `${ROOT}testdata/`;

async function run(command: string[]) {
  // A watchdog, not a timing: a sensor that never ends is killed, and the test fails on its status.
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(120_000),
  }).output();
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

/** `facility.severity programname msg` lines → the messages (the local path's msg keeps the space after the tag). */
function messages(lines: string[], prefix: string): string[] {
  return lines.map((line) => {
    assert.ok(line.startsWith(prefix), `${line.slice(0, 80)} starts with ${prefix}`);
    return line.slice(prefix.length).replace(/^ /, "");
  });
}

/**
 * A capture with one lookup whose TXT answer holds `strings` character-strings of 250 bytes: letters (a record of
 * ~N×250 B), or with `escaped` the byte 0x01, written `\\001` in JSON (a record of ~N×1 250 B).
 */
function bigTxtCapture(strings: number, escaped = false): string {
  const rdata: number[] = [];
  for (let i = 0; i < strings; i++) rdata.push(250, ...new Array(250).fill(escaped ? 1 : 0x61 + (i % 26)));
  const query = message({ id: 7, flags: 0x0100, questions: [["big.example", 16]] });
  const response = message({ id: 7, questions: [["big.example", 16]], answers: [rr("big.example", 16, 300, rdata)] });
  assert.ok(be16(response.length).length === 2 && response.length < 65_000);
  const path = tempFile({ suffix: ".pcap" });
  Deno.writeFileSync(
    path,
    pcapFile({}, [
      { sec: 1_500_000_000, frac: 0, data: udpFrame(query) },
      { sec: 1_500_000_000, frac: 1000, data: udpFrame(response, true) },
    ]),
  );
  return path;
}

async function withRsyslog(fn: (rsyslog: Rsyslog) => Promise<void>): Promise<void> {
  const rsyslog = await startRsyslog();
  try {
    await fn(rsyslog);
  } finally {
    await rsyslog.stop();
  }
}

Deno.test("local syslog: every record arrives whole and in order, with the facility, severity and tag asked for", async () => {
  await withRsyslog(async (rsyslog) => {
    const big = bigTxtCapture(200); // a 51 KB record: past rsyslog's default 8 KiB limit, within this daemon's
    const huge = bigTxtCapture(150, true); // 188 KB: under the local limit (LOCAL_MAX_RECORD)
    const expected: string[] = [];
    for (const pcap of [`${TESTDATA}real/dnsperf.pcap`, `${TESTDATA}gopassivedns/100_tcp_lookups.pcap`, big, huge]) {
      const result = await run(rsyslog.inNamespace(sensorArgv([
        "-pcap",
        pcap,
        "-syslog_facility",
        "local3",
        "-syslog_priority",
        "Notice",
        "-syslog_tag",
        "pdns-test",
      ])));
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split("\n").slice(0, -1);
      assert.match(result.stderr, new RegExp(`syslog\\.written=${lines.length}\\b`));
      expected.push(...lines);
    }
    assert.equal(expected.length, 392 + 300 + 1 + 1);
    const received = messages(await rsyslog.waitForLines(expected.length), "local3.notice pdns-test ");
    assert.deepEqual(received, expected);
    assert.ok(received.at(-2)!.length > 50_000, `the long record arrived whole (${received.at(-2)!.length} bytes)`);
    assert.ok(received.at(-1)!.length > 180_000, `the longest arrived whole (${received.at(-1)!.length} bytes)`);

    // Past the local limit, a record is not sent (libc would drop it without a word) and is counted as failed.
    const tooLong = await run(rsyslog.inNamespace(sensorArgv([
      "-pcap",
      bigTxtCapture(250, true),
      "-quiet",
      "-syslog_facility",
      "local3",
      "-syslog_priority",
      "Notice",
    ])));
    assert.equal(tooLong.code, 0, tooLong.stderr);
    assert.match(tooLong.stderr, /records=1 records_dropped=1 syslog\.failed=1$/m);
    assert.equal(JSON.parse(received[0]).level, "Notice", "level is the -syslog_priority text as given");
  });
});

for (const transport of ["udp", "tcp"] as const) {
  Deno.test(`remote syslog over ${transport}: RFC 5424 messages, every record whole and in order`, async () => {
    await withRsyslog(async (rsyslog) => {
      const port = transport === "udp" ? rsyslog.udpPort : rsyslog.tcpPort;
      const expected: string[] = [];
      // A 188 KB record: whole over TCP; too long for one UDP datagram, so counted as failed there.
      for (const pcap of [`${TESTDATA}real/dnsperf.pcap`, bigTxtCapture(200), bigTxtCapture(150, true)]) {
        const result = await run(sensorArgv([
          "-pcap",
          pcap,
          "-syslog_facility",
          "daemon",
          "-syslog_priority",
          "info",
          "-syslog_server",
          `${transport}://127.0.0.1:${port}`,
        ]));
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stdout.split("\n").slice(0, -1);
        if (transport === "udp" && lines[0].length > 65_507) {
          assert.match(result.stderr, /records_dropped=1 stdout\.written=1 syslog\.failed=1$/m);
          continue;
        }
        expected.push(...lines);
      }
      assert.equal(expected.length, transport === "udp" ? 393 : 394);
      const received = messages(await rsyslog.waitForLines(expected.length), "daemon.info denopassivedns ");
      if (transport === "tcp") assert.deepEqual(received, expected);
      // UDP over loopback keeps order here, but the test only relies on every record arriving whole.
      else assert.deepEqual([...received].sort(), [...expected].sort());
    });
  });
}

Deno.test("remote syslog to a server that is down: retried until -sink_timeout, then counted as failed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const result = await run(sensorArgv([
    "-pcap",
    `${TESTDATA}gopassivedns/100_udp_lookups.pcap`,
    "-quiet",
    "-syslog_facility",
    "daemon",
    "-syslog_priority",
    "info",
    "-syslog_server",
    `tcp://127.0.0.1:${port}`,
    "-sink_timeout",
    "300ms",
  ]));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stderr.match(/Sink syslog: delivery failed, retrying with back-off: .*refused/gi)?.length,
    1,
    "one report for the outage",
  );
  assert.match(result.stderr, /records_dropped=50 syslog\.failed=50 syslog\.retried=\d+/);
});

Deno.test("local syslog without a /dev/log is a runtime failure naming it, as in the original", async () => {
  const dir = Deno.makeTempDirSync();
  await makePrivateDev(dir);
  const result = await run(
    withPrivateDev(
      dir,
      sensorArgv(["-pcap", `${TESTDATA}gopassivedns/a.pcap`, "-syslog_facility", "user", "-syslog_priority", "info"]),
    ),
  );
  Deno.removeSync(dir, { recursive: true });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /failed to connect to the local syslog daemon: \/dev\/log does not exist/);
});

Deno.test("a stopped syslog daemon does not stall the replay: records are dropped and counted, exit within the deadline", async () => {
  await withRsyslog(async (rsyslog) => {
    const dir = Deno.makeTempDirSync();
    const pcap = `${dir}/traffic.pcap`;
    const generated = await new Deno.Command("/usr/bin/python3", {
      args: [`${ROOT}scripts/gen_dns_pcap.py`, "--pairs", "20000", "-o", pcap],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(generated.code, 0);
    rsyslog.signal("SIGSTOP"); // its socket fills up, and syslog(3) in the worker blocks
    const result = await run(rsyslog.inNamespace(sensorArgv([
      "-pcap",
      pcap,
      "-quiet",
      "-logfile",
      `${dir}/dns.log`,
      "-syslog_facility",
      "user",
      "-syslog_priority",
      "info",
      "-sink_queue_mb",
      "1",
      "-sink_timeout",
      "500ms",
    ])));
    rsyslog.signal("SIGCONT");
    assert.equal(result.code, 0, result.stderr);
    const summary = /Summary: (.*)$/m.exec(result.stderr)![1];
    const value = (name: string) =>
      Number(new RegExp(`\\b${name.replaceAll(".", "\\.")}=(\\d+)`).exec(summary)?.[1] ?? 0);
    const records = value("records");
    assert.ok(records > 30_000);
    assert.equal(value("file.written"), records, "the file sink got every record, unaffected");
    assert.ok(value("syslog.dropped") > 0, summary);
    assert.equal(
      value("syslog.written") + value("syslog.dropped") + value("syslog.failed"),
      records,
      "every record is delivered or counted",
    );
    assert.equal(value("records_dropped"), value("syslog.dropped") + value("syslog.failed"));
    Deno.removeSync(dir, { recursive: true });
  });
});

/** The packets of a classic pcap, split after `first` packets: [header + first packets, the other packets]. */
function splitCapture(capture: Uint8Array, first: number): [Uint8Array, Uint8Array] {
  const view = new DataView(capture.buffer, capture.byteOffset);
  let at = 24;
  for (let i = 0; i < first; i++) at += 16 + view.getUint32(at + 8, true);
  return [capture.subarray(0, at), capture.subarray(at)];
}

Deno.test("remote syslog over TCP: a server restarted mid-replay gets every record once, in order", async () => {
  await withRsyslog(async (rsyslog) => {
    const dir = Deno.makeTempDirSync();
    const fifo = `${dir}/capture.pcap`;
    assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
    const [part1, part2] = splitCapture(await Deno.readFile(`${TESTDATA}real/dnsperf.pcap`), 320);
    const child = new Deno.Command(sensorArgv([])[0], {
      args: [
        ...sensorArgv([]).slice(1),
        "-pcap",
        fifo,
        "-syslog_facility",
        "local1",
        "-syslog_priority",
        "info",
        "-syslog_server",
        `tcp://127.0.0.1:${rsyslog.tcpPort}`,
        "-sink_timeout",
        "60s",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    const writer = await Deno.open(fifo, { write: true });
    await writer.write(part1);
    const first = (await rsyslog.waitForLines(1)).length;
    for (let seen = 0; seen !== rsyslog.lines().length;) { // until the first half has all arrived
      seen = rsyslog.lines().length;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    assert.ok(first > 0);
    await rsyslog.kill(false); // the server goes away while the sensor is connected
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writer.write(part2); // delivered to nobody: refused, retried with back-off
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rsyslog.start();
    writer.close();
    const result = await output;
    const stderr = text(result.stderr);
    assert.equal(result.code, 0, stderr);
    const expected = text(result.stdout).split("\n").slice(0, -1);
    assert.equal(expected.length, 392);
    const received = messages(await rsyslog.waitForLines(expected.length), "local1.info denopassivedns ");
    assert.deepEqual(received, expected);
    assert.match(stderr, /Sink syslog: delivery failed, retrying with back-off: /);
    assert.match(stderr, /Sink syslog: delivering again/);
    assert.match(stderr, /syslog\.written=392 syslog\.retried=\d+/);
    Deno.removeSync(dir, { recursive: true });
  });
});

Deno.test("rsyslog's own default limit (8 KiB) cuts a longer record: the limit is the daemon's, not ours", async () => {
  const rsyslog = await startRsyslog(null);
  try {
    const result = await run(rsyslog.inNamespace(sensorArgv([
      "-pcap",
      bigTxtCapture(200),
      "-syslog_facility",
      "local3",
      "-syslog_priority",
      "info",
    ])));
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.length > 50_000);
    const [received] = messages(await rsyslog.waitForLines(1), "local3.info denopassivedns ");
    assert.ok(received.length < 8192, `rsyslog kept ${received.length} bytes`);
    assert.ok(result.stdout.startsWith(received), "what it kept is the start of the record");
  } finally {
    await rsyslog.stop();
  }
});
