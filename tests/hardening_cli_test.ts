/**
 * Issue 7 as a user meets it, in subprocesses with the shipped permission set: hostile timestamps, outputs that fail
 * (stdout closed, read-only, a closed pipe, /dev/full, a full filesystem), a reader that never reads with two
 * signals (during capture and during the end-of-input flush), the summary on every exit path, and `-cpuprofile`
 * under the `replay` task's own flags. No timed assertions: the deadlines below only stop a hung run.
 */
import assert from "node:assert/strict";
import { pcapFile } from "../src/capture/_test_captures.ts";
import { ethernet, ipv4, udp } from "../src/decode/_test_frames.ts";
import { cliTestEachWay, ROOT, runSensor, sensorArgv, sensorCommand, text, threadsEnv } from "./_cli.ts";
import { tempDir } from "./_temp.ts";

const TESTDATA = `${ROOT}testdata/`;
const STACK_FRAME = /^\s+at /m;

/** The sensor as a shell command line with the shipped permissions, for tests that need shell redirections. */
function sensorShellLine(args: string[]): string {
  return sensorArgv(args).map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ");
}

async function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("bash", { args: ["-c", script], env: { NO_COLOR: "1", ...threadsEnv() } })
    .output();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** A classic pcap of `copies` copies of the packets of testdata/real/dnsperf.pcap (~74 KB each). */
async function bigCapture(copies: number): Promise<string> {
  const small = await Deno.readFile(`${TESTDATA}real/dnsperf.pcap`);
  const packets = small.subarray(24);
  const big = new Uint8Array(24 + packets.length * copies);
  big.set(small.subarray(0, 24));
  for (let i = 0; i < copies; i++) big.set(packets, 24 + i * packets.length);
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  await Deno.writeFile(path, big);
  return path;
}

function summaryOf(stderr: string): string {
  const line = /Summary: .*/.exec(stderr)?.[0];
  assert.ok(line !== undefined, `no summary in: ${stderr}`);
  return line;
}

function counter(summary: string, name: string): number {
  return Number(new RegExp(`[ :]${name.replaceAll(".", "\\.")}=(\\d+)`).exec(summary)?.[1] ?? 0);
}

for (const format of ["gopassivedns", "transaction"]) {
  cliTestEachWay(
    `the hostile timestamp captures give records and a summary, never an exception (${format})`,
    async () => {
      for (const name of ["ts_offset_neg", "ts_huge_query", "ts_huge_pair", "ts_resol_sec"]) {
        const run = await runSensor(["-pcap", `${TESTDATA}hostile/${name}.pcapng`, "-format", format]);
        assert.equal(run.code, 0, `${name}: ${run.stderr}`);
        assert.doesNotMatch(run.stderr, STACK_FRAME, name);
        assert.doesNotMatch(run.stderr, /RangeError|Invalid time/, name);
        const out = text(run.stdout);
        assert.ok(out === "" || out.endsWith("}\n"), `${name}: stdout ends with a whole record`);
        for (const line of out.split("\n").slice(0, -1)) JSON.parse(line);
        const summary = summaryOf(run.stderr);
        assert.equal(counter(summary, "stdout.written"), counter(summary, "records"), name);
        assert.ok(counter(summary, "timestamps_clamped") >= 1, `${name}: ${summary}`);
      }
    },
  );
}

cliTestEachWay("the hostile timestamps are written as documented: clamped to year 275760 or -271821", async () => {
  // The response 2^64-1 µs after the epoch comes ~273 000 years after its query, which has expired by then.
  const pair = await runSensor(["-pcap", `${TESTDATA}hostile/ts_huge_pair.pcapng`, "-format", "transaction"]);
  const [query, response] = text(pair.stdout).trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual([query.status, query.query_time], ["unanswered", "2023-11-14T22:13:20.000000000Z"]);
  assert.deepEqual([response.status, response.response_time], ["orphan_response", "275760-09-13T00:00:00.000000000Z"]);
  const negative = await runSensor(["-pcap", `${TESTDATA}hostile/ts_offset_neg.pcapng`, "-format", "transaction"]);
  const record = JSON.parse(text(negative.stdout));
  assert.equal(record.query_time, "-271821-04-20T00:00:00.000000000Z");
  assert.equal(record.rtt_ns, 0);
  // if_tsresol 0: the query at 1.7 * 10^9 s is written as it is; 10^13 s (year 318857) is past the range.
  const seconds = await runSensor(["-pcap", `${TESTDATA}hostile/ts_resol_sec.pcapng`, "-format", "transaction"]);
  assert.match(text(seconds.stdout), /"query_time":"2023-11-14T22:13:20\.000000000Z"/);
  assert.match(text(seconds.stdout), /"response_time":"275760-09-13T00:00:00\.000000000Z"/);
});

cliTestEachWay("stdout closed (>&-) or open read-only: reported once, counted, exit 1 with the summary", async () => {
  const file = `${TESTDATA}gopassivedns/100_udp_lookups.pcap`;
  for (const redirect of [">&-", "1</dev/null"]) {
    const run = await bash(`${sensorShellLine(["-pcap", file])} ${redirect}`);
    assert.equal(run.code, 1, `${redirect}: ${run.stderr}`);
    assert.equal(run.stderr.match(/Cannot write records to stdout: Bad file descriptor/g)?.length, 1, run.stderr);
    assert.doesNotMatch(run.stderr, STACK_FRAME);
    const summary = summaryOf(run.stderr);
    assert.equal(counter(summary, "stdout.failed"), 50, summary);
    assert.equal(counter(summary, "stdout.written"), 0, summary);
  }
});

cliTestEachWay("stdout on /dev/null by choice is not a failure", async () => {
  const run = await bash(`${sensorShellLine(["-pcap", `${TESTDATA}gopassivedns/mx.pcap`])} >/dev/null`);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(counter(summaryOf(run.stderr), "stdout.written"), 5);
});

cliTestEachWay(
  "a reader that closes the pipe (| head) stops the sensor quietly with status 141 and the summary",
  async () => {
    const path = await bigCapture(30);
    try {
      const child = sensorCommand({
        args: ["-pcap", path],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.getReader();
      const first = await reader.read();
      assert.ok(first.value !== undefined && first.value.length > 0);
      await reader.cancel(); // closes the read end, as head does after its first line
      const log = await new Response(child.stderr).text();
      const { code } = await child.status;
      assert.equal(code, 141, log);
      assert.doesNotMatch(log, /ERR|Error|BrokenPipe/);
      assert.doesNotMatch(log, STACK_FRAME);
      const summary = summaryOf(log);
      assert.ok(counter(summary, "stdout.failed") > 0, summary);
      assert.equal(counter(summary, "stdout.written") + counter(summary, "stdout.failed"), counter(summary, "records"));
    } finally {
      await Deno.remove(path);
    }
  },
);

cliTestEachWay("stdout on /dev/full: a clear message, the summary, exit 1", async () => {
  const run = await bash(`${sensorShellLine(["-pcap", `${TESTDATA}gopassivedns/100_tcp_lookups.pcap`])} >/dev/full`);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /Cannot write records to stdout: No space left on device \(os error 28\)/);
  assert.doesNotMatch(run.stderr, STACK_FRAME);
  assert.equal(counter(summaryOf(run.stderr), "stdout.failed"), 300);
});

cliTestEachWay("stdout to a file on a full filesystem ends with a whole record, and the counts add up", async () => {
  // A 256 KiB tmpfs in a mount namespace of its own (root, util-linux's unshare): no other process sees it.
  const path = await bigCapture(30);
  const mountPoint = await Deno.makeTempDir();
  try {
    const script = `mount -t tmpfs -o size=256k tmpfs '${mountPoint}' || exit 99
      ${sensorShellLine(["-pcap", path])} > '${mountPoint}/records.json'
      status=$?; cat '${mountPoint}/records.json'; exit $status`;
    const run = await bash(`unshare -m bash -c '${script.replaceAll("'", "'\\''")}'`);
    assert.notEqual(run.code, 99, `cannot mount a tmpfs: ${run.stderr}`);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Cannot write records to stdout: No space left on device/);
    assert.ok(run.stdout.length > 200_000 && run.stdout.length <= 256 * 1024, `${run.stdout.length} bytes`);
    assert.ok(run.stdout.endsWith("}\n"), "the file ends with a whole record");
    const lines = run.stdout.split("\n").slice(0, -1);
    for (const line of lines) JSON.parse(line);
    const summary = summaryOf(run.stderr);
    assert.equal(counter(summary, "stdout.written"), lines.length, summary);
    assert.equal(counter(summary, "stdout.written") + counter(summary, "stdout.failed"), counter(summary, "records"));
  } finally {
    await Deno.remove(path);
    await Deno.remove(mountPoint);
  }
});

cliTestEachWay(
  "every exit path after the configuration prints the summary: empty, non-capture, unreadable input",
  async () => {
    const empty = await Deno.makeTempFile({ suffix: ".pcap" });
    const notCapture = await Deno.makeTempFile({ suffix: ".pcap" });
    await Deno.writeTextFile(notCapture, "not a capture\n");
    try {
      for (const path of [empty, notCapture, tempDir()]) {
        const run = await runSensor(["-pcap", path]);
        assert.equal(run.code, 1, run.stderr);
        assert.doesNotMatch(run.stderr, STACK_FRAME);
        assert.match(run.stderr, /Summary: packets=0/);
      }
    } finally {
      await Deno.remove(empty);
      await Deno.remove(notCapture);
    }
  },
);

/**
 * Spawns the sensor with a stdout nobody reads, waits `settleMs` for it to fill the pipe and block, sends SIGTERM
 * (`signals` times, 300 ms apart), and returns its status (killed after a generous deadline if it never exits, which
 * fails the test).
 */
async function signalsWhileStalled(args: string[], settleMs: number, signals = 2) {
  const child = sensorCommand({
    args,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  for (let i = 0; i < signals; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGTERM");
  }
  let hung = false;
  const deadline = setTimeout(() => {
    hung = true;
    child.kill("SIGKILL");
  }, 30_000);
  const status = await child.status;
  clearTimeout(deadline);
  await child.stdout.cancel();
  return { status, hung, stderr: await stderr };
}

cliTestEachWay("a reader that never reads: the second SIGTERM ends the blocked sensor with status 130", async () => {
  const path = await bigCapture(30);
  try {
    const run = await signalsWhileStalled(["-pcap", path], 2000);
    assert.equal(run.hung, false, "the sensor ignored two signals");
    assert.equal(run.status.code, 130, run.stderr);
    assert.match(run.stderr, /Second signal/);
    assert.doesNotMatch(run.stderr, STACK_FRAME);
  } finally {
    await Deno.remove(path);
  }
});

cliTestEachWay(
  "a reader that never reads: one SIGTERM stops the sensor, the records it could not take counted",
  async () => {
    // The pipe is written without blocking; once a signal asked to stop, 5 s without the reader reading ends the wait.
    const path = await bigCapture(30);
    try {
      const run = await signalsWhileStalled(["-pcap", path], 2000, 1);
      assert.equal(run.hung, false, "the sensor ignored the signal");
      assert.equal(run.status.code, 1, run.stderr);
      assert.match(run.stderr, /Cannot write records to stdout: its reader has read nothing for \d+(\.\d+)? s/);
      const summary = summaryOf(run.stderr);
      assert.ok(counter(summary, "stdout.failed") > 0, summary);
      assert.doesNotMatch(run.stderr, STACK_FRAME);
    } finally {
      await Deno.remove(path);
    }
  },
);

cliTestEachWay("a second SIGTERM during the end-of-input flush ends the sensor with status 130", async () => {
  // Only queries: nothing is written until the end of input, when the transaction format writes every unanswered
  // one (megabytes, far more than a pipe holds), so the flush blocks on the reader that never reads.
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  // Debian's interpreter, installed by scripts/install_test_deps.sh (the python3 first on PATH may be another one).
  const made = await new Deno.Command("/usr/bin/python3", {
    args: [`${ROOT}scripts/gen_dns_pcap.py`, "-n", "3000", "--unanswered", "1.0", "-o", path],
    stdout: "null",
  }).output();
  assert.equal(made.code, 0);
  try {
    const run = await signalsWhileStalled(["-pcap", path, "-format", "transaction"], 3000);
    assert.equal(run.hung, false, "the sensor ignored two signals");
    assert.equal(run.status.code, 130, run.stderr);
    assert.doesNotMatch(run.stderr, STACK_FRAME);
  } finally {
    await Deno.remove(path);
  }
});

/** `count` queries that are never answered, each from its own client address and port, all in the same second. */
async function unansweredQueries(count: number): Promise<string> {
  const message = Uint8Array.of(0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 97, 0, 0, 1, 0, 1);
  const template = ethernet(0x0800, ipv4([10, 1, 0, 1], [10, 0, 0, 53], 17, udp(1024, 53, message)));
  const header = pcapFile({}, []);
  const size = 16 + template.length;
  const file = new Uint8Array(header.length + count * size);
  file.set(header);
  const view = new DataView(file.buffer);
  for (let i = 0; i < count; i++) {
    const at = header.length + i * size;
    view.setUint32(at, 1_700_000_000, true);
    view.setUint32(at + 4, i % 1_000_000, true);
    view.setUint32(at + 8, template.length, true);
    view.setUint32(at + 12, template.length, true);
    file.set(template, at + 16);
    // Client address 10.1.x.y and port: every query its own lookup. (UDP checksum 0: none; the IP checksum is not
    // checked by the decoder.)
    view.setUint16(at + 16 + 14 + 14, i >> 8 & 0xffff);
    view.setUint16(at + 16 + 14 + 20, 1024 + (i % 60000));
    view.setUint16(at + 16 + 14 + 28, i & 0xffff);
  }
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  await Deno.writeFile(path, file);
  return path;
}

cliTestEachWay("two SIGINTs during a long synchronous end-of-input flush end the sensor with status 130", async () => {
  // 150 000 pending queries, written as transactions at the end of input to /dev/null: seconds of CPU-bound work in
  // which the main thread never returns to its event loop.
  const path = await unansweredQueries(150_000);
  try {
    const child = sensorCommand({
      args: [
        ...["-pcap", path, "-format", "transaction", "-max_pending", "200000", "-debug"],
      ],
      env: { NO_COLOR: "1" },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    while (!log.includes("Input ended")) {
      const { value, done } = await reader.read();
      if (done) break;
      log += value;
    }
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGINT");
    const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const status = await child.status;
    clearTimeout(deadline);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) log += chunk.value;
    assert.equal(status.code, 130, log);
    assert.match(log, /Second signal/);
    assert.doesNotMatch(log, STACK_FRAME);
  } finally {
    await Deno.remove(path);
  }
});

cliTestEachWay("-cpuprofile works under the replay task's own permission flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const flags = (config.tasks.replay as string).split(/\s+/).filter((word) => word.startsWith("--allow-"));
  const replayWithProfile = (profile: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...flags,
        `${ROOT}main.ts`,
        "-pcap",
        `${TESTDATA}gopassivedns/a.pcap`,
        "-cpuprofile",
        profile,
      ],
      env: { NO_COLOR: "1", ...threadsEnv() },
    }).output();
  const dir = await Deno.makeTempDir();
  try {
    const profile = `${dir}/run.cpuprofile`;
    const out = await replayWithProfile(profile);
    assert.equal(out.code, 0, text(out.stderr));
    const parsed = JSON.parse(await Deno.readTextFile(profile));
    assert.equal(parsed.nodes[0].callFrame.functionName, "(root)");
    const bad = await replayWithProfile(`${dir}/no/such/dir/p`);
    assert.equal(bad.code, 1);
    assert.match(text(bad.stderr), /Cannot profile to .*no\/such\/dir\/p \(-cpuprofile\)/);
    assert.doesNotMatch(text(bad.stderr), STACK_FRAME);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
