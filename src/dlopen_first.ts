/**
 * Opens the first of several names a shared library goes by (its soname differs per OS and distribution), for the
 * project's FFI tables (src/capture/libpcap_ffi.ts, src/libc_ffi.ts).
 *
 * @module
 */

/** The library, or the reason the first name failed (the one a user can act on) when none opens. */
export function dlopenFirst<S extends Deno.ForeignLibraryInterface>(
  names: readonly string[],
  symbols: S,
): Deno.DynamicLibrary<S> | { failure: string } {
  const failures: string[] = [];
  for (const name of names) {
    try {
      return Deno.dlopen(name, symbols);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { failure: failures[0] ?? "no library name to try" };
}
