/**
 * `deno task bench [--pairs 100000,1000000] [--runs 3] [--format gopassivedns[,transaction]] [--numprocs 1,2[,3,...]]
 *   [--no-tshark] [--no-peers] [--no-logfile] [--peer-runs 3]`
 * `deno task bench --floods [--runs 1]`
 *
 * Generates deterministic DNS traffic captures (scripts/gen_dns_pcap.py, seeded), replays each through
 * denopassivedns with records written to a file (stdout redirected with `-numprocs 1` and with `-numprocs 2`, run by
 * run, into a tmpfs file whose pages exist already: see `prefill`; then, after every other run, `-quiet -logfile`
 * rotating at the default 100 MB with `-numprocs 1`, alternating with stdout into new pages), and reports
 * packets/s, records/s and peak RSS (median of the runs; a file under 32 MiB runs on one thread with `-numprocs 2` too,
 * as the sensor chooses: src/sensor.ts `threadsFor`), the ratio of the `-numprocs 2` time to the `-numprocs 1`
 * time (of the medians, and the range over the pairs of runs made one after the other), checks that both give the
 * same bytes, and checks the record count against the generator's stats file. Peers are measured on the same file in
 * the same run, gopassivedns `--peer-runs` times (its median, as its time moved by 7 % from one run to the next) and the
 * others once, and the ratio printed (with several formats, e.g. `--format gopassivedns,transaction`,
 * their runs alternate and each format's time is also given as a multiple of the first's): gopassivedns and a C libpcap read loop when
 * scripts/peers/build_peers.sh can build them, and tshark when it is installed. Figures only: nothing here
 * asserts a time. `--numprocs` adds thread counts (1 and 2 are always run): each gets its row and is checked for the
 * bytes of `-numprocs 1`; a count beyond the machine's cores is run as asked (`DENOPASSIVEDNS_TEST_CORES` lifts the
 * sensor's rule that holds it to the cores), to measure what more threads cost there.
 *
 * `--floods` instead replays the floods of scripts/gen_flood_pcap.py (1 M unanswered queries, 1 M orphan responses,
 * 30 000 orphan 64 KB responses, 11 000 amplifying responses) in both formats and reports peak RSS (the median of
 * the runs), the time and what was evicted: the memory bounds of issue 7, measured, not asserted.
 */
import { parseArgs } from "node:util";
import { OUT, recordsDir, ROOT, startFlags } from "./_bench_setup.ts";

const RECORDS_DIR = await recordsDir();

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pairs: { type: "string", default: "100000,1000000" },
    runs: { type: "string", default: "3" },
    format: { type: "string", default: "gopassivedns" },
    numprocs: { type: "string", default: "1,2" },
    "no-tshark": { type: "boolean", default: false },
    "no-peers": { type: "boolean", default: false },
    "no-logfile": { type: "boolean", default: false },
    "peer-runs": { type: "string", default: "3" },
    floods: { type: "boolean", default: false },
  },
});

interface Measure {
  seconds: number;
  peakRssMb: number;
  lines: number;
  /** Files written (the `-logfile` runs: the file and its backups). */
  files?: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("bash", { args: ["-c", command], stdout: "piped", stderr: "piped" })
    .output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

async function generate(pairs: number): Promise<{ pcap: string; stats: Record<string, unknown> }> {
  const pcap = `${OUT}dns_${pairs}.pcap`;
  const statsPath = `${OUT}dns_${pairs}.json`;
  if (!(await exists(pcap)) || !(await exists(statsPath))) {
    console.error(`generating ${pcap} ...`);
    const result = await sh(
      `/usr/bin/python3 ${ROOT}scripts/gen_dns_pcap.py --pairs ${pairs} -o ${pcap} --stats-json ${statsPath} 2>/dev/null`,
    );
    if (result.code !== 0) throw new Error(`gen_dns_pcap.py failed: ${result.stderr}`);
  }
  return { pcap, stats: JSON.parse(await Deno.readTextFile(statsPath)) };
}

/**
 * Run a shell command under /usr/bin/time -v, its stdout to `outFile`; peak RSS comes from the report. The time is
 * the wall time to exit, or with `toLastWrite` to the last write into `outFile` (its modification time): gopassivedns
 * idles about 6 s after its input ends before it exits, and BASELINES.md times it to its last write.
 *
 * On tmpfs the output goes into pages written before the timed window (see {@linkcode prefill}); `prefilled: false`
 * leaves the output empty (the `-logfile` runs, whose records go to files of their own).
 */
async function timed(command: string, outFile: string, toLastWrite = false, prefilled = true): Promise<Measure> {
  const zeros = prefilled ? await prefill(outFile) : 0;
  // Without a prefill the last run's output is removed first: freeing a GB of tmpfs pages is not this run's cost (the
  // shell's `>` would truncate it inside the timed window).
  if (zeros === 0) await Deno.remove(outFile).catch(() => {});
  const startedAt = Date.now();
  const started = performance.now();
  const result = await sh(`/usr/bin/time -v ${command} ${zeros > 0 ? "1<>" : ">"} ${outFile}`);
  const ended = performance.now();
  if (result.code !== 0) throw new Error(`${command} failed (${result.code}): ${result.stderr.slice(-2000)}`);
  const lastWriteAt = (await Deno.stat(outFile)).mtime?.getTime() ?? startedAt;
  if (zeros > 0) await trimToOutput(outFile, zeros);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  const lines = (await sh(`wc -l < ${outFile}`)).stdout.trim();
  return {
    seconds: toLastWrite ? Math.max(0, lastWriteAt - startedAt) / 1000 : (ended - started) / 1000,
    peakRssMb: rss ? Number(rss[1]) / 1024 : NaN,
    lines: Number(lines),
  };
}

/** Bytes {@linkcode prefill} writes: set per capture, from its size (0: records do not go to tmpfs). */
let prefillBytes = 0;
/** Bytes of output per pair, rounded up: the transaction format's ~1.1 KB (the default format's ~620 B). */
const OUTPUT_BYTES_PER_PAIR = 1300;
const PREFILL_BLOCK = new Uint8Array(16 << 20);

/**
 * Make `path` `prefillBytes` of zero bytes (written, so its tmpfs pages exist) for a run to overwrite from its start;
 * returns how many (0: no prefill, the run writes a new file). In this sandbox a run that wrote its records into new
 * tmpfs pages often spent seconds more in the kernel: the transaction format with one thread on the 1M-pair file took
 * 0.4–3.1 s of system time over a bench's runs (4.5 s in an 8 s run by hand), its user time steady at 3.1–3.6 s, and
 * perf put the extra in the copy into the new pages (likely the guest's first touch of memory the hypervisor had taken
 * back; the runs with two threads were rarely hit). With the pages written first, 16 runs of the four configurations
 * stayed at 0.2–0.4 s. Every byte is still copied into the file inside the timed window; only a page's first touch is
 * not.
 */
async function prefill(path: string): Promise<number> {
  if (prefillBytes === 0) return 0;
  const file = await Deno.open(path, { write: true, create: true });
  try {
    for (let written = 0; written < prefillBytes;) {
      written += await file.write(PREFILL_BLOCK.subarray(0, Math.min(PREFILL_BLOCK.length, prefillBytes - written)));
    }
    await file.truncate(prefillBytes);
  } finally {
    file.close();
  }
  return prefillBytes;
}

/**
 * Cut a prefilled `path` to what the run wrote: its output has no zero byte (records, and the peers' text, are
 * text), so the output ends at the first zero byte, or at the end when it outgrew the prefill.
 */
async function trimToOutput(path: string, prefilled: number): Promise<void> {
  const file = await Deno.open(path, { read: true, write: true });
  try {
    const size = (await file.stat()).size;
    let low = 0;
    let high = size;
    if (size <= prefilled) {
      // The first zero byte: every byte before it is output, every one from it on a zero of the prefill.
      const byte = new Uint8Array(1);
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        await file.seek(middle, Deno.SeekMode.Start);
        if (await file.read(byte) === 1 && byte[0] !== 0) low = middle + 1;
        else high = middle;
      }
    } else low = size;
    await file.truncate(low);
  } finally {
    file.close();
  }
}

/**
 * One `-quiet -logfile` run, rotating at the default size (100 MB) and keeping every backup so that the lines of
 * all files can be counted.
 */
async function timedLogfile(pcap: string): Promise<Measure> {
  const dir = `${RECORDS_DIR}denopassivedns-bench-logs`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  // Deno lets a program write under /dev (tmpfs /dev/shm) only with --allow-all.
  const logPermissions = RECORDS_DIR.startsWith("/dev/")
    ? [...startFlags().filter((flag) => !flag.startsWith("--allow-")), "--allow-all"].join(" ")
    : permissions;
  const measure = await timed(
    `${deno} run ${logPermissions} ${ROOT}main.ts -pcap ${pcap} -format ${formats[0]} -quiet -numprocs 1 ` +
      `-logfile ${dir}/dns.log -logMaxBackups 0`,
    `${RECORDS_DIR}denopassivedns-bench.jsonl`,
    false,
    false,
  );
  const files = [...Deno.readDirSync(dir)].length;
  const lines = Number((await sh(`cat ${dir}/* | wc -l`)).stdout.trim());
  await Deno.remove(dir, { recursive: true });
  return { ...measure, lines, files };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function expectedRecords(stats: Record<string, unknown>, format: string): number {
  if (format === "transaction") return stats.pairs as number;
  return (stats.answer_rrs as number) + (stats.nxdomain as number);
}

const deno = Deno.execPath();
/** The `start` task's V8 flags and permissions (deno.json), as users run it. */
const permissions = startFlags().join(" ");

/** The floods and their sizes: those of issue 7 (the 64 KB ones as ../shared/testdata/hostile made them). */
const FLOODS: [kind: string, count: number][] = [
  ["queries", 1_000_000],
  ["responses", 1_000_000],
  ["big", 30_000],
  ["amplify", 11_000],
];

if (values.floods) {
  await Deno.mkdir(OUT, { recursive: true });
  const runs = Number(values.runs);
  console.log(`Machine: ${Deno.build.target}, ${navigator.hardwareConcurrency} cores; median of ${runs} run(s)`);
  console.log("| flood | file | format | peak RSS | seconds | summary |");
  console.log("|---|---:|---|---:|---:|---|");
  for (const [kind, count] of FLOODS) {
    const pcap = `${OUT}flood_${kind}_${count}.pcap`;
    if (!(await exists(pcap))) {
      console.error(`generating ${pcap} ...`);
      const made = await sh(`/usr/bin/python3 ${ROOT}scripts/gen_flood_pcap.py ${kind} ${count} ${pcap}`);
      if (made.code !== 0) throw new Error(`gen_flood_pcap.py failed: ${made.stderr}`);
    }
    const megabytes = (await Deno.stat(pcap)).size / 1e6;
    for (const format of ["gopassivedns", "transaction"]) {
      const measures: Measure[] = [];
      let summary = "";
      for (let i = 0; i < runs; i++) {
        // The sensor's stderr (its summary) and /usr/bin/time's report go to one file.
        const errors = `${OUT}flood.stderr`;
        const started = performance.now();
        await sh(
          `/usr/bin/time -v ${deno} run ${permissions} ${ROOT}main.ts -pcap ${pcap} -format ${format} ` +
            `> /dev/null 2> ${errors}`,
        );
        const seconds = (performance.now() - started) / 1000;
        const text = await Deno.readTextFile(errors);
        const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
        measures.push({ seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN, lines: 0 });
        summary = /Summary: (.*)/.exec(text)?.[1] ?? `no summary: ${text.slice(-300)}`;
      }
      const kept = summary.split(" ").filter((c) => /^(records|correlation_evicted|dns_anomalies)=/.test(c));
      console.log(
        `| ${count} ${kind} | ${megabytes.toFixed(0)} MB | ${format} | ${
          median(measures.map((m) => m.peakRssMb)).toFixed(0)
        } MB | ${median(measures.map((m) => m.seconds)).toFixed(1)} | ${kept.join(" ")} |`,
      );
    }
  }
  Deno.exit(0);
}
const hasTshark = !values["no-tshark"] && (await sh("command -v tshark")).code === 0;
const runs = Number(values.runs);
const peerRuns = Math.max(1, Number(values["peer-runs"]));
await Deno.mkdir(OUT, { recursive: true });
const PEERS = `${OUT}peers/`;
if (!values["no-peers"]) {
  const built = await sh(`bash ${ROOT}scripts/peers/build_peers.sh`);
  for (const line of built.stdout.split("\n")) if (line.startsWith("SKIP")) console.error(line);
}
const hasGopassivedns = !values["no-peers"] && await exists(`${PEERS}gopassivedns`);
const hasReadLoop = !values["no-peers"] && await exists(`${PEERS}pcap_read_loop`);

/** A peer's row: its rate on this file and how many times longer than denopassivedns it took. */
function peerRow(name: string, pairs: number, packets: number, peer: Measure, ours: number, records: string): string {
  return `| ${name} | ${pairs} | ${(packets / peer.seconds / 1e3).toFixed(0)} k | ${records} | ${
    peer.seconds.toFixed(2)
  } | ${peer.peakRssMb.toFixed(0)} MB | ${(peer.seconds / ours).toFixed(2)}× our time |`;
}

const rows: string[] = [];
const notes: string[] = [];
/** The record formats measured (the first one also with `-logfile` and against the peers). */
const formats = values.format.split(",");
/** The thread counts our runs use: 1 and 2 (the ratios), then any others asked for. */
const threadCounts = [...new Set([1, 2, ...values.numprocs.split(",").map(Number)])].filter((n) => n >= 1);
/** Lifts the sensor's rule that holds -numprocs to the cores, so that the counts asked for are the counts run. */
const coresHook = `env DENOPASSIVEDNS_TEST_CORES=${Math.max(...threadCounts)}`;

/** gopassivedns HEAD on 2 cores, 1M-pair file, on the machine of shared/bench/BASELINES.md. */
const BASELINE_GOPASSIVEDNS_PPS = 283e3;
for (const pairs of values.pairs.split(",").map(Number)) {
  const { pcap, stats } = await generate(pairs);
  const packets = stats.packets as number;
  // As large as the largest output, within a sixth of the memory available (four output files are kept at once).
  prefillBytes = RECORDS_DIR === "/dev/shm/"
    ? Math.floor(Math.min(pairs * OUTPUT_BYTES_PER_PAIR, Deno.systemMemoryInfo().available / 6))
    : 0;
  const expected = expectedRecords(stats, formats[0]);
  /** Our runs by format and -numprocs (1: one thread; 2: the lookup worker, the default on two cores or more). */
  const runsOf = new Map<string, Measure[]>();
  const measuresOf = (format: string, threads: number) => {
    const key = `${format} ${threads}`;
    if (!runsOf.has(key)) runsOf.set(key, []);
    return runsOf.get(key)!;
  };
  /** Formats whose -numprocs 2 records differed from -numprocs 1 in some run. */
  const differing = new Set<string>();
  const ourFileRuns: Measure[] = [];
  const measureOurs = async (times: number) => {
    for (let i = 0; i < times; i++) {
      for (const format of formats) {
        for (const threads of threadCounts) {
          measuresOf(format, threads).push(
            await timed(
              `${coresHook} ${deno} run ${permissions} ${ROOT}main.ts -pcap ${pcap} -format ${format} -numprocs ${threads}`,
              `${RECORDS_DIR}denopassivedns-bench-${threads}.jsonl`,
            ),
          );
        }
        for (const threads of threadCounts.slice(1)) {
          const compared = await sh(
            `cmp -s ${RECORDS_DIR}denopassivedns-bench-1.jsonl ${RECORDS_DIR}denopassivedns-bench-${threads}.jsonl`,
          );
          if (compared.code !== 0) differing.add(format);
        }
      }
    }
  };
  // Half the runs before gopassivedns and half after: this sandbox's speed drifts by the minute, and the median
  // should not come from one slow minute.
  await measureOurs(Math.ceil(runs / 2));
  const peerRows: Measure[] = [];
  const peerNames: string[] = [];
  const peerRecords: string[] = [];
  if (hasReadLoop) {
    peerRows.push(await timed(`${PEERS}pcap_read_loop ${pcap}`, `${RECORDS_DIR}denopassivedns-bench-peer.txt`));
    peerNames.push("C libpcap read loop (reading only)");
    peerRecords.push("–");
  }
  let gopassivedns: Measure | null = null;
  const gopassivednsRuns: Measure[] = [];
  if (hasGopassivedns) {
    for (let i = 0; i < peerRuns; i++) {
      gopassivednsRuns.push(
        await timed(`${PEERS}gopassivedns -pcap ${pcap}`, `${RECORDS_DIR}denopassivedns-bench-peer.txt`, true),
      );
    }
    gopassivedns = {
      seconds: median(gopassivednsRuns.map((m) => m.seconds)),
      peakRssMb: median(gopassivednsRuns.map((m) => m.peakRssMb)),
      lines: gopassivednsRuns[0].lines,
    };
    peerRows.push(gopassivedns);
    peerNames.push("gopassivedns HEAD, to its last write");
    peerRecords.push(
      `${(gopassivedns.lines / gopassivedns.seconds / 1e3).toFixed(0)} k (${gopassivedns.lines} records)`,
    );
  }
  await measureOurs(runs - Math.ceil(runs / 2));
  // tshark last, after all our runs, so its 1.5 GB on the 1M file is out of their way.
  if (hasTshark) {
    const peer = await timed(
      `tshark -r ${pcap} -n -T fields -e dns.id -e dns.qry.name -e dns.a -Y dns`,
      `${RECORDS_DIR}denopassivedns-bench-peer.txt`,
    );
    peerRows.push(peer);
    peerNames.push("tshark `-T fields -Y dns`");
    peerRecords.push(`${(peer.lines / peer.seconds / 1e3).toFixed(0)} k (messages)`);
  }
  // The -logfile runs come last, each after a stdout run written the same way (into new tmpfs pages: a rotating log
  // file cannot be prefilled), as the pages they leave free made the next runs' writes slow (see `prefill`).
  const stdoutRuns: Measure[] = [];
  if (!values["no-logfile"]) {
    for (let i = 0; i < runs; i++) {
      stdoutRuns.push(
        await timed(
          `${deno} run ${permissions} ${ROOT}main.ts -pcap ${pcap} -format ${formats[0]} -numprocs 1`,
          `${RECORDS_DIR}denopassivedns-bench-1.jsonl`,
          false,
          false,
        ),
      );
      ourFileRuns.push(await timedLogfile(pcap));
    }
  }
  for (const format of formats) {
    const formatExpected = expectedRecords(stats, format);
    for (const threads of threadCounts) {
      const measures = measuresOf(format, threads);
      const formatSeconds = median(measures.map((m) => m.seconds));
      const fastest = Math.min(...measures.map((m) => m.seconds));
      const slowest = Math.max(...measures.map((m) => m.seconds));
      const rss = median(measures.map((m) => m.peakRssMb));
      const lines = measures[0].lines;
      const countNote = lines === formatExpected ? "exact" : `MISMATCH: expected ${formatExpected}`;
      rows.push(
        `| denopassivedns (${format}) -numprocs ${threads} | ${pairs} | ${
          (packets / formatSeconds / 1e3).toFixed(0)
        } k (${(packets / slowest / 1e3).toFixed(0)}–${(packets / fastest / 1e3).toFixed(0)} k) | ${
          (lines / formatSeconds / 1e3).toFixed(0)
        } k | ${formatSeconds.toFixed(2)} (${fastest.toFixed(2)}–${slowest.toFixed(2)}) | ${rss.toFixed(0)} MB (${
          Math.min(...measures.map((m) => m.peakRssMb)).toFixed(0)
        }–${Math.max(...measures.map((m) => m.peakRssMb)).toFixed(0)}) | ${lines} (${countNote}) |`,
      );
    }
    const one = measuresOf(format, 1);
    const two = measuresOf(format, 2);
    const pairRatios = two.map((m, i) => m.seconds / one[i].seconds);
    notes.push(
      `${pairs} pairs, -format ${format}: -numprocs 2 takes ${
        (median(two.map((m) => m.seconds)) / median(one.map((m) => m.seconds))).toFixed(2)
      }× the time of -numprocs 1 (medians; ${Math.min(...pairRatios).toFixed(2)}–${
        Math.max(...pairRatios).toFixed(2)
      } over the ${pairRatios.length} pairs of runs; issue 13's target: ≤ 0.65), ${
        differing.has(format) ? "RECORDS DIFFER" : "byte-identical records"
      }.`,
    );
    for (const threads of threadCounts.filter((n) => n > 2)) {
      const more = median(measuresOf(format, threads).map((m) => m.seconds));
      notes.push(
        `${pairs} pairs, -format ${format}: -numprocs ${threads} takes ${
          (more / median(two.map((m) => m.seconds))).toFixed(2)
        }× the time of -numprocs 2 (medians; ${navigator.hardwareConcurrency} cores here).`,
      );
    }
    if (format !== formats[0]) {
      // Issue 13's bound for the transaction format (≤ 2× the default format's time), with each thread count.
      for (const [threads, mine] of [[1, one], [2, two]] as const) {
        const first = measuresOf(formats[0], threads);
        const ratios = mine.map((m, i) => m.seconds / first[i].seconds);
        notes.push(
          `${pairs} pairs: -format ${format} takes ${
            (median(mine.map((m) => m.seconds)) / median(first.map((m) => m.seconds))).toFixed(2)
          }× the time of -format ${formats[0]} (-numprocs ${threads}, medians of ${mine.length} alternating runs; ` +
            `run by run ${ratios.map((r) => r.toFixed(2)).join(", ")}; issue 13's target: ≤ 2).`,
        );
      }
    }
  }
  /** Our default on this machine (-numprocs 2 on two cores or more), the first format: what the peers are compared with. */
  const defaultSeconds = median(
    measuresOf(formats[0], navigator.hardwareConcurrency > 1 ? 2 : 1).map((m) => m.seconds),
  );
  if (ourFileRuns.length > 0) {
    const fileSeconds = median(ourFileRuns.map((m) => m.seconds));
    const fileLines = ourFileRuns[0].lines;
    rows.push(
      `| denopassivedns -quiet -logfile (${ourFileRuns[0].files} files of ≤ 100 MB) | ${pairs} | ${
        (packets / fileSeconds / 1e3).toFixed(0)
      } k (${(packets / Math.max(...ourFileRuns.map((m) => m.seconds)) / 1e3).toFixed(0)}–${
        (packets / Math.min(...ourFileRuns.map((m) => m.seconds)) / 1e3).toFixed(0)
      } k) | ${(fileLines / fileSeconds / 1e3).toFixed(0)} k | ${fileSeconds.toFixed(2)} | ${
        median(ourFileRuns.map((m) => m.peakRssMb)).toFixed(0)
      } MB | ${fileLines} (${fileLines === expected ? "exact" : `MISMATCH: expected ${expected}`}) |`,
    );
    notes.push(
      `${pairs} pairs: -quiet -logfile takes ${
        (fileSeconds / median(stdoutRuns.map((m) => m.seconds))).toFixed(2)
      }× the time of stdout to tmpfs (-numprocs 1, both into new pages) ` +
        `(medians of ${ourFileRuns.length} runs each, alternating, after the other runs).`,
    );
  }
  peerRows.forEach((peer, i) => rows.push(peerRow(peerNames[i], pairs, packets, peer, defaultSeconds, peerRecords[i])));
  if (gopassivedns !== null) {
    const threaded = median(measuresOf(formats[0], 2).map((m) => m.seconds));
    const times = gopassivednsRuns.map((m) => m.seconds);
    notes.push(
      `${pairs} pairs: -numprocs 2 takes ${(threaded / gopassivedns.seconds).toFixed(3)}× gopassivedns's time ` +
        `(its median of ${times.length} runs, ${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)} s; ` +
        `issue 13's target: ≤ 0.1).`,
    );
  } else if (!values["no-peers"]) {
    notes.push(`${pairs} pairs: SKIP the ratio to gopassivedns: the peer could not be built here.`);
  }
  if (gopassivedns !== null && pairs === 1000000) {
    const factor = BASELINE_GOPASSIVEDNS_PPS / (packets / gopassivedns.seconds);
    notes.push(
      `1M file: ${(gopassivedns.seconds / defaultSeconds).toFixed(1)}× gopassivedns's rate (issue 2's target: 4× ` +
        `the fastest peer). gopassivedns runs ${factor.toFixed(1)}× slower here than in BASELINES.md; at that ` +
        `factor our ${(packets / defaultSeconds / 1e3).toFixed(0)} k packets/s would be ${
          (factor * packets / defaultSeconds / 1e6).toFixed(2)
        } M packets/s there.`,
    );
  }
}

console.log(
  `Machine: ${Deno.build.target}, ${navigator.hardwareConcurrency} cores; ours: median (fastest–slowest) of ${runs} ` +
    `runs, half before and half after gopassivedns; gopassivedns the median of ${peerRuns} runs, the other peers ` +
    "once; each peer's time against our default -numprocs; " +
    `records to ${RECORDS_DIR}${
      prefillBytes > 0 ? ` (tmpfs, ${(prefillBytes / 1e9).toFixed(1)} GB prefilled per output)` : ""
    }`,
);
console.log("| tool | pairs | packets/s | records/s | seconds | peak RSS | records |");
console.log("|---|---:|---:|---:|---:|---:|---|");
for (const row of rows) console.log(row);
for (const note of notes) console.log(note);

// The record files are only there to be written; don't leave hundreds of MB in tmpfs.
for (
  const name of [
    "denopassivedns-bench.jsonl",
    ...threadCounts.map((threads) => `denopassivedns-bench-${threads}.jsonl`),
    "denopassivedns-bench-peer.txt",
  ]
) {
  await Deno.remove(RECORDS_DIR + name).catch(() => {});
}
