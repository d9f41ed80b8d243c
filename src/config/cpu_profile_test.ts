import assert from "node:assert/strict";
import { startCpuProfile } from "./cpu_profile.ts";

Deno.test("startCpuProfile() writes a V8 .cpuprofile that DevTools can load", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/run.cpuprofile`;
    const stop = await startCpuProfile(path);
    assert.equal(Deno.readTextFileSync(path), ""); // created at start, so a bad path fails early
    let sum = 0;
    for (let i = 0; i < 2_000_000; i++) sum += i % 7;
    assert.ok(sum > 0);
    await stop();
    await stop(); // a second stop is harmless
    const profile = JSON.parse(Deno.readTextFileSync(path));
    for (const key of ["nodes", "startTime", "endTime", "samples", "timeDeltas"]) assert.ok(key in profile, key);
    assert.ok(profile.nodes.length > 0);
    assert.equal(profile.nodes[0].callFrame.functionName, "(root)");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("startCpuProfile() fails before profiling when the file cannot be created", async () => {
  await assert.rejects(() => startCpuProfile("/nonexistent-dir/run.cpuprofile"), Deno.errors.NotFound);
});
