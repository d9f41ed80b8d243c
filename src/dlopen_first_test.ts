import assert from "node:assert/strict";
import { dlopenFirst } from "./dlopen_first.ts";

const SYMBOLS = { getpid: { parameters: [], result: "i32" } } as const satisfies Deno.ForeignLibraryInterface;

Deno.test("dlopenFirst() opens the first name that loads, after names that do not", () => {
  const opened = dlopenFirst(["libdoes-not-exist.so.9", "libc.so.6"], SYMBOLS);
  assert.ok(!("failure" in opened));
  assert.equal(opened.symbols.getpid(), Deno.pid);
  opened.close();
});

Deno.test("dlopenFirst() reports the first name's failure when none loads", () => {
  const opened = dlopenFirst(["libdoes-not-exist.so.9", "libneither.so.1"], SYMBOLS);
  assert.ok("failure" in opened);
  assert.match(opened.failure, /libdoes-not-exist\.so\.9/);
});
