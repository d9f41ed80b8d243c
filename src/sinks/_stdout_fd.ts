/**
 * Descriptor 1 through libc (FFI, Linux only), for what Deno's stdout does not do or say. Deno treats /proc/self and
 * /dev/stdout as needing every permission, and its stdout (Rust's, line-buffered) swallows EBADF and, when a write
 * fails part way (a full disk), throws without saying how much was written (measured with Deno 2.9: a 4.2 MB batch
 * of lines to a 256 KiB tmpfs left 256 KiB in the file and threw at once). `write(2)` says exactly, which is what
 * lets the sink cut the half-written record off the end of a file.
 *
 * Needs `--allow-ffi` (in the shipped set); without it, or off Linux, every function answers "unknown".
 *
 * @module
 */

const SYMBOLS = {
  // int fcntl(int fd, int cmd, ...): only F_GETFL, which takes no third argument
  fcntl: { parameters: ["i32", "i32"], result: "i32" },
  // int fstat(int fd, struct stat *statbuf)
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  // off_t lseek(int fd, off_t offset, int whence)
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  // int ftruncate(int fd, off_t length)
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  // ssize_t write(int fd, const void *buf, size_t count)
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // int *__errno_location(void): glibc's errno of the calling thread
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

const STDOUT = 1;
const STDERR = 2;
const F_GETFL = 3;
const O_ACCMODE = 3;
const SEEK_CUR = 1;
/** `struct stat` is 144 bytes on x86_64 and 128 on aarch64; `st_dev` and `st_ino` lead both (u64 each). */
const STAT_SIZE = 256;

let libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] | null | undefined;

function open(): Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] | null {
  if (libc === undefined) {
    try {
      libc = Deno.build.os === "linux" ? Deno.dlopen("libc.so.6", SYMBOLS).symbols : null;
    } catch {
      libc = null;
    }
  }
  return libc;
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

/**
 * A `writeSync` on descriptor 1 that returns short counts as `write(2)` does and throws the error of a failed
 * write (`Deno.errors.BrokenPipe` for EPIPE, an `Error` "No space left on device (os error 28)" and the like
 * otherwise). Null when libc cannot be reached (then the sink uses `Deno.stdout`).
 */
export function stdoutWriter(): { writeSync(p: Uint8Array): number } | null {
  const lib = open();
  if (lib === null) return null;
  return {
    writeSync(p: Uint8Array): number {
      while (true) {
        const n = Number(lib.write(STDOUT, p, BigInt(p.length)));
        if (n >= 0) return n;
        const errno = new Deno.UnsafePointerView(lib.__errno_location()!).getInt32();
        if (errno === EINTR || errno === EAGAIN) continue;
        const message = `${ERRNO_TEXT[errno] ?? "Write failed"} (os error ${errno})`;
        throw errno === EPIPE ? new Deno.errors.BrokenPipe(message) : new Error(message);
      }
    },
  };
}
