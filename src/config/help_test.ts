import assert from "node:assert/strict";
import { helpText } from "./help.ts";
import { DEFAULT_NUMPROCS, OPTION_GROUPS, OPTIONS } from "./options.ts";

Deno.test("helpText() lists every option once, under its group, with its variable", () => {
  const text = helpText();
  let at = 0;
  for (const group of OPTION_GROUPS) {
    const next = text.indexOf(`\n${group}:\n`, at);
    assert.ok(next > at, `${group} section in order`);
    at = next;
  }
  for (const option of OPTIONS) {
    const lines = text.split("\n").filter((line) =>
      line.startsWith(`  -${option.name} `) || line === `  -${option.name}`
    );
    assert.equal(lines.length, 1, option.name);
    assert.ok(lines[0].includes(` ${option.env}`), option.name);
  }
});

Deno.test("helpText() shows defaults as Go does: strings quoted, numbers bare, nothing for empty and false", () => {
  const text = helpText();
  assert.match(text, /\n {2}-bpf filter +PDNS_BPF {2}\(default "port 53"\)\n/);
  assert.match(text, /\n {2}-max_tcp_streams int +PDNS_MAX_TCP_STREAMS {2}\(default 4096\)\n/);
  assert.match(text, new RegExp(`\\n {2}-numprocs int +PDNS_THREADS {2}\\(default ${DEFAULT_NUMPROCS}\\)\\n`));
  assert.match(text, /\n {2}-gc_age duration +PDNS_GC_AGE {2}\(default -1m\)\n/);
  assert.match(text, /\n {2}-quiet +PDNS_QUIET\n/);
  assert.match(text, /\n {2}-dev interface +PDNS_DEV\n/);
  assert.match(text, /\n {2}-name string +PDNS_NAME {2}\(default host name\)\n/);
});

Deno.test("helpText() fits in 100 columns and lists the exit statuses", () => {
  const text = helpText();
  for (const line of text.split("\n")) assert.ok(line.length <= 100, line);
  assert.match(text, /Exit status: 0 on success, 1 on a runtime failure, 2 on a usage error/);
});
