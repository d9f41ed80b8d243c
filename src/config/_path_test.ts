import assert from "node:assert/strict";
import { resolve } from "node:path";
import { resolvePath } from "./_path.ts";

const CASES: [string, string][] = [
  ["/work", ".env"],
  ["/work", "/etc/pdns.env"],
  ["/work/", "./a/../b//c.pcap"],
  ["/", "x"],
  ["/work", "../../../x"],
  ["/a/b", "."],
  ["/a/b", "c/./d/"],
];

Deno.test("resolvePath() agrees with node:path resolve", () => {
  for (const [cwd, path] of CASES) assert.equal(resolvePath(cwd, path), resolve(cwd, path), `${cwd} + ${path}`);
});
