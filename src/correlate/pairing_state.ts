import { NO_TUNNELS } from "../decode/tunnels.ts";
import { NO_VLANS, pointAtMessage, type WireDatagram } from "../decode/wire_datagram.ts";
import { parseAddressText } from "../decode/ip_text.ts";
import { MessageReader } from "../dns/_reader.ts";
import { scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import type { Counters } from "../metrics/counters.ts";
import type { CorrelatorOptions } from "./pairing_options.ts";
import { HeldBytes } from "./held_bytes.ts";
import { HeldLegs, INLINE_NAME_BYTES } from "./held_legs.ts";
import { type LegView, Lookup, type LookupReason, type LookupWriter } from "./lookup.ts";
import {
  addressWords,
  keyAddress,
  keyClientPort,
  keyId,
  keyServerPort,
  keyTransport,
  LookupKey,
} from "./lookup_key.ts";
import { NONE, PendingTable } from "./pending_table.ts";
import { RecentPairs } from "./recent_pairs.ts";

const QR_BIT = 0x8000; // RFC 1035 §4.1.1
const RD_BIT = 0x0100; // RFC 1035 §4.1.1
/** Initial slot storage; grows with the pending table (small for the reason given in pending_table.ts). */
const INITIAL_SLOTS = 64;

/**
 * The pairing engine's tables and the lookups it fills for its writer (src/correlate/wire_pairing.ts has the rules):
 * the pending table, the held legs' columns and bytes, the recent pairings, and how a {@linkcode Lookup} is filled
 * from the message being handled and from a held slot.
 */
export class PairingState {
  readonly pending: PendingTable<undefined>;
  readonly held: HeldLegs;
  /** Per pending slot: a held query's wire name (or whole message), a held response's message. */
  readonly heldBytes: HeldBytes;
  readonly recent: RecentPairs;
  /** The key of the message being handled, and of a held entry being written. */
  readonly key = new LookupKey();
  readonly #heldKey = new LookupKey();
  /** The message being handled, scanned to the end of its question section. */
  readonly reader = new MessageReader();
  readonly question = new WireQuestion();
  /** A held message, re-scanned from its copy when a message meets it or it is written. */
  readonly #heldReader = new MessageReader();
  readonly #heldQuestion = new WireQuestion();
  /** The slot the held reader points at (NONE after anything is held or taken out: bytes may have moved). */
  #scannedSlot = NONE;
  /** A held query of which only the first question is kept, as a scanned question. */
  readonly #nameQuestion = new WireQuestion();
  /** The datagram's 16-byte addresses (borrowed from the decoder for one `handle` call, or parsed into own ones). */
  #src: Uint8Array = new Uint8Array(16);
  #dst: Uint8Array = new Uint8Array(16);
  /** The same as words (src/correlate/lookup_key.ts `setWords`). */
  #srcWords: Int32Array = addressWords(this.#src);
  #dstWords: Int32Array = addressWords(this.#dst);
  readonly #parsedSrc = new Uint8Array(16);
  readonly #parsedDst = new Uint8Array(16);
  readonly #parsedSrcWords = addressWords(this.#parsedSrc);
  readonly #parsedDstWords = addressWords(this.#parsedDst);
  /** A held entry's addresses, from its key. */
  readonly #heldClient = new Uint8Array(16);
  readonly #heldServer = new Uint8Array(16);
  readonly #heldClientWords = addressWords(this.#heldClient);
  readonly #heldServerWords = addressWords(this.#heldServer);
  readonly lookup = new Lookup();
  /**
   * The time of the message being handled, in ms: `now[0]`, shared with `recent`. Kept here rather than passed as an
   * argument: a double (packet times in ms are past 2^31) passed to a call V8 does not inline is boxed, a heap number
   * per message and another per pairing. Measured on the 1M-pair capture (`-numprocs 2`): the decoding thread's
   * scavenges went from 110 to 60 (25 to 17 ms); the wall time moved within the noise (paired 0.98–1.00).
   */
  readonly now = new Float64Array(1);
  nextSweepMs = -1;

  constructor(
    readonly options: CorrelatorOptions,
    readonly counters: Counters,
    readonly writer: LookupWriter,
    /**
     * Called after every lookup written, so the caller can hand full output on: one message can complete many
     * lookups (a sweep, the end of input), and a record buffer that only drains between messages would hold them all.
     */
    readonly afterWrite: () => void = () => {},
  ) {
    this.pending = new PendingTable<undefined>(options.maxPending);
    this.heldBytes = new HeldBytes(options.maxPendingBytes);
    this.recent = new RecentPairs(options.maxRecent, this.now);
    this.held = new HeldLegs(writer.holdsWholeQuery);
    this.held.grow(Math.min(options.maxPending, INITIAL_SLOTS));
  }

  /** Anything is about to be held: the held bytes may move (src/correlate/held_bytes.ts compacts on `put`). */
  forgetScan(): void {
    this.#scannedSlot = NONE;
  }

  /** Number of pending entries (for tests and metrics). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Point the reader at the datagram's message and take its addresses (in place: no view per message). */
  pointAt(d: WireDatagram): void {
    pointAtMessage(d, this.reader);
    if (d.srcWords !== undefined && d.dstWords !== undefined) {
      this.#src = d.srcAddress!;
      this.#dst = d.dstAddress!;
      this.#srcWords = d.srcWords;
      this.#dstWords = d.dstWords;
      return;
    }
    // A datagram built without address words (tests): its bytes, or its texts, copied into own arrays.
    if (d.srcAddress !== undefined && d.dstAddress !== undefined) {
      this.#parsedSrc.set(d.srcAddress);
      this.#parsedDst.set(d.dstAddress);
    } else {
      parseAddressText(d.srcIp, this.#parsedSrc);
      parseAddressText(d.dstIp, this.#parsedDst);
    }
    this.#src = this.#parsedSrc;
    this.#dst = this.#parsedDst;
    this.#srcWords = this.#parsedSrcWords;
    this.#dstWords = this.#parsedDstWords;
  }

  setKey(d: WireDatagram, isResponse: boolean): void {
    const id = this.question.id;
    if (isResponse) this.key.setWords(d.transport, this.#dstWords, d.dstPort, this.#srcWords, d.srcPort, id);
    else this.key.setWords(d.transport, this.#srcWords, d.srcPort, this.#dstWords, d.dstPort, id);
  }

  /** Point the held reader and question at the message held in `slot` (it passed once: the scan cannot throw). */
  scanHeld(slot: number): WireQuestion {
    if (slot === this.#scannedSlot) return this.#heldQuestion; // compared just before it is written: scanned once
    this.#scannedSlot = slot;
    const bytes = this.heldBytes;
    const start = bytes.start(slot);
    this.#heldReader.resetRange(bytes.bytes, start, start + bytes.length(slot));
    scanQuestion(this.#heldReader, this.#heldQuestion);
    return this.#heldQuestion;
  }

  /** The buffer holding the name of the query held by its name in `slot`: its slot's room, or the HeldBytes buffer. */
  heldNameBytes(slot: number): Uint8Array {
    return this.held.nameInline(slot) ? this.held.names : this.heldBytes.bytes;
  }

  /** Where that name starts in {@linkcode heldNameBytes}. */
  heldNameStart(slot: number): number {
    return this.held.nameInline(slot) ? slot * INLINE_NAME_BYTES : this.heldBytes.start(slot);
  }

  /** A lookup is complete: count it and remember it for duplicates. */
  pair(): void {
    this.counters.pairs++;
    this.recent.remember(this.key, this.options.duplicateWindowMs);
  }

  /** Take the entry in `slot` out of the tables (its bytes stay readable until the next put). */
  remove(slot: number): void {
    this.#scannedSlot = NONE;
    this.pending.remove(slot);
    this.heldBytes.release(slot);
    this.held.clearReferences(slot);
  }

  /** Write the lookup the held leg in `slot` and the message being handled complete. */
  writeHeldWithCurrent(slot: number, d: WireDatagram, questionsIdentical = false): void {
    const l = this.lookup;
    const heldIsQuery = this.held.isQuery[slot] === 1;
    l.status = "answered";
    l.reason = "paired";
    l.questionsIdentical = questionsIdentical;
    l.transport = d.transport;
    l.client = heldIsQuery ? this.#dst : this.#src;
    l.server = heldIsQuery ? this.#src : this.#dst;
    l.clientPort = heldIsQuery ? d.dstPort : d.srcPort;
    l.serverPort = heldIsQuery ? d.srcPort : d.dstPort;
    l.id = this.question.id;
    this.#counts(slot);
    this.#heldLeg(heldIsQuery ? l.query : l.response, slot);
    this.#currentLeg(heldIsQuery ? l.response : l.query, d);
    this.counters.records += this.writer.write(l);
    this.afterWrite();
  }

  /** Give up on the held entry in `slot` (counted; written when the writer writes unpaired legs). */
  giveUp(slot: number, reason: LookupReason): void {
    const isQuery = this.held.isQuery[slot] === 1;
    if (isQuery) this.counters.queries_unanswered++;
    else this.counters.responses_orphan++;
    if (!this.writer.writesUnpaired) return;
    const l = this.lookup;
    const key = this.#heldKey;
    this.pending.keyOf(slot, key);
    keyAddress(key, 0, this.#heldClientWords);
    keyAddress(key, 1, this.#heldServerWords);
    this.#unpaired(isQuery, reason, keyTransport(key), keyClientPort(key), keyServerPort(key), keyId(key));
    l.client = this.#heldClient;
    l.server = this.#heldServer;
    this.#counts(slot);
    this.#heldLeg(isQuery ? l.query : l.response, slot);
    this.counters.records += this.writer.write(l);
    this.afterWrite();
  }

  /** Give up on the message being handled alone, never held (counted; written when the writer writes unpaired legs). */
  giveUpCurrent(d: WireDatagram, reason: LookupReason): void {
    const isQuery = (this.question.flags & QR_BIT) === 0;
    if (isQuery) this.counters.queries_unanswered++;
    else this.counters.responses_orphan++;
    if (!this.writer.writesUnpaired) return;
    const l = this.lookup;
    this.#unpaired(
      isQuery,
      reason,
      d.transport,
      isQuery ? d.srcPort : d.dstPort,
      isQuery ? d.dstPort : d.srcPort,
      this.question.id,
    );
    l.client = isQuery ? this.#src : this.#dst;
    l.server = isQuery ? this.#dst : this.#src;
    l.retransmits = 0;
    l.duplicateResponses = 0;
    this.#currentLeg(isQuery ? l.query : l.response, d);
    this.counters.records += this.writer.write(l);
    this.afterWrite();
  }

  #unpaired(
    isQuery: boolean,
    reason: LookupReason,
    transport: "udp" | "tcp",
    clientPort: number,
    serverPort: number,
    id: number,
  ): void {
    const l = this.lookup;
    l.status = isQuery ? "unanswered" : "orphan_response";
    l.questionsIdentical = false;
    l.reason = reason;
    l.transport = transport;
    l.clientPort = clientPort;
    l.serverPort = serverPort;
    l.id = id;
    (isQuery ? l.response : l.query).present = false;
  }

  #counts(slot: number): void {
    const held = this.held;
    this.lookup.retransmits = held.whole ? held.retransmits[slot] : 0;
    this.lookup.duplicateResponses = held.whole ? held.duplicateResponses[slot] : 0;
  }

  #currentLeg(leg: LegView, d: WireDatagram): void {
    leg.present = true;
    leg.current = true;
    leg.reader = this.reader;
    leg.question = this.question;
    leg.tsSec = d.tsSec;
    leg.tsNsec = d.tsNsec;
    leg.wireLen = d.wireLen;
    leg.interfaceId = d.interfaceId;
    leg.vlans = d.vlans;
    leg.tunnels = d.tunnels ?? NO_TUNNELS;
  }

  #heldLeg(leg: LegView, slot: number): void {
    const held = this.held;
    leg.present = true;
    leg.current = false;
    leg.tsSec = held.tsSec[slot];
    leg.tsNsec = held.tsNsec[slot];
    leg.wireLen = held.wireLen[slot];
    leg.interfaceId = held.whole ? held.interfaceId[slot] : 0;
    leg.vlans = held.whole ? held.vlans[slot] : NO_VLANS;
    leg.tunnels = held.whole ? held.tunnels[slot] : NO_TUNNELS;
    if (held.whole || held.isQuery[slot] === 0) {
      leg.question = this.scanHeld(slot);
      leg.reader = this.#heldReader;
      return;
    }
    const q = this.#nameQuestion;
    q.name = this.heldNameBytes(slot);
    q.nameStart = this.heldNameStart(slot);
    q.nameLength = held.nameLength[slot];
    q.hasQuestion = held.hasQuestion[slot] === 1;
    q.type = held.qtype[slot];
    q.class = held.qclass[slot];
    q.flags = held.rd[slot] === 1 ? RD_BIT : 0;
    leg.question = q;
    leg.reader = null;
  }
}
