/** Test helper: run main.ts in a subprocess with the exact permission set of the `start` task (and the binary). */
import { CORES_VARIABLE, WORKER_AT_ONCE_VARIABLE } from "../src/parallel/test_hooks.ts";
import { NUMPROCS } from "./_replay.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * The permission flags and V8 flags of `deno task start`, read from deno.json so the tests exercise the shipped set.
 */
export function startPermissions(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const task: string = config.tasks.start;
  return task.split(/\s+/).filter((word) => word.startsWith("--allow-") || word.startsWith("--v8-flags="));
}

export interface CliRun {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** The `-numprocs` of the {@linkcode cliTestEachWay} test that is running, or null outside one. */
let numprocsOfTest: number | null = null;

/**
 * `Deno.test` once per {@linkcode NUMPROCS} value: with `PDNS_THREADS=1`, and with 2 and 3 and the lookup workers
 * started at once (named so; 3 on a two-core machine by the `DENOPASSIVEDNS_TEST_CORES` hook). Every sensor that `fn`
 * runs through this module gets that environment (its own `env` still wins), so a command line `-numprocs` or a
 * test's own `PDNS_THREADS` overrides it.
 */
export function cliTestEachWay(name: string, fn: () => Promise<void>): void {
  for (const numprocs of NUMPROCS) {
    Deno.test(numprocs === 1 ? name : `${name} (-numprocs ${numprocs})`, async () => {
      numprocsOfTest = numprocs;
      try {
        await fn();
      } finally {
        numprocsOfTest = null;
      }
    });
  }
}

/**
 * The environment {@linkcode cliTestEachWay} adds: a test that starts the sensor some other way (a shell line, its own
 * permission flags) passes it on, or its "-numprocs 2" run would be a second one-thread run.
 */
export function threadsEnv(): Record<string, string> {
  if (numprocsOfTest === null) return {};
  const env: Record<string, string> = { PDNS_THREADS: String(numprocsOfTest) };
  if (numprocsOfTest > 1) env[WORKER_AT_ONCE_VARIABLE] = "1";
  if (numprocsOfTest > 2) env[CORES_VARIABLE] = String(numprocsOfTest);
  return env;
}

/** The sensor's command line prefix as the `start` task runs it: `deno run … main.ts`. */
function sensorArgs(args: string[]): string[] {
  return ["run", "--quiet", `--config=${ROOT}deno.json`, ...startPermissions(), `${ROOT}main.ts`, ...args];
}

/** The whole command line, the Deno executable first (for a shell line, or a wrapper such as `ip netns exec`). */
export function sensorArgv(args: string[]): string[] {
  return [Deno.execPath(), ...sensorArgs(args)];
}

/** A `Deno.Command` running the sensor with `options.args` under the `start` task's permissions. */
export function sensorCommand(options: Deno.CommandOptions & { args: string[] }): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    ...options,
    env: { ...threadsEnv(), ...options.env },
    args: sensorArgs(options.args),
  });
}

/**
 * The sensor reading a capture from its stdin (`-pcap -` and `args`), every stream piped, and a writer on its stdin:
 * the caller feeds the capture in parts (an outage between them), closes the writer, and awaits `output()`.
 */
export function stdinSensor(
  args: string[],
): { sensor: Deno.ChildProcess; writer: WritableStreamDefaultWriter<Uint8Array> } {
  const sensor = sensorCommand({
    args: ["-pcap", "-", ...args],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { sensor, writer: sensor.stdin.getWriter() };
}

export async function runSensor(args: string[], stdin?: Uint8Array, env: Record<string, string> = {}): Promise<CliRun> {
  // An empty directory: no .env is found there.
  const cwd = Deno.makeTempDirSync();
  const command = new Deno.Command(Deno.execPath(), {
    args: sensorArgs(args),
    cwd,
    env: { NO_COLOR: "1", ...threadsEnv(), ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  Deno.removeSync(cwd, { recursive: true });
  return { code, stdout, stderr: new TextDecoder().decode(stderr) };
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export { ROOT };
