/**
 * Splits a command line the way Go's `flag` package does, so the original's unit files keep working:
 * `-name value`, `-name=value`, `--name value`, `--name=value`, and booleans as `-quiet` or `-quiet=false`.
 *
 * Two deliberate differences from Go, both turning a silent surprise into a usage error:
 * - Go stops parsing at the first positional argument and ignores the rest, so `-quiet false -dev eth0` quietly drops
 *   `-dev eth0`. Here any positional argument is an error, with a hint when it looks like a boolean's value.
 * - `-h`, `-help` and `--help` ask for help; `-version` and `--version` ask for the version.
 *
 * Values are returned as text; the options table parses them.
 *
 * @module
 */

import { ConfigError, quoteValue } from "./config_error.ts";
import { parseGoBool } from "./go_values.ts";

/** How an option takes its value: booleans only through `=`, everything else also from the next argument. */
export type FlagArity = "bool" | "value";

/** The outcome of scanning a command line. */
export type ScanResult =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "flags"; flags: Array<{ name: string; value: string }> };

/**
 * Scans `args` left to right.
 *
 * @example
 * ```ts
 * const arity = (name: string) => name === "quiet" ? "bool" : name === "dev" ? "value" : undefined;
 * scanGoFlags(["-dev", "eth0", "-quiet"], arity);
 * // { kind: "flags", flags: [{ name: "dev", value: "eth0" }, { name: "quiet", value: "true" }] }
 * ```
 * @param arityOf tells whether a name is a boolean option, another option, or unknown (`undefined`).
 * @throws {ConfigError} for bad syntax, an unknown option, a missing value or a positional argument.
 */
export function scanGoFlags(args: readonly string[], arityOf: (name: string) => FlagArity | undefined): ScanResult {
  const flags: Array<{ name: string; value: string }> = [];
  let previousBool: string | undefined; // a boolean written without "=" just before, for the hint below
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      // Go: "--" ends the options; whatever follows is positional, which this program does not take.
      if (i + 1 < args.length) throw positional(args[i + 1], undefined);
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") throw positional(arg, previousBool);
    previousBool = undefined;

    const body = arg.slice(arg[1] === "-" ? 2 : 1);
    if (body === "" || body[0] === "-" || body[0] === "=") {
      throw new ConfigError(
        `bad option syntax ${quoteValue(arg)}: expected -name, -name=value or -name value`,
        arg,
        arg,
      );
    }
    const equals = body.indexOf("=");
    const name = equals < 0 ? body : body.slice(0, equals);
    const inlineValue = equals < 0 ? undefined : body.slice(equals + 1);

    const arity = arityOf(name);
    if (arity === undefined) {
      if (name === "h" || name === "help") return { kind: "help" };
      if (name === "version") return { kind: "version" };
      throw new ConfigError(
        `unknown option ${shown("-" + name)}: run denopassivedns -h to list the options`,
        name,
        arg,
      );
    }
    if (arity === "bool") {
      if (inlineValue === undefined) previousBool = name;
      flags.push({ name, value: inlineValue ?? "true" });
      continue;
    }
    if (inlineValue !== undefined) {
      flags.push({ name, value: inlineValue });
    } else if (i + 1 < args.length) {
      // Like Go, the next argument is the value even when it starts with "-" (as in "-gc_age -1m" or "-pcap -").
      flags.push({ name, value: args[++i] });
    } else {
      throw new ConfigError(`option -${name} needs a value: write -${name} VALUE or -${name}=VALUE`, name, "");
    }
  }
  return { kind: "flags", flags };
}

/** The error for a positional argument; `afterBool` names a boolean option written just before it without `=`. */
function positional(arg: string, afterBool: string | undefined): ConfigError {
  if (afterBool !== undefined && parseGoBool(arg) !== undefined) {
    return new ConfigError(
      `unexpected argument ${quoteValue(arg)} after -${afterBool}: ` +
        `a boolean takes its value only after "=", as in -${afterBool}=${plain(arg) ? arg : "VALUE"}`,
      afterBool,
      arg,
    );
  }
  return new ConfigError(
    `unexpected argument ${quoteValue(arg)}: this program takes only options (-name value or -name=value)`,
    arg,
    arg,
  );
}

/** Short printable ASCII without quotes or spaces, safe to show as it is. */
function plain(text: string): boolean {
  return /^[\x21\x23-\x7e]{1,100}$/.test(text);
}

/** An option name as messages show it: as it is when plain, else quoted and cut (see quoteValue). */
function shown(text: string): string {
  return plain(text) ? text : quoteValue(text);
}
