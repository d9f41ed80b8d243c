/**
 * `-bpf` in replay, checked against tcpdump: for each capture and filter, replaying the file with `-bpf FILTER`
 * gives byte for byte the records of replaying what `tcpdump -r FILE -w - FILTER` lets through, and as many packets.
 * Captures cover Ethernet, VLAN, raw IP, SLL, SLL2, IPv6, TCP, fragments and pcapng.
 */
import assert from "node:assert/strict";
import { ROOT, runSensor, text } from "./_cli.ts";

const CASES: [string, string[]][] = [
  ["real/resolver.pcap", ["host 127.0.1.1", "tcp", "udp and src port 53", "not port 53"]],
  ["real/mixed.pcapng", ["ip6", "tcp", "host 127.0.1.1"]],
  ["real/any_sll.pcap", ["tcp", "ip6 or host 127.0.1.1"]],
  ["real/ipv6.pcap", ["ip6 and udp", "tcp[tcpflags] & tcp-syn != 0"]],
  ["crafted/vlan.pcap", ["vlan", "vlan and src port 53"]],
  ["crafted/rawip.pcap", ["udp", "src host 10.0.0.53"]],
  ["crafted/sll.pcap", ["udp port 53", "dst port 53"]],
  ["crafted/frag.pcap", ["ip[6:2] & 0x3fff != 0", "udp"]],
];

/** The packets tcpdump passes, as a classic pcap. */
async function tcpdumpFilter(file: string, filter: string): Promise<Uint8Array> {
  const { code, stdout, stderr } = await new Deno.Command("tcpdump", {
    // Nanosecond output, so timestamps survive the round trip through tcpdump unrounded.
    args: ["--time-stamp-precision=nano", "-r", file, "-w", "-", filter],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, `tcpdump -r ${file} ${filter}: ${text(stderr)}`);
  return stdout;
}

/** The `packets=N` of a run's summary (0 when the summary leaves it out). */
function packetsOf(stderr: string): number {
  return Number(/Summary: packets=(\d+)/.exec(stderr)?.[1] ?? 0);
}

for (const [name, filters] of CASES) {
  Deno.test(`-bpf selects what tcpdump selects in ${name}`, async () => {
    const file = `${ROOT}testdata/${name}`;
    const all = await runSensor(["-pcap", file]);
    assert.equal(all.code, 0, all.stderr);
    let selectedSome = false;
    for (const filter of filters) {
      const ours = await runSensor(["-pcap", file, "-bpf", filter]);
      const theirs = await runSensor(["-pcap", "-"], await tcpdumpFilter(file, filter));
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(text(ours.stdout), text(theirs.stdout), `records under -bpf "${filter}"`);
      assert.equal(packetsOf(ours.stderr), packetsOf(theirs.stderr), `packets under -bpf "${filter}"`);
      const filtered = Number(/packets_filtered=(\d+)/.exec(ours.stderr)?.[1] ?? 0);
      assert.equal(packetsOf(ours.stderr) + filtered, packetsOf(all.stderr), `every frame counted once`);
      if (packetsOf(ours.stderr) > 0 && filtered > 0) selectedSome = true;
    }
    assert.ok(selectedSome, "at least one filter passes some frames and rejects others");
  });
}

Deno.test("a -bpf filter libpcap rejects is a usage error naming the option and libpcap's reason", async () => {
  const run = await runSensor(["-pcap", `${ROOT}testdata/gopassivedns/a.pcap`, "-bpf", "port nope"]);
  assert.equal(run.code, 2);
  assert.equal(text(run.stdout), "");
  assert.equal(
    run.stderr,
    'denopassivedns: invalid value "port nope" for -bpf (PDNS_BPF): expected a libpcap filter expression ' +
      "(unknown port 'nope')\n",
  );
});

Deno.test("a -bpf filter that does not fit the capture's link type ends the replay with exit 1", async () => {
  const run = await runSensor(["-pcap", `${ROOT}testdata/crafted/rawip.pcap`, "-bpf", "ether src 00:11:22:33:44:55"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Cannot apply -bpf "ether src 00:11:22:33:44:55" to link type 101: /);
});
