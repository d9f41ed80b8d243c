/**
 * `-cpuprofile FILE`: a V8 CPU profile of the whole run, recorded through the inspector protocol (`node:inspector`)
 * and written as a `.cpuprofile` JSON file that Chrome DevTools (Performance panel → Load profile) opens.
 *
 * @module
 */

/**
 * Starts profiling. The file is created at once, so a bad path fails before capture starts (as the original's pprof
 * did); the profile is written when the returned function is called.
 *
 * @example
 * ```ts
 * const stop = await startCpuProfile("run.cpuprofile");
 * // … run …
 * await stop();
 * ```
 * @returns an async function that stops profiling and writes the profile; later calls do nothing.
 * @throws whatever `Deno.writeTextFileSync` throws when the file cannot be created.
 */
export async function startCpuProfile(path: string): Promise<() => Promise<void>> {
  Deno.writeTextFileSync(path, "");
  // Imported here, not at the top: node:inspector costs about 10 ms of start-up, for a flag rarely given.
  const { Session } = await import("node:inspector");
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      session.post(method, (error: Error | null, result?: object) => {
        if (error) reject(error);
        else resolve((result ?? {}) as Record<string, unknown>);
      });
    });
  await post("Profiler.enable");
  await post("Profiler.start");
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    const { profile } = await post("Profiler.stop");
    session.disconnect();
    await Deno.writeTextFile(path, JSON.stringify(profile));
  };
}
