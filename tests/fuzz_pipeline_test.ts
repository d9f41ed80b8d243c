/**
 * Seeded mutation fuzzing of the whole pipeline (link → IP → fragments → UDP/TCP → DNS → correlation → both record
 * formats) with real frames from every bundled capture: truncation, bit flips, byte overwrites, huge DNS counts,
 * compression-pointer loops, and length fields set to extremes. Asserts that every mutant is absorbed (counted
 * decode errors, never an exception) and that the run terminates. A crasher is written to testdata/fuzz/ as a pcap
 * so that it becomes a regression case replayed below.
 */
import assert from "node:assert/strict";
import { openCaptureFile, type Packet } from "../src/capture/mod.ts";
import { DEFAULT_CORRELATOR_OPTIONS } from "../src/correlate/pairing_options.ts";
import { DEFAULT_DECODER_OPTIONS } from "../src/decode/mod.ts";
import { Pipeline } from "../src/pipeline.ts";
import { MemorySink, replay, TESTDATA } from "./_replay.ts";
import { goldenCaptures } from "./_golden_cases.ts";
import { mulberry32 } from "./_prng.ts";

const FUZZ = TESTDATA + "fuzz/";

interface Frame {
  linkType: number;
  data: Uint8Array;
  tsSec: number;
  tsNsec: number;
}

async function framesOf(path: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  const source = await openCaptureFile(path);
  await source.run((p) => {
    frames.push({ linkType: p.linkType, data: p.data.slice(), tsSec: p.tsSec, tsNsec: p.tsNsec });
  }, () => Promise.resolve());
  return frames;
}

function mutate(data: Uint8Array, random: () => number): Uint8Array {
  const out = data.slice();
  const pick = () => Math.floor(random() * out.length);
  switch (Math.floor(random() * 7)) {
    case 0: // truncation anywhere
      return out.subarray(0, pick());
    case 1: // a few bit flips
      for (let i = 0; i < 1 + random() * 4; i++) out[pick()] ^= 1 << Math.floor(random() * 8);
      return out;
    case 2: // random byte overwrites
      for (let i = 0; i < 1 + random() * 8; i++) out[pick()] = Math.floor(random() * 256);
      return out;
    case 3: { // a 16-bit field set to an extreme: lengths, counts, ports
      const at = pick() & ~1;
      const value = [0x0000, 0xffff, 0x0001, 0x7fff, 0xc000][Math.floor(random() * 5)];
      out[at] = value >> 8;
      if (at + 1 < out.length) out[at + 1] = value & 0xff;
      return out;
    }
    case 4: { // a compression pointer aimed at itself or forward
      const at = pick();
      out[at] = 0xc0;
      if (at + 1 < out.length) out[at + 1] = random() < 0.5 ? at & 0xff : 0xff;
      return out;
    }
    case 5: { // the tail of the frame repeated (counts say more records than there are)
      const tail = out.subarray(Math.max(0, out.length - 64));
      const grown = new Uint8Array(out.length + tail.length);
      grown.set(out);
      grown.set(tail, out.length);
      return grown;
    }
    default: // the frame's second half shuffled
      for (let i = out.length >> 1; i < out.length; i++) {
        const j = (out.length >> 1) + Math.floor(random() * (out.length - (out.length >> 1)));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
  }
}

function pipelineFor(format: "gopassivedns" | "transaction") {
  return new Pipeline({
    decoder: { ...DEFAULT_DECODER_OPTIONS, maxTcpStreams: 64, maxFragmentSets: 16 },
    correlator: { ...DEFAULT_CORRELATOR_OPTIONS, maxPending: 256 },
    format,
    level: "",
    sensor: "fuzz",
  }, new MemorySink());
}

async function saveCrasher(frame: Frame, mutant: Uint8Array): Promise<string> {
  const path = `${FUZZ}crash-${frame.linkType}-${Date.now()}.pcap`;
  const header = new DataView(new ArrayBuffer(24 + 16));
  header.setUint32(0, 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 262144, true);
  header.setUint32(20, frame.linkType, true);
  header.setUint32(24, frame.tsSec, true);
  header.setUint32(28, Math.floor(frame.tsNsec / 1000), true);
  header.setUint32(32, mutant.length, true);
  header.setUint32(36, mutant.length, true);
  const file = new Uint8Array(40 + mutant.length);
  file.set(new Uint8Array(header.buffer));
  file.set(mutant, 40);
  await Deno.writeFile(path, file);
  return path;
}

/** Feed `count` mutants of `frames` (each followed by an untouched frame) to a fresh pipeline; returns it finished. */
async function fuzz(frames: Frame[], format: "gopassivedns" | "transaction", count: number, seed: number) {
  const random = mulberry32(seed);
  const pipeline = pipelineFor(format);
  const packet: Packet = { linkType: 0, data: new Uint8Array(0), origLen: 0, tsSec: 0, tsNsec: 0, interfaceId: 0 };
  for (let i = 0; i < count; i++) {
    const frame = frames[Math.floor(random() * frames.length)];
    const mutant = mutate(frame.data, random);
    packet.linkType = frame.linkType;
    packet.data = mutant;
    packet.origLen = mutant.length;
    packet.tsSec = frame.tsSec;
    packet.tsNsec = frame.tsNsec;
    try {
      pipeline.onPacket(packet);
      // Interleave untouched frames so that mutants meet live TCP streams, fragments and pending queries.
      const clean = frames[i % frames.length];
      pipeline.onPacket({ ...packet, linkType: clean.linkType, data: clean.data, origLen: clean.data.length });
    } catch (error) {
      const path = await saveCrasher(frame, mutant);
      throw new Error(`mutant ${i} (${format}) threw; saved as ${path}: ${error}`);
    }
  }
  await pipeline.finish();
  return pipeline;
}

Deno.test("the pipeline absorbs 60 000 mutated real frames in both formats without an exception", async () => {
  const frames: Frame[] = [];
  for (const capture of goldenCaptures()) frames.push(...await framesOf(TESTDATA + capture));
  assert.ok(frames.length > 1000, `${frames.length} seed frames`);
  for (const format of ["gopassivedns", "transaction"] as const) {
    const pipeline = await fuzz(frames, format, 30_000, 0x5eed);
    assert.ok(pipeline.counters.decode_errors > 1000, `decode errors ${pipeline.counters.decode_errors}`);
    assert.ok(pipeline.counters.records > 0);
    assert.ok(pipeline.sink instanceof MemorySink && pipeline.sink.lines.length > 0, "records written");
  }
});

Deno.test("the tunnel and link decoders absorb 40 000 mutated frames, and the mutants reach them", async () => {
  const frames: Frame[] = [];
  const seeds = goldenCaptures().filter((c) => /^(tunnels|links)\//.test(c) && !c.includes("inner"));
  for (const capture of seeds) frames.push(...await framesOf(TESTDATA + capture));
  assert.ok(frames.length > 800, `${frames.length} seed frames`);
  for (const format of ["gopassivedns", "transaction"] as const) {
    const pipeline = await fuzz(frames, format, 20_000, 0x7e11);
    const codes = [...pipeline.counters.decodeErrors.keys()];
    assert.ok(codes.filter((c) => c.startsWith("tunnel.")).length >= 3, `tunnel error codes: ${codes}`);
    assert.ok(codes.filter((c) => c.startsWith("link.")).length >= 2, `link error codes: ${codes}`);
    assert.ok(pipeline.counters.packets_tunneled > 10_000);
    assert.ok(pipeline.counters.records > 0);
    assert.ok(pipeline.sink instanceof MemorySink && pipeline.sink.lines.length > 0, "records written");
  }
});

Deno.test("every committed fuzz regression case replays without an exception", async () => {
  for (const entry of Deno.readDirSync(FUZZ)) {
    if (!entry.name.endsWith(".pcap")) continue;
    for (const format of ["gopassivedns", "transaction"] as const) {
      await replay(FUZZ + entry.name, { format });
    }
  }
});
