/**
 * Turns the command line, the `.env` file, the process environment and the defaults into one validated
 * {@link Config}. Precedence, as the original's README documents it: command line, then `.env` file, then process
 * environment, then default. A variable that is set but empty counts as set (Go's `LookupEnv`).
 *
 * Differences from the original, each replacing a silent fallback or a crash with a usage error:
 * - an invalid value in the environment or the `.env` file is an error naming the variable (the original silently
 *   used the default);
 * - durations are checked at start-up, `-numprocs` needs only be >= 1, `-statsd_interval` >= 1, `-gc_interval` > 0,
 *   `-gc_age` non-zero, syslog names are checked before anything starts;
 * - neither `-dev` nor `-pcap`, both of them, a missing `-pcap` file, and any positional argument are usage errors;
 * - `.env` files are read (the original's README promised it; the reference version did not).
 *
 * @module
 */

import { resolvePath } from "./_path.ts";
import type { Config, ConfigIo, ConfigResult } from "./config.ts";
import { ConfigError, quoteValue } from "./config_error.ts";
import { scanGoFlags } from "./go_flags.ts";

/**
 * Booleans that gopacket's tcpassembly package registered in the original's global flag set (so they appeared in
 * its -h). Accepted and ignored, so that a unit file that carries them keeps starting.
 */
const GOPACKET_FLAGS: ReadonlySet<string> = new Set(["assembly_debug_log", "assembly_memuse_log"]);
import { helpText } from "./help.ts";
import { Invalid, OPTIONS, OPTIONS_BY_ENV, OPTIONS_BY_NAME, type OptionSpec } from "./options.ts";
import { VERSION_TEXT } from "./version.ts";

/** Where a value came from, for error messages. */
type Where =
  | { source: "command line" }
  | { source: "environment" }
  | { source: "env file"; path: string }
  | { source: "default" };

/** The `.env` file in use. */
interface EnvFile {
  path: string;
  vars: Record<string, string>;
}

/**
 * Resolves the configuration.
 *
 * @example
 * ```ts
 * const result = loadConfig(["-pcap", "-"], {}, { cwd: "/", readTextFile: () => null, fileExists: () => true, hostname: () => "sensor1", parseEnvFile: () => ({}) });
 * if (result.kind === "run") console.log(result.config.bpf); // "port 53"
 * ```
 * @param args the command-line arguments after the program name.
 * @param env the process environment (`Deno.env.toObject()`).
 * @param io file system and host access.
 * @throws {ConfigError} on any usage error; `main.ts` prints the message and exits with status 2.
 */
export function loadConfig(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: ConfigIo,
): ConfigResult {
  const scan = scanGoFlags(args, (name) => {
    if (GOPACKET_FLAGS.has(name)) return "bool";
    const option = OPTIONS_BY_NAME.get(name);
    return option === undefined ? undefined : option.type === "bool" ? "bool" : "value";
  });
  if (scan.kind === "help") return { kind: "help", text: helpText() };
  if (scan.kind === "version") return { kind: "version", text: `${VERSION_TEXT}\n` };

  const warnings: string[] = [];
  const flags = new Map<string, string>();
  for (const { name, value } of scan.flags) {
    if (GOPACKET_FLAGS.has(name)) {
      warnings.push(`-${name} switched on gopacket's internal TCP assembly logging in the original; it is ignored`);
      continue;
    }
    flags.set(name, value); // as in Go, the last one wins
  }

  const configOption = OPTIONS_BY_NAME.get("config")!;
  const [configText, configWhere] = pick(configOption, flags, undefined, env);
  const configValue = configText.trim();
  const envFile = readEnvFile(configOption, configValue, configWhere, io, warnings);

  const values: Record<string, unknown> = {};
  for (const option of OPTIONS) {
    const [text, where] = pick(option, flags, envFile, env);
    // One rule for every option, wherever its value comes from: surrounding whitespace is not part of the value.
    const value = option.parse(text.trim());
    if (value instanceof Invalid) throw invalidValue(option, text, where, option.expected, value.detail);
    values[option.key] = value;
  }
  const config = values as unknown as Config;
  config.config = configValue;
  config.envFile = envFile?.path ?? null;

  for (const name of Object.keys(env)) {
    if (name.startsWith("PDNS_") && !OPTIONS_BY_ENV.has(name) && env[name] !== undefined) {
      warnings.push(`${name} in the environment is not a denopassivedns setting and is ignored`);
    }
  }
  if (config.name === "") config.name = hostnameOf(io);
  check(config, flags, envFile, env, io, warnings);
  return { kind: "run", config, warnings };
}

/** The winning text for one option and where it came from. */
function pick(
  option: OptionSpec,
  flags: ReadonlyMap<string, string>,
  envFile: EnvFile | undefined,
  env: Record<string, string | undefined>,
): [string, Where] {
  const flag = flags.get(option.name);
  if (flag !== undefined) return [flag, { source: "command line" }];
  const fromFile = envFile?.vars[option.env];
  if (fromFile !== undefined) return [fromFile, { source: "env file", path: envFile!.path }];
  const fromEnv = env[option.env];
  if (fromEnv !== undefined) return [fromEnv, { source: "environment" }];
  return [option.default, { source: "default" }];
}

/** Reads the `.env` file named by `-config`/`PDNS_CONFIG`, else `./.env` if there is one. */
function readEnvFile(
  option: OptionSpec,
  named: string,
  where: Where,
  io: ConfigIo,
  warnings: string[],
): EnvFile | undefined {
  const path = resolvePath(io.cwd, named === "" ? ".env" : named);
  let text: string | null;
  try {
    text = io.readTextFile(path);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (named === "") {
      throw new ConfigError(
        `cannot read ${path}: ${reason}: make it readable or name another file with -config`,
        option.name,
        path,
      );
    }
    throw invalidValue(option, named, where, "a readable .env file", reason);
  }
  if (text === null) {
    if (named === "") return undefined;
    throw invalidValue(option, named, where, "a readable .env file", `not found: ${path}`);
  }
  const vars = io.parseEnvFile(text);
  for (const name of Object.keys(vars)) {
    if (name === option.env) {
      warnings.push(`${name} in ${path} is ignored: name the .env file with -config or in the environment`);
      delete vars[name];
    } else if (name.startsWith("PDNS_") && !OPTIONS_BY_ENV.has(name)) {
      warnings.push(`${name} in ${path} is not a denopassivedns setting and is ignored`);
    }
  }
  return { path, vars };
}

/** Checks across options, and collects warnings for settings that are accepted but have no effect. */
function check(
  config: Config,
  flags: ReadonlyMap<string, string>,
  envFile: EnvFile | undefined,
  env: Record<string, string | undefined>,
  io: ConfigIo,
  warnings: string[],
): void {
  if (config.dev === "" && config.pcap === "") {
    throw new ConfigError(
      "neither -dev nor -pcap given: expected -dev interface (PDNS_DEV) to capture live " +
        "or -pcap file (PDNS_PCAP_FILE) to read a capture file",
      "dev",
      "",
    );
  }
  if (config.dev !== "" && config.pcap !== "") {
    // The original let -dev win silently; a sensor told both is more likely misconfigured than not.
    throw new ConfigError(
      `both -dev ${config.dev} (PDNS_DEV) and -pcap ${config.pcap} (PDNS_PCAP_FILE) are set: ` +
        "expected one input, -dev to capture live or -pcap to read a capture file",
      "dev",
      config.dev,
    );
  }
  if (config.pcap !== "" && config.pcap !== "-" && !io.fileExists(resolvePath(io.cwd, config.pcap))) {
    const option = OPTIONS_BY_NAME.get("pcap")!;
    const [, where] = pick(option, flags, envFile, env);
    throw invalidValue(
      option,
      config.pcap,
      where,
      "an existing pcap or pcapng file, or - for standard input",
      "not found",
    );
  }
  if (config.pfring) {
    warnings.push(
      "-pfring is ignored: libpcap on Linux already captures through a memory-mapped ring (TPACKET_V3)",
    );
  }
  if ((config.syslogFacility === "") !== (config.syslogPriority === "")) {
    const [set, unset] = config.syslogFacility === "" ? ["priority", "facility"] : ["facility", "priority"];
    warnings.push(`syslog output is off: -syslog_${set} is set but -syslog_${unset} is not; set both to enable it`);
  }
}

/** The sensor name when `-name` is empty: the host name, or "UNKNOWN" as in the original. */
function hostnameOf(io: ConfigIo): string {
  try {
    const name = io.hostname();
    return name === "" ? "UNKNOWN" : name;
  } catch {
    return "UNKNOWN";
  }
}

/** `invalid value "abc" for -numprocs (PDNS_THREADS): expected an integer from 1 to 2147483647`, naming the source. */
function invalidValue(option: OptionSpec, text: string, where: Where, expected: string, detail?: string): ConfigError {
  const place = where.source === "environment"
    ? `${option.env} (-${option.name}) in the environment`
    : where.source === "env file"
    ? `${option.env} (-${option.name}) in ${where.path}`
    : `-${option.name} (${option.env})`;
  const why = detail === undefined ? "" : ` (${detail})`;
  return new ConfigError(
    `invalid value ${quoteValue(text)} for ${place}: expected ${expected}${why}`,
    option.name,
    text,
  );
}
