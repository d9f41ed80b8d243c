import assert from "node:assert/strict";
import { MessageReader } from "../dns/_reader.ts";
import { newWireDatagram, pointAtMessage, type WireDatagram } from "./wire_datagram.ts";

Deno.test("a decoder's datagram gives its message as a range, and as a view made when read", () => {
  const d = newWireDatagram("udp");
  const frame = new Uint8Array([9, 9, 1, 2, 3, 9]);
  d.messageBuffer = frame;
  d.messageStart = 2;
  d.messageEnd = 5;
  assert.deepEqual([...d.message], [1, 2, 3]);
  assert.equal(d.message.buffer, frame.buffer, "a view, not a copy");
  const r = new MessageReader();
  pointAtMessage(d, r);
  assert.deepEqual([r.bytes, r.base, r.end], [frame, 2, 5]);
});

Deno.test("a spread copy of a decoder's datagram keeps the message, not the range of the reused buffer", () => {
  const d = newWireDatagram("tcp");
  d.messageBuffer = new Uint8Array([7, 1, 2]);
  d.messageStart = 1;
  d.messageEnd = 3;
  const copy: WireDatagram = { ...d };
  assert.deepEqual([...copy.message], [1, 2]);
  assert.equal(copy.messageBuffer, undefined);
  const r = new MessageReader();
  pointAtMessage(copy, r);
  assert.deepEqual([r.base, r.end, [...r.bytes]], [0, 2, [1, 2]]);
});

Deno.test("assigning a whole message to a decoder's datagram makes it the range", () => {
  const d = newWireDatagram("udp");
  const message = new Uint8Array([4, 5, 6]);
  d.message = message;
  assert.deepEqual([d.messageBuffer, d.messageStart, d.messageEnd], [message, 0, 3]);
});
