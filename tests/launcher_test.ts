/**
 * The commands the README gives for long runs stop the sensor when they are stopped: `bin/denopassivedns` execs Deno
 * (the launcher's PID is the sensor's), and `npx deno task replay` reaches the sensor through npm (bash as npm's
 * script shell, `.npmrc`) and `deno task`. Each run reads a FIFO whose writer stays open, is sent SIGTERM after its
 * first records, and must flush everything it holds, exit 0 and leave no process behind.
 */
import assert from "node:assert/strict";
import { ROOT, startPermissions, text } from "./_cli.ts";

const CAPTURE = `${ROOT}testdata/crafted/ordering.pcap`;
const LAUNCHER = `${ROOT}bin/denopassivedns`;

interface SignalledRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The signalled process's command line while it ran ("" if it could not be read). */
  cmdline: string;
  /** Processes still running with the FIFO on their command line after the signalled one exited. */
  leftovers: number[];
}

/** Processes whose command line mentions `needle` (Deno reads /proc only with --allow-all: pgrep does it). */
async function processesMentioning(needle: string): Promise<number[]> {
  const { stdout } = await new Deno.Command("pgrep", { args: ["-f", "--", needle] }).output();
  return text(stdout).split("\n").filter((line) => line !== "").map(Number);
}

/** A process's command line, arguments joined by spaces ("" once it has exited). */
async function commandLine(pid: number): Promise<string> {
  const { stdout } = await new Deno.Command("cat", { args: [`/proc/${pid}/cmdline`], stderr: "null" }).output();
  return text(stdout).replaceAll("\0", " ");
}

/** Runs `command` with the FIFO's path appended, SIGTERMs it after its first record. */
async function sigtermAfterFirstRecord(command: string[]): Promise<SignalledRun> {
  const dir = await Deno.makeTempDir({ prefix: "launcher_test" });
  const fifo = `${dir}/capture.pcap`;
  assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
  const child = new Deno.Command(command[0], {
    args: [...command.slice(1), fifo, "-format", "transaction"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = await Deno.open(fifo, { write: true });
  await writer.write(await Deno.readFile(CAPTURE)); // kept open: the sensor waits for more
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  let cmdline = "";
  // Read in the background: a sensor left running would keep stdout open, so the end of stdout is not awaited until
  // the writer is closed below.
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      stdout += text(chunk);
      if (cmdline === "" && stdout.includes("\n")) {
        cmdline = await commandLine(child.pid);
        child.kill("SIGTERM");
      }
    }
  })();
  const { code } = await child.status;
  // A sensor left behind would still hold the FIFO open; give a re-parented one time to show up, then end it by EOF.
  let leftovers = await processesMentioning(fifo);
  for (let i = 0; i < 10 && leftovers.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftovers = await processesMentioning(fifo);
  }
  writer.close();
  await reading;
  await Deno.remove(dir, { recursive: true });
  return { code, stdout, stderr: await stderr, cmdline, leftovers };
}

function assertFlushed(run: SignalledRun): void {
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.leftovers, [], `sensor processes left running: ${run.leftovers.join(", ")}`);
  assert.match(run.stderr, /Caught signal, flushing and exiting/);
  const records = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(records.length, 5);
  assert.deepEqual(records.map((r) => [r.status, r.reason]).at(-1), ["orphan_response", "end_of_input"]);
}

Deno.test("SIGTERM to bin/denopassivedns reaches the sensor it became, which flushes and leaves nothing running", async () => {
  const run = await sigtermAfterFirstRecord([LAUNCHER, "-pcap"]);
  assert.match(run.cmdline, /deno run .*main\.ts -pcap /, "the launcher exec'd Deno");
  assert.match(run.cmdline, /--allow-read=[^ ]*capture\.pcap/, "with read scoped to the capture");
  assert.doesNotMatch(run.cmdline, / --allow-(write|net)/);
  const v8Flags = startPermissions().find((flag) => flag.startsWith("--v8-flags="))!;
  assert.ok(run.cmdline.includes(` ${v8Flags} `), `with the start task's ${v8Flags}`);
  assertFlushed(run);
});

Deno.test("SIGTERM to npx deno task replay reaches the sensor through npm and deno task", async () => {
  const run = await sigtermAfterFirstRecord(["npx", "--no-install", "deno", "task", "replay"]);
  assertFlushed(run);
});

Deno.test("SIGTERM to deno task start reaches the sensor", async () => {
  const run = await sigtermAfterFirstRecord([`${ROOT}node_modules/.bin/deno`, "task", "start", "-pcap"]);
  assertFlushed(run);
});

Deno.test("the launcher reports a usage error as the sensor does, exit 2, without starting it", async () => {
  const { code, stdout, stderr } = await new Deno.Command(LAUNCHER, {
    args: ["-pcap", "/nonexistent/capture.pcap"],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 2);
  assert.equal(text(stdout), "");
  assert.equal(
    text(stderr),
    'denopassivedns: invalid value "/nonexistent/capture.pcap" for -pcap (PDNS_PCAP_FILE): expected an existing ' +
      "pcap or pcapng file, or - for standard input (not found)\n",
  );
});

Deno.test("the launcher passes -h and -version through to the sensor", async () => {
  const version = await new Deno.Command(LAUNCHER, { args: ["-version"] }).output();
  assert.equal(version.code, 0);
  assert.match(text(version.stdout), /^denopassivedns \d+\.\d+\.\d+/);
  const help = await new Deno.Command(LAUNCHER, { args: ["-h"] }).output();
  assert.equal(help.code, 0);
  assert.match(text(help.stdout), /-kafka_brokers/);
});
