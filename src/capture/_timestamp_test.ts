import assert from "node:assert/strict";
import { TimestampScale } from "./_timestamp.ts";
import { MAX_TIME_SEC, MIN_TIME_SEC } from "./packet.ts";

/** Converts the 64-bit timestamp `ts` with a fresh output object. */
function convert(scale: TimestampScale, ts: bigint): [number, number] {
  const out = { tsSec: 0, tsNsec: 0 };
  scale.convert(Number(ts >> 32n), Number(ts & 0xffffffffn), out);
  return [out.tsSec, out.tsNsec];
}

/** The exact answer by BigInt arithmetic, clamped to the range of capture times, for comparison. */
function reference(ts: bigint, units: bigint, offset = 0n): [number, number] {
  const sec = ts / units + offset;
  if (sec > BigInt(MAX_TIME_SEC)) return [MAX_TIME_SEC, 0];
  if (sec < BigInt(MIN_TIME_SEC)) return [MIN_TIME_SEC, 0];
  return [Number(sec), Number(((ts % units) * 1_000_000_000n) / units)];
}

Deno.test("TimestampScale() defaults to microseconds", () => {
  assert.deepEqual(convert(new TimestampScale(), 1460407385_783869n), [1460407385, 783869000]);
});

Deno.test("TimestampScale() keeps nanoseconds exact for a 2026 timestamp above 2^53", () => {
  const ts = 1_780_000_000_999_999_999n;
  assert.deepEqual(convert(new TimestampScale(9), ts), [1780000000, 999999999]);
});

Deno.test("TimestampScale() converts milliseconds, seconds and 10^-11 exactly", () => {
  assert.deepEqual(convert(new TimestampScale(3), 1500000000_123n), [1500000000, 123000000]);
  assert.deepEqual(convert(new TimestampScale(0), 1500000000n), [1500000000, 0]);
  assert.deepEqual(convert(new TimestampScale(11), 150000000_12345678901n), [150000000, 123456789]);
});

Deno.test("TimestampScale() converts power-of-two resolutions (2^-20, 2^-30, 2^-32)", () => {
  // 2^-20 s: half a second is 2^19 units.
  assert.deepEqual(convert(new TimestampScale(0x80 | 20), (1500000000n << 20n) + (1n << 19n)), [1500000000, 500000000]);
  // 2^-30 s and 2^-32 s take the BigInt path for the nanoseconds; the answer is still floor-exact.
  assert.deepEqual(convert(new TimestampScale(0x80 | 30), (3n << 30n) + 1n), [3, 0]);
  assert.deepEqual(convert(new TimestampScale(0x80 | 32), (7n << 32n) + (3n << 30n)), [7, 750000000]);
});

Deno.test("TimestampScale() adds if_tsoffset seconds", () => {
  assert.deepEqual(convert(new TimestampScale(6, 1000), 5_000001n), [1005, 1000]);
  assert.deepEqual(convert(new TimestampScale(6, -5), 5_000001n), [0, 1000]);
});

Deno.test("TimestampScale() matches BigInt arithmetic at the edges of every second", () => {
  for (const tsresol of [3, 6, 9, 10, 11, 12, 0x80 | 10, 0x80 | 23, 0x80 | 24, 0x80 | 40]) {
    const scale = new TimestampScale(tsresol);
    const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
    for (const sec of [0n, 1n, 1460407385n, 1780000000n, 4294967295n]) {
      for (const rem of [0n, 1n, units / 2n, units - 1n]) {
        const ts = sec * units + rem;
        if (ts >= 1n << 64n) continue;
        assert.deepEqual(convert(scale, ts), reference(ts, units), `tsresol ${tsresol}, ts ${ts}`);
      }
    }
  }
});

Deno.test("TimestampScale() matches BigInt arithmetic on pseudo-random 64-bit values", () => {
  let seed = 0x12345678;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (const tsresol of [6, 9, 0x80 | 16]) {
    const scale = new TimestampScale(tsresol);
    const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
    for (let i = 0; i < 2000; i++) {
      const ts = (BigInt(next()) << 32n) | BigInt(next());
      assert.deepEqual(convert(scale, ts), reference(ts, units), `tsresol ${tsresol}, ts ${ts}`);
    }
  }
});

Deno.test("TimestampScale() clamps what does not fit the range of capture times, and says so", () => {
  const out = { tsSec: 0, tsNsec: 0 };
  // 2^64-1 µs is in the year 586 524: past the last second a writer can print.
  assert.equal(new TimestampScale(6).convert(0xffffffff, 0xffffffff, out), true);
  assert.deepEqual(out, { tsSec: MAX_TIME_SEC, tsNsec: 0 });
  assert.equal(new TimestampScale(6, -(2n ** 62n)).convert(0, 5, out), true);
  assert.deepEqual(out, { tsSec: MIN_TIME_SEC, tsNsec: 0 });
  assert.equal(new TimestampScale(6).convert(395, 3_000_000, out), false);
});

Deno.test("TimestampScale() is exact when a huge offset brings a huge count of seconds back into range", () => {
  // if_tsresol 0 (seconds): 2^63 + 12345 s, then an offset of -2^63 s; doubles would lose the 12345.
  const scale = new TimestampScale(0, -(2n ** 63n));
  assert.deepEqual(convert(scale, 2n ** 63n + 12345n), [12345, 0]);
  assert.deepEqual(convert(new TimestampScale(0, 2n ** 63n - 1n), 0n), [MAX_TIME_SEC, 0]);
});

Deno.test("TimestampScale() matches clamped BigInt arithmetic for every resolution and random offsets", () => {
  let seed = 0x9e3779b9;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const edges = [0n, 1n, (1n << 64n) - 1n, 1n << 63n, 1_700_000_000n * 10n ** 6n];
  for (let tsresol = 0; tsresol < 256; tsresol++) {
    const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
    for (let i = 0; i < 12; i++) {
      const offset = i < 6 ? 0n : BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next())) >> BigInt(next() % 64);
      const scale = new TimestampScale(tsresol, offset);
      const ts = i < edges.length ? edges[i] : (BigInt(next()) << 32n) | BigInt(next());
      assert.deepEqual(
        convert(scale, ts),
        reference(ts, units, offset),
        `tsresol ${tsresol}, ts ${ts}, offset ${offset}`,
      );
    }
  }
});
