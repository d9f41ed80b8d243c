/**
 * The real {@link ConfigIo} for `main.ts`: the process's working directory, files and host name through Deno.
 * Needs `--allow-read` and `--allow-sys=hostname`.
 *
 * @module
 */

import type { ConfigIo } from "./config.ts";

/** A {@link ConfigIo} backed by Deno's APIs. */
export function denoConfigIo(): ConfigIo {
  return {
    cwd: Deno.cwd(),
    readTextFile(path) {
      try {
        return Deno.readTextFileSync(path);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return null;
        throw e;
      }
    },
    fileExists(path) {
      try {
        Deno.statSync(path);
        return true;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return false;
        // Exists but cannot be inspected (permissions): let the capture report the real error.
        return true;
      }
    },
    hostname: () => Deno.hostname(),
  };
}
