/**
 * `deno task bench:kafka [--pairs 1000000] [--runs 2] [--compression none,lz4] [--brokers 1]`
 *
 * The Kafka sink's throughput and CPU cost, against a local Apache Kafka broker started here (tests/_kafka_broker.ts,
 * jars from scripts/install_test_deps.sh), or a cluster of `--brokers` (tests/_kafka_cluster.ts), on a topic of 6
 * partitions. For the generated capture (the file
 * `deno task bench` uses, scripts/gen_dns_pcap.py, seeded) it runs the sensor with `-quiet` alone (the replay's own
 * cost) and with `-quiet -kafka_brokers … -kafka_topic …`, each under /usr/bin/time, and reports:
 * - records/s acknowledged: records the broker acknowledged (counted back with kcat) / wall time of the run,
 *   start-up and the wait for the last acknowledgement included;
 * - the sink's CPU cost: (user + system seconds with Kafka − without) per 100 000 records, the sensor process only
 *   (the broker runs on the same two cores and is not counted);
 * - the sink's drops (queue full) and failures from the exit summary.
 * Figures only: nothing here asserts a time.
 */
import { parseArgs } from "node:util";
import { KafkaBroker, kafkaOnly } from "../tests/_kafka_broker.ts";
import { KafkaCluster } from "../tests/_kafka_cluster.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const OUT = ROOT + "bench-out/";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pairs: { type: "string", default: "1000000" },
    runs: { type: "string", default: "2" },
    compression: { type: "string", default: "none,lz4" },
    paced: { type: "string", default: "50000" },
    brokers: { type: "string", default: "1" },
  },
});

async function sh(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("bash", { args: ["-c", command], stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

async function capture(pairs: number): Promise<string> {
  const pcap = `${OUT}dns_${pairs}.pcap`;
  try {
    await Deno.stat(pcap);
    return pcap;
  } catch { /* generate it */ }
  await Deno.mkdir(OUT, { recursive: true });
  const result = await sh(
    `/usr/bin/python3 ${ROOT}scripts/gen_dns_pcap.py --pairs ${pairs} -o ${pcap} --stats-json ${OUT}dns_${pairs}.stats.json`,
  );
  if (result.code !== 0) throw new Error(`gen_dns_pcap.py failed: ${result.stderr}`);
  return pcap;
}

/**
 * One run fed through standard input at `rate` records/s (the file's bytes per record spread evenly), with the
 * default queue bound: capture must never wait for Kafka, so what the broker cannot take shows as drops.
 */
async function paced(args: string[], pcap: string, rate: number, records: number): Promise<Run> {
  const deno = `${ROOT}node_modules/.bin/deno`;
  const child = new Deno.Command("/usr/bin/time", {
    args: ["-f", "TIME %e %U %S", deno, "run", "--quiet", `--config=${ROOT}deno.json`, "-A", `${ROOT}main.ts`, ...args],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const bytes = await Deno.readFile(pcap);
  const bytesPerSecond = bytes.length / (records / rate);
  const writer = child.stdin.getWriter();
  const started = performance.now();
  const chunk = 256 * 1024;
  for (let at = 0; at < bytes.length; at += chunk) {
    const due = started + (at / bytesPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await writer.write(bytes.subarray(at, at + chunk));
  }
  await writer.close();
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (output.code !== 0 || match === null) throw new Error(`sensor failed: ${stderr}`);
  return { wall: Number(match[1]), cpu: Number(match[2]) + Number(match[3]), stderr };
}

interface Run {
  wall: number;
  cpu: number;
  stderr: string;
}

/** One sensor run under /usr/bin/time: wall and user+system seconds of the sensor process. */
async function timed(args: string[]): Promise<Run> {
  const deno = `${ROOT}node_modules/.bin/deno`;
  const command = `/usr/bin/time -f 'TIME %e %U %S' ${deno} run --quiet --config=${ROOT}deno.json -A ${ROOT}main.ts ` +
    args.map((a) => `'${a}'`).join(" ") + " > /dev/null";
  const result = await sh(`NO_COLOR=1 ${command}`);
  const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (result.code !== 0 || match === null) throw new Error(`sensor failed: ${result.stderr}`);
  return { wall: Number(match[1]), cpu: Number(match[2]) + Number(match[3]), stderr: result.stderr };
}

const counter = (stderr: string, name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(stderr)?.[1] ?? 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const pairs = Number(values.pairs);
const runs = Number(values.runs);
const pcap = await capture(pairs);
// One broker (the tests' own), or a KRaft cluster of several (topics replicated on up to three of them).
const brokers = Number(values.brokers);
const cluster = brokers > 1 ? await KafkaCluster.start(brokers) : null;
const broker = cluster ?? await KafkaBroker.start();
const createTopic = (topic: string) =>
  cluster !== null
    ? cluster.createTopic(topic, 6, Math.min(3, brokers))
    : (broker as KafkaBroker).createTopic(topic, 6);
try {
  if (cluster !== null) console.log(`${brokers} brokers, each topic replicated on ${Math.min(3, brokers)}`);
  const baseline: Run[] = [];
  for (let i = 0; i < runs; i++) baseline.push(await timed(["-pcap", pcap, "-quiet"]));
  const records = counter(baseline[0].stderr, "records");
  const baseCpu = median(baseline.map((r) => r.cpu));
  console.log(
    `capture ${pcap}: ${records} records; replay alone (-quiet): ${baseCpu.toFixed(2)} CPU-s, ` +
      `${median(baseline.map((r) => r.wall)).toFixed(2)} s wall`,
  );
  let topicNumber = 0;
  for (const compression of values.compression.split(",")) {
    const rows: { rate: number; cost: number; dropped: number; failed: number; acked: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const topic = `bench-${compression}-${topicNumber++}`;
      await createTopic(topic);
      const run = await timed([
        "-pcap",
        pcap,
        ...kafkaOnly(broker.bootstrap, topic),
        "-kafka_compression",
        compression,
        // Room for every record of the file, so this measures the broker's acknowledgements, not the queue bound.
        "-sink_queue_mb",
        "2048",
        "-sink_timeout",
        "10m",
      ]);
      const count = await sh(
        `kcat -C -b ${broker.bootstrap} -t ${topic} -o beginning -e -q -f '\\n' | wc -l`,
      );
      const acked = Number(count.stdout.trim());
      rows.push({
        rate: acked / run.wall,
        cost: (run.cpu - baseCpu) / (records / 100_000),
        dropped: counter(run.stderr, "\\skafka\\.dropped"),
        failed: counter(run.stderr, "\\skafka\\.failed"),
        acked,
      });
      console.log(
        `  ${compression} run ${i + 1}: ${acked} records in the topic, ${run.wall.toFixed(2)} s wall, ` +
          `${run.cpu.toFixed(2)} CPU-s, dropped ${rows.at(-1)!.dropped}, failed ${rows.at(-1)!.failed}`,
      );
    }
    console.log(
      `kafka compression=${compression}: ${Math.round(median(rows.map((r) => r.rate)))} records/s acknowledged, ` +
        `sink CPU ${median(rows.map((r) => r.cost)).toFixed(2)} s per 100k records (median of ${runs})`,
    );
  }
  const rate = Number(values.paced);
  if (rate > 0) {
    const topic = "bench-paced";
    await createTopic(topic);
    const args = ["-pcap", "-", ...kafkaOnly(broker.bootstrap, topic)];
    const run = await paced(args, pcap, rate, records);
    const count = await sh(`kcat -C -b ${broker.bootstrap} -t ${topic} -o beginning -e -q -f '\\n' | wc -l`);
    const cost = (run.cpu - baseCpu) / (records / 100_000);
    console.log(
      `paced at ${rate} records/s through stdin, default queue (-sink_queue_mb 64): ${count.stdout.trim()} records ` +
        `in the topic, dropped ${counter(run.stderr, "\\skafka\\.dropped")}, failed ` +
        `${counter(run.stderr, "\\skafka\\.failed")}, ${run.wall.toFixed(1)} s wall, ${run.cpu.toFixed(2)} CPU-s ` +
        `(sink ${cost.toFixed(2)} s per 100k records over the replay alone)`,
    );
  }
} finally {
  await broker.stop();
}
