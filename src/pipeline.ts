import type { Packet, PacketSource } from "./capture/packet.ts";
import { Correlator, type CorrelatorOptions } from "./correlate/correlator.ts";
import type { Transaction } from "./correlate/transaction.ts";
import type { DnsDatagram } from "./decode/dns_datagram.ts";
import { type DecoderOptions, PacketDecoder } from "./decode/mod.ts";
import { DecodeError } from "./decode_error.ts";
import { type DecodeDepth, decodeMessage } from "./dns/mod.ts";
import { countDecodeError, type Counters, newCounters } from "./metrics/counters.ts";
import { RecordBuffer } from "./record/record_buffer.ts";
import type { RecordFormat } from "./record/record_writer.ts";
import type { Sink } from "./sinks/sink.ts";

export interface PipelineOptions {
  decoder: DecoderOptions;
  correlator: CorrelatorOptions;
  format: RecordFormat;
  /** How much of each message the format needs: "answers" for the default format, "full" otherwise. */
  depth: Exclude<DecodeDepth, "question">;
}

const QR_BIT = 0x80; // RFC 1035 §4.1.1: QR is the top bit of header byte 2
/** Records are handed to the sinks once this many bytes are waiting, and at the end of every capture batch. */
const OUTPUT_BATCH_BYTES = 1 << 20;

/**
 * capture → decode → dns → correlate → record → sink, all synchronous per packet. The caller drives it with a
 * PacketSource and calls `finish` at the end of input (or on a signal) so nothing held in a table is lost.
 */
export class Pipeline {
  readonly counters: Counters = newCounters();
  readonly decoder: PacketDecoder;
  readonly correlator: Correlator;
  readonly #output = new RecordBuffer(OUTPUT_BATCH_BYTES + (OUTPUT_BATCH_BYTES >> 2));

  constructor(readonly options: PipelineOptions, readonly sink: Sink) {
    this.decoder = new PacketDecoder(options.decoder, this.counters, (d) => this.#onDatagram(d));
    this.correlator = new Correlator(options.correlator, this.counters, (t) => this.#onTransaction(t));
  }

  /** The per-packet entry point, bound so it can be handed to a PacketSource. */
  readonly onPacket = (packet: Packet): void => this.decoder.decode(packet);

  /** Run a source to its end, flushing the sink after every batch. */
  async run(source: PacketSource): Promise<void> {
    await source.run(this.onPacket, () => this.#flush());
  }

  /** Deliver what the TCP streams and the correlation table still hold, then flush the sink. */
  async finish(): Promise<void> {
    this.decoder.flush();
    this.correlator.flush();
    await this.#flush();
  }

  /** Hand the waiting records to the sink and flush it. */
  #flush(): Promise<void> {
    this.#drain();
    return this.sink.flush();
  }

  #drain(): void {
    const output = this.#output;
    if (output.used === 0) return;
    this.sink.write(output.records());
    output.reset();
  }

  #onDatagram(datagram: DnsDatagram): void {
    const bytes = datagram.message;
    const isResponse = bytes.length > 2 && (bytes[2] & QR_BIT) !== 0;
    // A query in the default format only needs its question and header; the transaction format keeps its EDNS.
    const depth: DecodeDepth = isResponse || this.options.depth === "full" ? this.options.depth : "question";
    let message;
    try {
      message = decodeMessage(bytes, depth);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      countDecodeError(this.counters, error.code);
      return;
    }
    if (message.anomalies.length > 0) this.counters.dns_anomalies++;
    this.correlator.handle(datagram, message);
  }

  #onTransaction(transaction: Transaction): void {
    this.counters.records += this.options.format.write(transaction, this.#output);
    if (this.#output.used >= OUTPUT_BATCH_BYTES) this.#drain();
  }
}
