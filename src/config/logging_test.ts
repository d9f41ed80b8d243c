import assert from "node:assert/strict";
import { getLogger, resetSync } from "@logtape/logtape";
import { LOG_CATEGORY, setupLogging } from "./logging.ts";

function capture(debug: boolean, log: () => void): string[] {
  const lines: string[] = [];
  setupLogging(debug, (text) => lines.push(text));
  try {
    log();
  } finally {
    resetSync();
  }
  return lines;
}

Deno.test("setupLogging() shows info and above by default, and debug messages only with -debug", () => {
  const logger = getLogger([LOG_CATEGORY, "test"]);
  const emit = () => {
    logger.debug("Got a leg of query ID {id}", { id: 4711 });
    logger.info("Statistics received");
  };
  const quiet = capture(false, emit);
  assert.equal(quiet.length, 1);
  assert.match(quiet[0], /\[INF\] denopassivedns·test: Statistics received\n$/);
  const debug = capture(true, emit);
  assert.equal(debug.length, 2);
  assert.match(debug[0], /\[DBG\] denopassivedns·test: Got a leg of query ID 4711\n$/);
});

Deno.test("setupLogging() ignores loggers outside the program's category", () => {
  assert.deepEqual(capture(true, () => getLogger(["other"]).error("not ours")), []);
});
