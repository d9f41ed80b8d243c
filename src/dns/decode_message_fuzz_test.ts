/**
 * Seeded mutation fuzzing of decodeMessage(): real and built messages are truncated at every
 * length, bit-flipped, overwritten, given injected pointers, huge counts and wrong RDLENGTHs.
 * Every mutant must decode (or throw a DecodeError) at depths "full", "answers" and "question",
 * and terminate. Deterministic: a fixed seed and a small PRNG, so a failure reproduces exactly.
 */

import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeMessage } from "./decode_message.ts";
import { DNS_ANOMALIES } from "./anomalies.ts";
import { dnsPayloads } from "./_test_pcap.ts";
import { ascii, be16, be32, hex, message, rr, wireName } from "./_test_builder.ts";
import { DNS_REGRESSIONS } from "./testdata_regressions.ts";
import { mulberry32 } from "../../tests/_prng.ts";

const SEED = 0x5eed_d05;
const RANDOM_MUTANTS_PER_SEED = 5000;

const KNOWN_ANOMALIES = new Set<string>(DNS_ANOMALIES);

/** Decode at every depth; only DecodeError may escape, and the result must be well-formed. */
function check(bytes: Uint8Array, label: string): void {
  for (const depth of ["full", "answers", "question"] as const) {
    try {
      const msg = decodeMessage(bytes, depth);
      for (const a of msg.anomalies) assert.ok(KNOWN_ANOMALIES.has(a), `${label}: unknown anomaly ${a}`);
      for (const section of [msg.answers, msg.authorities, msg.additionals]) {
        for (const rec of section) assert.equal(typeof rec.data, "string", label);
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) {
        const hexBytes = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        throw new Error(`${label} at depth ${depth} threw ${e}\nmutant: ${hexBytes}`);
      }
    }
  }
}

function seedMessages(): Uint8Array[] {
  const testdata = new URL("../../testdata/", import.meta.url);
  const fromPcap = (path: string) => dnsPayloads(Deno.readFileSync(new URL(path, testdata)));
  const opt = (options: number[]) => rr(".", 41, 0x00008000, options, 1232);
  const option = (code: number, data: number[]) => [...be16(code), ...be16(data.length), ...data];
  const types = message({
    questions: [["example.com", 255]],
    answers: [
      rr([0xc0, 12], 16, 60, [3, ...ascii('a"b'), 0]),
      rr([0xc0, 12], 6, 60, [
        ...wireName("ns1.example.com"),
        4,
        ...ascii("host"),
        0xc0,
        12,
        ...be32(1),
        ...be32(2),
        ...be32(3),
        ...be32(4),
        ...be32(5),
      ]),
      rr([0xc0, 12], 33, 60, [...be16(1), ...be16(2), ...be16(3), 3, ...ascii("sip"), 0xc0, 12]),
      rr([0xc0, 12], 35, 60, [...be16(100), ...be16(10), 1, 0x75, 3, ...ascii("E2U"), 0, 0]),
      rr([0xc0, 12], 257, 60, [0, 5, ...ascii("issue"), ...ascii("ca.example")]),
      rr([0xc0, 12], 29, 60, [0, 0x12, 0x16, 0x13, ...be32(0x80000000), ...be32(0x80000000), ...be32(10000000)]),
      rr([0xc0, 12], 43, 60, [0xec, 0x45, 5, 1, 1, 2, 3, 4]),
      rr([0xc0, 12], 48, 60, [1, 1, 3, 8, 1, 2, 3]),
      rr([0xc0, 12], 46, 60, [0, 1, 5, 3, ...be32(60), ...be32(2), ...be32(1), 0, 9, 0xc0, 12, 1, 2, 3]),
      rr([0xc0, 12], 47, 60, [0xc0, 12, 0, 6, 0x40, 1, 0, 0, 0, 3]),
      rr([0xc0, 12], 50, 60, [1, 0, 0, 1, 1, 0xaa, 2, 0xbb, 0xcc, 0, 1, 0x40]),
      rr([0xc0, 12], 65, 60, [0, 1, 0, ...be16(1), ...be16(3), 2, 0x68, 0x32, ...be16(4), ...be16(4), 192, 0, 2, 1]),
      rr([0xc0, 12], 28, 60, [...hex("20010db8000000000000000000000001")]),
      rr([0xc0, 12], 13, 60, [1, 0x78, 1, 0x79]),
      rr([0xc0, 12], 250, 60, [0xc0, 12, 0, 0, ...be32(1), 1, 44, 0, 2, 9, 9, 0, 1, 0, 0, 0, 0]),
    ],
    authorities: [rr([0xc0, 12], 2, 60, [2, ...ascii("ns"), 0xc0, 12])],
    additionals: [
      rr([2, ...ascii("ns"), 0xc0, 12], 1, 60, [192, 0, 2, 53]),
      opt([
        ...option(8, [0, 1, 24, 0, 192, 0, 2]),
        ...option(10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
        ...option(15, [0, 18, 0x68, 0x69]),
      ]),
    ],
  });
  return [
    fromPcap("gopassivedns/a.pcap")[1],
    fromPcap("gopassivedns/mx.pcap")[1],
    fromPcap("gopassivedns/nxdomain.pcap")[1],
    fromPcap("gopassivedns/100_tcp_lookups.pcap")[0],
    fromPcap("crafted/oddname.pcap")[1],
    types,
  ];
}

/** Offsets of every RDLENGTH field in a well-formed message (a trusted walk over the seed). */
function rdlengthOffsets(bytes: Uint8Array): number[] {
  const skipName = (p: number) => {
    while (bytes[p] !== 0 && bytes[p] < 0xc0) p += bytes[p] + 1;
    return bytes[p] === 0 ? p + 1 : p + 2;
  };
  const count = (i: number) => (bytes[4 + 2 * i] << 8) | bytes[5 + 2 * i];
  let p = 12;
  for (let i = 0; i < count(0); i++) p = skipName(p) + 4;
  const out: number[] = [];
  const rrs = count(1) + count(2) + count(3);
  for (let i = 0; i < rrs && p < bytes.length; i++) {
    p = skipName(p) + 8;
    out.push(p);
    p += 2 + ((bytes[p] << 8) | bytes[p + 1]);
  }
  return out;
}

function mutate(seed: Uint8Array, rand: () => number, rdlengths: number[]): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  let m = seed.slice();
  switch (pick(8)) {
    case 0: // bit flips
      for (let i = 1 + pick(4); i > 0; i--) m[pick(m.length)] ^= 1 << pick(8);
      break;
    case 1: // random byte overwrite
      for (let i = 1 + pick(8); i > 0; i--) m[pick(m.length)] = pick(256);
      break;
    case 2: { // injected pointer: forward, to itself, or into the middle of a name
      const at = 12 + pick(Math.max(1, m.length - 13));
      const target = [at, at + 1 + pick(64), pick(at + 1), 12 + pick(8), 0x3fff][pick(5)];
      m[at] = 0xc0 | ((target >> 8) & 0x3f);
      if (at + 1 < m.length) m[at + 1] = target & 0xff;
      break;
    }
    case 3: // huge or shifted header counts
      for (let i = 0; i < 4; i++) {
        if (rand() < 0.5) {
          const v = [0xffff, 0, 1, pick(65536)][pick(4)];
          m[4 + 2 * i] = v >> 8;
          m[5 + 2 * i] = v & 0xff;
        }
      }
      break;
    case 4: { // RDLENGTH changes
      if (rdlengths.length === 0) break;
      const at = rdlengths[pick(rdlengths.length)];
      const old = (m[at] << 8) | m[at + 1];
      const v = [0, old - 1, old + 1, 0xffff, pick(65536), old + 2 + pick(16)][pick(6)] & 0xffff;
      m[at] = v >> 8;
      m[at + 1] = v & 0xff;
      break;
    }
    case 5: { // reserved label types
      m[12 + pick(Math.max(1, m.length - 12))] = [0x40, 0x41, 0x80, 0xbf, 0x3f][pick(5)];
      break;
    }
    case 6: { // insert or delete a few bytes
      const at = pick(m.length);
      const n = 1 + pick(4);
      if (rand() < 0.5) {
        const grown = new Uint8Array(m.length + n);
        grown.set(m.subarray(0, at));
        for (let i = 0; i < n; i++) grown[at + i] = pick(256);
        grown.set(m.subarray(at), at + n);
        m = grown;
      } else {
        const shrunk = new Uint8Array(m.length - Math.min(n, m.length - at));
        shrunk.set(m.subarray(0, at));
        shrunk.set(m.subarray(at + (m.length - shrunk.length)), at);
        m = shrunk;
      }
      break;
    }
    default: // a combination, then truncation
      m[pick(m.length)] = pick(256);
      m[pick(m.length)] ^= 1 << pick(8);
      m = m.subarray(0, pick(m.length + 1));
  }
  return m;
}

Deno.test("decodeMessage() only throws DecodeError on committed regression inputs", () => {
  for (const { name, bytes } of DNS_REGRESSIONS) check(hex(bytes), name);
});

Deno.test("decodeMessage() survives truncation of the seed messages at every length", () => {
  for (const [i, seed] of seedMessages().entries()) {
    for (let len = 0; len <= seed.length; len++) check(seed.subarray(0, len), `seed ${i} cut to ${len}`);
  }
});

Deno.test("decodeMessage() survives seeded random mutations and only throws DecodeError", () => {
  const rand = mulberry32(SEED);
  const seeds = seedMessages();
  let mutants = 0;
  const started = performance.now();
  for (const [i, seed] of seeds.entries()) {
    const rdlengths = rdlengthOffsets(seed);
    for (let k = 0; k < RANDOM_MUTANTS_PER_SEED * (i === seeds.length - 1 ? 5 : 1); k++) {
      check(mutate(seed, rand, rdlengths), `seed ${i} mutant ${k}`);
      mutants++;
    }
  }
  assert.ok(mutants >= 50000, `ran ${mutants} mutants`);
  assert.ok(performance.now() - started < 60000, "fuzzing took over a minute");
});
