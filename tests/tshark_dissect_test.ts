import assert from "node:assert/strict";
import { parseJsonKeepingDuplicates, type TsharkDnsMessage, tsharkDnsMessages } from "./tshark_dissect.ts";

const REAL = new URL("../testdata/real/", import.meta.url).pathname;
const CRAFTED = new URL("../testdata/crafted/", import.meta.url).pathname;

/** tshark is an optional tool (scripts/install_test_deps.sh installs it): without it these tests are ignored. */
const HAS_TSHARK = (() => {
  try {
    return new Deno.Command("tshark", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();
if (!HAS_TSHARK) console.log("tshark_dissect_test: tshark is not installed; the tshark tests are ignored");

function tsharkTest(name: string, fn: () => Promise<void>) {
  Deno.test({ name, ignore: !HAS_TSHARK, fn });
}

async function dissect(path: string, dnsPorts?: number[]): Promise<TsharkDnsMessage[]> {
  const messages = await tsharkDnsMessages(path, dnsPorts);
  assert.ok(messages !== null, "tshark was found by the probe but not by tsharkDnsMessages()");
  return messages;
}

function responseTo(messages: TsharkDnsMessage[], name: string, type: number): TsharkDnsMessage {
  const found = messages.find((m) => m.qr && m.questions[0]?.name === name && m.questions[0]?.type === type);
  assert.ok(found, `no response for ${name} type ${type}`);
  return found;
}

Deno.test("parseJsonKeepingDuplicates() keeps repeated keys in document order", () => {
  const value = parseJsonKeepingDuplicates('{"dns": {"id": 1}, "tcp": [true, null], "dns": {"id": "two\\u0021"}}');
  assert.deepEqual(value, {
    entries: [
      ["dns", { entries: [["id", 1]] }],
      ["tcp", [true, null]],
      ["dns", { entries: [["id", "two!"]] }],
    ],
  });
});

Deno.test("parseJsonKeepingDuplicates() rejects trailing characters with their offset", () => {
  assert.throws(() => parseJsonKeepingDuplicates("[1] x"), {
    message: "Cannot parse JSON at offset 4: trailing characters",
  });
});

tsharkTest("tsharkDnsMessages() reads every query and answer of the UDP type tour", async () => {
  const messages = await dissect(REAL + "udp_types.pcap");
  // 46 dig queries, each answered once; ANY is truncated over UDP and retried over TCP.
  assert.equal(messages.length, 92);
  assert.equal(messages.filter((m) => m.qr).length, 46);
  const www = responseTo(messages, "www.example.test", 1);
  assert.deepEqual(www.answers.map((r) => r.addr), ["192.0.2.1", "192.0.2.2"]);
  assert.equal(www.answers[0].ttl, 3600);
  assert.equal(www.srcIp, "127.0.1.1");
  assert.equal(www.srcPort, 53);
  assert.equal(www.flags.aa, true);
  const chain = responseTo(messages, "alias.example.test", 1);
  assert.deepEqual(chain.answers.map((r) => r.type), [5, 5, 5, 1, 1]);
  assert.equal(responseTo(messages, "missing.example.test", 1).rcode, 3);
  assert.equal(responseTo(messages, "www.notserved.test", 1).rcode, 5);
  assert.equal(responseTo(messages, "unknown.example.test", 65280).answers[0].type, 65280);
  // tshark prints label bytes raw: "\000" for NUL, UTF-8 as text, an escaped dot as a plain dot.
  assert.ok(responseTo(messages, "nul\\000byte.example.test", 1));
  assert.ok(responseTo(messages, "café.example.test", 1));
  const plain = messages.filter((m) => m.edns === null);
  assert.equal(plain.length, 2, "only the +noedns query and its answer have no OPT");
});

tsharkTest("tsharkDnsMessages() returns each DNS message of a TCP segment that carries several", async () => {
  const messages = await dissect(REAL + "tcp_pipelining.pcap");
  // 3 dig +tcp queries, 5 kdig +keepopen queries, 40 dnsperf TCP queries, each with its answer.
  assert.equal(messages.length, 96);
  assert.ok(messages.every((m) => m.transport === "tcp"));
  const perFrame = new Map<number, number>();
  for (const m of messages) perFrame.set(m.frame, (perFrame.get(m.frame) ?? 0) + 1);
  assert.ok([...perFrame.values()].some((n) => n > 1), "dnsperf pipelining puts several queries in one segment");
});

tsharkTest(
  "tsharkDnsMessages() reads the OPT record: DO bit and the BADVERS and BADCOOKIE extended RCODEs",
  async () => {
    const messages = await dissect(REAL + "dnssec_edns.pcap");
    const signed = responseTo(messages, "www.example.test", 1);
    assert.equal(signed.edns?.do, true);
    assert.deepEqual(signed.answers.map((r) => r.type), [1, 1, 46]);
    // Extended RCODE = OPT upper bits << 4 | header RCODE (RFC 6891 §6.1.3).
    const fullRcodes = messages.filter((m) => m.qr).map((m) => ((m.edns?.extendedRcode ?? 0) << 4) | m.rcode);
    assert.ok(fullRcodes.includes(16), "BADVERS for +edns=1");
    assert.ok(fullRcodes.includes(23), "BADCOOKIE for the first +cookie query (client cookie only)");
    const nsec3 = responseTo(messages, "missing.nsec3.test", 1);
    assert.ok(nsec3.authorities.some((r) => r.type === 50), "NSEC3 in the authority section");
  },
);

tsharkTest("tsharkDnsMessages() reads IPv6 addresses and a truncated answer", async () => {
  const v6 = await dissect(REAL + "ipv6.pcap");
  assert.ok(v6.length > 0 && v6.every((m) => m.srcIp === "::1" && m.dstIp === "::1"));
  assert.deepEqual(responseTo(v6, "www.example.test", 28).answers.map((r) => r.addr), ["2001:db8::1", "2001:db8::2"]);

  const truncation = await dissect(REAL + "truncation.pcap");
  const tc = truncation.filter((m) => m.qr && m.flags.tc);
  assert.ok(tc.length >= 3 && tc.every((m) => m.transport === "udp" && m.answers.length === 0));
  assert.ok(
    truncation.some((m) => m.qr && m.transport === "udp" && m.answers.length === 16),
    "the +bufsize=4096 answer",
  );
});

tsharkTest("tsharkDnsMessages() sees both halves of the resolver capture", async () => {
  const messages = await dissect(REAL + "resolver.pcap");
  const upstream = messages.filter((m) => m.dstIp === "127.0.1.1" || m.srcIp === "127.0.1.1");
  const client = messages.filter((m) => m.srcIp === "127.0.0.1" && m.dstIp === "127.0.0.1");
  assert.ok(upstream.length > 0 && client.length > 0);
  assert.ok(client.some((m) => m.qr && m.flags.ad), "unbound validated at least one answer");
});

tsharkTest("tsharkDnsMessages() reads cooked (SLL and SLL2), pcapng and dnsperf captures", async () => {
  const sll2 = await dissect(REAL + "any_sll.pcap");
  const sll1 = await dissect(REAL + "any_sll_v1.pcap");
  assert.equal(sll2.length, 8);
  assert.deepEqual(sll1.map((m) => m.id), sll2.map((m) => m.id), "both were recorded at the same time");
  // 5 client exchanges, plus unbound fetching mail.example.test, the DNSKEY set and an RFC 8145 key-tag name.
  assert.equal((await dissect(REAL + "mixed.pcapng")).length, 16);
  assert.equal((await dissect(REAL + "dnsperf.pcap")).length, 640);
});

tsharkTest("tsharkDnsMessages() reads the UPDATE opcode and its NOTAUTH refusal", async () => {
  const messages = await dissect(REAL + "update.pcap");
  const updates = messages.filter((m) => m.opcode === 5);
  assert.equal(updates.length, 4);
  assert.deepEqual(updates.filter((m) => m.qr).map((m) => m.rcode), [0, 9]);
});

tsharkTest("tsharkDnsMessages() decodes extra ports as DNS when asked", async () => {
  const messages = await dissect(CRAFTED + "ports.pcap", [5353]);
  assert.ok(messages.some((m) => m.questions[0]?.name === "mdns.local" && m.srcPort === 5353));
});
