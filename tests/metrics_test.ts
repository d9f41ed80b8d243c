/**
 * statsd and Prometheus as an operator sees them: the sensor in a subprocess reporting to the real Etsy statsd daemon
 * (tests/_statsd.ts) and serving /metrics, scraped while a replay runs (a FIFO held open) and checked with
 * `promtool check metrics`.
 */
import assert from "node:assert/strict";
import { ROOT, runSensor, sensorCommand, text } from "./_cli.ts";
import { startStatsd } from "./_statsd.ts";
import { freeTcpPort } from "./_ports.ts";

const TESTDATA = `${ROOT}testdata/`;

/** The `name=value` pairs of the exit summary. */
function summary(stderr: string): Map<string, number> {
  const line = /Summary: (.*)$/m.exec(stderr)?.[1];
  assert.ok(line !== undefined, `a summary in ${stderr}`);
  return new Map(line.split(" ").map((pair) => pair.split("=")).map(([k, v]) => [k, Number(v)]));
}

Deno.test("statsd: every counter of the exit summary and the original's names arrive with their values", async () => {
  const statsd = await startStatsd();
  try {
    const dir = await Deno.makeTempDir();
    const cases = [
      ["sensor1", `${TESTDATA}gopassivedns/100_tcp_lookups.pcap`],
      ["sensor2", `${TESTDATA}fuzz/hostile.pcap`], // decode errors of eleven codes
    ];
    const summaries = new Map<string, Map<string, number>>();
    for (const [name, pcap] of cases) {
      const run = await runSensor([
        "-pcap",
        pcap,
        "-quiet",
        "-logfile",
        `${dir}/${name}.log`,
        "-statsd_host",
        `127.0.0.1:${statsd.port}`,
        "-statsd_prefix",
        "pdns",
        "-name",
        name,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(text(run.stdout), "", "nothing from the statsd client on stdout");
      summaries.set(name, summary(run.stderr));
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // UDP on loopback: let the daemon read its socket
    const counters = await statsd.counters();
    for (const [name, values] of summaries) {
      assert.ok(values.size > 10);
      for (const [counter, value] of values) assert.equal(counters[`pdns.${name}.${counter}`], value, counter);
    }
    // The original's names (reference §9) for the TCP capture.
    assert.equal(counters["pdns.sensor1.packets"], 3000);
    assert.equal(counters["pdns.sensor1.reassembed_tcp"], 600);
    assert.equal(counters["pdns.sensor1.0.packet_wall_time"], 600);
    assert.equal(counters["pdns.sensor1.file.written"], 300);
    assert.equal(counters["pdns.sensor2.0.dns_lookups"], 8);
    assert.ok(summaries.get("sensor2")!.get("decode_error.dns.label_type")! > 0);
    const gauges = await statsd.gauges();
    assert.equal(gauges["pdns.sensor1.file.queued"], 0);
    assert.equal(gauges["pdns.sensor1.0.log_depth"], 0);
    assert.equal(gauges["pdns.sensor1.incoming_log_depth"], 0);
    assert.equal(await statsd.badLines(), 0, "statsd parsed every line");
    await Deno.remove(dir, { recursive: true });
  } finally {
    await statsd.stop();
  }
});

/** The packets of a classic pcap, split after `first` packets: [header + first packets, the other packets]. */
function splitCapture(capture: Uint8Array, first: number): [Uint8Array, Uint8Array] {
  const view = new DataView(capture.buffer, capture.byteOffset);
  let at = 24;
  for (let i = 0; i < first; i++) at += 16 + view.getUint32(at + 8, true);
  return [capture.subarray(0, at), capture.subarray(at)];
}

async function scrape(port: number): Promise<string> {
  for (let i = 0;; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      return await response.text();
    } catch (error) {
      if (i > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function sample(exposition: string, series: string): number {
  const line = exposition.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line !== undefined, `${series} in the exposition`);
  return Number(line.slice(series.length + 1));
}

Deno.test("Prometheus /metrics while a replay runs passes promtool, and statsd sums its reports to the totals", async () => {
  const statsd = await startStatsd();
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/capture.pcap`;
    assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
    const [part1, part2] = splitCapture(await Deno.readFile(`${TESTDATA}real/dnsperf.pcap`), 320);
    const port = freeTcpPort();
    const child = sensorCommand({
      args: [
        "-pcap",
        fifo,
        "-quiet",
        "-logfile",
        `${dir}/dns.log`,
        "-metrics_listen",
        `127.0.0.1:${port}`,
        "-statsd_host",
        `127.0.0.1:${statsd.port}`,
        "-statsd_interval",
        "1",
        "-name",
        "live",
        "-debug",
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    const writer = await Deno.open(fifo, { write: true });
    await writer.write(part1);
    let exposition = "";
    for (let i = 0; i < 200; i++) { // until the first half's records are counted
      exposition = await scrape(port);
      if (sample(exposition, 'denopassivedns_sink_records_written_total{sink="file"}') > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    exposition = await scrape(port);
    const promtool = new Deno.Command("promtool", { args: ["check", "metrics"], stdin: "piped", stderr: "piped" })
      .spawn();
    const checkWriter = promtool.stdin.getWriter();
    await checkWriter.write(new TextEncoder().encode(exposition));
    await checkWriter.close();
    const checked = await promtool.output();
    assert.equal(checked.code, 0, `promtool: ${text(checked.stderr)}\n${exposition}`);
    assert.equal(text(checked.stderr).trim(), "", "promtool has no lint warnings");

    const midRecords = sample(exposition, "denopassivedns_records_total");
    const fileLines = Deno.readTextFileSync(`${dir}/dns.log`).split("\n").length - 1;
    assert.ok(midRecords > 0 && midRecords < 392, `mid-run: ${midRecords} records`);
    assert.equal(sample(exposition, 'denopassivedns_sink_records_written_total{sink="file"}'), fileLines);
    assert.equal(sample(exposition, 'denopassivedns_sink_records_queued{sink="file"}'), 0);
    assert.ok(sample(exposition, "process_resident_memory_bytes") > 10e6);
    assert.ok(sample(exposition, "process_cpu_seconds_total") > 0);
    assert.ok(Math.abs(sample(exposition, "process_start_time_seconds") - Date.now() / 1000) < 600);
    // A report every second: wait for one that has the mid-run count (no timed assertion).
    for (let i = 0; (await statsd.counters())["gopassivedns.live.records"] !== midRecords; i++) {
      assert.ok(i < 600, "statsd received the mid-run count");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await writer.write(part2);
    writer.close();
    const { code, stderr } = await output;
    assert.equal(code, 0, text(stderr));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const totals = summary(text(stderr));
    const counters = await statsd.counters();
    // Several reports were sent; their increases add up to the totals (the original added running totals).
    assert.equal(totals.get("records"), 392);
    assert.match(text(stderr), /\[DBG\] .*Sinks: file\.written=\d+/, "-debug shows the per-sink counters");
    for (const [counter, value] of totals) assert.equal(counters[`gopassivedns.live.${counter}`], value, counter);
    assert.equal(await statsd.badLines(), 0);
  } finally {
    await statsd.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("-metrics_listen and -statsd_host take host:port and reject anything else as a usage error", async () => {
  const bad = await runSensor(["-pcap", `${TESTDATA}gopassivedns/a.pcap`, "-metrics_listen", "9167"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid value "9167" for -metrics_listen \(PDNS_METRICS_LISTEN\): expected an address/);
  const badStatsd = await runSensor(["-pcap", `${TESTDATA}gopassivedns/a.pcap`, "-statsd_host", "localhost"]);
  assert.equal(badStatsd.code, 2);
  assert.match(badStatsd.stderr, /invalid value "localhost" for -statsd_host \(PDNS_STATSD_HOST\)/);
});

Deno.test("-metrics_listen on an address already taken is a runtime failure naming the option", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const run = await runSensor(["-pcap", `${TESTDATA}gopassivedns/a.pcap`, "-metrics_listen", `127.0.0.1:${port}`]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port} \\(-metrics_listen\\)`));
  } finally {
    taken.close();
  }
});
