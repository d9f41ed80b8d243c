import assert from "node:assert/strict";
import { listInterfaces } from "./interfaces.ts";
import { LinkState } from "./_link_state.ts";

Deno.test({
  name: "listInterfaces() finds the loopback interface, up",
  ignore: Deno.build.os !== "linux",
  fn() {
    const lo = listInterfaces().find((i) => i.name === "lo");
    assert.ok(lo, "lo is listed");
    assert.equal(lo.up, true);
  },
});

Deno.test({
  name: "LinkState reports nothing for an interface that stays up, nor for one that does not exist",
  ignore: Deno.build.os !== "linux",
  fn() {
    const lo = new LinkState("lo");
    assert.equal(lo.check(), null);
    assert.equal(lo.check(), null);
    lo.close();
    const missing = new LinkState("nosuch7");
    assert.equal(missing.check(), null);
    missing.close();
  },
});
