/**
 * Configuration of denopassivedns: options, environment and `.env` files into one typed {@link Config}, plus the
 * diagnostics set-up (`-debug`) and the CPU profiler (`-cpuprofile`).
 *
 * @example
 * ```ts
 * const env = Deno.env.toObject();
 * const result = loadConfig(Deno.args, env, await denoConfigIo(Deno.args, env)); // throws ConfigError → exit 2
 * ```
 *
 * @module
 */

export type { Config, ConfigIo, ConfigResult, OutputFormat } from "./config.ts";
export { ConfigError } from "./config_error.ts";
export { loadConfig } from "./load.ts";
export { denoConfigIo } from "./deno_io.ts";
export { OPTION_GROUPS, type OptionGroup, OPTIONS, type OptionSpec, type OptionType } from "./options.ts";
export { VERSION, VERSION_TEXT } from "./version.ts";
export { LOG_CATEGORY, setupLogging } from "./logging.ts";
export { startCpuProfile } from "./cpu_profile.ts";
export { formatDuration, parseGoDuration } from "./duration.ts";
