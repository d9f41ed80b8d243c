/**
 * libc's `syslog(3)` through Deno FFI: openlog, syslog, closelog, nothing else. The one `Deno.dlopen` of libc
 * (libpcap has its own module). libc chooses the socket (`/dev/log`), reconnects after a daemon restart, and formats
 * the message as the local daemon expects (`<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG`), as the original's Go
 * `log/syslog` did.
 *
 * Calls block while the daemon's socket is full, so they are made from a worker (`syslog_worker.ts`), never from
 * the capture thread.
 *
 * @module
 */

/** Names tried in order: glibc on Linux, then macOS's libSystem. */
const LIBRARY_NAMES = ["libc.so.6", "libSystem.B.dylib"];

/** `openlog` option bits (syslog.h): log the PID with each message; connect at once, not on the first message. */
export const LOG_PID = 0x01;
export const LOG_NDELAY = 0x08;

const SYMBOLS = {
  // void openlog(const char *ident, int option, int facility)   (ident must stay valid until closelog)
  openlog: { parameters: ["buffer", "i32", "i32"], result: "void" },
  // void syslog(int priority, const char *format, ...)   called as syslog(priority, "%s", message)
  syslog: { parameters: ["i32", "buffer", "buffer"], result: "void" },
  // void closelog(void)
  closelog: { parameters: [], result: "void" },
  // int access(const char *pathname, int mode)   (Deno's own file API refuses /dev/log without --allow-all)
  access: { parameters: ["buffer", "i32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

export type LibcSyslog = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Opens libc; throws an Error naming the libraries tried. */
export function openLibcSyslog(): LibcSyslog {
  const failures: string[] = [];
  for (const name of LIBRARY_NAMES) {
    try {
      return Deno.dlopen(name, SYMBOLS).symbols;
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`Cannot load libc for syslog(3) (${failures.join("; ")})`);
}

/** `access(2)` mode: the path exists. */
const F_OK = 0;

/** Whether `path` exists, asked of libc (Deno refuses to stat paths under /dev without --allow-all). */
export function pathExists(libc: LibcSyslog, path: string): boolean {
  return libc.access(cString(path), F_OK) === 0;
}

/** `s` as a NUL-terminated C string. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${s}\0`);
}
