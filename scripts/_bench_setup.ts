/**
 * What the two benchmarks (scripts/bench.ts, scripts/live_bench.ts) share: where records go, and the command line
 * users run.
 *
 * @module
 */

export const ROOT = new URL("..", import.meta.url).pathname;
export const OUT = ROOT + "bench-out/";

/**
 * Where a benchmark writes records: tmpfs when there is one, as in the peer baselines (shared/bench/BASELINES.md), so
 * disk speed is not measured; else bench-out/. Only the absence of /dev/shm means no tmpfs: Deno asks for
 * `--allow-all` before it touches anything under /dev (the bench tasks grant it), and until session 10 a permission
 * error sent the records to bench-out/ on disk without a word.
 */
export async function recordsDir(): Promise<string> {
  try {
    return (await Deno.stat("/dev/shm")).isDirectory ? "/dev/shm/" : OUT;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return OUT;
    throw e;
  }
}

/** The `start` task's V8 flags and permissions (deno.json), as users run the sensor. */
export function startFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  return (config.tasks.start as string).split(/\s+/).filter((word) =>
    word.startsWith("--allow-") || word.startsWith("--v8-flags=")
  );
}
