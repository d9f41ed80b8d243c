/** Test helper: replay a capture file through the real pipeline in-process and collect the records. */
import { openCaptureFile } from "../src/capture/mod.ts";
import { DEFAULT_CORRELATOR_OPTIONS } from "../src/correlate/pairing_options.ts";
import { DEFAULT_DECODER_OPTIONS } from "../src/decode/mod.ts";
import type { Counters } from "../src/metrics/counters.ts";
import { Pipeline } from "../src/pipeline.ts";
import { type Sink, SinkStats } from "../src/sinks/sink.ts";

export interface ReplayOptions {
  format?: "gopassivedns" | "transaction";
  /** `-numprocs`: 1 (the default here, unless a {@linkcode testEachWay} run says otherwise), 2 or more (workers). */
  numprocs?: number;
  dnsPorts?: number[];
  level?: string;
  sensor?: string;
}

export interface ReplayResult {
  lines: string[];
  records: Record<string, unknown>[];
  counters: Counters;
}

const utf8 = new TextDecoder();

/** A sink that keeps every line in memory. */
export class MemorySink implements Sink {
  readonly name = "memory";
  readonly stats = new SinkStats();
  readonly lines: string[] = [];
  /** Every batch's `count` is checked against its lines, so each replay test also proves the pipeline's counts. */
  write(records: Uint8Array, count?: number): void {
    const lines = utf8.decode(records).slice(0, -1).split("\n");
    if (count !== lines.length) throw new Error(`the pipeline said ${count} records, the batch holds ${lines.length}`);
    for (const line of lines) this.lines.push(line);
    this.stats.written += count;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The `-numprocs` values every replay suite runs with: one thread, one lookup worker, two taking batches in turn. */
export const NUMPROCS = [1, 2, 3] as const;

/** The numprocs of the {@linkcode testEachWay} test that is running (tests in a file run one at a time). */
let numprocsOfTest = 1;

/**
 * `Deno.test` once per {@linkcode NUMPROCS} value: as is (`-numprocs 1`), and with one and two lookup workers (named
 * so): every `replay` in `fn` that does not say otherwise runs the way of its test. The workers are started at once,
 * so even the smallest capture goes through them.
 */
export function testEachWay(name: string, fn: () => Promise<void>): void {
  for (const numprocs of NUMPROCS) {
    Deno.test(numprocs === 1 ? name : `${name} (-numprocs ${numprocs})`, async () => {
      numprocsOfTest = numprocs;
      try {
        await fn();
      } finally {
        numprocsOfTest = 1;
      }
    });
  }
}

export async function replay(path: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const sink = new MemorySink();
  const transaction = options.format === "transaction";
  const pipeline = new Pipeline({
    numprocs: options.numprocs ?? numprocsOfTest,
    workerStartBytes: 0,
    decoder: { ...DEFAULT_DECODER_OPTIONS, dnsPorts: new Set(options.dnsPorts ?? [53]) },
    correlator: DEFAULT_CORRELATOR_OPTIONS,
    format: transaction ? "transaction" : "gopassivedns",
    level: options.level ?? "",
    sensor: options.sensor ?? "test-sensor",
  }, sink);
  await pipeline.run(await openCaptureFile(path));
  await pipeline.finish();
  return { lines: sink.lines, records: sink.lines.map((l) => JSON.parse(l)), counters: pipeline.counters };
}

export const TESTDATA = new URL("../testdata/", import.meta.url).pathname;
