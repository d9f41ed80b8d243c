/**
 * The second SIGINT/SIGTERM must end the process within a second whatever the main thread is doing. JavaScript
 * signal listeners run only when the main thread returns to its event loop, which it does not while it is blocked
 * in a synchronous write to a reader that stopped reading, or busy in a long end-of-input flush. A small worker has
 * an event loop of its own, and Deno delivers signals to a worker's listeners while the main thread is blocked
 * (measured with Deno 2.9: a main thread stuck in `writeSync` to a FIFO nobody reads; the worker's listener ran at
 * once).
 *
 * The worker counts signals like the main thread does. At the second it gives the main thread
 * {@linkcode MAIN_GRACE_MS} to exit by itself (with an up-to-date summary); if it has not, the worker writes the last
 * summary the main thread sent it and ends the process with status 130 through libc's `_exit` (Deno.exit in a
 * worker ends only the worker; measured). Without FFI permission it falls back to SIGKILL.
 *
 * It runs from the start: Deno coalesces signals that arrive while a thread's event loop is not polling, so a main
 * thread busy with a batch sees two quick signals as one, and a worker started at the first signal can miss the
 * second (measured). It costs about 11 MB of RSS (105 MB against 94 MB peak for the benchmark's 1M replay). The count
 * it sees is shared with the main thread ({@linkcode SignalWatchdog.signals}), so a second signal that the main
 * thread's own listener never saw still makes the run end with 130.
 *
 * The worker's code is a string run from a blob URL, so it needs no file (and `deno compile` needs no --include);
 * it is kept tiny and free of imports.
 *
 * @module
 */

/** How long the worker waits after the second signal for the main thread to exit by itself. */
export const MAIN_GRACE_MS = 300;

const WORKER_SOURCE = `
let signals = 0;
let shared = null;
let summary = "";
self.onmessage = (event) => {
  if (typeof event.data === "string") summary = event.data;
  else {
    shared = new Int32Array(event.data);
    Atomics.store(shared, 0, Math.max(signals, Atomics.load(shared, 0)));
  }
};
const write = (text) => {
  try {
    const bytes = new TextEncoder().encode(text);
    let at = 0;
    while (at < bytes.length) at += Deno.stderr.writeSync(bytes.subarray(at));
  } catch { /* stderr gone: exit anyway */ }
};
const exitNow = () => {
  write("Second signal: the main thread did not respond; exiting with status 130 without waiting for the flush\\n");
  write(summary !== ""
    ? "Counts at the end of the last batch the main thread finished: " + summary + "\\n"
    : "No summary: the main thread was blocked before it finished a batch\\n");
  try {
    const lib = Deno.build.os === "darwin" ? "libSystem.dylib" : "libc.so.6";
    const libc = Deno.dlopen(lib, {
      _exit: { parameters: ["i32"], result: "void" },
      fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
    }).symbols;
    // Stdout's flags as they were before the main thread made the pipe non-blocking (slot 1 holds them + 1).
    if (shared !== null && Atomics.load(shared, 1) !== 0) libc.fcntl(1, 4, Atomics.load(shared, 1) - 1);
    libc._exit(130);
  } catch {
    Deno.kill(Deno.pid, "SIGKILL");
  }
};
const onSignal = () => {
  signals++;
  if (shared !== null) Atomics.store(shared, 0, signals);
  if (signals >= 2) setTimeout(exitNow, ${MAIN_GRACE_MS});
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);
`;

/** The worker that ends the process at the second signal when the main thread cannot. */
export class SignalWatchdog {
  readonly #worker: Worker;
  readonly #url: string;
  /** The worker's signal count, written by the worker; then stdout's flags to restore at a forced exit, plus 1. */
  readonly #signals = new Int32Array(new SharedArrayBuffer(8));

  constructor() {
    this.#url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
    this.#worker = new Worker(this.#url, { type: "module" });
    this.#worker.postMessage(this.#signals.buffer);
  }

  /** SIGINT/SIGTERM the worker has seen: it sees each one, even while the main thread is blocked. */
  get signals(): number {
    return Atomics.load(this.#signals, 0);
  }

  /** Stdout's original flags (`fcntl` F_GETFL), which the worker restores if it has to end the process. */
  restoreStdoutFlagsAtExit(flags: number): void {
    Atomics.store(this.#signals, 1, flags + 1);
  }

  /** The summary line the worker prints if it has to end the process (the main thread's latest counts). */
  update(summary: string): void {
    this.#worker.postMessage(summary);
  }

  close(): void {
    this.#worker.terminate();
    URL.revokeObjectURL(this.#url);
  }
}
