import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeUdp, UdpHeader } from "./udp.ts";
import { hex } from "./_test_frames.ts";

const DATAGRAM = hex(`
  a8f4 0035   # 43252 > 53
  000c 0000   # length 12, checksum not checked
  01020304    # payload
  ffff        # bytes past the UDP length (inside the IP payload)
`);

Deno.test("decodeUdp() reads ports and trims the payload to the UDP length", () => {
  const out = new UdpHeader();
  decodeUdp(DATAGRAM, 0, DATAGRAM.length, DATAGRAM.length, out);
  assert.deepEqual([out.srcPort, out.dstPort, out.payloadOffset, out.payloadEnd], [43252, 53, 8, 12]);
});

Deno.test("decodeUdp() trims to the captured bytes when the capture was cut", () => {
  const out = new UdpHeader();
  decodeUdp(DATAGRAM, 0, 10, 14, out);
  assert.equal(out.payloadEnd, 10);
});

Deno.test("decodeUdp() rejects a short header and a length that does not fit", () => {
  const out = new UdpHeader();
  const code = (c: string) => (e: unknown) => e instanceof DecodeError && e.code === c;
  assert.throws(() => decodeUdp(DATAGRAM, 0, 7, 7, out), code("udp.truncated"));
  assert.throws(() => decodeUdp(DATAGRAM, 0, 11, 11, out), code("udp.bad_length"));
  assert.throws(() => decodeUdp(hex("a8f4 0035 0007 0000"), 0, 8, 8, out), code("udp.bad_length"));
});
