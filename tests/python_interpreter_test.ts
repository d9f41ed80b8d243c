/**
 * Every test and bench runs Python as Debian's `/usr/bin/python3` (the interpreter scripts/install_test_deps.sh
 * provisions with its python3-* modules); the `python3` first on PATH may be another interpreter (pyenv here) without
 * them. A source scan, so a new call to a bare `python3` fails here rather than on one machine but not another.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** A bare `python3` as a command name: `Command("python3"`, `must("python3"` or a shell line starting `python3 `. */
const BARE_PYTHON = /(?:\(\s*"python3"|`python3\s)/;

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    // This file names the bare command in its own examples.
    if (entry.isFile && entry.name.endsWith(".ts") && entry.name !== "python_interpreter_test.ts") {
      found.push(`${dir}${entry.name}`);
    }
  }
  return found.sort();
}

Deno.test("tests and benches run Debian's /usr/bin/python3, never the python3 first on PATH", async () => {
  const offenders: string[] = [];
  for (const path of [...await sources("tests/"), ...await sources("scripts/")]) {
    const lines = (await Deno.readTextFile(new URL(path, ROOT))).split("\n");
    lines.forEach((line, index) => {
      if (BARE_PYTHON.test(line)) offenders.push(`${path}:${index + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

Deno.test("the scan recognises each way a bare python3 was spawned", () => {
  assert.ok(BARE_PYTHON.test(`await new Deno.Command("python3", {`));
  assert.ok(BARE_PYTHON.test(`await must("python3", [`));
  assert.ok(BARE_PYTHON.test("`python3 ${ROOT}scripts/gen_dns_pcap.py`"));
  assert.ok(!BARE_PYTHON.test(`await new Deno.Command("/usr/bin/python3", {`));
  assert.ok(!BARE_PYTHON.test("`/usr/bin/python3 ${ROOT}scripts/gen_dns_pcap.py`"));
});
