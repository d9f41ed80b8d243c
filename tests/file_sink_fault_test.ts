/**
 * The file sink on a disk that fills up and frees again: a 1 MiB tmpfs mounted on the test's own directory (root only;
 * chmod does not stop root). The error is reported once, the records that could not be written are counted as
 * failed, writing resumes by itself, and the file holds exactly the records counted as written, whole lines only.
 */
import assert from "node:assert/strict";
import { FileSink } from "../src/sinks/file_sink.ts";

const encoder = new TextEncoder();

async function sh(...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(args[0], { args: args.slice(1), stderr: "piped" }).output();
  assert.equal(code, 0, `${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
}

function batch(from: number, count: number): Uint8Array {
  let text = "";
  for (let i = from; i < from + count; i++) text += `{"n":${i},"pad":"${"y".repeat(200)}"}\n`;
  return encoder.encode(text);
}

Deno.test({
  name: "FileSink counts records as failed while the disk is full, reports once, and resumes when space is freed",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const dir = Deno.makeTempDirSync();
    await sh("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir);
    try {
      const reports: (string | null)[] = [];
      const sink = new FileSink(`${dir}/dns.log`, {
        maxBytes: 100 << 20,
        maxBackups: 0,
        maxAgeDays: 0,
        now: Date.now,
        retryMs: 0,
        onError: (_, error) => reports.push(error === null ? null : String(error)),
      });
      let next = 0;
      // 1 MiB fills after ~4 700 lines; 100 batches of 100 lines run into the limit many times.
      for (let i = 0; i < 100; i++, next += 100) sink.write(batch(next, 100));
      assert.ok(sink.stats.failed > 0, "the disk filled up");
      assert.equal(reports.length, 1, "one report for the whole episode");
      assert.match(reports[0]!, /space|No space/i);

      const full = Deno.readTextFileSync(`${dir}/dns.log`);
      assert.ok(full.endsWith("\n"), "the full file ends with a whole line");
      assert.equal(full.split("\n").length - 1, sink.stats.written, "the file holds exactly the records counted");
      Deno.truncateSync(`${dir}/dns.log`, 0); // the operator frees space
      const writtenBefore = sink.stats.written;
      sink.write(batch(next, 100));
      next += 100;
      assert.equal(sink.stats.written, writtenBefore + 100, "writing resumed");
      assert.deepEqual(reports.slice(1), [null], "the recovery is reported once");
      await sink.close();

      assert.equal(sink.stats.written + sink.stats.failed, next, "every record is written or counted as failed");
      const text = Deno.readTextFileSync(`${dir}/dns.log`);
      assert.ok(text.endsWith("\n"));
      for (const line of text.split("\n").slice(0, -1)) JSON.parse(line); // whole lines only
    } finally {
      await sh("umount", dir);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a full disk under -logfile is reported once on stderr, counted, and the replay still ends normally",
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const dir = Deno.makeTempDirSync();
    const pcap = `${dir}/traffic.pcap`;
    const generated = await new Deno.Command("/usr/bin/python3", {
      args: [new URL("../scripts/gen_dns_pcap.py", import.meta.url).pathname, "--pairs", "10000", "-o", pcap],
      stdout: "null",
      stderr: "null",
    }).output();
    assert.equal(generated.code, 0);
    const logs = `${dir}/logs`;
    Deno.mkdirSync(logs);
    // A 1 MiB tmpfs over the log directory, in a private mount namespace: only the sensor sees it.
    const root = new URL("..", import.meta.url).pathname;
    const permissions = JSON.parse(Deno.readTextFileSync(`${root}deno.json`)).tasks.start.split(/\s+/)
      .filter((word: string) => word.startsWith("--allow-"));
    const sensor = [Deno.execPath(), "run", "--quiet", `--config=${root}deno.json`, ...permissions, `${root}main.ts`];
    const output = await new Deno.Command("unshare", {
      args: [
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        `mount -t tmpfs -o size=1m tmpfs ${logs} && exec "$@"`,
        "sh",
        ...sensor,
        "-pcap",
        pcap,
        "-quiet",
        "-logfile",
        `${logs}/dns.log`,
      ],
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    Deno.removeSync(dir, { recursive: true });
    assert.equal(output.code, 0, stderr);
    assert.equal(
      stderr.match(/Sink file: delivery failed, retrying with back-off: .*No space left on device/g)?.length,
      1,
      stderr,
    );
    const value = (name: string) => Number(new RegExp(`\\b${name.replaceAll(".", "\\.")}=(\\d+)`).exec(stderr)?.[1]);
    assert.ok(value("file.failed") > 0);
    assert.ok(value("file.written") > 3000, "the first MiB of records was written");
    assert.equal(value("file.written") + value("file.failed"), value("records"));
    assert.equal(value("records_dropped"), value("file.failed"));
  },
});
