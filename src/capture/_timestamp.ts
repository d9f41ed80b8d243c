/**
 * Exact conversion of pcapng 64-bit timestamps (units of 10^-n or 2^-n s, `if_tsresol`) into whole
 * seconds plus nanoseconds. Doubles are exact below 2^53, so the common resolutions (µs, ns, and
 * anything up to 2^37 units per second) use float arithmetic split so no intermediate passes 2^53;
 * only exotic resolutions fall back to BigInt.
 *
 * A 64-bit count of seconds, or an `if_tsoffset` of up to ±2^63 s, goes far past any calendar date a writer can
 * print: such times are clamped to {@linkcode MIN_TIME_SEC}..{@linkcode MAX_TIME_SEC} (`convert` says so, and the
 * reader counts it).
 *
 * @module
 */

import { MAX_TIME_SEC, MIN_TIME_SEC } from "./packet.ts";

/** pcapng `if_tsresol` default when the option is absent: microseconds (pcapng §4.2). */
export const DEFAULT_TSRESOL = 6;
/** `if_tsresol` high bit: the low 7 bits are a power of two instead of ten (pcapng §4.2). */
const TSRESOL_BINARY = 0x80;
const TWO_32 = 4294967296;
const TWO_16 = 65536;
/** Largest units-per-second value for the float path: remainder * 2^16 stays below 2^53. */
const MAX_FAST_UNITS = 2 ** 37;
/** `hi` words below this keep `hi * 2^32 + lo` below 2^53, so one division is exact. */
const SMALL_HI = 0x200000;
const NS_PER_SEC = 1_000_000_000;
const MAX_TIME_BIG = BigInt(MAX_TIME_SEC);
const MIN_TIME_BIG = BigInt(MIN_TIME_SEC);

/** Where a converted time is written (a Packet fits). */
export interface TimeOut {
  tsSec: number;
  tsNsec: number;
}

/** Converts timestamps of one interface; built once per Interface Description Block. */
export class TimestampScale {
  /** Timestamp units per second (exact when at most 2^53). */
  readonly unitsPerSec: number;
  readonly #fast: boolean;
  /** nsec = floor(rem * #nsecMul / #nsecDiv), each product exact on the fast path. */
  readonly #nsecMul: number;
  readonly #nsecDiv: number;
  readonly #bigUnits: bigint;
  /** `if_tsoffset` as a double when it is exact (|offset| < 2^53), else null: then every sum is done in BigInt. */
  readonly #offset: number | null;
  readonly #bigOffset: bigint;

  /**
   * @param tsresol the `if_tsresol` byte: 10^-n s, or 2^-(n & 0x7f) s when the high bit is set
   * @param offsetSec `if_tsoffset`: seconds added to every timestamp (any int64)
   */
  constructor(readonly tsresol: number = DEFAULT_TSRESOL, offsetSec: number | bigint = 0) {
    this.#bigOffset = BigInt(offsetSec);
    const offset = Number(offsetSec);
    this.#offset = Number.isSafeInteger(offset) && BigInt(offset) === this.#bigOffset ? offset : null;
    const binary = (tsresol & TSRESOL_BINARY) !== 0;
    const n = tsresol & 0x7f;
    this.#bigUnits = binary ? 1n << BigInt(n) : 10n ** BigInt(n);
    this.unitsPerSec = Number(this.#bigUnits);
    let mul = 0;
    let div = 1;
    if (!binary && n <= 9) mul = 10 ** (9 - n);
    else if (!binary && n <= 11) [mul, div] = [1, 10 ** (n - 9)];
    // rem < 2^n, so rem * 10^9 < 2^(n+30) stays exact up to n = 23.
    else if (binary && n <= 23) [mul, div] = [NS_PER_SEC, this.unitsPerSec];
    this.#fast = mul !== 0 && this.unitsPerSec <= MAX_FAST_UNITS;
    this.#nsecMul = mul;
    this.#nsecDiv = div;
  }

  /** `if_tsoffset` in seconds. */
  get offsetSec(): bigint {
    return this.#bigOffset;
  }

  /**
   * Writes the time of the 64-bit timestamp `hi:lo` (two uint32 halves) into `out`. Returns true when the time was
   * outside {@linkcode MIN_TIME_SEC}..{@linkcode MAX_TIME_SEC} and was clamped to the nearest bound (nanoseconds 0).
   */
  convert(hi: number, lo: number, out: TimeOut): boolean {
    if (!this.#fast) return this.#convertBig(hi, lo, out);
    const u = this.unitsPerSec;
    let sec: number;
    let rem: number;
    if (hi < SMALL_HI) {
      const ts = hi * TWO_32 + lo;
      sec = Math.floor(ts / u);
      rem = ts - sec * u;
    } else {
      // Long division in base 2^16 after the high word: every partial value stays below 2^53.
      sec = Math.floor(hi / u);
      rem = hi - sec * u;
      if (rem < 0) [sec, rem] = [sec - 1, rem + u];
      else if (rem >= u) [sec, rem] = [sec + 1, rem - u];
      for (let shift = 16; shift >= 0; shift -= 16) {
        const cur = rem * TWO_16 + ((lo >>> shift) & 0xffff);
        let q = Math.floor(cur / u);
        rem = cur - q * u;
        if (rem < 0) [q, rem] = [q - 1, rem + u];
        else if (rem >= u) [q, rem] = [q + 1, rem - u];
        sec = sec * TWO_16 + q;
      }
    }
    // The float quotient can be off by one next to an integer; the exact remainder corrects it.
    if (rem < 0) [sec, rem] = [sec - 1, rem + u];
    else if (rem >= u) [sec, rem] = [sec + 1, rem - u];
    // Past 2^53 the quotient (and a sum with a large offset) is no longer exact: BigInt decides.
    if (this.#offset === null || sec > Number.MAX_SAFE_INTEGER) return this.#convertBig(hi, lo, out);
    const total = sec + this.#offset;
    if (total > MAX_TIME_SEC || total < MIN_TIME_SEC) return clamped(total > 0, out);
    out.tsSec = total;
    out.tsNsec = this.#nsecDiv === 1 ? rem * this.#nsecMul : Math.floor((rem * this.#nsecMul) / this.#nsecDiv);
    return false;
  }

  #convertBig(hi: number, lo: number, out: TimeOut): boolean {
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    const units = this.#bigUnits;
    const total = ts / units + this.#bigOffset;
    if (total > MAX_TIME_BIG || total < MIN_TIME_BIG) return clamped(total > 0n, out);
    out.tsSec = Number(total);
    out.tsNsec = Number(((ts % units) * 1_000_000_000n) / units);
    return false;
  }
}

/** Sets `out` to the bound on the side of the time that did not fit. */
function clamped(late: boolean, out: TimeOut): true {
  out.tsSec = late ? MAX_TIME_SEC : MIN_TIME_SEC;
  out.tsNsec = 0;
  return true;
}
