import assert from "node:assert/strict";
import { CapturedPacket } from "./captured_packet.ts";
import { concat, epb, frame, idb, pcapFile, shb, tempCapture } from "./_test_captures.ts";
import { openCaptureFile } from "./mod.ts";

Deno.test("CapturedPacket.data views buffer[start, end), made once per frame", () => {
  const buffer = Uint8Array.of(9, 9, 1, 2, 3, 9);
  const packet = new CapturedPacket();
  packet.setFrame(buffer, 2, 5);
  const view = packet.data;
  assert.deepEqual(view, Uint8Array.of(1, 2, 3));
  assert.equal(view.buffer, buffer.buffer, "a view, not a copy");
  assert.equal(packet.data, view, "the same view while the frame lasts");
  packet.setFrame(buffer, 0, 2);
  assert.deepEqual(packet.data, Uint8Array.of(9, 9));
});

Deno.test("CapturedPacket.data can be assigned, like a plain Packet's", () => {
  const packet = new CapturedPacket();
  const data = Uint8Array.of(4, 5);
  packet.data = data;
  assert.equal(packet.data, data);
  assert.deepEqual([packet.buffer, packet.start, packet.end], [data, 0, 2]);
});

Deno.test("Both file sources hand out CapturedPackets whose range in the chunk buffer is the frame", async () => {
  const frames = [frame(40), frame(60)];
  const captures = [
    pcapFile({ le: true, nano: false }, frames.map((data, i) => ({ sec: i, frac: 0, data }))),
    concat(shb(true), idb(true, 1), ...frames.map((data, i) => epb(true, 0, BigInt(i), data))),
  ];
  for (const bytes of captures) {
    const source = await openCaptureFile(await tempCapture(bytes));
    const seen: number[][] = [];
    await source.run((p) => {
      assert.ok(p instanceof CapturedPacket);
      assert.deepEqual(p.buffer.subarray(p.start, p.end), frames[seen.length]);
      assert.deepEqual(p.data, frames[seen.length]);
      seen.push([p.start, p.end]);
    }, () => Promise.resolve());
    assert.equal(seen.length, 2, source.format);
  }
});
