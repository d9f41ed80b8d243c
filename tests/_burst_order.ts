/** Test helper of tests/numprocs_burst_test.ts and tests/_burst_probe.ts: the order a burst's records come in. */

/** The records' ids are the burst's, in the order written: the first lookup's (65535), then 0, 1, 2, ... */
export function inBurstOrder(ids: number[]): boolean {
  return ids.every((id, i) => id === (i === 0 ? 65535 : (i - 1) & 0xffff));
}
