/**
 * The default output format (`-format gopassivedns`) end to end from the wire: scan, pair, write, with no
 * `DnsMessage`, no `Transaction` and no text built per message.
 *
 * - Every message is scanned to the end of its question section (src/dns/wire_scan.ts), with the general decoder's
 *   rules and DecodeError codes.
 * - Pairing follows the general correlator (src/correlate/correlator.ts) rule for rule and counter for counter: the
 *   same key (built from address bytes), the same question check (ASCII case folded on the wire name), the same
 *   retransmit, duplicate, replacement, eviction and packet-time expiry handling. A held query keeps only what its
 *   records need, in arrays indexed by its table slot: the first question's wire name, type and class, RD, time. A
 *   held response (its query not seen yet: rare) keeps a copy of its message.
 * - A response's answer section is walked once, with the general decoder's anomaly rules (`dns_anomalies`); when it
 *   pairs, that walk writes the records straight into the output buffer (src/record/wire_render.ts).
 *
 * Lifetime: the datagram and its message are read only during `handle`; whatever outlives it is copied.
 *
 * @module
 */

import type { CorrelatorOptions } from "../correlate/correlator.ts";
import { LookupKey } from "../correlate/lookup_key.ts";
import { NONE, PendingTable } from "../correlate/pending_table.ts";
import { RecentPairs } from "../correlate/recent_pairs.ts";
import { datagramAddresses, type WireDatagram } from "../decode/wire_datagram.ts";
import { DecodeError } from "../decode_error.ts";
import { MessageReader, u16 } from "../dns/_reader.ts";
import { HEADER_SIZE } from "../dns/header.ts";
import { expandName, MAX_NAME_OCTETS } from "../dns/name.ts";
import { gopassivednsRcodeText, gopassivednsTypeName } from "../dns/registries.ts";
import { sameWireName, scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import { countDecodeError, type Counters } from "../metrics/counters.ts";
import { jsonString } from "./json_string.ts";
import { RecordBuffer } from "./record_buffer.ts";
import { elapsedNs, writeGoTime } from "./time_format.ts";
import { writeIp16, writeRdata, writeWireName } from "./wire_render.ts";

const QR_BIT = 0x8000; // RFC 1035 §4.1.1
const AA_BIT = 0x0400; // RFC 1035 §4.1.1
const TC_BIT = 0x0200; // RFC 1035 §4.1.1
const RD_BIT = 0x0100; // RFC 1035 §4.1.1
const RA_BIT = 0x0080; // RFC 1035 §4.1.1
const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1
/** RFC 1035 §4.1.3: TYPE, CLASS, TTL and RDLENGTH after the owner name. */
const RR_FIXED = 10;
/** RFC 6891 §6.1.1: the OPT pseudo-RR type. */
const TYPE_OPT = 41;
/** RFC 1035 §4.1.4: a compression pointer to offset 12, the first question's name. */
const POINTER_TO_QUESTION = 0xc00c;

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

// The fixed parts of a record, in output order, encoded once.
const QUERY_ID = bytes('{"query_id":');
const RCODE = bytes(',"rcode":');
const Q = bytes(',"q":');
const QTYPE = bytes(',"qtype":');
const EMPTY_STRING = bytes('""');
const A = bytes(',"a":');
const ATYPE = bytes(',"atype":');
const TTL = bytes(',"ttl":');
const NO_ATYPE_NO_TTL = bytes(',"atype":"","ttl":0');
const DST = bytes(',"dst":"');
const SRC = bytes('","src":"');
const TSTAMP = bytes('","tstamp":"');
const ELAPSED = bytes('","elapsed":');
const SPORT = bytes(',"sport":"');
const PROTOCOL_UDP = bytes(',"protocol":"udp","truncated":');
const PROTOCOL_TCP = bytes(',"protocol":"tcp","truncated":');
const AA = bytes(',"aa":');
const RD = bytes(',"rd":');
const RA = bytes(',"ra":');
const TRUE = bytes("true");
const FALSE = bytes("false");
const CLOSE = bytes("}");

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
  readonly #src = new Uint8Array(16);
  readonly #dst = new Uint8Array(16);
  /** Where RDATA goes when a response's answers are only checked, not written. */
  readonly #discard = new RecordBuffer(1 << 16);
  /** `","level":"…","bytes":` (closing the sport string): the `-syslog_priority` string, encoded once. */
  readonly #level: Uint8Array;
  #nextSweepMs = -1;
  /** Whether the last answer walk met anything the general decoder flags as an anomaly. */
  #anomaly = false;

  // Per pending slot: the held leg (a query, or a response whose query has not been seen).
  #slots = 0;
  #isQuery = new Uint8Array(0);
  #tsSec = new Float64Array(0);
  #tsNsec = new Float64Array(0);
  #rd = new Uint8Array(0);
  #hasQuestion = new Uint8Array(0);
  #qtype = new Uint16Array(0);
  #qclass = new Uint16Array(0);
  #nameLength = new Int16Array(0);
  #names = new Uint8Array(0);
  #responseWireLen = new Float64Array(0);
  #responses: (Uint8Array | undefined)[] = [];

  constructor(
    readonly options: CorrelatorOptions,
    readonly counters: Counters,
    readonly out: RecordBuffer,
    level: string,
  ) {
    this.#pending = new PendingTable<undefined>(options.maxPending);
    this.#recent = new RecentPairs(options.maxRecent);
    this.#level = bytes('","level":' + jsonString(level) + ',"bytes":');
    this.#grow(Math.min(options.maxPending, INITIAL_SLOTS));
  }

  /** Number of pending entries (for tests and metrics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** One DNS message: scan, count, pair, and write the records of a completed lookup. */
  handle(d: WireDatagram): void {
    const r = this.#reader;
    const q = this.#question;
    r.reset(d.message);
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
    datagramAddresses(d, this.#src, this.#dst);
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
    this.#responses.fill(undefined);
    this.#recent.clear();
  }

  #onQuery(d: WireDatagram, slot: number, nowMs: number): void {
    const q = this.#question;
    if (slot !== NONE) {
      if (this.#isQuery[slot] === 1) {
        if (this.#sameAsHeldQuery(slot)) {
          this.counters.query_retransmits++;
          return;
        }
        // The same ID reused for another question: the earlier query was never answered.
        this.#remove(slot);
      } else {
        const held = this.#heldResponse(slot);
        if (sameQuestion(q, this.#heldQuestion)) {
          // The response came first (capture reordering): the lookup is complete now.
          const wireLen = this.#responseWireLen[slot];
          const tsSec = this.#tsSec[slot];
          const tsNsec = this.#tsNsec[slot];
          this.#pending.remove(slot);
          this.#responses[slot] = undefined;
          this.#pairQuery(d, held, wireLen, tsSec, tsNsec, nowMs);
          return;
        }
        this.#remove(slot);
      }
    }
    const added = this.#insert(nowMs);
    this.#isQuery[added] = 1;
    this.#tsSec[added] = d.tsSec;
    this.#tsNsec[added] = d.tsNsec;
    this.#rd[added] = (q.flags & RD_BIT) !== 0 ? 1 : 0;
    this.#hasQuestion[added] = q.hasQuestion ? 1 : 0;
    this.#qtype[added] = q.type;
    this.#qclass[added] = q.class;
    this.#nameLength[added] = q.nameLength;
    this.#names.set(q.name.subarray(0, q.nameLength), added * MAX_NAME_OCTETS);
  }

  #onResponse(d: WireDatagram, slot: number, nowMs: number): void {
    const q = this.#question;
    if (slot !== NONE) {
      if (this.#isQuery[slot] === 1) {
        if (this.#sameAsHeldQuery(slot)) {
          this.#pairResponse(d, slot, nowMs);
          return;
        }
      } else {
        this.#heldResponse(slot);
        if (sameQuestion(this.#heldQuestion, q)) {
          this.counters.response_duplicates++;
          this.#checkAnswers();
          return;
        }
      }
      // A response to some other question under this key: the pending entry is done for.
      this.#remove(slot);
    } else if (this.#recent.has(this.#key, nowMs)) {
      this.counters.response_duplicates++;
      this.#checkAnswers();
      return;
    }
    this.#checkAnswers();
    const added = this.#insert(nowMs);
    this.#isQuery[added] = 0;
    this.#tsSec[added] = d.tsSec;
    this.#tsNsec[added] = d.tsNsec;
    this.#responseWireLen[added] = d.wireLen;
    this.#responses[added] = d.message.slice();
  }

  /** The held query in `slot` asks what the message being handled asks (either without a question: yes). */
  #sameAsHeldQuery(slot: number): boolean {
    const q = this.#question;
    if (this.#hasQuestion[slot] === 0 || !q.hasQuestion) return true;
    if (this.#qtype[slot] !== q.type || this.#qclass[slot] !== q.class) return false;
    return sameWireName(this.#names, slot * MAX_NAME_OCTETS, this.#nameLength[slot], q.name, 0, q.nameLength);
  }

  /** Point the held reader and question at the response held in `slot`; returns its bytes. */
  #heldResponse(slot: number): Uint8Array {
    const held = this.#responses[slot]!;
    this.#heldReader.reset(held);
    scanQuestion(this.#heldReader, this.#heldQuestion); // it passed once: it cannot throw
    return held;
  }

  /** A response completes the query held in `slot`. */
  #pairResponse(d: WireDatagram, slot: number, nowMs: number): void {
    const q = this.#question;
    const useQuery = this.#hasQuestion[slot] === 1;
    const base = slot * MAX_NAME_OCTETS;
    const qs = this.#tsSec[slot];
    const qn = this.#tsNsec[slot];
    const rd = this.#rd[slot] === 1;
    const names = useQuery ? this.#names : q.name;
    const nameStart = useQuery ? base : 0;
    const nameLength = useQuery ? this.#nameLength[slot] : q.nameLength;
    const qtype = useQuery ? this.#qtype[slot] : q.type;
    const hasQuestion = useQuery || q.hasQuestion;
    this.#pair(nowMs);
    // The slot's name bytes are read before the slot can be reused: the pending table is not touched until then.
    const written = this.#writeRecords(
      this.#reader,
      q,
      d.transport === "tcp",
      this.#dst,
      d.dstPort,
      this.#src,
      hasQuestion,
      names,
      nameStart,
      nameLength,
      qtype,
      rd,
      qs,
      qn,
      d.tsSec,
      d.tsNsec,
      d.wireLen,
    );
    this.#pending.remove(slot);
    this.counters.records += written;
    if (this.#anomaly) this.counters.dns_anomalies++;
  }

  /** A query completes the response held (and just re-scanned into the held reader and question). */
  #pairQuery(d: WireDatagram, held: Uint8Array, wireLen: number, tsSec: number, tsNsec: number, nowMs: number) {
    const q = this.#question;
    const h = this.#heldQuestion;
    this.#pair(nowMs);
    const useQuery = q.hasQuestion;
    this.#heldReader.reset(held);
    this.counters.records += this.#writeRecords(
      this.#heldReader,
      h,
      d.transport === "tcp",
      this.#src,
      d.srcPort,
      this.#dst,
      useQuery || h.hasQuestion,
      useQuery ? q.name : h.name,
      0,
      useQuery ? q.nameLength : h.nameLength,
      useQuery ? q.type : h.type,
      (q.flags & RD_BIT) !== 0,
      d.tsSec,
      d.tsNsec,
      tsSec,
      tsNsec,
      wireLen,
    );
  }

  #pair(nowMs: number): void {
    this.counters.pairs++;
    this.#recent.remember(this.#key, nowMs + this.options.duplicateWindowMs);
  }

  /**
   * Walk the answer section of the response in `r` (scanned into `rq`) and write its records; returns how many.
   */
  #writeRecords(
    r: MessageReader,
    rq: WireQuestion,
    tcp: boolean,
    client: Uint8Array,
    clientPort: number,
    server: Uint8Array,
    hasQuestion: boolean,
    names: Uint8Array,
    nameStart: number,
    nameLength: number,
    qtype: number,
    rd: boolean,
    querySec: number,
    queryNsec: number,
    responseSec: number,
    responseNsec: number,
    wireLen: number,
  ): number {
    const out = this.out;
    const flags = rq.flags;
    const rcode = flags & RCODE_MASK;
    const writeHead = (): void => {
      out.raw(QUERY_ID);
      out.number(rq.id);
      out.raw(RCODE);
      out.number(rcode);
      out.raw(Q);
      if (hasQuestion) writeWireName(out, names, nameStart, nameLength);
      else out.raw(EMPTY_STRING);
      out.raw(QTYPE);
      if (hasQuestion) out.jsonString(gopassivednsTypeName(qtype));
      else out.raw(EMPTY_STRING);
    };
    const writeTail = (): void => {
      out.raw(DST);
      writeIp16(out, server, 0);
      out.raw(SRC);
      writeIp16(out, client, 0);
      out.raw(TSTAMP);
      writeGoTime(out, responseSec, responseNsec);
      out.raw(ELAPSED);
      out.number(elapsedNs(querySec, queryNsec, responseSec, responseNsec));
      out.raw(SPORT);
      out.number(clientPort);
      out.raw(this.#level);
      out.number(wireLen);
      out.raw(tcp ? PROTOCOL_TCP : PROTOCOL_UDP);
      out.raw((flags & TC_BIT) !== 0 ? TRUE : FALSE);
      out.raw(AA);
      out.raw((flags & AA_BIT) !== 0 ? TRUE : FALSE);
      out.raw(RD);
      out.raw(rd ? TRUE : FALSE);
      out.raw(RA);
      out.raw((flags & RA_BIT) !== 0 ? TRUE : FALSE);
      out.raw(CLOSE);
    };
    if (rcode !== 0) {
      writeHead();
      out.raw(A);
      out.jsonString(gopassivednsRcodeText(rcode));
      out.raw(NO_ATYPE_NO_TTL);
      writeTail();
      out.endLine();
      this.#walkAnswers(r, rq, null);
      return 1;
    }
    return this.#walkAnswers(r, rq, { writeHead, writeTail });
  }

  /** Check a response's answers without writing records (it is not being paired now). */
  #checkAnswers(): void {
    this.#walkAnswers(this.#reader, this.#question, null);
    if (this.#anomaly) this.counters.dns_anomalies++;
  }

  /**
   * The answer section with the general decoder's rules (src/dns/record.ts at depth "answers"): one record per RR
   * through `emit`, stopping where the general decoder stops. Sets `#anomaly` when the general decoder would flag
   * the message (the caller counts it once per message).
   */
  #walkAnswers(
    r: MessageReader,
    rq: WireQuestion,
    emit: { writeHead: () => void; writeTail: () => void } | null,
  ): number {
    const b = r.bytes;
    const end = r.end;
    const out = emit === null ? this.#discard : this.out;
    // A pointer to the first question's name is that name when its own walk followed no pointer at or above 12.
    const questionOwner = rq.hasQuestion && rq.nameFirstTarget < HEADER_SIZE;
    let anomaly = false;
    let p = rq.answersStart;
    let written = 0;
    let headStart = 0, headEnd = 0, tailStart = 0, tailEnd = 0;
    for (let i = 0; i < rq.ancount; i++) {
      if (p === end) {
        anomaly = true; // count_mismatch
        break;
      }
      if (questionOwner && p + 2 <= end && u16(b, p) === POINTER_TO_QUESTION) {
        p += 2;
      } else {
        if (expandName(r, p, end) < 0) {
          anomaly = true; // truncated_section or bad_name
          break;
        }
        p = r.next;
      }
      if (p + RR_FIXED > end) {
        anomaly = true; // truncated_section
        break;
      }
      const type = u16(b, p);
      const klass = u16(b, p + 2);
      const ttl = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
      const rdEnd = p + RR_FIXED + u16(b, p + 8);
      p += RR_FIXED;
      if (rdEnd > end) {
        anomaly = true; // truncated_section
        break;
      }
      if (type === TYPE_OPT) anomaly = true; // opt_outside_additional
      if (emit !== null) {
        if (written === 0) {
          headStart = out.used;
          emit.writeHead();
          headEnd = out.used;
        } else {
          out.repeat(headStart, headEnd);
        }
        out.raw(A);
      }
      if (!writeRdata(out, r, type, klass, p, rdEnd)) anomaly = true; // bad_rdata
      if (emit !== null) {
        out.raw(ATYPE);
        out.jsonString(gopassivednsTypeName(type));
        out.raw(TTL);
        out.number(ttl);
        if (written === 0) {
          tailStart = out.used;
          emit.writeTail();
          tailEnd = out.used;
        } else {
          out.repeat(tailStart, tailEnd);
        }
        out.endLine();
      } else {
        out.reset();
      }
      written++;
      p = rdEnd;
    }
    this.#anomaly = anomaly;
    return written;
  }

  /** Take the entry in `slot` out of the table and count it as given up on (no record in this format). */
  #remove(slot: number): void {
    this.#pending.remove(slot);
    this.#giveUp(slot);
    this.#responses[slot] = undefined;
  }

  #giveUp(slot: number): void {
    if (this.#isQuery[slot] === 1) this.counters.queries_unanswered++;
    else this.counters.responses_orphan++;
  }

  /** A free slot for the current key, evicting the oldest entry when the table is full. */
  #insert(nowMs: number): number {
    const pending = this.#pending;
    if (pending.size >= this.options.maxPending) {
      const oldest = pending.oldest();
      this.counters.correlation_evicted++;
      this.#remove(oldest);
    }
    if (this.#nextSweepMs < 0) this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    const slot = pending.add(this.#key, undefined);
    if (pending.capacity > this.#slots) this.#grow(pending.capacity);
    return slot;
  }

  /** Give up on entries older than the age limit (the table is in insertion order). */
  #sweep(nowMs: number): void {
    if (this.#nextSweepMs < 0) return;
    this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    const cutoffMs = nowMs - this.options.gcAgeMs;
    const pending = this.#pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.oldest()) {
      if (this.#tsSec[slot] * 1000 + this.#tsNsec[slot] / 1e6 >= cutoffMs) break;
      this.#remove(slot);
    }
  }

  #grow(slots: number): void {
    const grow = <T extends Uint8Array | Uint16Array | Int16Array | Float64Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.#isQuery = grow(this.#isQuery, new Uint8Array(slots));
    this.#tsSec = grow(this.#tsSec, new Float64Array(slots));
    this.#tsNsec = grow(this.#tsNsec, new Float64Array(slots));
    this.#rd = grow(this.#rd, new Uint8Array(slots));
    this.#hasQuestion = grow(this.#hasQuestion, new Uint8Array(slots));
    this.#qtype = grow(this.#qtype, new Uint16Array(slots));
    this.#qclass = grow(this.#qclass, new Uint16Array(slots));
    this.#nameLength = grow(this.#nameLength, new Int16Array(slots));
    this.#names = grow(this.#names, new Uint8Array(slots * MAX_NAME_OCTETS));
    this.#responseWireLen = grow(this.#responseWireLen, new Float64Array(slots));
    this.#responses.length = slots;
    this.#slots = slots;
  }
}

/** Two scanned messages ask the same thing: first questions equal (ASCII case folded), or either has none. */
function sameQuestion(a: WireQuestion, b: WireQuestion): boolean {
  if (!a.hasQuestion || !b.hasQuestion) return true;
  if (a.type !== b.type || a.class !== b.class) return false;
  return sameWireName(a.name, 0, a.nameLength, b.name, 0, b.nameLength);
}
