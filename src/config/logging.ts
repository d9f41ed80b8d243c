/**
 * Diagnostics on stderr through LogTape. Standard output carries records only, so the sink writes to stderr
 * directly (synchronously, so a message logged just before exit is not lost).
 *
 * Modules log under the `denopassivedns` category: `getLogger(["denopassivedns", "capture"]).info("…")`.
 *
 * @module
 */

import { configureSync, getTextFormatter, type LogRecord } from "@logtape/logtape";

/** Root category of every logger of the program. */
export const LOG_CATEGORY = "denopassivedns";

const encoder = new TextEncoder();

/** Waits on while a non-blocking stderr is full (it can share stdout's pipe: `2>&1 |`), 10 ms at a time. */
const STDERR_RETRIES = 100;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to stderr. Never throws: a diagnostic that cannot be written (stderr closed, or full for a
 * second) is dropped rather than ending the run.
 */
function writeStderr(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  let retries = 0;
  while (written < bytes.length) {
    try {
      written += Deno.stderr.writeSync(bytes.subarray(written));
    } catch (error) {
      if (!(error instanceof Deno.errors.WouldBlock) || ++retries > STDERR_RETRIES) return;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * Configures logging: level `info` by default, `debug` with `-debug`; everything goes to stderr. Can be called again
 * (it replaces the previous configuration).
 *
 * @example
 * ```ts
 * import { getLogger } from "@logtape/logtape";
 *
 * setupLogging(false);
 * getLogger([LOG_CATEGORY, "main"]).info("Starting capture on {dev}", { dev: "eth0" });
 * ```
 * @param debug whether debug messages are shown.
 * @param write where formatted lines go; stderr unless a test captures them.
 */
export function setupLogging(debug: boolean, write: (text: string) => void = writeStderr): void {
  const format = getTextFormatter({ timestamp: "date-time-timezone" });
  const sink = (record: LogRecord) => write(format(record));
  configureSync({
    reset: true,
    sinks: { stderr: sink },
    loggers: [
      { category: [LOG_CATEGORY], lowestLevel: debug ? "debug" : "info", sinks: ["stderr"] },
      // LogTape's own notices (e.g. a sink that failed) are worth seeing, its informational ones are not.
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}
