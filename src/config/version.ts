/**
 * The program's version, printed by `-version` and in `--help`. Keep it equal to `package.json`'s.
 *
 * @module
 */

/** Semantic version of denopassivedns. */
export const VERSION = "0.1.0";

/** The `-version` output line (without the newline). */
export const VERSION_TEXT = `denopassivedns ${VERSION}`;
