/**
 * The default format's lookups, packed for the lookup workers (`-numprocs` 2 or more): the pairing engine runs on the
 * decoding thread, and the worker only writes records. Measured on the 1M-pair capture, the worker running the whole
 * post-decode stage took 1.4 s of CPU against the decoding thread's 1.1 s; moving the question scan and pairing over
 * evens them, and the batches shrink, as queries are no longer sent at all (the default format writes only answered
 * lookups, from the query's first question and the whole response).
 *
 * Entry (little-endian, no alignment, in the stream of src/parallel/lookup_batch.ts): `u8 3, u8 bits (1 TCP, 2 the
 * query has a question, 4 the response is the message being handled, 8 the response is read in place, 16 the query's RD
 * bit, 32 the query's first question is the response's, byte for byte, 64 both addresses are IPv4, 128 both legs'
 * seconds fit 32 bits), u16 clientPort, u32 response wireLen, u32 responseLength, u8 plainQuestion`
 * (src/dns/wire_scan.ts `plainQuestionLength`); the times (with bit 128 `u32 query tsSec, u32 query tsNsec, u32
 * response tsSec, u32 response tsNsec`, else the same with each tsSec an f64); the addresses (with bit 64 the client's
 * and the server's 4 bytes, else their 16-byte forms); then, unless bit 32 is set, `u16 query type, u16 nameLength` and
 * the query's first name (expanded wire form); then the response: where it is (`u32 chunk, u32 offset`) when it lies in
 * a capture chunk shared with the worker (src/capture/_chunk_reader.ts ChunkPool, the common case: a UDP response read
 * from a file), else its bytes (a TCP stream's, a reassembled datagram's, a held one's). Measured on the 1M-pair
 * capture, copying the responses took a quarter of a second on the decoding thread. The usual entry (IPv4, a response
 * in place) is 45 bytes, against 77 with the 16-byte forms and f64 seconds always written: every byte the decoding
 * thread writes is a cache line the worker's core then fetches. Measured on the 1M-pair capture (10 alternating runs),
 * the two threads' CPU moved by about 1 %, within the noise: kept for the smaller batches, not for a measured gain.
 *
 * The entry leaves out what the worker can read itself: the response's header and question are read there, and the
 * query's name, in nearly every lookup the same bytes as the response's question (the engine compares them anyway to
 * pair), is read there too. Measured on the 1M-pair capture (medians of 12 alternating runs): the decoding thread's
 * CPU went from 1.15 to 1.08 s, the worker's stayed at 0.96 s. One byte spares the worker the question's scan in the
 * usual case (one question, its name without a compression pointer): the name's length, from which every position
 * follows; any other question is scanned again there (same bytes, same result). Measured in session 11 (16
 * alternating runs): the worker's CPU about 1 % lower.
 *
 * @module
 */

import { HELD_SLOT_BYTES } from "../correlate/held_legs.ts";
import { isIpv4Mapped } from "../decode/ip_text.ts";
import { addressWords, LITTLE_ENDIAN } from "../correlate/lookup_key.ts";
import { Lookup, type LookupWriter } from "../correlate/lookup.ts";
import { MessageReader } from "../dns/_reader.ts";
import { plainQuestionLength, readPlainQuestion, scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import type { LookupStageOptions } from "../lookup_stage.ts";
import type { Counters } from "../metrics/counters.ts";
import { GopassivednsWriter } from "../record/gopassivedns_writer.ts";
import { RecordBuffer } from "../record/record_buffer.ts";
import { BatchReader, type BatchWriter, CHUNK_REFERENCE, LOOKUP, putAddresses, readAddresses } from "./lookup_batch.ts";

/** The fixed part of an entry; the query's question (unless in the response) and the response follow. */
const HEAD = 13;
/** The two legs' times: `u32 tsSec, u32 tsNsec` each when the seconds are a uint32 (bit 128), else `f64, u32`. */
const SHORT_TIMES_BYTES = 16;
const TIMES_BYTES = 24;
/** Client and server: four bytes each when both are IPv4 (bit 64), else their 16-byte forms. */
const IPV4_BYTES = 8;
const IPV6_BYTES = 32;
/** Bytes 8-11 of an IPv4-mapped address (`0 0 ff ff`) as a word in the platform's byte order. */
const IPV4_MAPPED_WORD = new Int32Array(new Uint8Array([0, 0, 0xff, 0xff]).buffer)[0];
/** `u16 type, u16 nameLength` before the query's name. */
const QUESTION_HEAD = 4;
const TCP = 1;
const HAS_QUESTION = 2;
const CURRENT = 4;
const IN_CHUNK = 8;
const QUERY_RD = 16;
const QUESTION_IN_RESPONSE = 32;
const IPV4 = 64;
const SHORT_TIMES = 128;
const RD_BIT = 0x0100; // RFC 1035 §4.1.1

/**
 * The default format's writer on the decoding thread: answered lookups are packed for the worker; a response not
 * paired as it arrives has its answers checked here (`dns_anomalies`), as the worker never sees it.
 */
export class RemoteGopassivednsWriter implements LookupWriter {
  readonly holdsWholeQuery = false;
  readonly writesUnpaired = false;
  readonly slotBytes = HELD_SLOT_BYTES;
  /** Checks unpaired responses only: it writes nothing, so its output stays empty. */
  readonly #checker: GopassivednsWriter;
  constructor(counters: Counters, readonly batch: BatchWriter, level: string, maxRecords: number = Infinity) {
    this.#checker = new GopassivednsWriter(counters, new RecordBuffer(0), level, maxRecords);
  }

  arrived(): void {}

  dropped(): void {}

  responseUnpaired(r: MessageReader, q: WireQuestion): void {
    this.#checker.responseUnpaired(r, q);
  }

  /** Packs the lookup; its records are counted by the worker that writes them. */
  write(l: Lookup): number {
    if (l.status !== "answered") return 0;
    const q = l.query.question;
    const query = l.query;
    const response = l.response;
    const r = response.reader!;
    const inResponse = l.questionsIdentical;
    const nameLength = q.hasQuestion ? q.nameLength : 0;
    const length = r.end - r.base;
    const batch = this.batch;
    const chunk = batch.chunkOf(r.bytes);
    const client = l.client;
    const server = l.server;
    const ipv4 = isIpv4Mapped(client, 0) && isIpv4Mapped(server, 0);
    const shortTimes = query.tsSec >>> 0 === query.tsSec && response.tsSec >>> 0 === response.tsSec;
    batch.reserve(
      HEAD + (shortTimes ? SHORT_TIMES_BYTES : TIMES_BYTES) + (ipv4 ? IPV4_BYTES : IPV6_BYTES) +
        (inResponse ? 0 : QUESTION_HEAD + nameLength) + (chunk < 0 ? length : CHUNK_REFERENCE),
    );
    const view = batch.view;
    const bytes = batch.bytes;
    let at = batch.used;
    bytes[at] = LOOKUP;
    bytes[at + 1] = (l.transport === "tcp" ? TCP : 0) | (q.hasQuestion ? HAS_QUESTION : 0) |
      (response.current ? CURRENT : 0) | (chunk < 0 ? 0 : IN_CHUNK) | ((q.flags & RD_BIT) !== 0 ? QUERY_RD : 0) |
      (inResponse ? QUESTION_IN_RESPONSE : 0) | (ipv4 ? IPV4 : 0) | (shortTimes ? SHORT_TIMES : 0);
    view.setUint16(at + 2, l.clientPort, true);
    view.setUint32(at + 4, response.wireLen, true);
    view.setUint32(at + 8, length, true);
    bytes[at + 12] = plainQuestionLength(response.question, r);
    at += HEAD;
    if (shortTimes) {
      view.setUint32(at, query.tsSec, true);
      view.setUint32(at + 4, query.tsNsec, true);
      view.setUint32(at + 8, response.tsSec, true);
      view.setUint32(at + 12, response.tsNsec, true);
      at += SHORT_TIMES_BYTES;
    } else {
      view.setFloat64(at, query.tsSec, true);
      view.setUint32(at + 8, query.tsNsec, true);
      view.setFloat64(at + 12, response.tsSec, true);
      view.setUint32(at + 20, response.tsNsec, true);
      at += TIMES_BYTES;
    }
    if (ipv4) {
      for (let i = 0; i < 4; i++) bytes[at + i] = client[12 + i];
      for (let i = 0; i < 4; i++) bytes[at + 4 + i] = server[12 + i];
      at += IPV4_BYTES;
    } else {
      putAddresses(bytes, at, client, server);
      at += IPV6_BYTES;
    }
    if (!inResponse) {
      view.setUint16(at, q.type, true);
      view.setUint16(at + 2, nameLength, true);
      at += QUESTION_HEAD;
      const name = q.name;
      for (let i = q.nameStart, end = q.nameStart + nameLength; i < end; i++) bytes[at++] = name[i];
    }
    batch.used = batch.putMessage(at, r.bytes, r.base, r.end, chunk);
    return 0;
  }
}

/** The words of the 16-byte form of the IPv4 address `address` (a word in the platform's byte order). */
function setMappedIpv4(words: Int32Array, address: number): void {
  words[0] = 0;
  words[1] = 0;
  words[2] = IPV4_MAPPED_WORD;
  words[3] = address;
}

/** A format's entries unpacked, one at a time, into one reused Lookup (its legs borrowed: read during the call). */
export interface LookupEntries {
  readonly lookup: Lookup;
  /** The entry at `at` of `bytes`; returns where the next entry starts. */
  read(bytes: Uint8Array, view: DataView, at: number): number;
}

/** Unpacks lookup entries into one reused Lookup, whose legs point into the batch (read only during the call). */
export class LookupUnpacker implements LookupEntries {
  readonly lookup = new Lookup();
  readonly #query = new WireQuestion();
  readonly #response = new WireQuestion();
  readonly #reader = new MessageReader();
  /** The lookup's address arrays as words: 4 word copies instead of 16 bytes each. */
  readonly #client = addressWords(this.lookup.client);
  readonly #server = addressWords(this.lookup.server);

  /** `chunks`: the capture chunks entries name by index (a live array: chunks are added as the capture goes on). */
  constructor(readonly chunks: readonly Uint8Array[]) {
    const l = this.lookup;
    l.status = "answered";
    l.reason = "paired";
    l.query.present = true;
    l.query.question = this.#query;
    l.response.present = true;
    l.response.question = this.#response;
    l.response.reader = this.#reader;
  }

  /** The entry at `at` of `bytes` into `lookup`; returns where the next entry starts. */
  read(bytes: Uint8Array, view: DataView, at: number): number {
    const l = this.lookup;
    const bits = bytes[at + 1];
    const q = this.#query;
    q.flags = (bits & QUERY_RD) !== 0 ? RD_BIT : 0;
    q.hasQuestion = (bits & HAS_QUESTION) !== 0;
    l.transport = (bits & TCP) !== 0 ? "tcp" : "udp";
    l.response.current = (bits & CURRENT) !== 0;
    l.clientPort = view.getUint16(at + 2, true);
    l.response.wireLen = view.getUint32(at + 4, true);
    const length = view.getUint32(at + 8, true);
    const plain = bytes[at + 12];
    at += HEAD;
    if ((bits & SHORT_TIMES) !== 0) {
      l.query.tsSec = view.getUint32(at, true);
      l.query.tsNsec = view.getUint32(at + 4, true);
      l.response.tsSec = view.getUint32(at + 8, true);
      l.response.tsNsec = view.getUint32(at + 12, true);
      at += SHORT_TIMES_BYTES;
    } else {
      l.query.tsSec = view.getFloat64(at, true);
      l.query.tsNsec = view.getUint32(at + 8, true);
      l.response.tsSec = view.getFloat64(at + 12, true);
      l.response.tsNsec = view.getUint32(at + 20, true);
      at += TIMES_BYTES;
    }
    if ((bits & IPV4) !== 0) {
      setMappedIpv4(this.#client, view.getInt32(at, LITTLE_ENDIAN));
      setMappedIpv4(this.#server, view.getInt32(at + 4, LITTLE_ENDIAN));
      at += IPV4_BYTES;
    } else {
      readAddresses(view, at, this.#client, this.#server);
      at += IPV6_BYTES;
    }
    const inResponse = (bits & QUESTION_IN_RESPONSE) !== 0;
    if (!inResponse) {
      q.type = view.getUint16(at, true);
      const nameLength = view.getUint16(at + 2, true);
      at += QUESTION_HEAD;
      q.name = bytes;
      q.nameStart = at;
      q.nameLength = nameLength;
      at += nameLength;
    }
    if ((bits & IN_CHUNK) !== 0) {
      const offset = view.getUint32(at + 4, true);
      this.#reader.resetRange(this.chunks[view.getUint32(at, true)], offset, offset + length);
      at += CHUNK_REFERENCE;
    } else {
      this.#reader.resetRange(bytes, at, at + length);
      at += length;
    }
    const rq = this.#response;
    // It scanned on the decoding thread: the same bytes give the same result here, read at known places when the
    // question is plain.
    if (plain === 0) scanQuestion(this.#reader, rq);
    else readPlainQuestion(this.#reader, rq, plain);
    if (inResponse) {
      q.name = rq.name;
      q.nameStart = rq.nameStart;
      q.nameLength = rq.nameLength;
      q.type = rq.type;
    }
    return at;
  }
}

/**
 * Reads a batch of entries (unpacked by `unpacker`) onto `write` (the worker's record writer, or this thread's when
 * the input ended before a worker was started), counting its records; `afterWrite` runs after each lookup,
 * `beforeEach` before (the test hook).
 */
export function lookupReplay(
  write: (lookup: Lookup) => number,
  counters: Counters,
  unpacker: LookupEntries,
  afterWrite: () => void,
  beforeEach: () => void = () => {},
): BatchReader {
  const l = unpacker.lookup;
  return new BatchReader((bytes, view, at) => {
    beforeEach();
    at = unpacker.read(bytes, view, at);
    counters.records += write(l);
    afterWrite();
    return at;
  });
}

/**
 * The reader of a batch of the format's entries onto its real writer, into `output` (the worker's, or this thread's
 * when the input ended before a worker was started), as {@linkcode lookupReplay}. The transaction format's modules are
 * imported for it only: the default format's worker loads just its own writer (measured: ~0.8 MB less RSS).
 */
export async function formatReplay(
  options: LookupStageOptions,
  counters: Counters,
  output: RecordBuffer,
  chunks: readonly Uint8Array[],
  afterWrite: () => void,
  beforeEach: () => void = () => {},
): Promise<BatchReader> {
  const maxRecords = options.maxRecords ?? Infinity;
  if (options.format === "transaction") {
    const [{ TransactionWriter }, { TransactionUnpacker }] = await Promise.all([
      import("../record/transaction_writer.ts"),
      import("./transaction_entry.ts"),
    ]);
    const writer = new TransactionWriter(counters, output, options.sensor, maxRecords);
    const unpacker = new TransactionUnpacker(chunks);
    const write = (l: Lookup) => writer.writeWalked(l, null, unpacker.walkedResponse);
    return lookupReplay(write, counters, unpacker, afterWrite, beforeEach);
  }
  const writer = new GopassivednsWriter(counters, output, options.level, maxRecords);
  return lookupReplay((l) => writer.write(l), counters, new LookupUnpacker(chunks), afterWrite, beforeEach);
}
