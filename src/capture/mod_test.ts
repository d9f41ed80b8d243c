import assert from "node:assert/strict";
import { collect, concat, epb, frame, idb, pcapFile, shb, tempCapture } from "./_test_captures.ts";
import { CaptureError, openCaptureFile, PcapFileSource, PcapngFileSource } from "./mod.ts";

Deno.test("openCaptureFile() picks the reader by magic number", async () => {
  const pcap = await openCaptureFile(await tempCapture(pcapFile({ le: false, nano: true }, [])));
  assert.ok(pcap instanceof PcapFileSource);
  assert.equal(pcap.format, "pcap");
  pcap.close();
  const pcapng = await openCaptureFile(await tempCapture(concat(shb(false), idb(false, 1))));
  assert.ok(pcapng instanceof PcapngFileSource);
  assert.equal(pcapng.format, "pcapng");
  pcapng.close();
});

Deno.test("openCaptureFile() names the path when the file is missing", async () => {
  const error = await openCaptureFile("/nonexistent/x.pcap").catch((e) => e);
  assert.ok(error instanceof CaptureError);
  assert.match(error.message, /^Cannot open capture file \/nonexistent\/x\.pcap: /);
});

Deno.test("openCaptureFile() rejects an empty file", async () => {
  const path = await tempCapture(new Uint8Array(0));
  await assert.rejects(openCaptureFile(path), new CaptureError(`Capture file ${path} is empty`));
});

Deno.test("openCaptureFile() rejects a file shorter than a magic number", async () => {
  const path = await tempCapture(Uint8Array.of(0xd4, 0xc3));
  await assert.rejects(
    openCaptureFile(path),
    new CaptureError(`Capture file ${path} is too short to be a capture: 2 bytes`),
  );
});

Deno.test("openCaptureFile() rejects a file that is not a capture", async () => {
  const path = await tempCapture(new TextEncoder().encode("GIF89a, not a capture"));
  await assert.rejects(
    openCaptureFile(path),
    new CaptureError(`Capture file ${path} is not a pcap or pcapng file: magic 0x47494638 at byte 0`),
  );
});

Deno.test("openCaptureFile() names the unsupported modified-pcap format", async () => {
  const bytes = pcapFile({}, []);
  bytes.set([0x34, 0xcd, 0xb2, 0xa1], 0);
  await assert.rejects(
    openCaptureFile(await tempCapture(bytes)),
    /unsupported modified-pcap format \(magic 0x34cdb2a1\)/,
  );
});

Deno.test("openCaptureFile() hands out one reused Packet whose data views the chunk buffer", async () => {
  const source = await openCaptureFile(
    await tempCapture(concat(
      shb(true),
      idb(true, 1),
      epb(true, 0, 1n, frame(40)),
      epb(true, 0, 2n, frame(40)),
    )),
  );
  const seen: unknown[] = [];
  const buffers = new Set<ArrayBufferLike>();
  await source.run((p) => {
    seen.push(p);
    buffers.add(p.data.buffer);
  }, () => Promise.resolve());
  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1]);
  assert.equal(buffers.size, 1);
  assert.ok([...buffers][0].byteLength >= 1024 * 1024, "the default chunk buffer");
});

Deno.test("openCaptureFile() runs a pcapng file with the onBatchEnd awaited before the next chunk", async () => {
  const blocks = Array.from({ length: 30 }, (_, i) => epb(true, 0, BigInt(i), frame(60)));
  const source = await openCaptureFile(await tempCapture(concat(shb(true), idb(true, 1), ...blocks)), {
    chunkSize: 256,
  });
  let inBatchEnd = false;
  let overlapped = false;
  const result = await collect({
    run: (onPacket, onBatchEnd) =>
      source.run((p) => {
        if (inBatchEnd) overlapped = true;
        onPacket(p);
      }, async () => {
        inBatchEnd = true;
        await new Promise((r) => setTimeout(r, 1));
        await onBatchEnd();
        inBatchEnd = false;
      }),
    stop: () => source.stop(),
  });
  assert.equal(result.error, undefined);
  assert.equal(result.packets.length, 30);
  assert.equal(overlapped, false);
  assert.ok(result.batchEnds.length >= 7, `${result.batchEnds.length} batches of at most 256 bytes`);
});
