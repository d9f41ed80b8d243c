/**
 * Descriptor 1 through libc (FFI, Linux only), for what Deno's stdout does not do or say. Deno treats /proc/self and
 * /dev/stdout as needing every permission, and its stdout (Rust's, line-buffered) swallows EBADF and, when a write
 * fails part way (a full disk), throws without saying how much was written (measured with Deno 2.9: a 4.2 MB batch
 * of lines to a 256 KiB tmpfs left 256 KiB in the file and threw at once). `write(2)` says exactly, which is what
 * lets the sink cut the half-written record off the end of a file. A pipe on stdout is made non-blocking and waited
 * on with `poll(2)` in slices, so that a reader which stops reading cannot hold the sensor in one endless `write(2)`.
 *
 * Needs `--allow-ffi` (in the shipped set); without it, or off Linux, every function answers "unknown".
 *
 * @module
 */

import { type Libc, libcOrNull } from "../libc_ffi.ts";

const STDOUT = 1;
const STDERR = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const POLLOUT = 4;
/** `st_mode` in `struct stat`: after dev, ino, nlink on x86_64; after dev, ino on aarch64. */
const ST_MODE = Deno.build.arch === "x86_64" ? 24 : 16;
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;
/** How long one wait for a pipe's reader lasts before the sink is asked whether to go on waiting. */
const WAIT_SLICE_MS = 100;
const O_ACCMODE = 3;
const SEEK_CUR = 1;
/** `struct stat` is 144 bytes on x86_64 and 128 on aarch64; `st_dev` and `st_ino` lead both (u64 each). */
const STAT_SIZE = 256;

/** libc on Linux (glibc's errno and `struct stat` layout are assumed below), else null. */
function open(): Libc | null {
  return Deno.build.os === "linux" ? libcOrNull() : null;
}

/** The access mode of a descriptor (0 read-only, 1 write-only, 2 read-write), or null when unknown. */
export function accessMode(fd: number): number | null {
  const lib = open();
  if (lib === null) return null;
  const flags = lib.fcntl(fd, F_GETFL);
  return flags < 0 ? null : flags & O_ACCMODE;
}

/** Whether the descriptor is /dev/null (same device and inode), or null when unknown. */
export function isDevNull(fd: number): boolean | null {
  const lib = open();
  if (lib === null) return null;
  const stat = new BigUint64Array(STAT_SIZE / 8);
  if (lib.fstat(fd, stat) !== 0) return null;
  try {
    const devNull = Deno.statSync("/dev/null");
    return stat[0] === BigInt(devNull.dev) && stat[1] === BigInt(devNull.ino ?? -1);
  } catch {
    return null;
  }
}

/** Standard output and standard error, as the stdout sink's start-up check needs them. */
export function standardDescriptors(): {
  stdoutMode: number | null;
  stdoutNull: boolean | null;
  stderrNull: boolean | null;
} {
  return { stdoutMode: accessMode(STDOUT), stdoutNull: isDevNull(STDOUT), stderrNull: isDevNull(STDERR) };
}

/**
 * Cuts the last `bytes` bytes off standard output when it is a seekable file: truncates it at the current offset
 * minus `bytes`. Returns whether it did; a pipe or a terminal cannot be seeked, and nothing happens.
 */
export function truncateStdoutTail(bytes: number): boolean {
  const lib = open();
  if (lib === null) return false;
  const position = Number(lib.lseek(STDOUT, 0n, SEEK_CUR));
  if (position < bytes) return false;
  return lib.ftruncate(STDOUT, BigInt(position - bytes)) === 0;
}

const EINTR = 4;
const EAGAIN = 11;
const EPIPE = 32;
/** The messages of the errors a record write can meet, as Deno words them. */
const ERRNO_TEXT: Record<number, string> = {
  5: "Input/output error",
  9: "Bad file descriptor",
  27: "File too large",
  28: "No space left on device",
  32: "Broken pipe",
  104: "Connection reset by peer",
  122: "Disk quota exceeded",
};

/** What {@linkcode stdoutWriter} gives: `Deno.stdout`'s `writeSync`, on descriptor 1 through libc. */
export interface StdoutWriter {
  writeSync(p: Uint8Array): number;
}

/**
 * A `writeSync` on descriptor 1 that returns short counts as `write(2)` does and throws the error of a failed
 * write (`Deno.errors.BrokenPipe` for EPIPE, an `Error` "No space left on device (os error 28)" and the like
 * otherwise). Null when libc cannot be reached (then the sink uses `Deno.stdout`).
 *
 * When stdout is a non-blocking pipe and full, it waits for the reader in slices of 100 ms, asking `giveUp` after each
 * with the time waited without progress; a reason returned ends the wait with an error of that message.
 */
export function stdoutWriter(giveUp: (waitedMs: number) => string | null = () => null): StdoutWriter | null {
  const lib = open();
  if (lib === null) return null;
  const pollfd = new Int32Array([STDOUT, POLLOUT]);
  return {
    writeSync(p: Uint8Array): number {
      let waited = 0;
      while (true) {
        const n = Number(lib.write(STDOUT, p, BigInt(p.length)));
        if (n >= 0) return n;
        const errno = new Deno.UnsafePointerView(lib.__errno_location!()!).getInt32();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) {
          // A non-blocking pipe that is full (see stdoutPipeNonBlocking): wait for the reader a slice at a time.
          pollfd[1] = POLLOUT;
          if (lib.poll(pollfd, 1n, WAIT_SLICE_MS) === 0) waited += WAIT_SLICE_MS;
          const reason = giveUp(waited);
          if (reason !== null) throw new Error(reason);
          continue;
        }
        const message = `${ERRNO_TEXT[errno] ?? "Write failed"} (os error ${errno})`;
        throw errno === EPIPE ? new Deno.errors.BrokenPipe(message) : new Error(message);
      }
    },
  };
}

/**
 * Makes stdout non-blocking when it is a pipe (a FIFO), so that a full pipe makes the writer wait in slices it can give
 * up on instead of one `write(2)` that only the reader can end. Returns the flags as they were and the function that
 * restores them (called at exit: other processes may share the pipe's flags), or null when stdout is not a pipe or
 * libc is unavailable.
 */
export function stdoutPipeNonBlocking(): { flags: number; restore: () => void } | null {
  const lib = open();
  if (lib === null) return null;
  const stat = new Uint8Array(STAT_SIZE);
  if (lib.fstat(STDOUT, stat) !== 0) return null;
  const mode = new DataView(stat.buffer).getUint32(ST_MODE, true);
  if ((mode & S_IFMT) !== S_IFIFO) return null;
  const flags = lib.fcntl(STDOUT, F_GETFL);
  if (flags < 0 || (flags & O_NONBLOCK) !== 0) return null;
  if (lib.fcntl_set(STDOUT, F_SETFL, flags | O_NONBLOCK) !== 0) return null;
  return { flags, restore: () => void lib.fcntl_set(STDOUT, F_SETFL, flags) };
}
