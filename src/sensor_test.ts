import assert from "node:assert/strict";
import { bpfSyntaxError } from "./capture/bpf_filter.ts";
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2 } from "./capture/link_types.ts";
import type { Config } from "./config/mod.ts";
import { loadConfig } from "./config/mod.ts";
import { liveFilter, packetFilter } from "./sensor.ts";

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

Deno.test("liveFilter(): the default follows -dns_ports and lets fragments and one VLAN tag through on Ethernet", () => {
  const filter = liveFilter(config(["-dev", "eth0", "-dns_ports", "53,5353"]));
  assert.equal(typeof filter, "function");
  const ethernet = (filter as (linkType: number) => string)(LINKTYPE_ETHERNET);
  const cooked = (filter as (linkType: number) => string)(LINKTYPE_LINUX_SLL2);
  const dns = "port 53 or port 5353 or (ip[6:2] & 0x3fff != 0) or ip6[6] == 44";
  assert.equal(ethernet, `${dns} or (vlan and (${dns}))`);
  assert.equal(cooked, dns);
  assert.equal(bpfSyntaxError(ethernet), null, "libpcap compiles it");
});

Deno.test("liveFilter(): a -bpf of one's own is used as given", () => {
  assert.equal(liveFilter(config(["-dev", "eth0", "-bpf", "udp port 53"])), "udp port 53");
  assert.equal(liveFilter(config(["-dev", "eth0", "-bpf", ""])), "");
});

Deno.test("packetFilter(): live capture filters in the kernel, not per packet in the pipeline", () => {
  assert.equal(packetFilter(config(["-dev", "eth0", "-bpf", "udp port 53"])), null);
  const file = packetFilter(config(["-pcap", "x.pcap", "-bpf", "udp port 53"]));
  assert.notEqual(file, null);
  file?.close();
});
