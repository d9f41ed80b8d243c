/**
 * `-numprocs 2` (one lookup worker) and 4 (three, taking the batches in turn) against `-numprocs 1` on captures large
 * enough to start the workers by themselves: byte-identical records and the same summary, with the table bounds,
 * expiry sweeps and floods of unpaired messages exercised, to stdout (written by the workers) and to a file (through
 * the main thread's sinks); and a worker that fails (throws, or cannot start) ends the run with status 1 and one line,
 * never a hang. The golden, consistency, transaction and CLI suites also run each way (tests/_replay.ts,
 * tests/_cli.ts).
 */
import assert from "node:assert/strict";
import { ROOT, runSensor, startPermissions, text } from "./_cli.ts";
import {
  CORES_VARIABLE,
  WORKER_ANY_SIZE_VARIABLE,
  WORKER_AT_ONCE_VARIABLE,
  WORKER_FAIL_AT_VARIABLE,
} from "../src/parallel/test_hooks.ts";
import { SMALL_CAPTURE_BYTES } from "../src/sensor.ts";

/** These captures are smaller than SMALL_CAPTURE_BYTES: a worker is started for them only with this hook. */
const ANY_SIZE = { [WORKER_ANY_SIZE_VARIABLE]: "1" };
/** And `-numprocs 4` on a machine of two cores gives four threads only with this one. */
const FOUR_CORES = { ...ANY_SIZE, [CORES_VARIABLE]: "4" };

const dir = await Deno.makeTempDir({ prefix: "numprocs_test_" });
const GENERATED = `${dir}/pairs.pcap`;
const FLOOD_QUERIES = `${dir}/queries.pcap`;
const FLOOD_RESPONSES = `${dir}/responses.pcap`;

/** Debian's interpreter (scripts/install_test_deps.sh): the generators need only the standard library. */
async function python(script: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [`${ROOT}scripts/${script}`, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, text(stderr));
}

let generated: Promise<void> | null = null;
/** The captures, made once for the tests of this file. */
function captures(): Promise<void> {
  generated ??= Promise.all([
    // 25 s of packet time at 2 000 queries/s: many expiry sweeps with a short -gc_age and -gc_interval.
    python("gen_dns_pcap.py", ["--pairs", "50000", "--seed", "13", "--no-l4-checksum", "-o", GENERATED]),
    python("gen_flood_pcap.py", ["queries", "20000", FLOOD_QUERIES]),
    python("gen_flood_pcap.py", ["responses", "20000", FLOOD_RESPONSES]),
  ]).then(() => {});
  return generated;
}

/** The summary line, without its time stamp. */
function summary(stderr: string): string {
  const line = stderr.split("\n").find((l) => l.includes("Summary: "));
  assert.ok(line, stderr);
  return line.slice(line.indexOf("Summary: "));
}

const CASES: [string, () => string, string[]][] = [
  ["generated traffic, default format", () => GENERATED, []],
  ["generated traffic, transaction format", () => GENERATED, ["-format", "transaction"]],
  [
    "generated traffic with a small table and quick expiry",
    () => GENERATED,
    ["-max_pending", "10", "-gc_age", "-300ms", "-gc_interval", "250ms"],
  ],
  [
    "a flood of unanswered queries past the table bound, transaction format",
    () => FLOOD_QUERIES,
    ["-format", "transaction", "-max_pending", "1000"],
  ],
  [
    "a flood of orphan responses past the byte bound, transaction format",
    () => FLOOD_RESPONSES,
    ["-format", "transaction", "-max_pending_bytes", "1048576"],
  ],
  [
    // 20 000 records written by one give-up at the end of input: more than the worker's output slots hold
    // (src/parallel/worker_lane.ts OUTPUT_SLOTS), so it waits for the main thread to free them, in order.
    "20 000 unanswered queries written at the end of input, transaction format",
    () => FLOOD_QUERIES,
    ["-format", "transaction"],
  ],
];

for (const [name, capture, extra] of CASES) {
  Deno.test(`-numprocs 2 and 4 give the bytes and counts of -numprocs 1: ${name}`, async () => {
    await captures();
    const args = ["-pcap", capture(), "-debug", ...extra];
    const one = await runSensor([...args, "-numprocs", "1"]);
    const two = await runSensor([...args, "-numprocs", "2"], undefined, ANY_SIZE);
    const four = await runSensor([...args, "-numprocs", "4"], undefined, FOUR_CORES);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    assert.equal(four.code, 0, four.stderr);
    assert.doesNotMatch(one.stderr, /Starting .*lookup worker/);
    assert.match(two.stderr, /Starting the lookup worker/, "large enough to start the worker by itself");
    assert.match(four.stderr, /Starting 3 lookup workers/);
    assert.ok(one.stdout.length > 0 || extra.includes("-max_pending"), "records written");
    assert.ok(text(one.stdout) === text(two.stdout), "byte-identical records, one worker");
    assert.ok(text(one.stdout) === text(four.stdout), "byte-identical records, three workers");
    assert.equal(summary(two.stderr), summary(one.stderr));
    assert.equal(summary(four.stderr), summary(one.stderr));
  });
}

for (const format of ["gopassivedns", "transaction"]) {
  Deno.test(`-numprocs 3 through the main thread's sinks (-logfile), ${format} format: the bytes of -numprocs 1`, async () => {
    await captures();
    // With a file the workers send their records back and this thread writes them, in batch order.
    const records: string[] = [];
    for (const [numprocs, env] of [["1", {}], ["3", FOUR_CORES]] as const) {
      const file = `${dir}/records_${numprocs}_${format}.json`;
      const args = ["-pcap", GENERATED, "-format", format, "-logfile", file, "-numprocs", numprocs, "-debug"];
      const run = await runSensor(args, undefined, env);
      assert.equal(run.code, 0, run.stderr);
      if (numprocs === "3") assert.match(run.stderr, /Starting 2 lookup workers/);
      records.push(await Deno.readTextFile(file));
      await Deno.remove(file);
    }
    assert.ok(records[0].length > 1_000_000, `${records[0].length} bytes`);
    assert.ok(records[0] === records[1], "byte-identical records");
  });
}

Deno.test("-numprocs beyond the machine's cores gives as many threads as cores, and says so", async () => {
  await captures();
  const args = ["-pcap", GENERATED, "-debug", "-numprocs", "8"];
  const two = await runSensor(args, undefined, { ...ANY_SIZE, [CORES_VARIABLE]: "2" });
  assert.equal(two.code, 0, two.stderr);
  assert.match(two.stderr, /-numprocs 8: using 2 threads/);
  assert.match(two.stderr, /Starting the lookup worker/);
  const one = await runSensor(["-pcap", GENERATED, "-numprocs", "1"]);
  assert.ok(text(one.stdout) === text(two.stdout));
});

Deno.test("-numprocs 2, default format: a flood of unanswered queries sends the worker nothing, same counts", async () => {
  // The pairing engine runs on the decoding thread and the worker writes records: this flood has none to write.
  await captures();
  const args = ["-pcap", FLOOD_QUERIES, "-debug", "-max_pending", "1000"];
  const one = await runSensor([...args, "-numprocs", "1"]);
  const two = await runSensor([...args, "-numprocs", "2"], undefined, ANY_SIZE);
  assert.equal(two.code, 0, two.stderr);
  assert.doesNotMatch(two.stderr, /Starting the lookup worker/);
  assert.equal(two.stdout.length, 0);
  assert.match(summary(two.stderr), / correlation_evicted=19000\b/);
  assert.equal(summary(two.stderr), summary(one.stderr));
});

Deno.test("the bounds and sweeps of these cases are reached (the comparison above covers them)", async () => {
  await captures();
  const [, , smallTable] = CASES[2];
  const swept = summary((await runSensor(["-pcap", GENERATED, "-quiet", "-numprocs", "2", ...smallTable])).stderr);
  assert.match(swept, / queries_unanswered=\d+/);
  assert.match(swept, / correlation_evicted=\d+/);
  const flood = summary((await runSensor(["-pcap", FLOOD_QUERIES, "-quiet", "-numprocs", "2", ...CASES[3][2]])).stderr);
  assert.match(flood, / correlation_evicted=19000\b/);
  const bytes = summary(
    (await runSensor(["-pcap", FLOOD_RESPONSES, "-quiet", "-numprocs", "2", ...CASES[4][2]])).stderr,
  );
  assert.match(bytes, / correlation_evicted=\d+/);
});

Deno.test("a small capture with -numprocs 2 runs inline (no worker started), with the same records", async () => {
  const capture = `${ROOT}testdata/gopassivedns/100_tcp_lookups.pcap`;
  const one = await runSensor(["-pcap", capture, "-numprocs", "1"]);
  const two = await runSensor(["-pcap", capture, "-numprocs", "2", "-debug"]);
  assert.doesNotMatch(two.stderr, /Starting the lookup worker/);
  assert.ok(one.stdout.length > 1000);
  assert.ok(text(one.stdout) === text(two.stdout));
});

Deno.test("a capture file under 32 MiB is replayed on one thread whatever -numprocs says, with the same records", async () => {
  await captures();
  assert.ok((await Deno.stat(GENERATED)).size < SMALL_CAPTURE_BYTES);
  const args = ["-pcap", GENERATED, "-debug"];
  const one = await runSensor([...args, "-numprocs", "1"]);
  const two = await runSensor([...args, "-numprocs", "2"]);
  assert.doesNotMatch(two.stderr, /Starting the lookup worker/);
  assert.ok(text(one.stdout) === text(two.stdout));
  // Not vacuous: the same file with the hook that lifts the size rule gets a worker.
  const worker = await runSensor([...args, "-numprocs", "2"], undefined, ANY_SIZE);
  assert.match(worker.stderr, /Starting the lookup worker/);
  assert.ok(text(one.stdout) === text(worker.stdout));
});

Deno.test("a lookup worker that throws ends the run with status 1, one line and the summary, no stack trace", async () => {
  await captures();
  // Three workers: the others stop at their next turn (writing stdout) or are ended (records sent back).
  const runs: [string, number, boolean][] = [
    ["2", 1, false],
    ["2", 30_000, false],
    ["4", 1, false],
    ["4", 3_000, false],
    ["4", 3_000, true],
  ];
  for (const [threads, failAt, logfile] of runs) {
    const file = `${dir}/failing.json`;
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--config=${ROOT}deno.json`,
        ...startPermissions(),
        `${ROOT}main.ts`,
        "-pcap",
        GENERATED,
        ...(logfile ? ["-logfile", file] : []),
      ],
      env: {
        NO_COLOR: "1",
        PDNS_THREADS: `${threads}`,
        [CORES_VARIABLE]: "4",
        [WORKER_AT_ONCE_VARIABLE]: "1",
        [WORKER_FAIL_AT_VARIABLE]: `${failAt}`,
      },
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stdout, stderr } = await command.output();
    const how = `-numprocs ${threads}, failing at ${failAt}${logfile ? ", -logfile" : ""}: ${text(stderr)}`;
    const lines = text(stderr).trim().split("\n");
    assert.equal(code, 1, how);
    const failure = lines.filter((line) => line.includes("[ERR]"));
    assert.equal(failure.length, 1, how);
    assert.match(failure[0], new RegExp(`The lookup worker failed: test hook: failing on entry ${failAt} as asked`));
    assert.doesNotMatch(text(stderr), /^\s+at /m, "no stack trace");
    assert.match(lines.at(-1)!, /Summary: packets=\d+/);
    // The workers write stdout themselves here: what they wrote before one threw is counted all the same.
    const written = Number(lines.at(-1)!.match(/stdout\.written=(\d+)/)?.[1] ?? 0);
    assert.equal(written, text(stdout).split("\n").length - 1, lines.at(-1));
    if (failAt > 1 && !logfile) assert.ok(written > 0, how);
    if (logfile) await Deno.remove(file).catch(() => {});
  }
});

Deno.test("a lookup worker that cannot start (its module unreadable) ends the run with status 1 and one line", async () => {
  await captures();
  // Read permission for the capture's directory only (the working directory, where .env is looked for): the
  // worker's module cannot be loaded.
  const flags = startPermissions().map((flag) => flag === "--allow-read" ? `--allow-read=${dir}` : flag);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", `--config=${ROOT}deno.json`, ...flags, `${ROOT}main.ts`, "-pcap", GENERATED],
    cwd: dir,
    env: { NO_COLOR: "1", PDNS_THREADS: "2", ...ANY_SIZE },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 1, text(stderr));
  assert.match(text(stderr), /\[ERR\] .*The lookup worker failed: .*lookup_worker\.ts.*; stopping\n/);
  assert.doesNotMatch(text(stderr), /^\s+at /m, "no stack trace");
});

Deno.test("numprocs_test: remove the generated captures", async () => {
  await generated;
  await Deno.remove(dir, { recursive: true });
});
