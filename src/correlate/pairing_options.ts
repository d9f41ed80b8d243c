/**
 * The pairing rules' options and bounds, shared by the pairing engine (src/correlate/wire_pairing.ts) and the
 * configuration (src/sensor.ts).
 *
 * @module
 */

/**
 * The most lookups held in flight under one key (transport, client, server, ID), told apart by question: a stub
 * resolver's A and AAAA with one ID, pipelined TCP queries reusing an ID. A further query gives up on the key's
 * oldest entry, a further unmatched response on the key's oldest held response, or on itself when there is none
 * (counted in `correlation_evicted`; `reason: "replaced"` for the entry given up on). Small, because every message on a key compares its
 * question with each held one.
 */
export const MAX_PER_KEY = 8;

export interface CorrelatorOptions {
  /** Bound on pending entries (queries awaiting a response, responses awaiting a query). */
  maxPending: number;
  /**
   * Bound on the bytes pending entries hold (`-max_pending_bytes`): each costs its messages and a fixed amount per
   * entry; beyond it the oldest entries are evicted.
   */
  maxPendingBytes: number;
  /** An entry older than this (packet time) is given up on at the next sweep (`-gc_age`, as a positive age). */
  gcAgeMs: number;
  /** Sweep period in packet time (`-gc_interval`). */
  gcIntervalMs: number;
  /** How long after a pairing a copy of the response counts as a duplicate rather than an orphan. */
  duplicateWindowMs: number;
  /** Bound on remembered recent pairings used for duplicate detection. */
  maxRecent: number;
}

export const DEFAULT_CORRELATOR_OPTIONS: CorrelatorOptions = {
  maxPending: 100_000,
  maxPendingBytes: 32 << 20,
  gcAgeMs: 60_000,
  gcIntervalMs: 180_000,
  duplicateWindowMs: 10_000,
  maxRecent: 65_536,
};
