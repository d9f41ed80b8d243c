/**
 * Every field of the default (gopassivedns) record against an independent source: tshark's dissection of the same
 * frames (ids, flags, rcode, names, types, TTLs, addresses, ports, times, frame length, transport) and the option
 * that sets `level`. The captures hold answers from knotd (authoritative: AA set, RA clear), from unbound (a
 * resolver: RA set, AA clear), a truncated answer (TC set) and error rcodes, so a field copied from the wrong leg or the
 * wrong bit is caught: `ra` copied from the query's RD, say, fails on every knotd answer to a `+recurse` query.
 * UDP messages (one frame each); tests/tshark_crosscheck_test.ts covers TCP message by message.
 */
import assert from "node:assert/strict";
import { replay, TESTDATA } from "./_replay.ts";
import { asTshark } from "./tshark_dissect.ts";
import { typeName } from "../src/dns/mod.ts";

const FIELDS = [
  "frame.time_epoch",
  "frame.len",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "udp.srcport",
  "udp.dstport",
  "dns.id",
  "dns.flags",
  "dns.qry.name",
  "dns.qry.type",
  "dns.count.answers",
  "dns.resp.type",
  "dns.resp.ttl",
  "dns.a",
  "dns.aaaa",
] as const;
type Field = typeof FIELDS[number];
/** Separates the values of a field that occurs several times; no name in these captures holds it. */
const AGGREGATOR = "\u001f";

interface Frame {
  values: (field: Field) => string[];
  epochNs: bigint;
  flags: number;
}

async function tsharkFrames(path: string): Promise<Frame[]> {
  const args = ["-n", "-r", path, "-Y", "dns && udp", "-T", "fields", "-E", "occurrence=a", "-E", "separator=\t"];
  args.push("-E", `aggregator=${AGGREGATOR}`);
  for (const f of FIELDS) args.push("-e", f);
  const output = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "null" }).output();
  assert.ok(output.success, "tshark failed");
  return new TextDecoder().decode(output.stdout).split("\n").filter((l) => l !== "").map((line) => {
    const cells = line.split("\t");
    const values = (field: Field) => {
      const cell = cells[FIELDS.indexOf(field)] ?? "";
      return cell === "" ? [] : cell.split(AGGREGATOR);
    };
    const [seconds, fraction] = values("frame.time_epoch")[0].split(".");
    const epochNs = BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9));
    return { values, epochNs, flags: Number(values("dns.flags")[0]) };
  });
}

const one = (frame: Frame, field: Field) => frame.values(field)[0];
const ip = (frame: Frame, side: "src" | "dst") => one(frame, `ip.${side}`) ?? one(frame, `ipv6.${side}`);

/** Go's Time.String() of the UTC time (`2026-11-25 22:48:49.185147 +0000 UTC`) as ns since the epoch. */
function goTimeNs(text: string): bigint {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,9}))? \+0000 UTC$/.exec(text);
  assert.ok(m !== null, `tstamp ${text}`);
  const seconds = BigInt(Date.parse(`${m[1]}T${m[2]}Z`) / 1000);
  return seconds * 1_000_000_000n + BigInt((m[3] ?? "").padEnd(9, "0"));
}

const tsharkMissing = new Deno.Command("bash", { args: ["-c", "command -v tshark"], stdout: "null" }).outputSync()
  .code !== 0;

// truncation.pcap's TC answers have no answer records, so the default format writes none of them (as gopassivedns);
// crafted/rcodes.pcap has a TC answer with a record.
for (const file of ["real/udp_types.pcap", "real/resolver.pcap", "real/ipv6.pcap", "crafted/rcodes.pcap"]) {
  Deno.test({
    name: `${file}: every field of every UDP default-format record agrees with tshark`,
    ignore: tsharkMissing,
    fn: async () => {
      const frames = await tsharkFrames(TESTDATA + file);
      const { records } = await replay(TESTDATA + file, { level: "warning" });
      let checked = 0;
      const bits = { aa: 0, ra: 0, tc: 0, rcode: 0 };
      for (const r of records.filter((r) => r.protocol === "udp")) {
        const client = String(r.src);
        const isPair = (f: Frame, qr: boolean) =>
          Number(one(f, "dns.id")) === r.query_id && ((f.flags & 0x8000) !== 0) === qr &&
          ip(f, qr ? "dst" : "src") === client && one(f, qr ? "udp.dstport" : "udp.srcport") === r.sport;
        const response = frames.find((f) => isPair(f, true));
        const query = frames.find((f) => isPair(f, false));
        assert.ok(response !== undefined && query !== undefined, `no tshark pair for ${JSON.stringify(r)}`);
        const where = `${file} id ${r.query_id}`;
        assert.equal(r.dst, ip(response, "src"), where);
        assert.equal(r.rcode, response.flags & 0x000f, where);
        assert.equal(r.aa, (response.flags & 0x0400) !== 0, `${where}: aa`);
        assert.equal(r.truncated, (response.flags & 0x0200) !== 0, `${where}: truncated`);
        assert.equal(r.rd, (response.flags & 0x0100) !== 0, `${where}: rd`);
        assert.equal(r.ra, (response.flags & 0x0080) !== 0, `${where}: ra`);
        assert.equal(asTshark(String(r.q)), one(response, "dns.qry.name") ?? "", `${where}: q`);
        const qtype = Number(one(response, "dns.qry.type"));
        assert.ok(r.qtype === typeName(qtype) || r.qtype === String(qtype), `${where}: qtype ${r.qtype} ${qtype}`);
        assert.equal(r.bytes, Number(one(response, "frame.len")), `${where}: bytes`);
        assert.equal(goTimeNs(String(r.tstamp)), response.epochNs, `${where}: tstamp`);
        assert.equal(BigInt(r.elapsed as number), response.epochNs - query.epochNs, `${where}: elapsed`);
        assert.equal(r.level, "warning");
        if (r.rcode === 0 && r.atype !== "") {
          const answers = Number(one(response, "dns.count.answers"));
          const types = response.values("dns.resp.type").slice(0, answers).map(Number);
          const ttls = response.values("dns.resp.ttl").slice(0, answers).map(Number);
          assert.ok(types.some((t) => typeName(t) === r.atype || String(t) === r.atype), `${where}: atype`);
          assert.ok(ttls.includes(r.ttl as number), `${where}: ttl ${r.ttl} not in ${ttls}`);
          if (r.atype === "A") assert.ok(response.values("dns.a").includes(String(r.a)), `${where}: a`);
          if (r.atype === "AAAA") assert.ok(response.values("dns.aaaa").includes(String(r.a)), `${where}: a`);
        }
        bits.aa += r.aa ? 1 : 0;
        bits.ra += r.ra ? 1 : 0;
        bits.tc += r.truncated ? 1 : 0;
        bits.rcode += r.rcode !== 0 ? 1 : 0;
        checked++;
      }
      assert.ok(checked >= 5, `${checked} UDP records checked`);
      if (file === "real/resolver.pcap") assert.ok(bits.ra > 0 && bits.aa > 0, "both RA and AA answers");
      if (file === "real/udp_types.pcap") assert.ok(bits.ra === 0 && bits.aa > 0 && bits.rcode > 0);
      if (file === "crafted/rcodes.pcap") assert.ok(bits.tc > 0 && bits.rcode > 0, "TC and error answers");
    },
  });
}
