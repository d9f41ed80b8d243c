/**
 * Cross-check against tshark: every DNS message of every real capture (testdata/real, recorded from knot, unbound,
 * dig, kdig and dnsperf; testdata/tunnels and testdata/links, real frames in tunnels and under other link types) is found by our capture, link, IP, UDP/TCP and DNS layers in the same order as tshark finds
 * it, with the same addresses, ports, header, questions, records and EDNS. Skipped when tshark is not installed
 * (`.ci/run` installs it).
 */
import assert from "node:assert/strict";
import { openCaptureFile } from "../src/capture/mod.ts";
import { DEFAULT_DECODER_OPTIONS, PacketDecoder } from "../src/decode/mod.ts";
import { decodeMessage, type DnsMessage, type DnsResourceRecord } from "../src/dns/mod.ts";
import { newCounters } from "../src/metrics/counters.ts";
import { type TsharkDnsMessage, tsharkDnsMessages, type TsharkRecord } from "./tshark_dissect.ts";
import { TESTDATA } from "./_replay.ts";

interface OurMessage {
  transport: "udp" | "tcp";
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  message: DnsMessage;
}

async function ourMessages(path: string): Promise<OurMessage[]> {
  const found: OurMessage[] = [];
  const counters = newCounters();
  const decoder = new PacketDecoder(DEFAULT_DECODER_OPTIONS, counters, (d) => {
    found.push({ ...d, message: decodeMessage(d.message, "full") });
  });
  await (await openCaptureFile(path)).run((p) => decoder.decode(p), () => Promise.resolve());
  decoder.flush();
  assert.equal(counters.decode_errors, 0, `decode errors in ${path}: ${[...counters.decodeErrors]}`);
  return found;
}

/**
 * Our presentation names escape bytes (`\.`, `\032`, `\195\169`); tshark prints them unescaped and decodes UTF-8,
 * keeping only a NUL as `\000`. Bring ours to tshark's form.
 */
function asTshark(name: string): string {
  if (!name.includes("\\")) return name;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "\\" && /^\d{3}$/.test(name.slice(i + 1, i + 4))) {
      bytes.push(Number(name.slice(i + 1, i + 4)));
      i += 3;
    } else if (name[i] === "\\") {
      bytes.push(name.charCodeAt(++i));
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).replaceAll("\u0000", "\\000");
}

function records(ours: DnsResourceRecord[]): TsharkRecord[] {
  return ours.map((rr) => {
    const record: TsharkRecord = { name: asTshark(rr.name), type: rr.type, ttl: rr.ttl };
    if (rr.type === 1 || rr.type === 28) record.addr = rr.data;
    return record;
  });
}

/** Our message in the shape of tshark's, field for field. */
function comparable(ours: OurMessage, frame: number): TsharkDnsMessage {
  const { header, edns } = ours.message;
  return {
    frame,
    transport: ours.transport,
    srcIp: ours.srcIp,
    dstIp: ours.dstIp,
    srcPort: ours.srcPort,
    dstPort: ours.dstPort,
    id: header.id,
    qr: header.qr,
    opcode: header.opcode,
    rcode: header.rcode,
    flags: { aa: header.aa, tc: header.tc, rd: header.rd, ra: header.ra, ad: header.ad, cd: header.cd },
    questions: ours.message.questions.map((q) => ({ name: asTshark(q.name), type: q.type, class: q.class })),
    answers: records(ours.message.answers),
    authorities: records(ours.message.authorities),
    additionals: records(ours.message.additionals),
    edns: edns === null
      ? null
      : { udpSize: edns.udpSize, version: edns.version, do: edns.do, extendedRcode: edns.extendedRcode },
  };
}

/** Captures to cross-check, with the `-d` rules tshark needs for them (ports it does not decode by default). */
const SUITES: { dir: string; decodeAs: string[] }[] = [
  { dir: "real/", decodeAs: [] },
  // VXLAN on Linux's old port 8472 and GRE-in-UDP (RFC 8086) on 4754 are not tshark defaults.
  { dir: "tunnels/", decodeAs: ["udp.port==8472,vxlan", "udp.port==4754,gre"] },
  { dir: "links/", decodeAs: [] },
];
const tsharkMissing = new Deno.Command("bash", { args: ["-c", "command -v tshark"], stdout: "null" }).outputSync()
  .code !== 0;

for (const { dir, decodeAs } of SUITES) {
  const files = [...Deno.readDirSync(TESTDATA + dir)].map((e) => e.name).filter((n) => /\.pcap(ng)?$/.test(n)).sort();
  for (const file of files) {
    const path = TESTDATA + dir + file;
    Deno.test({
      name: `${dir}${file}: every DNS message matches tshark's dissection`,
      ignore: tsharkMissing,
      fn: async () => {
        const theirs = (await tsharkDnsMessages(path, [], decodeAs))!;
        const ours = await ourMessages(path);
        assert.ok(theirs.length > 0);
        assert.equal(ours.length, theirs.length, "message count");
        for (let i = 0; i < theirs.length; i++) {
          assert.deepEqual(comparable(ours[i], theirs[i].frame), theirs[i], `message ${i} (frame ${theirs[i].frame})`);
        }
      },
    });
  }
}
