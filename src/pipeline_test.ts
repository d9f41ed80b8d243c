import assert from "node:assert/strict";
import { DEFAULT_CORRELATOR_OPTIONS } from "./correlate/pairing_options.ts";
import { DEFAULT_DECODER_OPTIONS } from "./decode/options.ts";
import { dnsMessage, packet, prefixed, T0, tcpFrame, udpFrame } from "./decode/_test_frames.ts";
import { Pipeline } from "./pipeline.ts";
import { type Sink, SinkStats } from "./sinks/sink.ts";

class Lines implements Sink {
  readonly name = "lines";
  readonly stats = new SinkStats();
  readonly lines: string[] = [];
  write(records: Uint8Array): void {
    this.lines.push(...new TextDecoder().decode(records).trimEnd().split("\n"));
  }
  flush = () => Promise.resolve();
  close = () => Promise.resolve();
}

function pipeline(format: "gopassivedns" | "transaction", sink: Sink, numprocs = 1): Pipeline {
  return new Pipeline({
    numprocs,
    decoder: { ...DEFAULT_DECODER_OPTIONS, tcpIdleTimeoutSec: 120 },
    correlator: { ...DEFAULT_CORRELATOR_OPTIONS, gcAgeMs: 60_000, gcIntervalMs: 180_000 },
    format,
    level: "",
    sensor: "test",
  }, sink);
}

/** Resolves once `done()` holds, letting the event loop run (a worker's messages) in between; fails after 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 5) {
    if (waited > 5000) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A source that delivers `frames` at T0, then hands the clock on by `seconds`, as a live source on a quiet link. */
function quietLink(frames: Uint8Array[], seconds: number) {
  return {
    async run(
      onPacket: (p: ReturnType<typeof packet>) => void,
      onBatchEnd: () => Promise<void>,
      onClock?: (s: number, ns: number) => void,
    ) {
      for (const frame of frames) onPacket(packet(frame));
      await onBatchEnd();
      onClock?.(T0 + seconds, 0);
      await onBatchEnd();
    },
    stop() {},
  };
}

for (const numprocs of [1, 2]) {
  Deno.test(`advanceClock() expires an unanswered query on the clock alone, before the end of input (-numprocs ${numprocs})`, async () => {
    const sink = new Lines();
    const p = pipeline("transaction", sink, numprocs);
    // gc_interval is 180 s: a clock 60 s on is not yet a sweep, 181 s on is (the query is older than gc_age).
    await p.run(quietLink([udpFrame(dnsMessage(7, "quiet.example"))], 60));
    await until(() => p.pendingCount === 1); // with a worker: once it has reported the batch
    assert.equal(sink.lines.length, 0);
    await p.run(quietLink([], 181));
    // With a worker the records of a batch come back as soon as it has handled it, without waiting for more input.
    await until(() => sink.lines.length > 0);
    assert.equal(sink.lines.length, 1, "written after the clock moved, without finish()");
    const record = JSON.parse(sink.lines[0]);
    assert.equal(record.status, "unanswered");
    assert.equal(record.question.name, "quiet.example");
    assert.equal(p.counters.queries_unanswered, 1);
    await p.finish();
  });
}

Deno.test("advanceClock() times out an idle TCP stream on the clock alone", async () => {
  const sink = new Lines();
  const p = pipeline("gopassivedns", sink);
  const query = dnsMessage(9, "tcp.example");
  const response = dnsMessage(9, "tcp.example", true);
  // No FIN: the stream stays open until it has been idle for the TCP timeout (120 s here).
  const frames = [
    tcpFrame(true, 1000, "S"),
    tcpFrame(false, 5000, "SA"),
    tcpFrame(true, 1001, "PA", prefixed(query)),
    tcpFrame(false, 5001, "PA", prefixed(response)),
  ];
  await p.run(quietLink(frames, 60));
  assert.equal(p.counters.tcp_streams_expired, 0);
  await p.run(quietLink([], 121));
  assert.equal(p.counters.tcp_streams_expired, 1);
  assert.equal(p.counters.tcp_messages, 2);
});

for (const [format, readAhead] of [["gopassivedns", true], ["transaction", false]] as const) {
  Deno.test(`with a worker, a file source in the ${format} format is asked ${readAhead ? "" : "not "}to read ahead`, async () => {
    const p = pipeline(format, new Lines(), 2);
    const asked: boolean[] = [];
    const source = { ...quietLink([], 0), shareBuffers: (_pool: unknown, ahead: boolean) => asked.push(ahead) };
    await p.run(source);
    await p.finish();
    // The main thread bounds the default format's run, the worker the transaction format's (reads ahead compete).
    assert.deepEqual(asked, [readAhead]);
  });
}
