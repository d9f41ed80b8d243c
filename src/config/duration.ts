/**
 * Go's `time.ParseDuration` syntax, which the original used for `-gc_age` and `-gc_interval`: an optional sign, then
 * one or more `<decimal>[.<fraction>]<unit>` groups with the units `ns`, `us` (or `µs`, `μs`), `ms`, `s`, `m` and `h`.
 * `"0"` alone needs no unit; there is no `d`.
 *
 * @module
 */

/** Nanoseconds per unit, as in Go's `time` package. */
const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["µs", 1_000n], // U+00B5 MICRO SIGN
  ["μs", 1_000n], // U+03BC GREEK SMALL LETTER MU
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

/** A Go duration is an int64 count of nanoseconds. */
const MAX_NS = (1n << 63n) - 1n;

const NS_PER_MS = 1_000_000;

/**
 * Parses a Go duration string.
 *
 * @example
 * ```ts
 * parseGoDuration("-1m"); // -60000
 * parseGoDuration("1h30m"); // 5400000
 * parseGoDuration("1.5us"); // 0.0015
 * ```
 * @returns the duration in milliseconds (fractional below 1 ms, exact to the nanosecond up to about 104 days).
 * @throws {SyntaxError} when the text is not a Go duration; the message says why, as Go's does.
 */
export function parseGoDuration(text: string): number {
  let s = text;
  let negative = false;
  if (s.length > 0 && (s[0] === "-" || s[0] === "+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new SyntaxError(`Invalid duration ${JSON.stringify(text)}`);

  let total = 0n;
  while (s !== "") {
    // A group: integer part, optional fraction, then a unit.
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const [matched, whole, fraction] = number;
    if (whole === "" && (fraction === undefined || fraction === "")) {
      throw new SyntaxError(`Invalid duration ${JSON.stringify(text)}`);
    }
    s = s.slice(matched.length);
    const unitMatch = /^[^0-9.]*/.exec(s)!;
    const unitText = unitMatch[0];
    if (unitText === "") throw new SyntaxError(`Missing unit in duration ${JSON.stringify(text)}`);
    const unit = UNIT_NS.get(unitText);
    if (unit === undefined) {
      throw new SyntaxError(`Unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(text)}`);
    }
    s = s.slice(unitText.length);

    let groupNs = BigInt(whole === "" ? "0" : whole) * unit;
    if (fraction !== undefined && fraction !== "") {
      // Like Go, the fraction is scaled in floating point and truncated to whole nanoseconds.
      const digits = fraction.slice(0, 18);
      groupNs += BigInt(Math.trunc(Number(digits) * (Number(unit) / 10 ** digits.length)));
    }
    total += groupNs;
    if (total > MAX_NS + (negative ? 1n : 0n)) {
      throw new SyntaxError(`Invalid duration ${JSON.stringify(text)}: out of range`);
    }
  }
  const ms = Number(total) / NS_PER_MS;
  return negative ? -ms : ms;
}

/**
 * Formats milliseconds as a short Go-style duration (`-1m0s` → `-1m`, `5400000` → `1h30m`), for help and messages.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  let out = "";
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1_000], ["ms", 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  if (rest > 0) out += `${Math.round(rest * NS_PER_MS)}ns`;
  return sign + out;
}
