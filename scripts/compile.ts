/**
 * `deno task compile [--target T ...]`: one self-contained binary per platform in dist/, with exactly the
 * permission set of the `start` task (which the subprocess tests run under), read from deno.json so the two cannot
 * drift apart.
 *
 * `deno compile` downloads its `denort` base binary for each target from dl.deno.land; on a machine without access
 * to it this fails, and the script says what to run instead: the same task on a machine that can reach it, or, offline,
 * `DENORT_BIN=/path/to/denort` with the matching `--target` (one target per run, as one denort serves one target).
 */
import { parseArgs } from "node:util";

const ROOT = new URL("..", import.meta.url).pathname;
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];

const { values } = parseArgs({ args: Deno.args, options: { target: { type: "string", multiple: true } } });
const denortBin = Deno.env.get("DENORT_BIN");
if (denortBin !== undefined && values.target?.length !== 1) {
  console.error(
    `DENORT_BIN=${denortBin} is one target's denort: name that target once with --target (${TARGETS.join(", ")})`,
  );
  Deno.exit(2);
}
const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
// The permission set and the V8 flags (the young generation's bound, README "Nothing lost silently").
const permissions = (config.tasks.start as string).split(/\s+/).filter((word) =>
  word.startsWith("--allow-") || word.startsWith("--v8-flags=")
);
const version = JSON.parse(await Deno.readTextFile(`${ROOT}package.json`)).version as string;

let failed = 0;
for (const target of values.target ?? TARGETS) {
  const output = `${ROOT}dist/denopassivedns-${version}-${target}`;
  // The syslog worker is loaded by URL at run time, so the compiler must be told to include it.
  const include = ["--include", `${ROOT}src/sinks/syslog_worker.ts`];
  const args = [
    "compile",
    ...permissions,
    ...include,
    "--no-prompt",
    "--target",
    target,
    "--output",
    output,
    `${ROOT}main.ts`,
  ];
  console.error(`deno ${args.join(" ")}`);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT, env: { NO_COLOR: "1" } })
    .output();
  if (code !== 0) {
    failed++;
    const cause = new TextDecoder().decode(stderr).split("Stack backtrace")[0].split("\n").filter((line) =>
      /^\s+\d+: /.test(line)
    ).at(-1)?.trim();
    const url = `https://dl.deno.land/release/v${Deno.version.deno}/denort-${target}.zip`;
    console.error(
      `compile for ${target} failed (exit ${code}${cause === undefined ? "" : `: ${cause.replace(/^\d+: /, "")}`}).\n` +
        (denortBin === undefined
          ? `deno compile needs ${url}. On a machine that can reach dl.deno.land run: npm ci && npx deno task compile` +
            `\nOffline: fetch that zip elsewhere, unzip it, then: DENORT_BIN=/path/to/denort npx deno task compile --target ${target}` +
            "\n(or install the Debian package or tarball from deno task package, which needs no download)"
          : `DENORT_BIN=${denortBin} must be denort ${Deno.version.deno} for ${target} (from ${url})`),
    );
  }
}
Deno.exit(failed === 0 ? 0 : 1);
