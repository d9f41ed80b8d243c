/**
 * The file sink as a user runs it (subprocess, shipped permissions): rotation many times over with every record in
 * exactly one file, the per-sink counters in the summary, and SIGHUP in the middle of a replay reopening the file
 * after logrotate moved it.
 */
import assert from "node:assert/strict";
import { ROOT, runSensor, sensorCommand, text } from "./_cli.ts";

const TESTDATA = `${ROOT}testdata/`;

/** Lines of the files, backups oldest first (their names sort by time), the current file last. */
function linesOfAll(dir: string, current: string): string[] {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n !== current).sort();
  return [...names, current].flatMap((name) => {
    const content = Deno.readTextFileSync(`${dir}/${name}`);
    assert.ok(content.endsWith("\n"), `${name} ends with a whole line`);
    return content.split("\n").slice(0, -1);
  });
}

Deno.test("-logfile rotates many times at -logMaxSize 1 and the files together hold exactly the records", async () => {
  const dir = await Deno.makeTempDir();
  const pcap = `${dir}/traffic.pcap`;
  const generated = await new Deno.Command("/usr/bin/python3", {
    args: [`${ROOT}scripts/gen_dns_pcap.py`, "--pairs", "30000", "-o", pcap],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(generated.code, 0, text(generated.stderr));
  const logs = `${dir}/logs`;
  const run = await runSensor([
    "-pcap",
    pcap,
    "-logfile",
    `${logs}/dns.log`,
    "-logMaxSize",
    "1",
    "-logMaxBackups",
    "0",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const names = [...Deno.readDirSync(logs)].map((e) => e.name);
  assert.ok(names.length >= 10, `rotated into ${names.length} files`);
  for (const name of names) {
    assert.match(name, /^dns(-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3})?\.log$/);
    assert.ok(Deno.statSync(`${logs}/${name}`).size <= 1_048_576, name);
  }
  const stdoutLines = text(run.stdout).split("\n").slice(0, -1);
  assert.deepEqual(linesOfAll(logs, "dns.log"), stdoutLines);
  assert.match(run.stderr, new RegExp(`stdout\\.written=${stdoutLines.length} `));
  assert.match(run.stderr, new RegExp(`file\\.written=${stdoutLines.length}\\b`));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("-quiet -logfile writes the records to the file only, and the summary counts them", async () => {
  const dir = await Deno.makeTempDir();
  const run = await runSensor([
    "-pcap",
    `${TESTDATA}gopassivedns/100_udp_lookups.pcap`,
    "-quiet",
    "-logfile",
    `${dir}/dns.log`,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(text(run.stdout), "");
  const reference = await runSensor(["-pcap", `${TESTDATA}gopassivedns/100_udp_lookups.pcap`]);
  assert.equal(Deno.readTextFileSync(`${dir}/dns.log`), text(reference.stdout));
  assert.match(run.stderr, /Summary: .* records=50 file\.written=50$/m);
  await Deno.remove(dir, { recursive: true });
});

/** The packets of a classic pcap, split after `first` packets: [header + first packets, the other packets]. */
function splitCapture(capture: Uint8Array, first: number): [Uint8Array, Uint8Array] {
  const view = new DataView(capture.buffer, capture.byteOffset);
  let at = 24;
  for (let i = 0; i < first; i++) at += 16 + view.getUint32(at + 8, true);
  return [capture.subarray(0, at), capture.subarray(at)];
}

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function lineCount(path: string): number {
  try {
    return Deno.readTextFileSync(path).split("\n").length - 1;
  } catch {
    return 0;
  }
}

Deno.test("SIGHUP in the middle of a replay reopens the file that logrotate moved away", async () => {
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/capture.pcap`;
  assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
  const [part1, part2] = splitCapture(await Deno.readFile(`${TESTDATA}real/dnsperf.pcap`), 320);
  const child = sensorCommand({
    args: [
      "-pcap",
      fifo,
      "-logfile",
      `${dir}/dns.log`,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).arrayBuffer();
  let stderr = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (stderr += chunk) }),
  );
  const writer = await Deno.open(fifo, { write: true });
  await writer.write(part1);
  await waitFor("the first records in the file", () => lineCount(`${dir}/dns.log`) >= 20);
  await Deno.rename(`${dir}/dns.log`, `${dir}/dns.log.1`); // logrotate's rotation, then its postrotate:
  child.kill("SIGHUP"); // without a handler, SIGHUP would end the process and lose the second half
  await waitFor("the SIGHUP to be handled", () => stderr.includes("Caught SIGHUP, reopening the log file"));
  await writer.write(part2);
  writer.close();
  const { code } = await child.status;
  await stderrDone;
  assert.equal(code, 0, stderr);
  const before = lineCount(`${dir}/dns.log.1`);
  const after = lineCount(`${dir}/dns.log`);
  assert.ok(before >= 20 && after > 0, `${before} lines before the SIGHUP, ${after} after`);
  const files = [
    ...Deno.readTextFileSync(`${dir}/dns.log.1`).split("\n").slice(0, -1),
    ...Deno.readTextFileSync(`${dir}/dns.log`).split("\n").slice(0, -1),
  ];
  assert.deepEqual(files, text(new Uint8Array(await stdout)).split("\n").slice(0, -1));
  assert.equal(files.length, 392);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("-logfile under /dev, which Deno opens only with --allow-all, fails at start: exit 1, one line naming it", async () => {
  const dir = `/dev/shm/denopassivedns-test-${Deno.pid}`;
  const run = await runSensor(["-pcap", `${TESTDATA}real/udp_types.pcap`, "-logfile", `${dir}/dns.log`]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /-logfile \/dev\/shm\/denopassivedns-test-\d+\/dns\.log: Deno lets a program write under \/dev\//,
  );
  assert.match(run.stderr, /--allow-all/);
  assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
  assert.equal(text(run.stdout), "", "no record written anywhere");
  // Nothing was created (as root the test could look; Deno could not have made it without --allow-all).
  assert.equal((await Deno.stat(dir).catch(() => null))?.isDirectory ?? false, false);
});
