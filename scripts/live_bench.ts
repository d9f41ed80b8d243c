/**
 * `deno task bench:live [--pairs 200000] [--rates 50000,100000,200000,300000,400000] [--numprocs 1,2]
 * [--buffer-size 32] [--no-tcpdump] [--no-drain]` (as root)
 *
 * Live capture under load: deterministic DNS traffic (scripts/gen_dns_pcap.py, seeded) is sent with
 * `tcpreplay --pps R` onto a veth pair between two network namespaces made for the run, denopassivedns captures on
 * the other end (`-dev`, default options, records to tmpfs), and for each rate the table gives what tcpreplay sent
 * (and the rate it reached), what libpcap received, what the kernel dropped, and the records written against the
 * generator's prediction, and the CPU time the sensor used. `tcpdump -w /dev/null` is measured the same way at each
 * rate, once, as the ceiling of the machine at that minute. A last run measures the sensor's own rate whatever the
 * sender reaches: the sensor is stopped while the whole file is sent into a 1024 MiB ring, then continued
 * (`--no-drain` skips it). Every sensor run is made once per `-numprocs` value, and the last lines give, per value,
 * the highest rate sent with zero kernel drops and exact records. gopassivedns is run at the same rates when
 * scripts/peers/build_peers.sh could build it (bench-out/peers/gopassivedns); otherwise a SKIP line says so.
 * Figures only: nothing here asserts a rate.
 */
import { parseArgs } from "node:util";
import { OUT, recordsDir, ROOT } from "./_bench_setup.ts";

const RECORDS = (await recordsDir()) + `live-bench-${Deno.pid}.jsonl`;
const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=hostname", "--allow-ffi"];

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pairs: { type: "string", default: "200000" },
    rates: { type: "string", default: "50000,100000,200000,300000,400000" },
    numprocs: { type: "string", default: "1,2" },
    "buffer-size": { type: "string", default: "32" },
    "no-tcpdump": { type: "boolean", default: false },
    "no-drain": { type: "boolean", default: false },
  },
});

async function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

async function must(command: string, args: string[]): Promise<string> {
  const result = await run(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** The capture and the generator's stats (bench-out/, shared with `deno task bench`). */
async function generate(pairs: number): Promise<{ pcap: string; stats: Record<string, number> }> {
  await Deno.mkdir(OUT, { recursive: true });
  const pcap = `${OUT}dns_${pairs}.pcap`;
  const statsPath = `${OUT}dns_${pairs}.json`;
  if (!await isFile(pcap) || !await isFile(statsPath)) {
    console.error(`generating ${pcap} ...`);
    await must("/usr/bin/python3", [
      `${ROOT}scripts/gen_dns_pcap.py`,
      "--pairs",
      String(pairs),
      "-o",
      pcap,
      "--stats-json",
      statsPath,
    ]);
  }
  return { pcap, stats: JSON.parse(await Deno.readTextFile(statsPath)) };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Two namespaces joined by a veth pair, unique to this run; `close` deletes them (the veth goes with them). */
async function vethPair(): Promise<
  { sendNs: string; sendIf: string; captureNs: string; captureIf: string; close(): Promise<void> }
> {
  const tag = `lb${Deno.pid % 100000}`;
  const [sendNs, captureNs, sendIf, captureIf] = [`${tag}s`, `${tag}c`, `${tag}s`, `${tag}c`];
  await must("ip", ["netns", "add", sendNs]);
  await must("ip", ["netns", "add", captureNs]);
  const close = async () => {
    await run("ip", ["netns", "del", sendNs]);
    await run("ip", ["netns", "del", captureNs]);
  };
  try {
    await must("ip", [
      "link",
      "add",
      sendIf,
      "netns",
      sendNs,
      "type",
      "veth",
      "peer",
      "name",
      captureIf,
      "netns",
      captureNs,
    ]);
    await must("ip", ["-n", sendNs, "link", "set", sendIf, "up"]);
    await must("ip", ["-n", captureNs, "link", "set", captureIf, "up"]);
  } catch (error) {
    await close();
    throw error;
  }
  return { sendNs, sendIf, captureNs, captureIf, close };
}

interface Sent {
  packets: number;
  pps: number;
}

async function replay(ns: string, iface: string, pcap: string, pps: number): Promise<Sent> {
  const out = await must("ip", [
    "netns",
    "exec",
    ns,
    "tcpreplay",
    "-i",
    iface,
    ...(pps > 0 ? ["--pps", String(pps), "--pps-multi=16"] : ["--topspeed"]),
    pcap,
  ]);
  const packets = /Actual: (\d+) packets/.exec(out);
  const rate = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(out);
  return { packets: Number(packets?.[1] ?? NaN), pps: Number(rate?.[1] ?? NaN) };
}

/** Starts a capturing process and resolves once `ready` matches its stderr; `finish` sends SIGINT and collects. */
async function startCapture(ns: string, command: string[], ready: RegExp) {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...command],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let stderr = "";
  const reader = child.stderr.getReader();
  const collecting = (async () => {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      stderr += decoder.decode(chunk.value, { stream: true });
    }
  })();
  const deadline = Date.now() + 15_000;
  while (!ready.test(stderr)) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`capture did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    /** Sends a signal to the capturing process (SIGSTOP, SIGCONT for the drain run). */
    signal(signal: Deno.Signal): void {
      child.kill(signal);
    },
    /** CPU seconds (user + system) used so far, from /proc through cat (Deno reads /proc only with --allow-all). */
    async cpuSeconds(): Promise<number> {
      const fields = (await must("cat", [`/proc/${child.pid}/stat`])).replace(/^.*\) /, "").split(" ");
      // utime and stime (fields 14 and 15 of proc(5)) are 12th and 13th after the command name; clock ticks of 10 ms.
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async finish(): Promise<string> {
      child.kill("SIGINT");
      await child.status;
      await collecting;
      return stderr;
    },
  };
}

function counter(summary: string, name: string): number {
  return Number(new RegExp(`\\b${name}=(\\d+)`).exec(summary)?.[1] ?? 0);
}

async function lineCount(path: string): Promise<number> {
  return Number((await must("bash", ["-c", `wc -l < ${path}`])).trim());
}

/** Waits until `path` has not grown for `quietMs`. */
/** Waits until `path` is not empty and has not grown for `quietMs`; returns the time (ms) it last grew. */
async function settled(path: string, quietMs: number): Promise<number> {
  let size = -1;
  let since = Date.now();
  while (size <= 0 || Date.now() - since < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = (await Deno.stat(path).catch(() => null))?.size ?? 0;
    if (now !== size) [size, since] = [now, Date.now()];
  }
  return since;
}

if (Deno.uid() !== 0) {
  console.error("bench:live needs root (network namespaces, veth, packet capture)");
  Deno.exit(1);
}
for (const tool of ["tcpreplay", "ip"]) {
  if ((await run("bash", ["-c", `command -v ${tool}`])).code !== 0) {
    console.error(`${tool} is missing: run scripts/install_test_deps.sh`);
    Deno.exit(1);
  }
}
const pairs = Number(values.pairs);
const { pcap, stats } = await generate(pairs);
const expected = stats.answer_rrs + stats.nxdomain;
const link = await vethPair();
const rows: string[] = [];

/**
 * The sensor's own rate, whatever tcpreplay can send: the sensor is stopped (SIGSTOP) while the whole file is sent
 * into a 1024 MiB ring, then continued; its rate is the packets over the time from SIGCONT to its last record.
 */
async function drainRun(numprocs: number): Promise<string> {
  await Deno.writeTextFile(RECORDS, "");
  const sensor = await startCapture(link.captureNs, [
    "bash",
    "-c",
    `exec ${sensorCommand(numprocs, 1024)} > ${RECORDS}`,
  ], /Capturing on/);
  sensor.signal("SIGSTOP");
  const sent = await replay(link.sendNs, link.sendIf, pcap, 0);
  const continued = Date.now();
  sensor.signal("SIGCONT");
  const seconds = (await settled(RECORDS, 1500) - continued) / 1000;
  const summary = await sensor.finish();
  const records = await lineCount(RECORDS);
  const note = records === expected ? "exact" : `${records - expected}`;
  return `| denopassivedns -numprocs ${numprocs}, ring drain (1024 MiB) | – | ${sent.packets} | ${
    Math.round(sent.pps)
  } | ${counter(summary, "pcap_received")} | ${
    counter(summary, "pcap_dropped")
  } | ${records} / ${expected} (${note}) | ${
    Math.round(sent.packets / seconds)
  } packets/s from SIGCONT to the last record |`;
}

function sensorCommand(numprocs: number, bufferMiB: number): string {
  return `${Deno.execPath()} run ${PERMISSIONS.join(" ")} ${ROOT}main.ts -dev ${link.captureIf} ` +
    `-numprocs ${numprocs} -buffer_size ${bufferMiB} -statsd_interval 3600`;
}

const numprocsValues = values.numprocs.split(",").map(Number);
/** Per -numprocs value (and "gopassivedns"): the highest rate sent with no kernel drop and exact records. */
const clean = new Map<string, number>();
const GOPASSIVEDNS = `${OUT}peers/gopassivedns`;
const hasGopassivedns = await isFile(GOPASSIVEDNS);
if (!hasGopassivedns) console.error(`SKIP gopassivedns: ${GOPASSIVEDNS} not built (scripts/peers/build_peers.sh)`);

/**
 * One capture run at `rate`: a table row; the rate tcpreplay reached when nothing was dropped or lost, else 0 (the
 * sender falls short of high targets on a loaded machine: the rate reached is what was shown to be handled).
 */
async function rateRun(label: string, command: string, ready: RegExp, rate: number): Promise<number> {
  await Deno.writeTextFile(RECORDS, "");
  const sensor = await startCapture(link.captureNs, ["bash", "-c", `exec ${command} > ${RECORDS}`], ready);
  const cpuBefore = await sensor.cpuSeconds();
  const sent = await replay(link.sendNs, link.sendIf, pcap, rate);
  await settled(RECORDS, 1500);
  const cpu = await sensor.cpuSeconds() - cpuBefore;
  const summary = await sensor.finish();
  const records = await lineCount(RECORDS);
  const note = records === expected ? "exact" : `${records - expected}`;
  // gopassivedns prints no libpcap statistics: its row shows records only.
  const received = label.startsWith("gopassivedns") ? "–" : String(counter(summary, "pcap_received"));
  const dropped = label.startsWith("gopassivedns") ? 0 : counter(summary, "pcap_dropped");
  rows.push(
    `| ${label} | ${rate} | ${sent.packets} | ${Math.round(sent.pps)} | ${received} | ${
      label.startsWith("gopassivedns") ? "–" : dropped
    } | ${records} / ${expected} (${note}) | ${cpu.toFixed(2)} s (${
      (cpu / sent.packets * 1e6).toFixed(1)
    } µs/packet) |`,
  );
  console.error(rows.at(-1));
  return dropped === 0 && records === expected ? Math.round(sent.pps) : 0;
}

try {
  for (const rate of values.rates.split(",").map(Number)) {
    for (const numprocs of numprocsValues) {
      const label = `denopassivedns -numprocs ${numprocs}`;
      const command = sensorCommand(numprocs, Number(values["buffer-size"]));
      const reached = await rateRun(label, command, /Capturing on/, rate);
      clean.set(label, Math.max(clean.get(label) ?? 0, reached));
    }
    if (hasGopassivedns) {
      const label = "gopassivedns";
      // It logs nothing when it starts: give libpcap a second to open before sending.
      const command = `bash -c '(sleep 1; echo started >&2) & exec ${GOPASSIVEDNS} -dev ${link.captureIf}'`;
      const reached = await rateRun(label, command, /started/, rate);
      clean.set(label, Math.max(clean.get(label) ?? 0, reached));
    }
    if (!values["no-tcpdump"]) {
      const tcpdump = await startCapture(link.captureNs, [
        "tcpdump",
        "-i",
        link.captureIf,
        "-B",
        String(Number(values["buffer-size"]) * 1024),
        "-w",
        "/dev/null",
        "port 53",
      ], /listening on/);
      const peerSent = await replay(link.sendNs, link.sendIf, pcap, rate);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const report = await tcpdump.finish();
      const received = /(\d+) packets received by filter/.exec(report)?.[1] ?? "?";
      const dropped = /(\d+) packets dropped by kernel/.exec(report)?.[1] ?? "?";
      rows.push(
        `| tcpdump -w /dev/null | ${rate} | ${peerSent.packets} | ${
          Math.round(peerSent.pps)
        } | ${received} | ${dropped} | – | – |`,
      );
      console.error(rows.at(-1));
    }
  }
  if (!values["no-drain"]) { for (const numprocs of numprocsValues) rows.push(await drainRun(numprocs)); }
} finally {
  await link.close();
  await Deno.remove(RECORDS).catch(() => {});
}
const load = Deno.loadavg().map((n) => n.toFixed(2)).join(" ");
console.log(
  `${stats.packets} packets (${pairs} pairs) per run, buffer ${values["buffer-size"]} MiB, load average ${load}\n`,
);
console.log(
  "| capture | target packets/s | sent | sent packets/s | received | kernel drops | records / predicted | sensor CPU |",
);
console.log("| --- | --: | --: | --: | --: | --: | --: | --: |");
for (const row of rows) console.log(row);
console.log("");
for (const [label, rate] of clean) {
  console.log(`${label}: highest rate sent with zero drops and exact records: ${rate} packets/s`);
}
