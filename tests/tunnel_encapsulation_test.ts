/**
 * The encapsulation our decoder reports for each DNS message of the tunnel captures (testdata/tunnels) against
 * tshark's dissection of the same frames: the chain of tunnel kinds (from `frame.protocols`), each tunnel's identifier
 * (VNI, GRE key, ERSPAN session, PPTP call id, TEID, PPPoE session, MPLS labels) and the addresses of the IP header
 * that carried it. UDP messages only: a TCP message may span frames, a UDP one is one frame in both tools' order.
 */
import assert from "node:assert/strict";
import { openCaptureFile } from "../src/capture/mod.ts";
import { DEFAULT_DECODER_OPTIONS, PacketDecoder } from "../src/decode/mod.ts";
import type { Tunnel } from "../src/decode/tunnels.ts";
import { newCounters } from "../src/metrics/counters.ts";
import { TESTDATA } from "./_replay.ts";

const DIR = TESTDATA + "tunnels/";
const FIELDS = [
  "frame.protocols",
  "ip.src",
  "ip.dst",
  "ipv6.src",
  "ipv6.dst",
  "vxlan.vni",
  "geneve.vni",
  "gre.key",
  "erspan.spanid",
  "gre.key.call_id",
  "gtp.teid",
  "pppoe.session_id",
  "mpls.label",
] as const;

/** One tunnel as both sides can state it: ERSPAN's type is not in tshark's protocol list, so "erspan". */
function describe(t: Tunnel): string {
  const kind = t.kind.startsWith("erspan") ? "erspan" : t.kind;
  const id = t.labels !== null ? t.labels.join("/") : t.id ?? "-";
  return `${kind} ${id} ${t.outerSrcIp === null ? "-" : `${t.outerSrcIp}>${t.outerDstIp}`}`;
}

async function ours(path: string): Promise<string[]> {
  const found: string[] = [];
  const counters = newCounters();
  const decoder = new PacketDecoder(DEFAULT_DECODER_OPTIONS, counters, (d) => {
    if (d.transport === "udp") found.push((d.tunnels ?? []).map(describe).join(" | "));
  });
  await (await openCaptureFile(path)).run((p) => decoder.decode(p), () => Promise.resolve());
  decoder.flush();
  assert.equal(counters.decode_errors, 0, `decode errors: ${[...counters.decodeErrors]}`);
  return found;
}

/** tshark's view of each UDP DNS frame, in the same form. */
async function theirs(path: string): Promise<string[]> {
  const args = ["-n", "-r", path, "-d", "udp.port==8472,vxlan", "-d", "udp.port==4754,gre", "-Y", "dns && !tcp"];
  args.push("-T", "fields", "-E", "occurrence=a", "-E", "separator=\t");
  for (const f of FIELDS) args.push("-e", f);
  const output = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "null" }).output();
  assert.ok(output.success, "tshark failed");
  const lines = new TextDecoder().decode(output.stdout).split("\n").filter((l) => l !== "");
  return lines.map((line) => {
    const cells = line.split("\t");
    const values = (name: typeof FIELDS[number]) => {
      const cell = cells[FIELDS.indexOf(name)] ?? "";
      return cell === "" ? [] : cell.split(",");
    };
    const taken = new Map<string, number>();
    const next = (name: typeof FIELDS[number]) => {
      const i = taken.get(name) ?? 0;
      taken.set(name, i + 1);
      return values(name)[i];
    };
    const number = (text: string | undefined) => text === undefined ? "-" : String(Number(text));
    const protocols = values("frame.protocols")[0].split(":");
    const tunnels: string[] = [];
    let carrier = "-";
    let lastIp = "";
    for (let i = 0; i < protocols.length; i++) {
      const p = protocols[i];
      const after = protocols[i + 1] ?? "";
      if (p === "ip" || p === "ipv6") {
        const src = next(p === "ip" ? "ip.src" : "ipv6.src");
        const dst = next(p === "ip" ? "ip.dst" : "ipv6.dst");
        if (lastIp !== "" && protocols[i - 1] === lastIp) {
          tunnels.push(`${p === "ip" ? "4" : "6"}in${lastIp === "ip" ? "4" : "6"} - ${carrier}`);
        }
        carrier = `${src}>${dst}`;
        lastIp = p;
        continue;
      }
      if (p === "vxlan") tunnels.push(`vxlan ${number(next("vxlan.vni"))} ${carrier}`);
      else if (p === "geneve") tunnels.push(`geneve ${number(next("geneve.vni"))} ${carrier}`);
      else if (p === "gtp") tunnels.push(`gtpu ${number(next("gtp.teid"))} ${carrier}`);
      else if (p === "teredo") tunnels.push(`teredo - ${carrier}`);
      else if (p === "pppoes") tunnels.push(`pppoe ${number(next("pppoe.session_id"))} -`);
      else if (p === "mpls") tunnels.push(`mpls ${values("mpls.label").join("/")} -`);
      else if (p === "gre" && after === "erspan") tunnels.push(`erspan ${number(next("erspan.spanid"))} ${carrier}`);
      else if (p === "gre" && after === "ppp") tunnels.push(`pptp ${number(next("gre.key.call_id"))} ${carrier}`);
      else if (p === "gre") {
        tunnels.push(`${protocols[i - 1] === "udp" ? "gre_udp" : "gre"} ${number(next("gre.key"))} ${carrier}`);
      }
      if (p !== "ethertype" && p !== "eth") lastIp = p === "ip" || p === "ipv6" ? p : "";
    }
    return tunnels.join(" | ");
  });
}

const tsharkMissing = new Deno.Command("bash", { args: ["-c", "command -v tshark"], stdout: "null" }).outputSync()
  .code !== 0;
const files = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".pcap")).sort();

for (const file of files) {
  Deno.test({
    name: `tunnels/${file}: each UDP message's encapsulation matches tshark's`,
    ignore: tsharkMissing,
    fn: async () => {
      const expected = await theirs(DIR + file);
      const actual = await ours(DIR + file);
      assert.ok(expected.length > 0, "tshark found no UDP DNS message");
      assert.deepEqual(actual, expected);
    },
  });
}
