/**
 * Records to a size-rotated file (`-logfile`), synchronously: the lines of all files together are exactly the
 * records written, each line whole in one file ({@linkcode RotatingFile}).
 *
 * A write error (disk full, the directory cannot be created) starts an episode: it is reported once, the records
 * that could not be written are counted as `failed`, and writing is tried again at most once per `retryMs`; the
 * first write that succeeds ends the episode (reported too). A removed file or directory is recreated on the next
 * write, so logging resumes by itself.
 *
 * @module
 */

import { FileWriteError, RotatingFile, type RotationOptions } from "./rotating_file.ts";
import { countRecords, type Sink, SinkStats } from "./sink.ts";
import { SinkStartError } from "./sink_start_error.ts";

/** Where Deno lets a program read or write only when it runs with `--allow-all` (device and kernel file systems). */
const ALL_ACCESS_ROOTS = ["/dev/", "/proc/", "/sys/"];

/**
 * A SinkStartError when Deno will never let this process write `path`: under /dev (tmpfs /dev/shm among them), /proc or
 * /sys, Deno refuses every access without `--allow-all`, whatever `--allow-write` grants, and every record would be
 * counted as failed. Anywhere else an error is left to the first write, which reports it and tries again.
 */
export function checkLogfileAllowed(path: string): void {
  const root = ALL_ACCESS_ROOTS.find((root) => path.startsWith(root));
  if (root === undefined) return;
  try {
    Deno.statSync(path.slice(0, path.lastIndexOf("/")) || "/");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) return; // absent (created at the first write) or another error
    throw new SinkStartError(
      `-logfile ${path}: Deno lets a program write under ${root} only when it runs with --allow-all; use a directory ` +
        "elsewhere (e.g. /run or /var/log)",
    );
  }
}

export interface FileSinkOptions extends RotationOptions {
  /** While failing, how long to count records as failed before trying the file again (default 1 s). */
  retryMs?: number;
  /** Told once per episode of write errors, and when writing recovers (`error` null). */
  onError: (sink: string, error: unknown | null) => void;
}

/** `-logMaxSize` megabytes as bytes (0 means 100, as in the original; 1 MB = 1 048 576 bytes). */
export function rotationBytes(logMaxSize: number): number {
  return (logMaxSize === 0 ? 100 : logMaxSize) * 1_048_576;
}

export class FileSink implements Sink {
  readonly name = "file";
  readonly stats = new SinkStats();
  readonly file: RotatingFile;
  readonly #retryMs: number;
  readonly #onError: FileSinkOptions["onError"];
  #failing = false;
  #retryAt = 0;

  constructor(path: string, options: FileSinkOptions) {
    this.file = new RotatingFile(path, options);
    this.#retryMs = options.retryMs ?? 1_000;
    this.#onError = options.onError;
  }

  write(records: Uint8Array, count: number = countRecords(records)): void {
    if (count === 0) return;
    if (this.#failing && Date.now() < this.#retryAt) {
      this.stats.failed += count;
      return;
    }
    try {
      this.file.write(records);
    } catch (error) {
      if (!(error instanceof FileWriteError)) throw error;
      const written = countRecords(records.subarray(0, error.written));
      this.stats.written += written;
      this.stats.failed += count - written;
      if (!this.#failing) this.#onError(this.name, error);
      this.#failing = true;
      this.#retryAt = Date.now() + this.#retryMs;
      this.file.close(); // reopened (and the directory recreated) on the next try
      return;
    }
    this.stats.written += count;
    if (this.#failing) this.#onError(this.name, null);
    this.#failing = false;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** SIGHUP: close the file; the next write opens the path again (logrotate's `postrotate`). */
  reopen(): void {
    this.file.reopen();
  }

  close(): Promise<void> {
    this.file.close();
    return Promise.resolve();
  }
}
