/**
 * Temporary files and directories a test module makes and does not remove itself (a capture several tests share,
 * a path a loop tries): removed when the module unloads, so that a run of the suite leaves nothing under /tmp.
 *
 * @module
 */

const made: string[] = [];

addEventListener("unload", () => {
  for (const path of made) {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch {
      // already removed by its test
    }
  }
});

/** A new empty file, removed at unload. */
export function tempFile(options?: Deno.MakeTempOptions): string {
  const path = Deno.makeTempFileSync(options);
  made.push(path);
  return path;
}

/** A new empty directory, removed at unload. */
export function tempDir(options?: Deno.MakeTempOptions): string {
  const path = Deno.makeTempDirSync(options);
  made.push(path);
  return path;
}
