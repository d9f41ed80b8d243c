/**
 * Cross-check against tshark: every DNS message of every real capture (testdata/real, recorded from knot, unbound,
 * dig, kdig and dnsperf; testdata/tunnels and testdata/links, real frames in tunnels and under other link types) is found by our capture, link, IP, UDP/TCP and DNS layers in the same order as tshark finds
 * it, with the same addresses, ports, header, questions, records and EDNS. Skipped when tshark is not installed
 * (`.ci/run` installs it).
 */
import assert from "node:assert/strict";
import { openCaptureFile } from "../src/capture/mod.ts";
import { DEFAULT_DECODER_OPTIONS, PacketDecoder } from "../src/decode/mod.ts";
import { decodeMessage, type DnsMessage, type DnsResourceRecord, typeName } from "../src/dns/mod.ts";
import { newCounters } from "../src/metrics/counters.ts";
import {
  asTshark,
  RDATA_TYPES,
  type TsharkDnsMessage,
  tsharkDnsMessages,
  type TsharkRecord,
} from "./tshark_dissect.ts";
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

function records(ours: DnsResourceRecord[]): TsharkRecord[] {
  return ours.map((rr) => {
    const record: TsharkRecord = { name: asTshark(rr.name), type: rr.type, ttl: rr.ttl };
    if (rr.type === 1 || rr.type === 28) record.addr = rr.data;
    if (RDATA_TYPES.has(rr.type) && !rr.data.startsWith("\\# ")) record.data = ourRdata(rr.type, rr.data);
    return record;
  });
}

/** Our RDATA text in the form tshark's fields give (tests/tshark_dissect.ts `tsharkRdata`). */
function ourRdata(type: number, data: string): string {
  const tokens = data.split(" ");
  switch (type) {
    case 2:
    case 5:
    case 12:
    case 39:
      return asTshark(data);
    case 15:
      return `${tokens[0]} ${asTshark(tokens[1])}`;
    case 6:
      return [asTshark(tokens[0]), asTshark(tokens[1]), ...tokens.slice(2)].join(" ");
    case 33:
      return `${tokens.slice(0, 3).join(" ")} ${asTshark(tokens[3])}`;
    case 35: {
      const strings = characterStrings(data);
      return [tokens[0], tokens[1], ...strings.map((x) => `"${x}"`), asTshark(data.slice(data.lastIndexOf(" ") + 1))]
        .join(" ");
    }
    case 13:
    case 16:
      return characterStrings(data).map((x) => `"${x}"`).join(" ");
    case 46: // the covered type as its number, the signer's name as tshark prints it
      return [String(typeNumber(tokens[0])), ...tokens.slice(1, 7), asTshark(tokens[7]), tokens.slice(8).join("")]
        .join(" ");
    default:
      return data;
  }
}

/** A type mnemonic (or RFC 3597 `TYPEn`) back to its number, through the registry's own names. */
function typeNumber(mnemonic: string): number {
  if (/^TYPE\d+$/.test(mnemonic)) return Number(mnemonic.slice(4));
  for (let n = 0; n < 65536; n++) if (typeName(n) === mnemonic) return n;
  throw new Error(`unknown type ${mnemonic}`);
}

/**
 * The character-strings of a presentation text (`"a b" "c\\"d"`), unescaped. tshark shows character-string bytes
 * over 0x7f each as U+FFFD (it does not decode them as UTF-8), so ours are shown the same way.
 */
function characterStrings(text: string): string[] {
  const strings: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    let out = "";
    const body = match[1];
    for (let i = 0; i < body.length; i++) {
      let byte: number;
      if (body[i] === "\\" && /^\d{3}$/.test(body.slice(i + 1, i + 4))) {
        byte = Number(body.slice(i + 1, i + 4));
        i += 3;
      } else if (body[i] === "\\") byte = body.charCodeAt(++i);
      else byte = body.charCodeAt(i);
      out += byte > 0x7f ? "\ufffd" : String.fromCharCode(byte);
    }
    strings.push(out);
  }
  return strings;
}

/** Labels of one of our presentation names (`\.` inside a label, `\DDD` bytes), each as lower-case hex. */
function labelBytes(name: string): string[] {
  if (name === ".") return [];
  const labels: string[] = [];
  let label = "";
  for (let i = 0; i < name.length; i++) {
    let byte: number;
    if (name[i] === "\\" && /^\d{3}$/.test(name.slice(i + 1, i + 4))) {
      byte = Number(name.slice(i + 1, i + 4));
      i += 3;
    } else if (name[i] === "\\") byte = name.charCodeAt(++i);
    else if (name[i] === ".") {
      labels.push(label);
      label = "";
      continue;
    } else byte = name.charCodeAt(i);
    label += byte.toString(16).padStart(2, "0");
  }
  labels.push(label);
  return labels;
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
    questions: ours.message.questions.map((q) => ({
      name: asTshark(q.name),
      labels: labelBytes(q.name),
      type: q.type,
      class: q.class,
    })),
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
