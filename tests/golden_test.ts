/**
 * Golden files: each bundled capture (testdata/{gopassivedns,crafted,real}) replayed in both formats gives exactly
 * testdata/golden/<dir>/<name>[.transaction].jsonl. The field-level tests (original_captures, crafted_captures,
 * tshark_crosscheck) say why those bytes are right; this test says they do not drift. `deno task golden` rewrites
 * them after a deliberate change.
 */
import assert from "node:assert/strict";
import { FORMATS, goldenCaptures, goldenOutput, goldenPath } from "./_golden_cases.ts";
import { testEachWay } from "./_replay.ts";

for (const capture of goldenCaptures()) {
  for (const format of FORMATS) {
    testEachWay(`golden: ${capture} in the ${format} format`, async () => {
      const expected = await Deno.readTextFile(goldenPath(capture, format));
      assert.equal(await goldenOutput(capture, format), expected);
    });
  }
}
