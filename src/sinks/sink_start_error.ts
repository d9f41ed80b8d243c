/**
 * A sink that cannot start (an address it cannot use, a permission Deno was not given, a TLS file it cannot read):
 * `main.ts` prints the message and exits with status 1 before capture starts, rather than logging nowhere.
 *
 * @module
 */
export class SinkStartError extends Error {
  override name = "SinkStartError";
}
