/**
 * scripts/check_golden_review.sh on a scratch git repository: a commit changing src/ and an existing golden file is
 * flagged unless its message has a Golden-Reviewed: trailer or it adds a line to testdata/golden/CHANGES.md; new
 * golden files and golden-only commits pass.
 */
import assert from "node:assert/strict";

const SCRIPT = new URL("../scripts/check_golden_review.sh", import.meta.url).pathname;

async function run(cwd: string, command: string, args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  return { code: out.code, output: text.decode(out.stdout) + text.decode(out.stderr) };
}

async function commit(repo: string, files: Record<string, string>, message: string): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(`${repo}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${repo}/${path}`, content);
  }
  assert.equal((await run(repo, "git", ["add", "-A"])).code, 0);
  const done = await run(repo, "git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message]);
  assert.equal(done.code, 0, done.output);
}

Deno.test("check_golden_review.sh flags src/ and golden changes in one commit without a review note", async () => {
  const repo = await Deno.makeTempDir();
  try {
    assert.equal((await run(repo, "git", ["init", "-q"])).code, 0);
    await commit(repo, {
      "scripts/check_golden_review.sh": await Deno.readTextFile(SCRIPT),
      "src/a.ts": "1",
      "testdata/golden/x.jsonl": "old\n",
    }, "start");
    const check = () => run(repo, "bash", [`${repo}/scripts/check_golden_review.sh`, repo]);

    await commit(repo, { "src/a.ts": "2", "testdata/golden/y.jsonl": "new capture\n" }, "new golden file: fine");
    await commit(repo, { "testdata/golden/x.jsonl": "regenerated\n" }, "golden only: fine");
    assert.equal((await check()).code, 0);

    await commit(repo, { "src/a.ts": "3", "testdata/golden/x.jsonl": "changed\n" }, "unreviewed");
    const flagged = await check();
    assert.notEqual(flagged.code, 0);
    assert.match(flagged.output, /unreviewed/);
    assert.match(flagged.output, /testdata\/golden\/x\.jsonl/);

    await commit(
      repo,
      { "src/a.ts": "4", "testdata/golden/x.jsonl": "changed again\n" },
      "reviewed\n\nGolden-Reviewed: ra now copied from the response, checked against tshark",
    );
    await commit(repo, {
      "src/a.ts": "5",
      "testdata/golden/x.jsonl": "and again\n",
      "testdata/golden/CHANGES.md": "x.jsonl: TTL of the second answer, checked with dig\n",
    }, "noted in CHANGES.md");
    const after = await check();
    assert.match(after.output, /5 commit\(s\) in [0-9a-f]+\.\.HEAD checked, 1 without a review note/);
  } finally {
    await Deno.remove(repo, { recursive: true });
  }
});
