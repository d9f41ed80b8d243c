/**
 * Syslog facility and severity names to codes (RFC 5424 §6.2.1), as Go's `log/syslog` names them: the names of
 * `-syslog_facility` and `-syslog_priority` (checked without regard to case by the options table).
 *
 * @module
 */

import { SYSLOG_FACILITIES, SYSLOG_PRIORITIES } from "../config/options.ts";

/** Facility codes in the order of {@link SYSLOG_FACILITIES}: 0-11, then LOCAL0-7 = 16-23. */
const FACILITY_CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23];

/** The facility code shifted into place (`LOCAL0` → 128), as `openlog` and the PRI field want it. */
export function facilityCode(name: string): number {
  const index = (SYSLOG_FACILITIES as readonly string[]).indexOf(name.toUpperCase());
  if (index === -1) throw new RangeError(`Unknown syslog facility ${JSON.stringify(name)}`);
  return FACILITY_CODES[index] << 3;
}

/** The severity code (`EMERG` 0 … `DEBUG` 7). */
export function severityCode(name: string): number {
  const index = (SYSLOG_PRIORITIES as readonly string[]).indexOf(name.toUpperCase());
  if (index === -1) throw new RangeError(`Unknown syslog priority ${JSON.stringify(name)}`);
  return index;
}
