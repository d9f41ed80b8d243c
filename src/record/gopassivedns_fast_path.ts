/**
 * The default output format (`-format gopassivedns`) end to end from the wire: scan, pair, write, with no
 * `DnsMessage`, no `Transaction` and no text built per message.
 *
 * - Every message is scanned to the end of its question section (src/dns/wire_scan.ts), with the general decoder's
 *   rules and DecodeError codes.
 * - Pairing follows the general correlator (src/correlate/correlator.ts) rule for rule and counter for counter: the
 *   same key (built from address bytes), several lookups in flight under one key told apart by the same question
 *   check (ASCII case folded on the wire name), the same retransmit, duplicate, eviction (by count and by bytes) and
 *   packet-time expiry handling. A held query keeps only what its records need, in arrays indexed by its table slot
 *   (the first question's type and class, RD, time) and its wire name in a HeldBytes buffer; a held response (its
 *   query not seen yet: rare) keeps its message in that buffer.
 * - A response's answer section is walked once (src/record/gopassivedns_answers.ts), with the general decoder's
 *   anomaly rules (`dns_anomalies`); when it pairs, that walk writes the records straight into the output buffer.
 * - Records are written as bytes (src/record/gopassivedns_record.ts): the head and tail a response's records share
 *   are written once, from a reused RecordContext, and repeated from the output for its further records.
 *
 * Lifetime: the datagram and its message are read only during `handle`; whatever outlives it is copied. The scanned
 * question's name usually aliases the message (src/dns/wire_scan.ts): a held query copies it into the HeldBytes
 * buffer, whose ranges are valid until its next `put` (so a held name or message is read before anything is held).
 *
 * @module
 */

import { type CorrelatorOptions, MAX_PER_KEY } from "../correlate/correlator.ts";
import { HeldBytes } from "../correlate/held_bytes.ts";
import { LookupKey } from "../correlate/lookup_key.ts";
import { NONE, PendingTable } from "../correlate/pending_table.ts";
import { RecentPairs } from "../correlate/recent_pairs.ts";
import { pointAtMessage, type WireDatagram } from "../decode/wire_datagram.ts";
import { DecodeError } from "../decode_error.ts";
import { MessageReader } from "../dns/_reader.ts";
import { sameScannedQuestion as sameQuestion, sameWireName, scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import { countDecodeError, type Counters } from "../metrics/counters.ts";
import { GopassivednsAnswers } from "./gopassivedns_answers.ts";
import { levelPart } from "./gopassivedns_parts.ts";
import { RecordContext } from "./gopassivedns_record.ts";
import { HELD_SLOT_BYTES, HeldLegs } from "./held_legs.ts";
import type { RecordBuffer } from "./record_buffer.ts";

const QR_BIT = 0x8000; // RFC 1035 §4.1.1
const RD_BIT = 0x0100; // RFC 1035 §4.1.1

const NO_ADDRESS = new Uint8Array(16);

/** Initial slot storage; grows with the pending table. */
const INITIAL_SLOTS = 4096;

/**
 * The gopassivedns record: 19 keys in the original's order and JSON types (README, "Records"). One record per
 * answer RR of a NOERROR response in wire order; one carrying the rcode text for any other rcode; none for NOERROR
 * without answers, unanswered queries and responses whose query was never seen.
 */
export class GopassivednsFastPath {
  readonly #pending: PendingTable<undefined>;
  readonly #recent: RecentPairs;
  readonly #key = new LookupKey();
  readonly #reader = new MessageReader();
  readonly #question = new WireQuestion();
  /** The held response's question, re-scanned from its copy when a query or another response meets it. */
  readonly #heldQuestion = new WireQuestion();
  readonly #heldReader = new MessageReader();
  /** The datagram's 16-byte addresses, borrowed from the decoder for one `handle` call (read-only, not kept). */
  #src: Uint8Array = NO_ADDRESS;
  #dst: Uint8Array = NO_ADDRESS;
  /** The response being written: what its records share. */
  readonly #context = new RecordContext();
  #nextSweepMs = -1;
  /** Writes (or checks) a response's answers, described by `#context`. */
  readonly #answers: GopassivednsAnswers;

  /** Per pending slot: the held leg (a query, or a response whose query has not been seen). */
  readonly #held = new HeldLegs();
  /** Per pending slot: a held query's wire name, a held response's message. */
  readonly #heldBytes: HeldBytes;

  constructor(
    readonly options: CorrelatorOptions,
    readonly counters: Counters,
    readonly out: RecordBuffer,
    level: string,
    maxRecords: number = Infinity,
  ) {
    this.#pending = new PendingTable<undefined>(options.maxPending);
    this.#heldBytes = new HeldBytes(options.maxPendingBytes);
    this.#recent = new RecentPairs(options.maxRecent);
    // `","level":"…","bytes":` (closing the sport string): the `-syslog_priority` string, encoded once.
    this.#answers = new GopassivednsAnswers(out, this.#context, levelPart(level), maxRecords);
    this.#held.grow(Math.min(options.maxPending, INITIAL_SLOTS));
  }

  /** Number of pending entries (for tests and metrics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** One DNS message: scan, count, pair, and write the records of a completed lookup. */
  handle(d: WireDatagram): void {
    const r = this.#reader;
    const q = this.#question;
    pointAtMessage(d, r); // in place: no view per message
    try {
      scanQuestion(r, q);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      countDecodeError(this.counters, error.code);
      return;
    }
    const nowMs = d.tsSec * 1000 + d.tsNsec / 1e6;
    if (nowMs >= this.#nextSweepMs) this.#sweep(nowMs);
    const isResponse = (q.flags & QR_BIT) !== 0;
    // Fed by a PacketDecoder only: every datagram carries address bytes (src/decode/wire_datagram.ts).
    this.#src = d.srcAddress!;
    this.#dst = d.dstAddress!;
    const key = isResponse
      ? this.#key.set(d.transport, this.#dst, d.dstPort, this.#src, d.srcPort, q.id)
      : this.#key.set(d.transport, this.#src, d.srcPort, this.#dst, d.dstPort, q.id);
    const slot = this.#pending.find(key);
    if (isResponse) {
      this.counters.dns_responses++;
      this.#onResponse(d, slot, nowMs);
    } else {
      this.counters.dns_queries++;
      this.#onQuery(d, slot, nowMs);
    }
  }

  /** End of input: give up on every pending entry. */
  flush(): void {
    const pending = this.#pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.newer(slot)) this.#giveUp(slot);
    pending.clear();
    this.#heldBytes.clear();
    this.#recent.clear();
  }

  #onQuery(d: WireDatagram, newest: number, nowMs: number): void {
    const q = this.#question;
    const key = this.#key;
    const pending = this.#pending;
    // Several lookups may be in flight under one key, told apart by question: find the oldest held query asking the
    // same (a retransmission) and the oldest held response answering it (the response came first).
    let sameQuery = NONE;
    let sameResponse = NONE;
    let oldest = NONE;
    let held = 0;
    for (let slot = newest; slot !== NONE; slot = pending.findNext(key, slot)) {
      held++;
      oldest = slot;
      if (this.#held.isQuery[slot] === 1) {
        if (this.#sameAsHeldQuery(slot)) sameQuery = slot;
      } else {
        this.#heldResponse(slot);
        if (sameQuestion(q, this.#heldQuestion)) sameResponse = slot;
      }
    }
    if (sameQuery !== NONE) {
      this.counters.query_retransmits++;
      return;
    }
    if (sameResponse !== NONE) {
      // The response came first (capture reordering): the lookup is complete now.
      this.#heldResponse(sameResponse);
      const wireLen = this.#held.responseWireLen[sameResponse];
      const tsSec = this.#held.tsSec[sameResponse];
      const tsNsec = this.#held.tsNsec[sameResponse];
      pending.remove(sameResponse);
      this.#heldBytes.release(sameResponse); // its bytes stay readable until the next put (held_bytes.ts)
      this.#pairQuery(d, wireLen, tsSec, tsNsec, nowMs);
      return;
    }
    if (held >= MAX_PER_KEY) this.#evict(oldest);
    const added = this.#insert(nowMs, q.nameLength);
    this.#held.isQuery[added] = 1;
    this.#held.tsSec[added] = d.tsSec;
    this.#held.tsNsec[added] = d.tsNsec;
    this.#held.rd[added] = (q.flags & RD_BIT) !== 0 ? 1 : 0;
    this.#held.hasQuestion[added] = q.hasQuestion ? 1 : 0;
    this.#held.qtype[added] = q.type;
    this.#held.qclass[added] = q.class;
    this.#held.nameLength[added] = q.nameLength;
    this.#heldBytes.put(added, q.name, q.nameStart, q.nameStart + q.nameLength);
  }

  #onResponse(d: WireDatagram, newest: number, nowMs: number): void {
    const q = this.#question;
    const key = this.#key;
    const pending = this.#pending;
    // The oldest held query this answers pairs; failing that, a held response to the same question makes this one a
    // duplicate.
    let sameQuery = NONE;
    let sameResponse = NONE;
    let oldestResponse = NONE;
    let held = 0;
    for (let slot = newest; slot !== NONE; slot = pending.findNext(key, slot)) {
      held++;
      if (this.#held.isQuery[slot] === 1) {
        if (this.#sameAsHeldQuery(slot)) sameQuery = slot;
      } else {
        oldestResponse = slot;
        this.#heldResponse(slot);
        if (sameQuestion(this.#heldQuestion, q)) sameResponse = slot;
      }
    }
    if (sameQuery !== NONE) {
      this.#pairResponse(d, sameQuery, nowMs);
      return;
    }
    if (sameResponse !== NONE || this.#recent.has(key, nowMs)) {
      this.counters.response_duplicates++;
      this.#checkAnswers();
      return;
    }
    this.#checkAnswers();
    if (held >= MAX_PER_KEY) {
      // The key is full: an unmatched response makes room only at the cost of another held response, never of a
      // query in flight.
      if (oldestResponse === NONE) {
        this.counters.correlation_evicted++;
        this.counters.responses_orphan++;
        return;
      }
      this.#evict(oldestResponse);
    }
    const r = this.#reader;
    const added = this.#insert(nowMs, r.end - r.base);
    if (added === NONE) return;
    this.#held.isQuery[added] = 0;
    this.#held.tsSec[added] = d.tsSec;
    this.#held.tsNsec[added] = d.tsNsec;
    this.#held.responseWireLen[added] = d.wireLen;
    this.#heldBytes.put(added, r.bytes, r.base, r.end);
  }

  /** The held query in `slot` asks what the message being handled asks (either without a question: yes). */
  #sameAsHeldQuery(slot: number): boolean {
    const q = this.#question;
    if (this.#held.hasQuestion[slot] === 0 || !q.hasQuestion) return true;
    if (this.#held.qtype[slot] !== q.type || this.#held.qclass[slot] !== q.class) return false;
    return sameWireName(
      this.#heldBytes.bytes,
      this.#heldBytes.start(slot),
      this.#held.nameLength[slot],
      q.name,
      q.nameStart,
      q.nameLength,
    );
  }

  /** Point the held reader and question at the response held in `slot`. */
  #heldResponse(slot: number): void {
    const held = this.#heldBytes;
    const start = held.start(slot);
    this.#heldReader.resetRange(held.bytes, start, start + held.length(slot));
    scanQuestion(this.#heldReader, this.#heldQuestion); // it passed once: it cannot throw
  }

  /** A response completes the query held in `slot`. */
  #pairResponse(d: WireDatagram, slot: number, nowMs: number): void {
    const q = this.#question;
    const c = this.#context;
    const useQuery = this.#held.hasQuestion[slot] === 1;
    // The slot's name bytes are read before the slot can be reused: the pending table is not touched until then.
    c.names = useQuery ? this.#heldBytes.bytes : q.name;
    c.nameStart = useQuery ? this.#heldBytes.start(slot) : q.nameStart;
    c.nameLength = useQuery ? this.#held.nameLength[slot] : q.nameLength;
    c.qtype = useQuery ? this.#held.qtype[slot] : q.hasQuestion ? q.type : -1;
    c.rd = this.#held.rd[slot] === 1;
    c.tcp = d.transport === "tcp";
    c.client = this.#dst;
    c.clientPort = d.dstPort;
    c.server = this.#src;
    c.querySec = this.#held.tsSec[slot];
    c.queryNsec = this.#held.tsNsec[slot];
    c.responseSec = d.tsSec;
    c.responseNsec = d.tsNsec;
    c.wireLen = d.wireLen;
    this.#pair(nowMs);
    const written = this.#answers.write(this.#reader, q);
    this.#pending.remove(slot);
    this.#heldBytes.release(slot);
    this.counters.records += written;
    if (this.#answers.anomaly) this.counters.dns_anomalies++;
  }

  /** A query completes the response held (and just re-scanned into the held reader and question). */
  #pairQuery(d: WireDatagram, wireLen: number, tsSec: number, tsNsec: number, nowMs: number) {
    const q = this.#question;
    const h = this.#heldQuestion;
    const c = this.#context;
    this.#pair(nowMs);
    const useQuery = q.hasQuestion;
    c.names = useQuery ? q.name : h.name;
    c.nameStart = useQuery ? q.nameStart : h.nameStart;
    c.nameLength = useQuery ? q.nameLength : h.nameLength;
    c.qtype = useQuery ? q.type : h.hasQuestion ? h.type : -1;
    c.rd = (q.flags & RD_BIT) !== 0;
    c.tcp = d.transport === "tcp";
    c.client = this.#src;
    c.clientPort = d.srcPort;
    c.server = this.#dst;
    c.querySec = d.tsSec;
    c.queryNsec = d.tsNsec;
    c.responseSec = tsSec;
    c.responseNsec = tsNsec;
    c.wireLen = wireLen;
    this.counters.records += this.#answers.write(this.#heldReader, h);
  }

  #pair(nowMs: number): void {
    this.counters.pairs++;
    this.#recent.remember(this.#key, nowMs + this.options.duplicateWindowMs);
  }

  /** Check a response's answers without writing records (it is not being paired now). */
  #checkAnswers(): void {
    this.#answers.walk(this.#reader, this.#question, false);
    if (this.#answers.anomaly) this.counters.dns_anomalies++;
  }

  /** Take the entry in `slot` out of the table and count it as given up on (no record in this format). */
  #remove(slot: number): void {
    this.#pending.remove(slot);
    this.#heldBytes.release(slot);
    this.#giveUp(slot);
  }

  #giveUp(slot: number): void {
    if (this.#held.isQuery[slot] === 1) this.counters.queries_unanswered++;
    else this.counters.responses_orphan++;
  }

  /** Give up on the entry in `slot` to make room (a table bound). */
  #evict(slot: number): void {
    this.counters.correlation_evicted++;
    this.#remove(slot);
  }

  /**
   * A free slot for the current key, whose leg holds `bytes` of message besides its slot, evicting the oldest entries
   * while the table is full by count (`-max_pending`) or by bytes (`-max_pending_bytes`). NONE when the leg alone
   * is over the byte bound: then it is given up on at once (counted as evicted and orphan).
   */
  #insert(nowMs: number, bytes: number): number {
    const pending = this.#pending;
    const budget = this.options.maxPendingBytes;
    if (HELD_SLOT_BYTES + bytes > budget) {
      this.counters.correlation_evicted++;
      this.counters.responses_orphan++;
      return NONE;
    }
    if (pending.size >= this.options.maxPending) this.#evict(pending.oldest());
    while ((pending.size + 1) * HELD_SLOT_BYTES + this.#heldBytes.liveBytes + bytes > budget) {
      this.#evict(pending.oldest());
    }
    if (this.#nextSweepMs < 0) this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    const slot = pending.add(this.#key, undefined);
    if (pending.capacity > this.#held.slots) this.#held.grow(pending.capacity);
    return slot;
  }

  /** Time passes without packets (live capture): run the sweep a message at `nowMs` would run. */
  advanceClock(nowMs: number): void {
    if (nowMs >= this.#nextSweepMs) this.#sweep(nowMs);
  }

  /** Give up on entries older than the age limit (the table is in insertion order). */
  #sweep(nowMs: number): void {
    if (this.#nextSweepMs < 0) return;
    this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    const cutoffMs = nowMs - this.options.gcAgeMs;
    const pending = this.#pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.oldest()) {
      if (this.#held.tsSec[slot] * 1000 + this.#held.tsNsec[slot] / 1e6 >= cutoffMs) break;
      this.#remove(slot);
    }
  }
}
