import assert from "node:assert/strict";
import {
  capturedPacket,
  CLIENT,
  dnsMessage,
  ipv4,
  packet,
  SERVER,
  tcpFrame,
  udp,
  udpFrame,
} from "../decode/_test_frames.ts";
import { BpfFilter, bpfSyntaxError } from "./bpf_filter.ts";
import { CaptureError } from "./packet.ts";

const LINKTYPE_RAW = 101;
const query = udpFrame(dnsMessage(1, "example.com"));
const response = udpFrame(dnsMessage(1, "example.com", true), true);
const syn = tcpFrame(true, 1000, "S");

Deno.test("bpfSyntaxError() passes what libpcap compiles and returns libpcap's message otherwise", () => {
  assert.equal(bpfSyntaxError("udp and port 53"), null);
  assert.equal(bpfSyntaxError("host 10.0.0.1 or ip6"), null);
  assert.equal(bpfSyntaxError("port nope"), "unknown port 'nope'");
  assert.match(bpfSyntaxError("udp and and")!, /syntax error/);
});

Deno.test("BpfFilter.matches() selects frames as the expression says, in place or as a plain packet", () => {
  const udpOnly = new BpfFilter("udp");
  const fromServer = new BpfFilter("src port 53");
  const clientHost = new BpfFilter(`src host ${CLIENT.join(".")}`);
  try {
    for (const wrap of [capturedPacket, packet]) {
      assert.deepEqual([query, response, syn].map((f) => udpOnly.matches(wrap(f))), [true, true, false]);
      assert.deepEqual([query, response, syn].map((f) => fromServer.matches(wrap(f))), [false, true, false]);
      assert.deepEqual([query, response, syn].map((f) => clientHost.matches(wrap(f))), [true, false, true]);
    }
  } finally {
    udpOnly.close();
    fromServer.close();
    clientHost.close();
  }
});

Deno.test("BpfFilter compiles one program per link type: the same expression matches raw IP frames", () => {
  const filter = new BpfFilter(`udp and dst host ${SERVER.join(".")}`);
  try {
    const rawQuery = ipv4(CLIENT, SERVER, 17, udp(40000, 53, dnsMessage(2, "example.org")));
    const rawResponse = ipv4(SERVER, CLIENT, 17, udp(53, 40000, dnsMessage(2, "example.org", true)));
    assert.equal(filter.matches(packet(query)), true);
    assert.equal(filter.matches(packet(rawQuery, { linkType: LINKTYPE_RAW })), true);
    assert.equal(filter.matches(packet(rawResponse, { linkType: LINKTYPE_RAW })), false);
    assert.equal(filter.matches(packet(response)), false);
  } finally {
    filter.close();
  }
});

Deno.test("BpfFilter throws a CaptureError when the expression does not apply to a frame's link type", () => {
  const filter = new BpfFilter("ether host 00:11:22:33:44:55");
  try {
    assert.equal(filter.matches(packet(query)), false);
    assert.throws(
      () =>
        filter.matches(packet(ipv4(CLIENT, SERVER, 17, udp(1, 53, new Uint8Array(12))), { linkType: LINKTYPE_RAW })),
      (error: unknown) =>
        error instanceof CaptureError &&
        /^Cannot apply -bpf "ether host 00:11:22:33:44:55" to link type 101: .+/.test(error.message),
    );
  } finally {
    filter.close();
  }
});
