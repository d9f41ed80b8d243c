/**
 * The one error type of the configuration layer: a usage error found before any capture starts. `main.ts` prints its
 * message as is and exits with status 2.
 *
 * @module
 */

/** Where a rejected value came from. */
export type ValueSource = "command line" | "environment" | "env file" | "default";

/**
 * A bad option, value or combination. The message is one line, starts with `denopassivedns: `, and names the option,
 * the value and the expected form:
 * `denopassivedns: invalid value "abc" for -numprocs (PDNS_THREADS): expected an integer from 1 to 2147483647`.
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** The option's flag name without the dash (`numprocs`), or the text of an unknown option or argument. */
  readonly option: string;
  /** The rejected text ("" when the problem is a missing value). */
  readonly value: string;

  constructor(message: string, option: string, value: string) {
    super(`denopassivedns: ${message}`);
    this.option = option;
    this.value = value;
  }
}

/** Values longer than this many characters are cut in messages (a 1 MB value would otherwise be echoed whole). */
export const QUOTED_VALUE_MAX = 100;

/**
 * A value as messages show it: a JSON string with every control character escaped (DEL too, which JSON leaves raw),
 * cut to its first {@linkcode QUOTED_VALUE_MAX} characters with its length stated when it is longer.
 *
 * @example
 * ```ts
 * quoteValue("a\x7fb"); // "\"a\\u007fb\""
 * quoteValue("x".repeat(5000)); // "\"xxx…x\"… (5000 characters, cut to the first 100)"
 * ```
 */
export function quoteValue(text: string): string {
  const cut = text.length > QUOTED_VALUE_MAX;
  const quoted = JSON.stringify(cut ? text.slice(0, QUOTED_VALUE_MAX) : text).replaceAll("\x7f", "\\u007f");
  return cut ? `${quoted}… (${text.length} characters, cut to the first ${QUOTED_VALUE_MAX})` : quoted;
}
