import assert from "node:assert/strict";
import { RotatingFile, type RotationOptions } from "./rotating_file.ts";

const encoder = new TextEncoder();

/** `count` lines of varied length, numbered, so loss, duplication, reordering and splitting all show. */
function lines(from: number, count: number): string {
  let text = "";
  for (let i = from; i < from + count; i++) text += `{"n":${i},"pad":"${"x".repeat(i % 97)}"}\n`;
  return text;
}

/** Every line of the backups (oldest first) then of the current file. */
function allLines(file: RotatingFile): string[] {
  const paths = [...file.backups().reverse().map((b) => b.path), file.path];
  return paths.flatMap((path) => {
    const text = Deno.readTextFileSync(path);
    assert.ok(text === "" || text.endsWith("\n"), `${path} ends with a whole line`);
    return text.split("\n").slice(0, -1);
  });
}

function options(overrides: Partial<RotationOptions> = {}): RotationOptions {
  let clock = Date.UTC(2018, 4, 16, 12, 0, 0);
  return { maxBytes: 4096, maxBackups: 0, maxAgeDays: 0, now: () => clock += 1500, ...overrides };
}

Deno.test("RotatingFile rotates many times, never splits a line, and all files together hold every line", () => {
  const dir = Deno.makeTempDirSync();
  const file = new RotatingFile(`${dir}/dns.log`, options());
  const expected = lines(0, 20_000);
  const bytes = encoder.encode(expected);
  for (let at = 0; at < bytes.length;) { // batches of whole lines of varied size, as the pipeline hands them
    const end = bytes.indexOf(0x0a, Math.min(bytes.length - 1, at + 1000 + (at % 7919))) + 1;
    file.write(bytes.subarray(at, end));
    at = end;
  }
  file.close();
  const backups = file.backups();
  assert.ok(backups.length > 200, `rotated ${backups.length} times`);
  for (const { path } of backups) assert.ok(Deno.statSync(path).size <= 4096, path);
  assert.deepEqual(allLines(file), expected.split("\n").slice(0, -1));
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("RotatingFile names backups <stem>-<UTC 2006-01-02T15-04-05.000><ext>, as lumberjack", () => {
  const dir = Deno.makeTempDirSync();
  const file = new RotatingFile(`${dir}/dns.log`, {
    ...options(),
    maxBytes: 100,
    now: () => Date.UTC(2018, 4, 16, 12),
  });
  file.write(encoder.encode(lines(0, 10)));
  file.close();
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  // Several rotations in the same millisecond get the next free millisecond, so names stay in time order.
  assert.equal(names[0], "dns-2018-05-16T12-00-00.000.log");
  assert.equal(names[1], "dns-2018-05-16T12-00-00.001.log");
  assert.equal(names.at(-1), "dns.log");
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("RotatingFile keeps the newest maxBackups backups and removes those older than maxAgeDays", () => {
  const dir = Deno.makeTempDirSync();
  const kept = new RotatingFile(`${dir}/a.log`, { ...options(), maxBytes: 200, maxBackups: 3 });
  kept.write(encoder.encode(lines(0, 100)));
  assert.equal(kept.backups().length, 3);
  const newest = kept.backups()[0].time;

  let clock = Date.UTC(2020, 0, 1);
  const aged = new RotatingFile(`${dir}/b.log`, { ...options(), maxBytes: 200, maxAgeDays: 2, now: () => clock });
  aged.write(encoder.encode(lines(0, 20))); // backups dated 2020-01-01
  const before = aged.backups().length;
  assert.ok(before > 1);
  clock += 3 * 86_400_000;
  aged.write(encoder.encode(lines(0, 20))); // the next rotation removes every backup older than two days
  assert.ok(aged.backups().every((b) => b.time >= clock), "only backups of the new day are left");
  assert.equal(kept.backups()[0].time, newest, "the other file's backups are not touched");
  kept.close();
  aged.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("RotatingFile appends to an existing file and rotates it first when the write would not fit", () => {
  const dir = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${dir}/dns.log`, "old\n");
  const file = new RotatingFile(`${dir}/dns.log`, { ...options(), maxBytes: 10 });
  file.write(encoder.encode("abc\n"));
  assert.equal(Deno.readTextFileSync(`${dir}/dns.log`), "old\nabc\n");
  file.write(encoder.encode("defgh\n"));
  assert.equal(Deno.readTextFileSync(`${dir}/dns.log`), "defgh\n");
  assert.equal(Deno.readTextFileSync(file.backups()[0].path), "old\nabc\n");
  file.close();
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("RotatingFile writes a line longer than maxBytes alone in a file of its own", () => {
  const dir = Deno.makeTempDirSync();
  const file = new RotatingFile(`${dir}/dns.log`, { ...options(), maxBytes: 10 });
  file.write(encoder.encode("ab\n0123456789ABCDEF\ncd\n"));
  file.close();
  assert.deepEqual(allLines(file), ["ab", "0123456789ABCDEF", "cd"]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("RotatingFile recreates a removed directory and a file moved away", () => {
  const dir = Deno.makeTempDirSync();
  const file = new RotatingFile(`${dir}/logs/dns.log`, options());
  file.write(encoder.encode("one\n"));
  Deno.renameSync(`${dir}/logs/dns.log`, `${dir}/logs/dns.log.1`); // logrotate without postrotate
  file.write(encoder.encode("two\n"));
  assert.equal(Deno.readTextFileSync(`${dir}/logs/dns.log`), "two\n");
  Deno.removeSync(`${dir}/logs`, { recursive: true });
  file.write(encoder.encode("three\n"));
  assert.equal(Deno.readTextFileSync(`${dir}/logs/dns.log`), "three\n");
  file.close();
  Deno.removeSync(dir, { recursive: true });
});
