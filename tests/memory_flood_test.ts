/**
 * Floods that never pair (issue 7 §2), replayed in a subprocess under a V8 heap limit: the sensor must finish with its
 * records and its summary, whatever arrives. Before the byte bound, held legs cost V8 heap (the transaction format
 * held each decoded message: ~400 KB for one 64 KB response of 4000 records, ~3 KB for an unanswered query), and both
 * floods here died with "Fatal JavaScript out of memory" under this limit. Peak RSS of the full-size floods is a
 * benchmark figure (`deno task bench --floods`), not asserted here.
 */
import assert from "node:assert/strict";
import { ROOT, startPermissions } from "./_cli.ts";

/** The old generation's limit for these runs, in MB: well under what the floods held before. */
const HEAP_LIMIT_MB = 48;

async function generate(kind: string, count: number, path: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [`${ROOT}scripts/gen_flood_pcap.py`, kind, String(count), path],
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

async function replayUnderHeapLimit(path: string, format: string, extra: string[] = []) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--config=${ROOT}deno.json`,
      ...startPermissions().filter((flag) => !flag.startsWith("--v8-flags=")),
      // The start task's V8 flags, with the heap limit added.
      `${startPermissions().find((flag) => flag.startsWith("--v8-flags="))},--max-old-space-size=${HEAP_LIMIT_MB}`,
      `${ROOT}main.ts`,
      "-pcap",
      path,
      "-format",
      format,
      ...extra,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  const lines = new TextDecoder().decode(output.stdout).split("\n").filter((line) => line !== "");
  const summary = new Map(
    (/Summary: (.*)/.exec(stderr)?.[1] ?? "").split(" ").map((c) => c.split("=") as [string, string]),
  );
  return { code: output.code, stderr, lines, counter: (name: string) => Number(summary.get(name) ?? 0) };
}

Deno.test("unanswered queries and orphan responses past the table bounds finish under a small heap, in both formats", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const kind of ["queries", "responses"]) {
      await generate(kind, 150_000, `${dir}/${kind}.pcap`);
      for (const format of ["gopassivedns", "transaction"]) {
        const run = await replayUnderHeapLimit(`${dir}/${kind}.pcap`, format, ["-max_pending", "50000"]);
        assert.equal(run.code, 0, `${kind} ${format}: ${run.stderr.slice(-500)}`);
        assert.equal(run.counter("correlation_evicted"), 100_000, `${kind} ${format}`);
        assert.equal(run.counter(kind === "queries" ? "queries_unanswered" : "responses_orphan"), 150_000);
        // The default format writes no record for a lookup that never paired; the transaction format one each.
        assert.equal(run.lines.length, format === "transaction" ? 150_000 : 0);
        if (format === "transaction") {
          const last = JSON.parse(run.lines.at(-1)!);
          assert.equal(last.reason, "end_of_input");
          assert.equal(last.status, kind === "queries" ? "unanswered" : "orphan_response");
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("64 KB orphan responses are held within -max_pending_bytes and capped by -max_records, in both formats", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/big.pcap`;
    await generate("big", 600, path); // 38 MB: 600 responses of 4000 A records each
    for (const format of ["gopassivedns", "transaction"]) {
      const run = await replayUnderHeapLimit(path, format, ["-max_pending_bytes", String(8 << 20)]);
      assert.equal(run.code, 0, `${format}: ${run.stderr.slice(-500)}`);
      assert.equal(run.counter("responses_orphan"), 600);
      assert.equal(run.counter("dns_anomalies"), 600, "each response is flagged: too many records");
      // 8 MiB holds 130 messages of 64 033 bytes and their fixed costs (128 or 256 bytes): the rest were evicted,
      // oldest first.
      assert.equal(run.counter("correlation_evicted"), 600 - 130);
      if (format === "transaction") {
        assert.equal(run.lines.length, 600);
        const record = JSON.parse(run.lines[0]);
        assert.equal(record.reason, "evicted");
        assert.equal(record.answers.length, 512, "-max_records' default");
        assert.deepEqual(record.anomalies, ["response:too_many_records"]);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
