/**
 * What the package suites share (tests/package_test.ts, tests/arm64_package_test.ts, tests/systemd_boot_test.ts): a
 * command's output as text, the machine's requirements (root, tools) with the rule for a missing one, and the build of
 * one architecture's package.
 *
 * @module
 */

import { ROOT, text } from "./_cli.ts";

/** A command's exit status and output. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command` to its end, standard input closed. */
export async function output(command: string, args: string[], options: Deno.CommandOptions = {}): Promise<Output> {
  const result = await new Deno.Command(command, { args, stdin: "null", ...options }).output();
  return { code: result.code, stdout: text(result.stdout), stderr: text(result.stderr) };
}

/** What of root (when `asRoot`) and `tools` (found on PATH) this machine lacks. */
export async function missingOf(tools: string[], asRoot: boolean): Promise<string[]> {
  const missing: string[] = [];
  if (asRoot && Deno.uid() !== 0) missing.push("root");
  for (const tool of tools) {
    if ((await output("sh", ["-c", `command -v ${tool}`])).code !== 0) missing.push(tool);
  }
  return missing;
}

/**
 * Whether the suite `name` is skipped: when something it needs is `missing`, except under CI=true, where it runs and
 * fails naming what is missing (CI installs everything). Says so on stderr when it is skipped.
 */
export function skippedFor(name: string, missing: string[]): boolean {
  const skipped = missing.length > 0 && Deno.env.get("CI") !== "true";
  if (skipped) console.warn(`${name}: skipped, needs ${missing.join(", ")}`);
  return skipped;
}

/**
 * `deno task package` for `arch`, uncompressed, into `out`: the task's output and the `.deb` it names (empty if
 * none).
 */
export async function buildPackage(arch: "amd64" | "arm64", out: string): Promise<Output & { deb: string }> {
  const build = await output(
    `${ROOT}node_modules/.bin/deno`,
    ["task", "package", "--arch", arch, "--compress", "none", "--out", out],
    { cwd: ROOT },
  );
  const deb = build.stdout.trim().split("\n").find((line) => line.endsWith(".deb")) ?? "";
  return { ...build, deb };
}
