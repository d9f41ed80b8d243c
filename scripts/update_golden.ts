/**
 * `deno task golden`: rewrite testdata/golden/ from the current code. Review the diff before committing: a golden
 * file is only as good as the reading it got.
 */
import { dirname } from "node:path";
import { FORMATS, goldenCaptures, goldenOutput, goldenPath } from "../tests/_golden_cases.ts";

let changed = 0;
for (const capture of goldenCaptures()) {
  for (const format of FORMATS) {
    const path = goldenPath(capture, format);
    const output = await goldenOutput(capture, format);
    let before: string | null = null;
    try {
      before = await Deno.readTextFile(path);
    } catch {
      // a new case
    }
    if (before === output) continue;
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, output);
    changed++;
    console.log(`${before === null ? "new" : "changed"}: ${path}`);
  }
}
console.log(`${changed} golden file(s) written`);
