/**
 * The real {@link ConfigIo} for `main.ts`: the process's working directory, files and host name through Deno.
 * Needs `--allow-read` and `--allow-sys=hostname`.
 *
 * @module
 */

import type { ConfigIo } from "./config.ts";

/**
 * A {@link ConfigIo} backed by Deno's APIs. dotenv is imported only when a `.env` file may be read (`-config` or
 * `PDNS_CONFIG` given, or a `.env` in the working directory): loading it brings in Deno's `node:fs` and
 * `node:path`, measured at 65–85 ms of start-up, a third of a small replay's run time.
 */
export async function denoConfigIo(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<ConfigIo> {
  const cwd = Deno.cwd();
  const fileExists = (path: string) => {
    try {
      Deno.statSync(path);
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      // Exists but cannot be inspected (permissions): let the capture report the real error.
      return true;
    }
  };
  // A superset of when loadConfig reads a file: an argument that merely looks like -config costs only the import.
  const mayReadEnvFile = env.PDNS_CONFIG !== undefined || args.some((arg) => /^--?config(=|$)/.test(arg)) ||
    fileExists(`${cwd}/.env`);
  const parseEnvFile = mayReadEnvFile ? (await import("dotenv")).default.parse : notLoaded;
  return {
    cwd,
    readTextFile(path) {
      try {
        return Deno.readTextFileSync(path);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return null;
        throw e;
      }
    },
    fileExists,
    hostname: () => Deno.hostname(),
    parseEnvFile,
  };
}

function notLoaded(): never {
  throw new Error("Cannot parse a .env file: dotenv was not loaded (denoConfigIo did not expect one to be read)");
}
