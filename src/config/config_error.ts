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
 * `denopassivedns: invalid value "abc" for -numprocs (PDNS_THREADS): expected an integer >= 1`.
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
