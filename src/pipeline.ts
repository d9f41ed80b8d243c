import type { Packet, PacketSource } from "./capture/packet.ts";
import type { CorrelatorOptions } from "./correlate/pairing_options.ts";
import { WirePairing } from "./correlate/wire_pairing.ts";
import { type DecoderOptions, PacketDecoder } from "./decode/mod.ts";
import { type LookupStage, type LookupStageOptions, newLookupStage, OUTPUT_BATCH_BYTES } from "./lookup_stage.ts";
import { type Counters, newCounters } from "./metrics/counters.ts";
import { formatReplay, RemoteGopassivednsWriter } from "./parallel/lookup_entry.ts";
import { BATCH_BYTES, DEFAULT_FORMAT_BATCH_BYTES, RemoteStage } from "./parallel/remote_stage.ts";
import { RemoteTransactionWriter } from "./parallel/transaction_entry.ts";
import { RecordBuffer } from "./record/record_buffer.ts";
import type { Sink } from "./sinks/sink.ts";

export interface PipelineOptions {
  decoder: DecoderOptions;
  correlator: CorrelatorOptions;
  /**
   * The record format: "gopassivedns" (default), or "transaction" (one record per lookup, answered or not, with every
   * section: src/record/transaction_writer.ts). Both are written from the wire by the one pairing engine.
   */
  format: "gopassivedns" | "transaction";
  /** `-syslog_priority`, copied into every gopassivedns record. */
  level: string;
  /** `-name`, the transaction records' `sensor`. */
  sensor: string;
  /** `-max_records`: resource records decoded per section of a message (the rest flagged `too_many_records`). */
  maxRecords?: number;
  /** Frames it rejects are counted (`packets_filtered`) and not decoded (`-bpf`, src/capture/bpf_filter.ts). */
  filter?: PacketFilter | null;
  /**
   * `-numprocs`: 1 (the default here) runs every stage on this thread; N more pairs here and writes the records in
   * N - 1 lookup workers, taking the batches in turn (src/parallel/remote_stage.ts); see the README, "-numprocs".
   */
  numprocs?: number;
  /**
   * With a worker: packed lookup bytes held before it starts (default one batch, so a small input runs inline);
   * 0 starts it at once (live capture, and tests that must exercise the worker).
   */
  workerStartBytes?: number;
  /** With a worker: it throws on this lookup (> 0; a test hook, see `DENOPASSIVEDNS_TEST_WORKER_FAIL_AT`). */
  workerFailAt?: number;
}

/** Selects frames before decoding. */
export interface PacketFilter {
  matches(packet: Packet): boolean;
}

/**
 * capture → decode → dns → correlate → record → sink. With `-numprocs 1` all synchronous per packet on this thread;
 * with more, the pairing still runs here and the records are written by lookup workers, fed in order (the sink gets
 * them in that order). The caller drives it with a
 * PacketSource and calls `finish` at the end of input (or on a signal) so nothing held in a table is lost.
 */
export class Pipeline {
  readonly counters: Counters = newCounters();
  readonly decoder: PacketDecoder;
  /** `counters.records` when the last batch went to the sink: the next batch holds the records written since. */
  #recordsHanded = 0;
  readonly #output = new RecordBuffer(OUTPUT_BATCH_BYTES + (OUTPUT_BATCH_BYTES >> 2));
  /** The post-decode stage on this thread (`-numprocs 1`, or an input that ended before a worker was needed). */
  #stage: LookupStage | null = null;
  /** The pairing engine on this thread, feeding the worker's record writer (`-numprocs` 2 or more). */
  #engine: WirePairing | null = null;
  /** The record writer in a worker, or null. */
  readonly #remote: RemoteStage | null = null;
  /** The source `run` reads (its own counts are added to the counters at `finish`). */
  #source: PacketSource | null = null;

  constructor(readonly options: PipelineOptions, readonly sink: Sink) {
    if ((options.numprocs ?? 1) <= 1) {
      const stage = this.#inlineStage();
      this.decoder = new PacketDecoder(options.decoder, this.counters, (d) => stage.handle(d));
    } else {
      // The pairing engine runs here and the worker writes the records: the two threads then carry about the same
      // work (README, "Threads").
      const batchBytes = options.format === "transaction" ? BATCH_BYTES : DEFAULT_FORMAT_BATCH_BYTES;
      const workers = options.numprocs! - 1;
      const remote = new RemoteStage(
        {
          stage: this.#stageOptions(),
          workers,
          batchBytes,
          startBytes: options.workerStartBytes ?? batchBytes,
          failAt: options.workerFailAt,
        },
        this.counters,
        sink,
      );
      this.#remote = remote;
      const batch = remote.writer;
      const writer = options.format === "transaction"
        ? new RemoteTransactionWriter(this.counters, batch, options.maxRecords, workers)
        : new RemoteGopassivednsWriter(this.counters, batch, options.level, options.maxRecords);
      const engine = new WirePairing(options.correlator, this.counters, writer);
      this.#engine = engine;
      this.decoder = new PacketDecoder(options.decoder, this.counters, (d) => engine.handle(d));
    }
    const filter = options.filter ?? null;
    const decoder = this.decoder;
    const counters = this.counters;
    this.onPacket = filter === null ? (packet) => decoder.decode(packet) : (packet) => {
      if (filter.matches(packet)) decoder.decode(packet);
      else counters.packets_filtered++;
    };
  }

  /** Number of queries and responses waiting for their partner (for tests and metrics). */
  get pendingCount(): number {
    return (this.#stage ?? this.#engine!).pendingCount;
  }

  /** The per-packet entry point, bound so it can be handed to a PacketSource. */
  readonly onPacket: (packet: Packet) => void;

  /** Run a source to its end, flushing the sink after every batch. */
  async run(source: PacketSource): Promise<void> {
    this.#source = source;
    // The worker reads the messages (default format: the responses of the lookups it writes) in the capture's own
    // chunks: no copy on this thread. In the default format this thread bounds the run, so a file's next chunk is read
    // ahead, off it; in the transaction format the worker does, and reads ahead, competing with it for the cores,
    // measured 3–5 % slower (session 15).
    if (this.#remote !== null) source.shareBuffers?.(this.#remote, this.options.format !== "transaction");
    await source.run(this.onPacket, () => this.#batchEnd(), (sec, nsec) => this.advanceClock(sec, nsec));
  }

  /**
   * Time passes without packets (live capture on a quiet link): expire fragments, TCP streams and pending lookups
   * as a packet at this time would. What that produces is written at the next batch end.
   */
  advanceClock(sec: number, nsec: number): void {
    this.decoder.advanceClock(sec);
    (this.#engine ?? this.#stage!).advanceClock(sec * 1000 + nsec / 1e6);
  }

  /**
   * Deliver what the TCP streams and the correlation table still hold, then flush the sink.
   * @throws {LookupWorkerError} when the worker failed (once: not again after `run` threw it)
   */
  async finish(): Promise<void> {
    this.counters.timestamps_clamped += this.#source?.timestampsClamped ?? 0;
    this.decoder.flush();
    // Before the worker's last batch goes: what giving up on the pending lookups writes goes with it.
    this.#engine?.flush();
    const remote = this.#remote;
    if (remote !== null) {
      const held = remote.takeUnstarted();
      if (held === null) await remote.finish();
      else {
        // No batch filled: no worker was started, and the lookups are written here, with the same result.
        const output = this.#output;
        const replay = await formatReplay(this.#stageOptions(), this.counters, output, remote.chunks, () => {
          if (output.used >= OUTPUT_BATCH_BYTES) this.#drain();
        });
        replay.read(held.bytes, held.used);
      }
    }
    this.#stage?.flush();
    this.#drain();
    await this.sink.flush();
  }

  #stageOptions(): LookupStageOptions {
    const { correlator, format, level, sensor, maxRecords } = this.options;
    return { correlator, format, level, sensor, maxRecords };
  }

  #inlineStage(): LookupStage {
    this.#stage = newLookupStage(this.#stageOptions(), this.counters, this.#output, () => this.#drain());
    return this.#stage;
  }

  /** Hand the waiting records to the sink and flush it (with a worker: once it is not too far behind). */
  async #batchEnd(): Promise<void> {
    if (this.#remote !== null) await this.#remote.batchEnd(this.#source?.regularFile === true);
    else this.#drain();
    await this.sink.flush();
  }

  #drain(): void {
    const output = this.#output;
    if (output.used === 0) return;
    // The formats count every record they write; the sinks are told how many this batch holds.
    this.sink.write(output.records(), this.counters.records - this.#recordsHanded);
    this.#recordsHanded = this.counters.records;
    output.reset();
  }
}
