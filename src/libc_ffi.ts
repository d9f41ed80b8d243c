/**
 * The libc functions the main thread needs, in one table and one `Deno.dlopen` (libpcap has
 * src/capture/libpcap_ffi.ts; the syslog and signal workers open their own, as a worker cannot share a handle):
 * - live capture: `poll_wait` for the capture socket off the main thread, an in-memory `FILE` for libpcap to write
 *   batches of packets into (src/capture/_capture_batch.ts), the interface flags (src/capture/_link_state.ts);
 * - standard output (src/sinks/_stdout_fd.ts): `write(2)` with its errno, `fcntl`, `fstat`, `lseek`, `ftruncate` and
 *   a blocking `poll`, for what Deno's stdout does not do or say.
 *
 * @module
 */

import { CaptureError } from "./capture/packet.ts";
import { dlopenFirst } from "./dlopen_first.ts";

/** glibc's soname on Linux, then the generic name (macOS resolves `libc.dylib` to libSystem). */
const LIBRARY_NAMES = ["libc.so.6", "libc.dylib"];

const SYMBOLS = {
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout): nonblocking, so it runs on a thread of Deno's blocking
  // pool and the event loop goes on while it waits; the buffer must stay alive until the promise settles.
  poll_wait: { name: "poll", parameters: ["buffer", "usize", "i32"], result: "i32", nonblocking: true },
  // the same, synchronous: a short wait for stdout's reader, where the caller has nothing else to do
  poll: { parameters: ["buffer", "usize", "i32"], result: "i32" },
  // int fcntl(int fd, int cmd, ...): only F_GETFL, which takes no third argument
  fcntl: { parameters: ["i32", "i32"], result: "i32" },
  // int fcntl(int fd, int cmd, int arg): F_SETFL
  fcntl_set: { name: "fcntl", parameters: ["i32", "i32", "i32"], result: "i32" },
  // int fstat(int fd, struct stat *statbuf)
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  // off_t lseek(int fd, off_t offset, int whence)
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  // int ftruncate(int fd, off_t length)
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  // ssize_t write(int fd, const void *buf, size_t count)
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // int *__errno_location(void): glibc's errno of the calling thread (glibc only, hence optional)
  __errno_location: { parameters: [], result: "pointer", optional: true },
  // FILE *fmemopen(void *buf, size_t size, const char *mode)
  fmemopen: { parameters: ["pointer", "usize", "buffer"], result: "pointer" },
  // void rewind(FILE *stream)
  rewind: { parameters: ["pointer"], result: "void" },
  // int socket(int domain, int type, int protocol): a datagram socket for the interface-flags ioctl
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // int ioctl(int fd, unsigned long request, struct ifreq *): declared with its one fixed-type argument, as the
  // variadic third is a pointer (passed like a named one on x86_64 and aarch64 Linux)
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  // int close(int fd)
  close: { parameters: ["i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** `struct pollfd`: `int fd; short events; short revents`. */
export const POLLFD_SIZE = 8;
export const POLLIN = 0x001;

let library: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;

/** The libc symbols, opening the library on first use. */
export function libc(): Libc {
  if (library !== null) return library.symbols;
  const opened = dlopenFirst(LIBRARY_NAMES, SYMBOLS);
  if (!("failure" in opened)) return (library = opened).symbols;
  throw new CaptureError(`Cannot load the C library (tried ${LIBRARY_NAMES.join(", ")}): ${opened.failure}`);
}

/** The libc symbols, or null when the library cannot be opened (for callers that have a fallback). */
export function libcOrNull(): Libc | null {
  try {
    return libc();
  } catch {
    return null;
  }
}
