/**
 * `deno task compile [--target T ...]`: one self-contained binary per platform in dist/, with exactly the
 * permission set of the `start` task (which the subprocess tests run under), read from deno.json so the two cannot
 * drift apart.
 *
 * `deno compile` downloads its `denort` base binary for each target; on a machine without access to Deno's
 * download host this fails, and the script says so instead of leaving a half-built dist/.
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
  const { code } = await new Deno.Command(Deno.execPath(), { args, cwd: ROOT }).output();
  if (code !== 0) {
    failed++;
    console.error(`compile for ${target} failed (exit ${code}); deno compile needs to download denort for it`);
  }
}
Deno.exit(failed === 0 ? 0 : 1);
