/**
 * The post-decode stage of the pipeline, for one output format: a WireDatagram in, record bytes (in a RecordBuffer)
 * and counts out, on one thread (`-numprocs 1`, src/pipeline.ts): the one pairing engine ({@linkcode WirePairing})
 * with the format's writer ({@linkcode GopassivednsWriter} or {@linkcode TransactionWriter}). With a lookup worker the
 * same engine runs on the decoding thread with a writer that packs each lookup for the worker's copy of the format's
 * writer (src/parallel/lookup_entry.ts, src/parallel/transaction_entry.ts), so the formats are written once.
 *
 * The stage counts what it sees (dns_*, pairing, records, its decode errors) into the counters it is given, and
 * calls `onFull` whenever the output holds at least {@linkcode OUTPUT_BATCH_BYTES}, always between two lookups.
 *
 * @module
 */

import type { CorrelatorOptions } from "./correlate/pairing_options.ts";
import { WirePairing } from "./correlate/wire_pairing.ts";
import type { WireDatagram } from "./decode/wire_datagram.ts";
import type { Counters } from "./metrics/counters.ts";
import { GopassivednsWriter } from "./record/gopassivedns_writer.ts";
import type { RecordBuffer } from "./record/record_buffer.ts";
import { TransactionWriter } from "./record/transaction_writer.ts";

/**
 * Records are handed to the sinks once this many bytes are waiting, and at the end of every capture batch. Writes of
 * 4 MiB cost measurably less system time than 1 MiB ones (0.57 s against 0.81 s for 620 MB on the test machines).
 */
export const OUTPUT_BATCH_BYTES = 4 << 20;

/** What a stage needs besides its counters and output: plain data, so it can be posted to a worker. */
export interface LookupStageOptions {
  correlator: CorrelatorOptions;
  /** The record format (see the module comment). */
  format: "gopassivedns" | "transaction";
  /** `-syslog_priority`, copied into every gopassivedns record. */
  level: string;
  /** `-name`, the transaction records' `sensor`. */
  sensor: string;
  /** `-max_records`: resource records decoded per section of a message (the rest flagged `too_many_records`). */
  maxRecords?: number;
}

/** Scan, pair, and write the records of completed lookups. */
export interface LookupStage {
  /** One DNS message; the datagram and its message are read only during the call. */
  handle(datagram: WireDatagram): void;
  /** Time passes without packets (live capture): expire pending lookups as a message at `nowMs` would. */
  advanceClock(nowMs: number): void;
  /** End of input: give up on every pending lookup (writing what the format writes for them). */
  flush(): void;
  /** Queries and responses waiting for their partner (for tests and metrics). */
  readonly pendingCount: number;
}

/** The stage for `options.format`, counting into `counters` and writing into `output`. */
export function newLookupStage(
  options: LookupStageOptions,
  counters: Counters,
  output: RecordBuffer,
  onFull: () => void,
): LookupStage {
  const maxRecords = options.maxRecords ?? Infinity;
  const writer = options.format === "transaction"
    ? new TransactionWriter(counters, output, options.sensor, maxRecords)
    : new GopassivednsWriter(counters, output, options.level, maxRecords);
  return new WirePairing(options.correlator, counters, writer, () => {
    if (output.used >= OUTPUT_BATCH_BYTES) onFull();
  });
}
