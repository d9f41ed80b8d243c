/**
 * The transaction format's lookups, packed for the lookup workers (`-numprocs` 2 or more): as for the default format
 * (src/parallel/lookup_entry.ts), the one pairing engine runs on the decoding thread and the worker writes the
 * records. The writer walks every message whole (src/record/transaction_leg.ts: sections, EDNS, anomalies), which is
 * most of the format's cost, so the two threads share that walk: every other response is walked here and travels as
 * its parts (the sections' JSON, the EDNS object, the anomalies); the others, and every query, travel as the message
 * and are walked by the worker ({@linkcode mainWalksOneIn}). Measured on the 1M-pair capture (README, "Threads"),
 * in CPU seconds of this thread and the worker: 0.6 and 3.2 with the worker running the whole post-decode stage, 1.3
 * and 2.4 with the pairing here, 2.4 and 1.8 with every response walked here, 2.1 and 2.1 with two of three (session
 * 7), 1.8 and 1.8 with one of two (session 11).
 *
 * A message travels as where it is (`u32 chunk, u32 offset`) when it lies in a capture chunk shared with the worker
 * (src/capture/_chunk_reader.ts ChunkPool: the message being handled, read from a file), else as its bytes (a held
 * leg's copy, a TCP stream's, a reassembled datagram's). The worker reads its header and first question at the places
 * this thread's scan found when the question section has the usual shape (one question, its name without a
 * compression pointer: `plainQuestion`, as the default format's entries), else scans it again (the bytes passed that
 * scan once: same result). Measured on the 1M-pair capture (8 alternating runs, two threads): the worker's CPU 1.52
 * against 1.56 s, 1.85 against 1.88 s wall. A message no record carries (a retransmitted query, a duplicate response)
 * is walked here for its anomalies and not sent.
 *
 * Entry (little-endian, no alignment, in the stream of src/parallel/lookup_batch.ts): `u8 3, u8 bits (1 TCP, 2 query, 4
 * response, 8 the two first questions are the same bytes), u8 reason, u16 clientPort, u16 serverPort, u16 id, u32
 * retransmits, u32 duplicateResponses, 16 client, 16 server`, then each leg present, query first: `u8 bits (1 read in
 * place, 2 walked), f64 tsSec, u32 tsNsec, u32 wireLen, u32 interfaceId, u16 vlanCount, u8 tunnelCount, u32 length, u8
 * plainQuestion` (for a message, src/dns/wire_scan.ts `plainQuestionLength`, else 0), the VLAN ids (u16 each), the
 * tunnels (`BatchWriter.putTunnel`), then either the message, or, walked, `u8 hasQuestion, u16 type, u16 class, u16
 * flags, u8 edns (1 has EDNS, 2 with options), u32 ednsTtl, u16 ednsUdpSize, u8 extendedRcode, u8 anomalyCount, u32
 * questionEnd, u32 sectionsEnd, u32 partsLength`, the anomalies (u8 each, their index in `DNS_ANOMALIES`) and the parts
 * (`TransactionLeg.out`), from the next multiple of 8 in the batch (`partsAt`).
 *
 * @module
 */

import { HELD_WHOLE_SLOT_BYTES } from "../correlate/held_legs.ts";
import { type LegView, Lookup, type LookupReason, type LookupWriter } from "../correlate/lookup.ts";
import { addressWords } from "../correlate/lookup_key.ts";
import { NO_TUNNELS, type Tunnel } from "../decode/tunnels.ts";
import { NO_VLANS } from "../decode/wire_datagram.ts";
import { DNS_ANOMALIES } from "../dns/anomalies.ts";
import { MessageReader } from "../dns/_reader.ts";
import { plainQuestionLength, readPlainQuestion, scanQuestion, type WireQuestion } from "../dns/wire_scan.ts";
import type { Counters } from "../metrics/counters.ts";
import { TransactionLeg } from "../record/transaction_leg.ts";
import {
  type BatchWriter,
  CHUNK_REFERENCE,
  LOOKUP,
  putAddresses,
  readAddresses,
  readTunnel,
  TUNNEL_BYTES,
} from "./lookup_batch.ts";
import type { LookupEntries } from "./lookup_entry.ts";

const HEAD = 49;
const LEG_HEAD = 29;
const WALKED_HEAD = 30;
const PARTS_ALIGNMENT = 8;
const TCP = 1;
const QUERY = 2;
const RESPONSE = 4;
/** The two first questions are the same bytes (`Lookup.questionsIdentical`). */
const SAME_QUESTION = 8;
const IN_CHUNK = 1;
const WALKED = 2;
const HAS_EDNS = 1;
const EDNS_OPTIONS = 2;
/**
 * Responses up to this size may be walked here. A walk's parts can be many times the message (names expanded from
 * compression pointers: 11 000 amplifying 64 KB responses took the default run to 1.9 GB when their parts, up to
 * `-max_records` RRs per section, were sent), so a larger one is sent as its message, which a batch always holds. At
 * this size the parts stay under about 40 KiB (at most 112 RRs of 11 bytes, each name at most 255 characters).
 */
const WALK_HERE_MAX_BYTES = 1232;
/**
 * One response in this many (of those up to {@linkcode WALK_HERE_MAX_BYTES}) is walked here, the others by the
 * `workers` lookup workers: one in n + 1, so that every thread walks about as many. With one worker, every other one,
 * so that the two threads carry about the same CPU. Session 11, alternating runs on the 1M-pair
 * capture (wall time, this thread's and the worker's CPU, medians of 8): one in 2, 2.17 s, 1.80 and 1.84 s; one in 3,
 * 2.23 s, 1.96 and 1.76 s; one in 6, 2.38 s, 2.14 and 1.68 s. Earlier that session, in a slower phase of the machine
 * (every run about 15 % longer), the order was the other way (one in 3, 2.68 s; one in 6, 2.53 s; the main thread
 * then waited 0.4 s for the worker at one in 3): which thread falls behind depends on the host's load, and an even
 * split of the CPU is the best guess for both.
 */
export function mainWalksOneIn(workers: number): number {
  return Math.max(1, workers) + 1;
}
const REASONS: readonly LookupReason[] = ["paired", "expired", "evicted", "end_of_input", "replaced"];

/**
 * The transaction format's writer on the decoding thread: every lookup is packed, and one response in
 * {@linkcode mainWalksOneIn} walked here first.
 */
export class RemoteTransactionWriter implements LookupWriter {
  readonly holdsWholeQuery = true;
  readonly writesUnpaired = true;
  readonly slotBytes = HELD_WHOLE_SLOT_BYTES;
  /** The response's parts (and a dropped message's, for its anomalies). */
  readonly #walked: TransactionLeg;
  /** Responses of at most WALK_HERE_MAX_BYTES packed so far. */
  #responses = 0;
  /** One of them in this many is walked here ({@linkcode mainWalksOneIn}). */
  readonly #walkHereOneIn: number;

  /** `workers`: the lookup workers sharing the walks with this thread. */
  constructor(readonly counters: Counters, readonly batch: BatchWriter, maxRecords: number = Infinity, workers = 1) {
    this.#walked = new TransactionLeg(maxRecords);
    this.#walkHereOneIn = mainWalksOneIn(workers);
  }

  arrived(): void {}

  responseUnpaired(): void {}

  /** Walked here for its anomalies, as the writer would (`dns_anomalies`, per message). */
  dropped(r: MessageReader, q: WireQuestion): void {
    this.#walk(r, q);
  }

  #walk(r: MessageReader, q: WireQuestion): TransactionLeg {
    const walked = this.#walked;
    walked.render(r, q);
    if (walked.anomalies.count > 0) this.counters.dns_anomalies++;
    return walked;
  }

  /** Packs the lookup; its records are counted by the worker that writes them. */
  write(l: Lookup): number {
    const query = l.query;
    const response = l.response;
    const batch = this.batch;
    // Only the message being handled may lie in a chunk: a held leg is a copy.
    const queryChunk = query.present && query.current ? batch.chunkOf(query.reader!.bytes) : -1;
    const walkHere = response.present && response.reader!.end - response.reader!.base <= WALK_HERE_MAX_BYTES &&
      ++this.#responses % this.#walkHereOneIn === 1;
    const responseChunk = response.present && !walkHere && response.current
      ? batch.chunkOf(response.reader!.bytes)
      : -1;
    const walked = walkHere ? this.#walk(response.reader!, response.question) : null;
    batch.reserve(
      HEAD + legBytes(query, queryChunk) +
        (walked === null ? legBytes(response, responseChunk) : walkedBytes(response, walked)),
    );
    const view = batch.view;
    const bytes = batch.bytes;
    let at = batch.used;
    bytes[at] = LOOKUP;
    bytes[at + 1] = (l.transport === "tcp" ? TCP : 0) | (query.present ? QUERY : 0) |
      (response.present ? RESPONSE : 0) |
      (l.questionsIdentical ? SAME_QUESTION : 0);
    bytes[at + 2] = REASONS.indexOf(l.reason);
    view.setUint16(at + 3, l.clientPort, true);
    view.setUint16(at + 5, l.serverPort, true);
    view.setUint16(at + 7, l.id, true);
    view.setUint32(at + 9, l.retransmits, true);
    view.setUint32(at + 13, l.duplicateResponses, true);
    putAddresses(bytes, at + 17, l.client, l.server);
    at += HEAD;
    if (query.present) {
      at = this.#legHead(at, query, queryChunk < 0 ? 0 : IN_CHUNK);
      const r = query.reader!;
      at = batch.putMessage(at, r.bytes, r.base, r.end, queryChunk);
    }
    if (walked !== null) at = this.#walkedLeg(this.#legHead(at, response, WALKED), response.question, walked);
    else if (response.present) {
      at = this.#legHead(at, response, responseChunk < 0 ? 0 : IN_CHUNK);
      const r = response.reader!;
      at = batch.putMessage(at, r.bytes, r.base, r.end, responseChunk);
    }
    batch.used = at;
    return 0;
  }

  /** The leg's head, VLANs and tunnels; returns where its message or parts go. */
  #legHead(at: number, leg: LegView, bits: number): number {
    const batch = this.batch;
    const view = batch.view;
    const r = leg.reader!;
    const vlans = leg.vlans;
    const tunnels = leg.tunnels;
    batch.bytes[at] = bits;
    view.setFloat64(at + 1, leg.tsSec, true);
    view.setUint32(at + 9, leg.tsNsec, true);
    view.setUint32(at + 13, leg.wireLen, true);
    view.setUint32(at + 17, leg.interfaceId, true);
    view.setUint16(at + 21, vlans.length, true);
    view.setUint8(at + 23, tunnels.length);
    view.setUint32(at + 24, r.end - r.base, true);
    // The worker reads a message's question at known places when it has the usual shape, instead of scanning it again.
    batch.bytes[at + 28] = bits === WALKED ? 0 : plainQuestionLength(leg.question, r);
    at += LEG_HEAD;
    for (let i = 0; i < vlans.length; i++, at += 2) view.setUint16(at, vlans[i], true);
    for (let i = 0; i < tunnels.length; i++) at = batch.putTunnel(tunnels[i], at);
    return at;
  }

  /** What the writer reads of a walked leg: its question's fields, the walk's results, and its parts. */
  #walkedLeg(at: number, q: WireQuestion, walked: TransactionLeg): number {
    const batch = this.batch;
    const view = batch.view;
    const bytes = batch.bytes;
    const anomalies = walked.anomalies;
    const partsLength = walked.ednsEnd;
    bytes[at] = q.hasQuestion ? 1 : 0;
    view.setUint16(at + 1, q.type, true);
    view.setUint16(at + 3, q.class, true);
    view.setUint16(at + 5, q.flags, true);
    bytes[at + 7] = (walked.hasEdns ? HAS_EDNS : 0) | (walked.ednsOptions ? EDNS_OPTIONS : 0);
    view.setUint32(at + 8, walked.ednsTtl, true);
    view.setUint16(at + 12, walked.ednsUdpSize, true);
    bytes[at + 14] = walked.extendedRcode;
    bytes[at + 15] = anomalies.count;
    view.setUint32(at + 16, walked.questionEnd, true);
    view.setUint32(at + 20, walked.sectionsEnd, true);
    view.setUint32(at + 24, partsLength, true);
    at += WALKED_HEAD;
    for (let i = 0; i < anomalies.count; i++) bytes[at++] = DNS_ANOMALIES.indexOf(anomalies.at(i));
    at = partsAt(at);
    bytes.set(walked.out.bytes.subarray(0, partsLength), at);
    return at + partsLength;
  }
}

/** The most a leg's head, VLANs and tunnels take in an entry. */
function headBytes(leg: LegView): number {
  return LEG_HEAD + leg.vlans.length * 2 + leg.tunnels.length * TUNNEL_BYTES;
}

/** The most a leg sent as its message takes in an entry. */
function legBytes(leg: LegView, chunk: number): number {
  if (!leg.present) return 0;
  const r = leg.reader!;
  return headBytes(leg) + (chunk < 0 ? r.end - r.base : CHUNK_REFERENCE);
}

/** The most a walked leg takes in an entry. */
function walkedBytes(leg: LegView, walked: TransactionLeg): number {
  return headBytes(leg) + WALKED_HEAD + walked.anomalies.count + PARTS_ALIGNMENT - 1 + walked.ednsEnd;
}

/**
 * Where a walked leg's parts start: the first multiple of {@linkcode PARTS_ALIGNMENT} from `at`. The batch is shared
 * memory, and V8 copies into or out of shared memory word by word only between addresses of the same alignment (else
 * byte by byte, about a fifth of a nanosecond per byte: measured 58 ns against 14 ns for a 250-byte `set`); the parts
 * are written from the start of their own buffer, so aligned they are copied word by word.
 */
function partsAt(at: number): number {
  return (at + PARTS_ALIGNMENT - 1) & -PARTS_ALIGNMENT;
}

/**
 * Unpacks transaction entries into one reused Lookup, whose legs point into the batch or a chunk, and the walked
 * response's parts into `walkedResponse` (all read only during the call).
 */
export class TransactionUnpacker implements LookupEntries {
  readonly lookup = new Lookup();
  /** The response's parts, when the entry's response was walked on the decoding thread, else null. */
  walkedResponse: TransactionLeg | null = null;
  readonly #walked = new TransactionLeg();
  readonly #client = addressWords(this.lookup.client);
  readonly #server = addressWords(this.lookup.server);

  /** `chunks`: the capture chunks entries name by index (a live array: chunks are added as the capture goes on). */
  constructor(readonly chunks: readonly Uint8Array[]) {
    const l = this.lookup;
    l.query.reader = new MessageReader();
    l.response.reader = new MessageReader();
    // The writer walks the two legs into two buffers, told apart by `current`.
    l.response.current = true;
  }

  read(bytes: Uint8Array, view: DataView, at: number): number {
    const l = this.lookup;
    const bits = bytes[at + 1];
    l.transport = (bits & TCP) !== 0 ? "tcp" : "udp";
    l.query.present = (bits & QUERY) !== 0;
    l.response.present = (bits & RESPONSE) !== 0;
    l.questionsIdentical = (bits & SAME_QUESTION) !== 0;
    l.status = !l.query.present ? "orphan_response" : l.response.present ? "answered" : "unanswered";
    l.reason = REASONS[bytes[at + 2]];
    l.clientPort = view.getUint16(at + 3, true);
    l.serverPort = view.getUint16(at + 5, true);
    l.id = view.getUint16(at + 7, true);
    l.retransmits = view.getUint32(at + 9, true);
    l.duplicateResponses = view.getUint32(at + 13, true);
    readAddresses(view, at + 17, this.#client, this.#server);
    at += HEAD;
    this.walkedResponse = null;
    if (l.query.present) at = this.#leg(bytes, view, at, l.query);
    if (l.response.present) at = this.#leg(bytes, view, at, l.response);
    return at;
  }

  #leg(bytes: Uint8Array, view: DataView, at: number, leg: LegView): number {
    const bits = bytes[at];
    leg.tsSec = view.getFloat64(at + 1, true);
    leg.tsNsec = view.getUint32(at + 9, true);
    leg.wireLen = view.getUint32(at + 13, true);
    leg.interfaceId = view.getUint32(at + 17, true);
    const vlanCount = view.getUint16(at + 21, true);
    const tunnelCount = bytes[at + 23];
    const length = view.getUint32(at + 24, true);
    const plain = bytes[at + 28];
    at += LEG_HEAD;
    if (vlanCount === 0) leg.vlans = NO_VLANS;
    else {
      leg.vlans = [];
      for (let i = 0; i < vlanCount; i++, at += 2) leg.vlans.push(view.getUint16(at, true));
    }
    if (tunnelCount === 0) leg.tunnels = NO_TUNNELS;
    else {
      const tunnels: Tunnel[] = [];
      for (let i = 0; i < tunnelCount; i++) at = readTunnel(bytes, view, at, tunnels);
      leg.tunnels = tunnels;
    }
    if ((bits & WALKED) !== 0) return this.#walkedLeg(bytes, view, at, leg, length);
    const r = leg.reader!;
    if ((bits & IN_CHUNK) !== 0) {
      const offset = view.getUint32(at + 4, true);
      r.resetRange(this.chunks[view.getUint32(at, true)], offset, offset + length);
      at += CHUNK_REFERENCE;
    } else {
      r.resetRange(bytes, at, at + length);
      at += length;
    }
    // It passed this scan on the decoding thread: it cannot throw.
    if (plain > 0) readPlainQuestion(r, leg.question, plain);
    else scanQuestion(r, leg.question);
    return at;
  }

  /** A walked leg: its question's fields into `leg.question`, its parts into `walkedResponse` (read in `bytes`). */
  #walkedLeg(bytes: Uint8Array, view: DataView, at: number, leg: LegView, length: number): number {
    const q = leg.question;
    q.hasQuestion = bytes[at] === 1;
    q.type = view.getUint16(at + 1, true);
    q.class = view.getUint16(at + 3, true);
    q.flags = view.getUint16(at + 5, true);
    const walked = this.#walked;
    walked.size = length;
    walked.flags = q.flags;
    walked.hasEdns = (bytes[at + 7] & HAS_EDNS) !== 0;
    walked.ednsOptions = (bytes[at + 7] & EDNS_OPTIONS) !== 0;
    walked.ednsTtl = view.getUint32(at + 8, true);
    walked.ednsUdpSize = view.getUint16(at + 12, true);
    walked.extendedRcode = bytes[at + 14];
    const anomalyCount = bytes[at + 15];
    const questionEnd = view.getUint32(at + 16, true);
    const sectionsEnd = view.getUint32(at + 20, true);
    const partsLength = view.getUint32(at + 24, true);
    at += WALKED_HEAD;
    const anomalies = walked.anomalies;
    anomalies.clear();
    for (let i = 0; i < anomalyCount; i++) anomalies.add(DNS_ANOMALIES[bytes[at++]]);
    at = partsAt(at);
    // The parts are read in place: the writer reads `out.bytes` (through `out.view` too) between these offsets, and
    // sizes by `out.used`.
    walked.out.bytes = bytes;
    walked.out.view = view;
    walked.out.used = partsLength;
    walked.questionStart = at;
    walked.questionEnd = walked.sectionsStart = at + questionEnd;
    walked.sectionsEnd = walked.ednsStart = at + sectionsEnd;
    walked.ednsEnd = at + partsLength;
    this.walkedResponse = walked;
    return at + partsLength;
  }
}
