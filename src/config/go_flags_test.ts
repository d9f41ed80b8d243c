import assert from "node:assert/strict";
import { ConfigError } from "./config_error.ts";
import { type FlagArity, scanGoFlags } from "./go_flags.ts";

const arity = (name: string): FlagArity | undefined =>
  name === "quiet" ? "bool" : ["dev", "gc_age", "pcap", "name"].includes(name) ? "value" : undefined;

function flags(args: string[]) {
  const result = scanGoFlags(args, arity);
  assert.equal(result.kind, "flags");
  return result.kind === "flags" ? result.flags.map(({ name, value }) => `${name}=${value}`) : [];
}

Deno.test("scanGoFlags() reads every form of Go's flag syntax", () => {
  const cases: [string[], string[]][] = [
    [["-dev", "eth0"], ["dev=eth0"]],
    [["-dev=eth0"], ["dev=eth0"]],
    [["--dev", "eth0"], ["dev=eth0"]],
    [["--dev=eth0"], ["dev=eth0"]],
    [["-dev="], ["dev="]],
    [["-quiet"], ["quiet=true"]],
    [["--quiet"], ["quiet=true"]],
    [["-quiet=false"], ["quiet=false"]],
    [["-quiet=0"], ["quiet=0"]],
    [["-gc_age", "-1m"], ["gc_age=-1m"]], // the next argument is the value even when it starts with "-"
    [["-pcap", "-"], ["pcap=-"]],
    [["-dev", "-quiet"], ["dev=-quiet"]],
    [["-name=a=b"], ["name=a=b"]],
    [["-dev", "a", "-dev", "b"], ["dev=a", "dev=b"]],
    [["-quiet", "-dev", "eth0", "--"], ["quiet=true", "dev=eth0"]],
    [[], []],
  ];
  for (const [args, expected] of cases) assert.deepEqual(flags(args), expected, args.join(" "));
});

Deno.test("scanGoFlags() recognises the help and version requests", () => {
  for (const args of [["-h"], ["--h"], ["-help"], ["--help"], ["-dev", "eth0", "-h", "-bogus"], ["-help=1"]]) {
    assert.deepEqual(scanGoFlags(args, arity), { kind: "help" }, args.join(" "));
  }
  for (const args of [["-version"], ["--version"]]) {
    assert.deepEqual(scanGoFlags(args, arity), { kind: "version" }, args.join(" "));
  }
});

Deno.test("scanGoFlags() rejects what Go would reject or silently drop, naming the argument", () => {
  const cases: [string[], string, string][] = [
    [["-bogus"], "bogus", "denopassivedns: unknown option -bogus: run denopassivedns -h to list the options"],
    [["-Dev", "x"], "Dev", "denopassivedns: unknown option -Dev: run denopassivedns -h to list the options"],
    [
      ["-quiet", "false", "-dev", "eth0"],
      "quiet",
      'denopassivedns: unexpected argument "false" after -quiet: a boolean takes its value only after "=", ' +
      "as in -quiet=false",
    ],
    [
      ["eth0"],
      "eth0",
      'denopassivedns: unexpected argument "eth0": this program takes only options (-name value or -name=value)',
    ],
    [
      ["-dev", "eth0", "--", "x"],
      "x",
      'denopassivedns: unexpected argument "x": this program takes only options (-name value or -name=value)',
    ],
    [
      ["-"],
      "-",
      'denopassivedns: unexpected argument "-": this program takes only options (-name value or -name=value)',
    ],
    [["---dev"], "---dev", 'denopassivedns: bad option syntax "---dev": expected -name, -name=value or -name value'],
    [["-=x"], "-=x", 'denopassivedns: bad option syntax "-=x": expected -name, -name=value or -name value'],
    [["-dev"], "dev", "denopassivedns: option -dev needs a value: write -dev VALUE or -dev=VALUE"],
  ];
  for (const [args, option, message] of cases) {
    assert.throws(
      () => scanGoFlags(args, arity),
      (e) => e instanceof ConfigError && e.message === message && e.option === option,
      args.join(" "),
    );
  }
});
