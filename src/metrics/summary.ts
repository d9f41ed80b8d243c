import { COUNTER_NAMES, type Counters } from "./counters.ts";

/**
 * One line of every non-zero counter, decode errors by code last: what was seen, produced and lost, for stderr
 * at exit. `packets=3000 bytes=… records=300 …`
 */
export function counterSummary(counters: Counters): string {
  const parts: string[] = [];
  for (const name of COUNTER_NAMES) if (counters[name] !== 0) parts.push(`${name}=${counters[name]}`);
  for (const [code, count] of [...counters.decodeErrors].sort()) parts.push(`decode_error.${code}=${count}`);
  return parts.join(" ");
}
