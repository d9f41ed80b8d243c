/**
 * The `--help` text, generated from the options table so it always lists every option with its variable and default.
 *
 * @module
 */

import { OPTION_GROUPS, OPTIONS, type OptionSpec } from "./options.ts";
import { VERSION } from "./version.ts";

/** Width the help text is wrapped to. */
const WIDTH = 100;

/** Column where the variable starts on an option's first line. */
const ENV_COLUMN = 32;

/**
 * Builds the help text.
 *
 * @example
 * ```ts
 * console.log(helpText()); // "Usage: denopassivedns -dev interface | -pcap file [options]\n…"
 * ```
 */
export function helpText(): string {
  const lines = [
    "Usage: denopassivedns -dev interface | -pcap file [options]",
    "",
    ...wrap(
      `denopassivedns ${VERSION} pairs DNS queries with their responses, from live capture or a capture file, ` +
        "and writes one JSON record per lookup to standard output and the configured sinks.",
      0,
    ),
    "",
    ...wrap(
      "Options are written as -name value, -name=value or --name=value; booleans as -name or -name=false. " +
        "Each option can also be set by its PDNS_* variable, in the environment or in a .env file " +
        "(./.env, or the file named by -config or PDNS_CONFIG). The command line wins over the .env file, " +
        "which wins over the environment, which wins over the default.",
      0,
    ),
  ];
  for (const group of OPTION_GROUPS) {
    lines.push("", `${group}:`);
    for (const option of OPTIONS) {
      if (option.group === group) lines.push(...describe(option));
    }
  }
  lines.push(
    "",
    "Other:",
    "  -h, -help, --help             Print this help and exit.",
    "  -version, --version           Print the version and exit.",
    "",
    "Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error (bad option or value).",
  );
  return lines.join("\n") + "\n";
}

/** The lines of one option: flag, placeholder, variable and default, then the help sentence indented. */
function describe(option: OptionSpec): string[] {
  const flag = `  -${option.name}${option.arg === "" ? "" : ` ${option.arg}`}`;
  const shown = option.defaultShown ?? defaultText(option);
  const first = `${flag.padEnd(ENV_COLUMN - 1)} ${option.env}${shown === "" ? "" : `  (default ${shown})`}`;
  return [first, ...wrap(option.help, 6)];
}

/** The default as Go's flag package shows it: strings quoted, numbers bare, nothing for "" and false. */
function defaultText(option: OptionSpec): string {
  if (option.default === "" || (option.type === "bool" && option.default === "false")) return "";
  return option.type === "string" || option.type === "enum" ? JSON.stringify(option.default) : option.default;
}

/** Word-wraps `text` to {@link WIDTH} columns with `indent` leading spaces. */
function wrap(text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(" ".repeat(indent) + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(" ".repeat(indent) + line);
  return lines;
}
