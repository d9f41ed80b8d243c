/**
 * libpcap's capture statistics as deltas. `pcap_stats` counts from the opening of the handle; the original added
 * those running totals to its statsd counters every interval, so they grew quadratically. Here each report is the
 * change since the previous one, and a reopened handle starts from zero again.
 *
 * @module
 */

import type { CaptureStats } from "./_live_handle.ts";

const ZERO: CaptureStats = { received: 0, dropped: 0, ifDropped: 0 };

export class CaptureStatsDeltas {
  #last: CaptureStats = ZERO;

  /** The counts since the previous call. libpcap's are 32-bit and wrap, so differences are taken modulo 2^32. */
  next(current: CaptureStats): CaptureStats {
    const last = this.#last;
    this.#last = current;
    return {
      received: (current.received - last.received) >>> 0,
      dropped: (current.dropped - last.dropped) >>> 0,
      ifDropped: (current.ifDropped - last.ifDropped) >>> 0,
    };
  }

  /** A new handle: its counts start at zero. */
  reset(): void {
    this.#last = ZERO;
  }
}

/** The original's stderr line (its wording, including the missing colon), with deltas instead of running totals. */
export function statsLine(delta: CaptureStats): string {
  return `Statistics received: ${delta.received}, dropped: ${delta.dropped}, interface dropped ${delta.ifDropped}`;
}
