/**
 * Replay as a user runs it: `main.ts -pcap FILE` in a subprocess with the shipped permission set, asserting stdout,
 * stderr and the exit status: determinism, standard input, damaged files, -quiet, and the flush on a signal.
 */
import assert from "node:assert/strict";
import { cliTestEachWay, ROOT, runSensor, sensorCommand, text } from "./_cli.ts";
import { tempFile } from "./_temp.ts";

const TESTDATA = `${ROOT}testdata/`;

cliTestEachWay("replaying a capture twice gives byte-identical output", async () => {
  const first = await runSensor(["-pcap", `${TESTDATA}gopassivedns/100_tcp_lookups.pcap`]);
  const second = await runSensor(["-pcap", `${TESTDATA}gopassivedns/100_tcp_lookups.pcap`]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(text(first.stdout).split("\n").length, 301);
  assert.deepEqual(first.stdout, second.stdout);
  const transactionA = await runSensor(["-pcap", `${TESTDATA}crafted/ordering.pcap`, "-format", "transaction"]);
  const transactionB = await runSensor(["-pcap", `${TESTDATA}crafted/ordering.pcap`, "-format", "transaction"]);
  assert.ok(text(transactionA.stdout).trim().split("\n").length >= 2, "two empty runs would be identical too");
  assert.deepEqual(transactionA.stdout, transactionB.stdout);
  // Tunnels and other link types go through the same state: also byte-identical, and not empty.
  const nestedA = await runSensor(["-pcap", `${TESTDATA}tunnels/nested.pcap`, "-format", "transaction"]);
  const nestedB = await runSensor(["-pcap", `${TESTDATA}tunnels/nested.pcap`, "-format", "transaction"]);
  assert.equal(text(nestedA.stdout).trim().split("\n").length, 9);
  assert.deepEqual(nestedA.stdout, nestedB.stdout);
});

cliTestEachWay("-pcap - reads the capture from standard input", async () => {
  const file = `${TESTDATA}gopassivedns/100_udp_lookups.pcap`;
  const fromFile = await runSensor(["-pcap", file]);
  const fromStdin = await runSensor(["-pcap", "-"], await Deno.readFile(file));
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(text(fromStdin.stdout).split("\n").length, 51);
  assert.deepEqual(fromStdin.stdout, fromFile.stdout);
});

cliTestEachWay(
  "a capture cut in the middle of a packet gives every record before the damage, then exit 1",
  async () => {
    const whole = await Deno.readFile(`${TESTDATA}crafted/rrtypes.pcap`);
    const path = tempFile({ suffix: ".pcap" });
    await Deno.writeFile(path, whole.subarray(0, whole.length - 20));
    const run = await runSensor(["-pcap", path]);
    assert.equal(run.code, 1);
    const records = text(run.stdout).trim().split("\n").map((l) => JSON.parse(l));
    // The last response is cut, so its lookup is lost; the seven lookups (eight records) before it are all there.
    assert.deepEqual(records.map((r) => r.q).at(-1), "example.com");
    assert.equal(records.length, 8);
    assert.match(run.stderr, new RegExp(`${path.replaceAll("/", "\\/")} is truncated at byte \\d+`));
    assert.match(run.stderr, /Summary: packets=15 /);
  },
);

cliTestEachWay("a file that is not a capture is a runtime failure naming the file", async () => {
  const path = tempFile({ suffix: ".pcap" });
  await Deno.writeTextFile(path, "this is not a capture file\n");
  const run = await runSensor(["-pcap", path]);
  assert.equal(run.code, 1);
  assert.equal(text(run.stdout), "");
  assert.match(run.stderr, /is not a pcap or pcapng file/);
});

cliTestEachWay("-quiet writes no records but still reports the summary on stderr", async () => {
  const run = await runSensor(["-pcap", `${TESTDATA}gopassivedns/mx.pcap`, "-quiet"]);
  assert.equal(run.code, 0);
  assert.equal(text(run.stdout), "");
  assert.match(run.stderr, /Summary: .*records=5/);
});

cliTestEachWay("SIGTERM while reading standard input flushes what the tables hold", async () => {
  const command = sensorCommand({
    args: [
      "-pcap",
      "-",
      "-format",
      "transaction",
    ],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const writer = child.stdin.getWriter();
  // ordering.pcap ends with a response whose query never came: it is held in the table, stdin stays open.
  await writer.write(await Deno.readFile(`${TESTDATA}crafted/ordering.pcap`));
  const reader = child.stdout.getReader();
  let seen = "";
  while ((seen.match(/\n/g) ?? []).length < 4) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += text(value);
  }
  child.kill("SIGTERM");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += text(value);
  }
  const status = await child.status;
  await writer.close().catch(() => {});
  const stderr = text((await new Response(child.stderr).arrayBuffer()) as unknown as Uint8Array);
  const records = seen.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(status.code, 0, stderr);
  assert.deepEqual(records.map((r) => [r.status, r.reason]).at(-1), ["orphan_response", "end_of_input"]);
  assert.equal(records.length, 5);
  assert.match(stderr, /Caught signal/);
});

/** A classic pcap holding the packets of `small` (a little-endian classic pcap) `copies` times over. */
function repeatedCapture(small: Uint8Array, copies: number): Uint8Array {
  assert.equal(new DataView(small.buffer).getUint32(0, true), 0xa1b2c3d4, "a little-endian classic pcap");
  const header = small.subarray(0, 24);
  const packets = small.subarray(24);
  const big = new Uint8Array(24 + packets.length * copies);
  big.set(header);
  for (let i = 0; i < copies; i++) big.set(packets, 24 + i * packets.length);
  return big;
}

/** Spawns the sensor on `args`, sends `signal` once the first records are out, and collects everything. */
async function signalAfterFirstRecords(args: string[], signal: Deno.Signal) {
  const command = sensorCommand({
    args,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const reader = child.stdout.getReader();
  let seen = "";
  let signalled = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += text(value);
    if (!signalled && seen.includes("\n")) {
      child.kill(signal);
      signalled = true;
    }
  }
  const status = await child.status;
  const stderr = text((await new Response(child.stderr).arrayBuffer()) as unknown as Uint8Array);
  return { status, stdout: seen, stderr };
}

cliTestEachWay(
  "SIGINT during the replay of a large file stops it between two batches, with every record whole",
  async () => {
    // 200 MB of capture (two million packets): hundreds of batches, so the signal comes while packets remain even on
    // a machine several times faster than the test machines (the replay stops within one batch of it).
    const source = `${TESTDATA}real/dnsperf.pcap`;
    const small = await Deno.readFile(source);
    const perCopy = Number(/Summary: packets=(\d+) /.exec((await runSensor(["-pcap", source])).stderr)?.[1]);
    const copies = Math.ceil(200e6 / (small.length - 24));
    const path = await Deno.makeTempFile({ suffix: ".pcap" });
    await Deno.writeFile(path, repeatedCapture(small, copies));
    try {
      const run = await signalAfterFirstRecords(["-pcap", path], "SIGINT");
      assert.equal(run.status.code, 0, run.stderr);
      assert.match(run.stderr, /Caught signal/);
      const packets = Number(/Summary: packets=(\d+) /.exec(run.stderr)?.[1]);
      assert.ok(packets > 0 && packets < copies * perCopy, `stopped early: ${packets} of ${copies * perCopy} packets`);
      const lines = run.stdout.split("\n");
      assert.equal(lines.pop(), "", "output ends with a whole record");
      for (const line of lines) assert.equal(typeof JSON.parse(line).query_id, "number");
    } finally {
      await Deno.remove(path);
    }
  },
);

cliTestEachWay("SIGTERM while a FIFO's writer is idle flushes what the tables hold", async () => {
  // A FIFO is read asynchronously (unlike a regular file), so a read waiting for its writer cannot hold up the signal.
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/capture.pcap`;
  const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.equal(made.code, 0);
  const writing = Deno.open(fifo, { write: true }).then(async (file) => {
    await file.write(await Deno.readFile(`${TESTDATA}crafted/ordering.pcap`));
    return file; // kept open: the sensor waits for more
  });
  const run = await signalAfterFirstRecords(["-pcap", fifo, "-format", "transaction"], "SIGTERM");
  (await writing).close();
  await Deno.remove(dir, { recursive: true });
  assert.equal(run.status.code, 0, run.stderr);
  assert.match(run.stderr, /Caught signal/);
  const records = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => [r.status, r.reason]).at(-1), ["orphan_response", "end_of_input"]);
  assert.equal(records.length, 5);
});
