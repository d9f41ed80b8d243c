import { countRecords, type OutputFailure, type Sink, SinkStats } from "./sink.ts";
import { standardDescriptors, truncateStdoutTail } from "./_stdout_fd.ts";

export { stdoutPipeNonBlocking, stdoutWriter } from "./_stdout_fd.ts";

/** Where the stdout sink writes: `Deno.stdout`, or a stand-in in tests. */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

export interface StdoutSinkOptions {
  /** Called once, at the first failed write; the sink then counts every later record as failed. */
  onFailure?: (failure: OutputFailure) => void;
  /**
   * Why standard output cannot be written although writes "succeed" (see {@linkcode stdoutUnwritable}), or null.
   * Deno's stdout swallows EBADF, so this is known only by looking at the descriptor when the sensor starts.
   */
  unwritable?: string | null;
  /** Removes the last `bytes` bytes written (a record cut short by a failed write); best effort. */
  trimPartial?: (bytes: number) => void;
  /**
   * The target is descriptor 1 through libc, which a lookup worker can open for itself: when stdout is the only sink,
   * the worker writes the records (src/parallel/lookup_worker.ts) and reports what this sink counts
   * ({@linkcode StdoutSink.addRemote}). The buffer is the stop flag
   * (`StopAsked`, src/sinks/stdout_stall.ts) the worker's waits look at.
   */
  workerStopAsked?: SharedArrayBuffer;
}

/** What a stdout sink in a worker counted since its last report, and its failure (once). */
export interface RemoteStdoutCounts {
  written: number;
  failed: number;
  failure: { message: string; brokenPipe: boolean } | null;
}

/**
 * Records to standard output, one JSON text per line. Each batch arrives already encoded and is written at once
 * (about 4 MiB per system call). Writes are synchronous: a reader that stops reading pushes back on capture, as a
 * pipe should (libpcap then counts kernel drops in live mode).
 *
 * A write that fails (a closed pipe, a full disk, a descriptor that is not writable) is reported once through
 * `onFailure`; the records of that batch that were not written, and every record after, count as `failed`. A record
 * cut short by the failure is removed again when standard output is a regular file, so the file ends with a whole
 * record.
 */
export class StdoutSink implements Sink {
  readonly name = "stdout";
  readonly stats = new SinkStats();
  readonly #target: SyncWriter;
  readonly #options: StdoutSinkOptions;
  #failure: OutputFailure | null = null;

  constructor(target: SyncWriter = Deno.stdout, options: StdoutSinkOptions = {}) {
    this.#target = target;
    this.#options = options;
  }

  /** The failure that stopped this sink, or null while it writes. */
  get failure(): OutputFailure | null {
    return this.#failure;
  }

  /** The flag a lookup worker writing for this sink waits on, or null when it may not (see the options). */
  get workerStopAsked(): SharedArrayBuffer | null {
    if (this.#failure !== null || this.#options.unwritable) return null;
    return this.#options.workerStopAsked ?? null;
  }

  /** Counts what a worker's own stdout sink wrote for this one; its failure stops this sink as its own would. */
  addRemote(counts: RemoteStdoutCounts): void {
    this.stats.written += counts.written;
    this.stats.failed += counts.failed;
    if (counts.failure === null || this.#failure !== null) return;
    const { message, brokenPipe } = counts.failure;
    const error = brokenPipe ? new Deno.errors.BrokenPipe(message) : new Error(message);
    this.#failure = { sink: this.name, error, brokenPipe };
    this.#options.onFailure?.(this.#failure);
  }

  write(records: Uint8Array, count: number = countRecords(records)): void {
    if (this.#failure !== null) {
      this.stats.failed += count;
      return;
    }
    if (this.#options.unwritable) return this.#fail(records, 0, new Error(this.#options.unwritable));
    let offset = 0;
    try {
      while (offset < records.length) offset += this.#target.writeSync(records.subarray(offset));
    } catch (error) {
      return this.#fail(records, offset, error instanceof Error ? error : new Error(String(error)));
    }
    this.stats.written += count;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #fail(records: Uint8Array, offset: number, error: Error): void {
    // Records up to the last newline written are whole; the rest of the batch is lost.
    const whole = offset === 0 ? 0 : records.lastIndexOf(0x0a, offset - 1) + 1;
    this.stats.written += countRecords(records.subarray(0, whole));
    this.stats.failed += countRecords(records.subarray(whole));
    if (offset > whole) this.#options.trimPartial?.(offset - whole);
    const brokenPipe = error instanceof Deno.errors.BrokenPipe;
    this.#failure = { sink: this.name, error, brokenPipe };
    this.#options.onFailure?.(this.#failure);
  }
}

const O_RDONLY = 0;
const O_RDWR = 2;

/**
 * Why standard output cannot take records although writing to it raises no error, or null. Deno (through Rust's
 * standard library) reopens a standard descriptor that was closed at start-up (`>&-`) on /dev/null read-write, and
 * reports writes to a read-only descriptor (`1<file`) as done: both would discard every record silently.
 *
 * A /dev/null opened read-write while stderr is something else is taken to be a closed stdout; a daemon that points
 * all three descriptors at /dev/null (start-stop-daemon --background) is left alone, as stdout is then discarded on
 * purpose.
 */
export function stdoutUnwritable(): string | null {
  const fd = standardDescriptors();
  if (fd.stdoutMode === O_RDONLY) {
    return "Bad file descriptor (os error 9): standard output is open for reading only";
  }
  if (fd.stdoutMode === O_RDWR && fd.stdoutNull === true && fd.stderrNull === false) {
    return "Bad file descriptor (os error 9): standard output was closed when the sensor started";
  }
  return null;
}

/**
 * Removes the last `bytes` bytes written to standard output when it is a file (the tail of a record that a failed
 * write cut short). Best effort: nothing happens for a pipe or a terminal, or when it cannot be done.
 */
export function trimStdoutFile(bytes: number): void {
  truncateStdoutTail(bytes);
}

/** A `writeAll` for anything with `writeSync` (Deno.stdout, Deno.FsFile), looping over short writes. */
export function syncWriter(target: SyncWriter): (bytes: Uint8Array) => void {
  return (bytes) => {
    let offset = 0;
    while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
  };
}
