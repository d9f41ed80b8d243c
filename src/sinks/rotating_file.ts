/**
 * A size-rotated append-only file with the original's rotation rules (lumberjack v2, reference §8.3), writing whole
 * lines only:
 * - before a write that would take the file over `maxBytes`, the file is renamed to
 *   `<dir>/<stem>-<UTC 2006-01-02T15-04-05.000><ext>` and a new one is started; the cut is made between two lines,
 *   so a line is never split across files (a single line longer than `maxBytes` gets a file of its own);
 * - after each rotation, backups past the newest `maxBackups` (0 keeps all) and backups whose name time is older than
 *   `maxAgeDays` (0 keeps all) are removed;
 * - an existing file is appended to; the directory is created when missing (also when it was removed while open);
 * - a write that fails part-way keeps the whole lines that reached the file and cuts off a partial last one
 *   (`ftruncate`), so the file holds whole lines only.
 *
 * Writes are synchronous: a file write is a copy into the page cache, and a sink that blocks is what stdout does too.
 *
 * @module
 */

import { dirname, fileStem, joinPath } from "./_path.ts";

export interface RotationOptions {
  /** Rotate before the file would grow past this many bytes. */
  maxBytes: number;
  /** Backups to keep; 0 keeps all. */
  maxBackups: number;
  /** Days to keep backups (by the time in their name); 0 keeps all. */
  maxAgeDays: number;
  /** The clock for backup names and ages (injected by tests). */
  now: () => number;
}

/** A write that failed part-way: `written` bytes (whole lines) of the batch are in the file, the rest is not. */
export class FileWriteError extends Error {
  constructor(readonly written: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Internal: a chunk write that failed after `kept` bytes (whole lines) reached the file. */
class PartialWrite extends Error {
  constructor(readonly kept: number, cause: unknown) {
    super("partial write", { cause });
  }
}

const DAY_MS = 86_400_000;

export class RotatingFile {
  #file: Deno.FsFile | null = null;
  #size = 0;
  #ino: number | null = null;
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;

  constructor(readonly path: string, readonly options: RotationOptions) {
    this.#dir = dirname(path);
    [this.#stem, this.#ext] = fileStem(path);
  }

  /** Bytes in the current file. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends whole newline-terminated lines, rotating between lines as needed. Opens the file first when it is
   * closed, or when the path no longer names the open file (removed or renamed away, e.g. by logrotate).
   * @throws {FileWriteError} with the number of bytes that did reach the file.
   */
  write(bytes: Uint8Array): void {
    let offset = 0;
    try {
      if (this.#file === null || this.#moved()) this.#open();
      while (offset < bytes.length) {
        const room = this.options.maxBytes - this.#size;
        let end = bytes.length;
        if (end - offset > room) {
          const cut = room > 0 ? bytes.lastIndexOf(0x0a, offset + room - 1) : -1;
          if (cut >= offset) {
            end = cut + 1;
          } else if (this.#size > 0) {
            this.#rotate();
            continue;
          } else {
            const newline = bytes.indexOf(0x0a, offset); // one line longer than maxBytes: alone in its file
            end = newline === -1 ? bytes.length : newline + 1;
          }
        }
        this.#writeAll(bytes.subarray(offset, end));
        offset = end;
      }
    } catch (error) {
      if (error instanceof PartialWrite) throw new FileWriteError(offset + error.kept, error.cause);
      throw new FileWriteError(offset, error);
    }
  }

  /** Closes the file; the next write opens the path again (SIGHUP, after logrotate moved the file). */
  reopen(): void {
    this.close();
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
    this.#ino = null;
  }

  /**
   * Writes a chunk of whole lines. When it fails part-way (a disk filling up), the whole lines that reached the file
   * are kept and a partial last line is cut off, so the file still ends with a whole line.
   * @throws {PartialWrite} with the number of bytes of the chunk kept.
   */
  #writeAll(chunk: Uint8Array): void {
    const file = this.#file!;
    let done = 0;
    try {
      while (done < chunk.length) done += file.writeSync(chunk.subarray(done));
    } catch (error) {
      const kept = done === 0 ? 0 : chunk.lastIndexOf(0x0a, done - 1) + 1;
      if (kept < done) {
        try {
          file.truncateSync(this.#size + kept);
        } catch { /* the cut failed too: nothing more can be done here */ }
      }
      this.#size += kept;
      throw new PartialWrite(kept, error);
    }
    this.#size += chunk.length;
  }

  #open(): void {
    this.close();
    Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o755 });
    const file = Deno.openSync(this.path, { append: true, create: true, mode: 0o644 });
    const info = file.statSync();
    this.#file = file;
    this.#size = info.size;
    this.#ino = info.ino;
  }

  /** True when the path is gone or names another file than the one open. */
  #moved(): boolean {
    try {
      return Deno.statSync(this.path).ino !== this.#ino;
    } catch {
      return true;
    }
  }

  #rotate(): void {
    this.close();
    let time = this.options.now();
    let backup = this.#backupPath(time);
    while (exists(backup)) backup = this.#backupPath(++time); // two rotations in one millisecond
    Deno.renameSync(this.path, backup);
    this.#open();
    this.#removeOldBackups(time);
  }

  #backupPath(time: number): string {
    const stamp = new Date(time).toISOString().slice(0, 23).replace(/:/g, "-"); // 2006-01-02T15-04-05.000
    return joinPath(this.#dir, `${this.#stem}-${stamp}${this.#ext}`);
  }

  /** Backups of this file, newest first, by the time in their names. */
  backups(): { path: string; time: number }[] {
    const found: { path: string; time: number }[] = [];
    const prefix = `${this.#stem}-`;
    for (const entry of Deno.readDirSync(this.#dir)) {
      if (!entry.isFile || !entry.name.startsWith(prefix) || !entry.name.endsWith(this.#ext)) continue;
      const stamp = entry.name.slice(prefix.length, entry.name.length - this.#ext.length);
      const match = /^(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d\.\d{3})$/.exec(stamp);
      if (match === null) continue;
      const time = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
      if (!Number.isNaN(time)) found.push({ path: joinPath(this.#dir, entry.name), time });
    }
    return found.sort((a, b) => b.time - a.time);
  }

  #removeOldBackups(now: number): void {
    const { maxBackups, maxAgeDays } = this.options;
    if (maxBackups === 0 && maxAgeDays === 0) return;
    this.backups().forEach(({ path, time }, index) => {
      const tooMany = maxBackups > 0 && index >= maxBackups;
      const tooOld = maxAgeDays > 0 && time < now - maxAgeDays * DAY_MS;
      if (!tooMany && !tooOld) return;
      try {
        Deno.removeSync(path);
      } catch { /* removed by someone else meanwhile */ }
    });
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
