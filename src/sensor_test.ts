import assert from "node:assert/strict";
import { bpfSyntaxError } from "./capture/bpf_filter.ts";
import {
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
} from "./capture/link_types.ts";
import type { Config } from "./config/mod.ts";
import { loadConfig } from "./config/mod.ts";
import { liveFilter, packetFilter, SMALL_CAPTURE_BYTES, threadsFor } from "./sensor.ts";
import { MAX_NUMPROCS, usableNumprocs } from "./config/options.ts";
import { CORES_VARIABLE } from "./parallel/test_hooks.ts";

function config(args: string[]): Config {
  const io = {
    cwd: "/",
    readTextFile: () => null,
    fileExists: () => true,
    hostname: () => "s",
    parseEnvFile: () => ({}),
  };
  const result = loadConfig(args, {}, io);
  assert.equal(result.kind, "run");
  return (result as { config: Config }).config;
}

Deno.test("liveFilter(): the default follows -dns_ports and lets fragments, tunnels and one VLAN tag through", () => {
  const filter = liveFilter(config(["-dev", "eth0", "-dns_ports", "53,5353"]));
  assert.equal(typeof filter, "function");
  const ethernet = (filter as (linkType: number) => string)(LINKTYPE_ETHERNET);
  const cooked = (filter as (linkType: number) => string)(LINKTYPE_LINUX_SLL2);
  const raw = (filter as (linkType: number) => string)(LINKTYPE_RAW);
  const ip = "port 53 or port 5353 or (ip[6:2] & 0x3fff != 0) or ip6[6] == 44" +
    " or udp port 4789 or udp port 8472 or udp port 6081 or udp port 4754 or udp port 2152 or udp port 3544" +
    " or ip proto 47 or ip6 proto 47 or ip proto 4 or ip6 proto 4 or ip proto 41 or ip6 proto 41";
  const ether = `${ip} or ether proto 0x8847 or ether proto 0x8848 or ether proto 0x8864`;
  assert.equal(ethernet, `${ether} or (vlan and (${ether}))`);
  assert.equal(cooked, ether);
  assert.equal(raw, ip);
});

Deno.test("liveFilter(): an empty tunnel port option drops its ports; a port in two options appears once", () => {
  const filter = liveFilter(
    config(["-dev", "eth0", "-vxlan_ports", "", "-geneve_ports", "", "-gtpu_ports", "", "-teredo_ports", "4754"]),
  ) as (linkType: number) => string;
  const raw = filter(LINKTYPE_RAW);
  assert.equal(raw.match(/udp port \d+/g)?.join(","), "udp port 4754");
  assert.ok(!raw.includes("4789") && !raw.includes("6081") && !raw.includes("2152") && !raw.includes("3544"));
});

Deno.test("liveFilter(): libpcap compiles the default for Ethernet, Linux cooked v1 and v2, raw IP and BSD loopback", () => {
  const filter = liveFilter(config(["-dev", "any"])) as (linkType: number) => string;
  for (const linkType of [LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW, LINKTYPE_NULL]) {
    assert.equal(bpfSyntaxError(filter(linkType), linkType), null, `link type ${linkType}: ${filter(linkType)}`);
  }
  const none = liveFilter(
    config(["-dev", "any", "-vxlan_ports", "", "-geneve_ports", "", "-gre_udp_ports", "", "-gtpu_ports", ""]),
  ) as (linkType: number) => string;
  assert.equal(bpfSyntaxError(none(LINKTYPE_ETHERNET), LINKTYPE_ETHERNET), null);
});

Deno.test("liveFilter(): a -bpf of one's own is used as given", () => {
  assert.equal(liveFilter(config(["-dev", "eth0", "-bpf", "udp port 53"])), "udp port 53");
  assert.equal(liveFilter(config(["-dev", "eth0", "-bpf", ""])), "");
});

Deno.test("packetFilter(): live capture filters in the kernel, not per packet in the pipeline", async () => {
  assert.equal(await packetFilter(config(["-dev", "eth0", "-bpf", "udp port 53"])), null);
  const file = await packetFilter(config(["-pcap", "x.pcap", "-bpf", "udp port 53"]));
  assert.notEqual(file, null);
  file?.close();
});

Deno.test("threadsFor(): a large capture file starts its worker with the run, a small one runs on one thread", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Sparse files: only their size matters here.
    const large = `${dir}/large.pcap`;
    const small = `${dir}/small.pcap`;
    for (const [path, size] of [[large, SMALL_CAPTURE_BYTES], [small, SMALL_CAPTURE_BYTES - 1]] as const) {
      const file = await Deno.open(path, { write: true, create: true });
      await file.truncate(size);
      file.close();
    }
    assert.deepEqual(threadsFor(config(["-pcap", large, "-numprocs", "2"])), { threads: 2, atOnce: true });
    assert.deepEqual(threadsFor(config(["-pcap", small, "-numprocs", "2"])), { threads: 1, atOnce: false });
    assert.deepEqual(threadsFor(config(["-pcap", large, "-numprocs", "1"])), { threads: 1, atOnce: false });
    // A stream starts its worker at its first batch end, live capture at once; a missing file is reported at open.
    assert.deepEqual(threadsFor(config(["-pcap", "-", "-numprocs", "2"])), { threads: 2, atOnce: false });
    assert.deepEqual(threadsFor(config(["-dev", "eth0", "-numprocs", "2"])), { threads: 2, atOnce: true });
    assert.deepEqual(threadsFor(config(["-pcap", `${dir}/none.pcap`, "-numprocs", "2"])), {
      threads: 2,
      atOnce: false,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("usableNumprocs(): -numprocs, at most the cores (two at least) and MAX_NUMPROCS", () => {
  assert.equal(usableNumprocs(1, 8), 1);
  assert.equal(usableNumprocs(4, 8), 4);
  assert.equal(usableNumprocs(8, 2), 2);
  // One core: a worker can still be asked for.
  assert.equal(usableNumprocs(2, 1), 2);
  assert.equal(usableNumprocs(3, 1), 2);
  assert.equal(usableNumprocs(2147483647, 64), MAX_NUMPROCS);
});

Deno.test("threadsFor(): the threads -numprocs gives on the machine's cores (or the test hook's)", () => {
  const before = Deno.env.get(CORES_VARIABLE);
  try {
    for (const [cores, numprocs, threads] of [["2", "8", 2], ["4", "8", 4], ["4", "3", 3], ["16", "16", 8]] as const) {
      Deno.env.set(CORES_VARIABLE, cores);
      assert.equal(threadsFor(config(["-pcap", "-", "-numprocs", numprocs])).threads, threads, `${cores}, ${numprocs}`);
    }
  } finally {
    if (before === undefined) Deno.env.delete(CORES_VARIABLE);
    else Deno.env.set(CORES_VARIABLE, before);
  }
});
