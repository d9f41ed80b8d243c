/**
 * Test hooks of the lookup worker, read from the environment. Never set in production; harmless when set by mistake
 * (the first makes a run fail the way a worker bug would, the second only starts the worker sooner).
 *
 * - `DENOPASSIVEDNS_TEST_WORKER_FAIL_AT=N`: the lookup worker throws on its Nth entry (a lookup), so the tests can
 *   prove that a failed worker ends the run with status 1 and a one-line message, never a hang.
 * - `DENOPASSIVEDNS_TEST_WORKER_AT_ONCE=1`: the worker starts with the run instead of when a first batch of
 *   lookups fills, so the small captures of the test suites go through it.
 * - `DENOPASSIVEDNS_TEST_WORKER_ANY_SIZE=1`: a capture file under 32 MiB gets a worker too (it is replayed on one
 *   thread otherwise: src/sensor.ts `threadsFor`), started as usual when a first batch fills.
 * - `DENOPASSIVEDNS_TEST_CORES=N`: `-numprocs` is held to N cores instead of the machine's, so the suites can run
 *   three and four threads on a two-core machine.
 *
 * @module
 */

export const WORKER_FAIL_AT_VARIABLE = "DENOPASSIVEDNS_TEST_WORKER_FAIL_AT";
export const WORKER_AT_ONCE_VARIABLE = "DENOPASSIVEDNS_TEST_WORKER_AT_ONCE";
export const WORKER_ANY_SIZE_VARIABLE = "DENOPASSIVEDNS_TEST_WORKER_ANY_SIZE";
export const CORES_VARIABLE = "DENOPASSIVEDNS_TEST_CORES";

/** A hook's value: a positive integer, or 0 when unset or anything else. */
export function testHook(name: string): number {
  const value = Number(Deno.env.get(name) ?? "0");
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}
