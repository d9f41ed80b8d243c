// Summarise a V8 .cpuprofile (from `main.ts -cpuprofile FILE`): self time per function, largest first.
// Usage: node scripts/profile_summary.cjs FILE [rows]
const fs = require("fs");
const profile = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const rows = Number(process.argv[3] ?? 35);
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = nodes.get(id).callFrame;
  const where = frame.url.split("/").slice(-2).join("/");
  const key = `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber}`;
  const dt = profile.timeDeltas[i] ?? 0;
  selfTime.set(key, (selfTime.get(key) ?? 0) + dt);
  total += dt;
});
for (const [key, us] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
  console.log(`${(us / 1000).toFixed(0).padStart(6)} ms ${(100 * us / total).toFixed(1).padStart(5)}% ${key}`);
}
console.log(`total ${(total / 1000).toFixed(0)} ms`);
