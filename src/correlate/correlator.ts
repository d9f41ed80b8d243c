import { ipv6Text } from "../decode/ip_text.ts";
import { NO_TUNNELS } from "../decode/tunnels.ts";
import { datagramAddresses, NO_VLANS, pointAtMessage, type WireDatagram } from "../decode/wire_datagram.ts";
import { MessageReader } from "../dns/_reader.ts";
import { decodeMessage } from "../dns/decode_message.ts";
import type { DnsMessage } from "../dns/message.ts";
import { sameScannedQuestion, scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import type { Counters } from "../metrics/counters.ts";
import { HeldBytes } from "./held_bytes.ts";
import { HELD_TRANSACTION_BYTES, HeldTransactions } from "./held_transactions.ts";
import { keyAddress, keyClientPort, keyId, keyServerPort, keyTransport, LookupKey } from "./lookup_key.ts";
import { NONE, PendingTable } from "./pending_table.ts";
import { RecentPairs } from "./recent_pairs.ts";
import type { Leg, Transaction, TransactionHandler } from "./transaction.ts";

/**
 * The most lookups held in flight under one key (transport, client, server, ID), told apart by question: a stub
 * resolver's A and AAAA with one ID, pipelined TCP queries reusing an ID. A further query gives up on the key's
 * oldest entry, a further unmatched response on the key's oldest held response, or on itself when there is none
 * (counted in `correlation_evicted`; `reason: "replaced"` for the entry given up on). Small, because every message on a key compares its
 * question with each held one.
 */
export const MAX_PER_KEY = 8;

export interface CorrelatorOptions {
  /** Bound on pending entries (queries awaiting a response, responses awaiting a query). */
  maxPending: number;
  /**
   * Bound on the bytes pending entries hold (`-max_pending_bytes`): each costs its messages and a fixed amount per
   * entry; beyond it the oldest entries are evicted.
   */
  maxPendingBytes: number;
  /** An entry older than this (packet time) is given up on at the next sweep (`-gc_age`, as a positive age). */
  gcAgeMs: number;
  /** Sweep period in packet time (`-gc_interval`). */
  gcIntervalMs: number;
  /** How long after a pairing a copy of the response counts as a duplicate rather than an orphan. */
  duplicateWindowMs: number;
  /** Bound on remembered recent pairings used for duplicate detection. */
  maxRecent: number;
}

export const DEFAULT_CORRELATOR_OPTIONS: CorrelatorOptions = {
  maxPending: 100_000,
  maxPendingBytes: 32 << 20,
  gcAgeMs: 60_000,
  gcIntervalMs: 180_000,
  duplicateWindowMs: 10_000,
  maxRecent: 65_536,
};

/**
 * Pairs queries with responses.
 *
 * Key: transport, client IP and port, server IP and port, DNS ID, where the client is the sender of a query and
 * the receiver of a response, so both legs map to one key whatever order they arrive in. A key may hold up to
 * {@linkcode MAX_PER_KEY} lookups in flight, told apart by their first question (name compared without regard to
 * ASCII case, type, class; compared on the wire, as the default format's path does); a response pairs with the
 * oldest held query asking what it answers. A message without a question matches on the key alone. All time is
 * packet time, so a replay is deterministic.
 *
 * Memory: a held leg is its message's wire bytes (in one HeldBytes buffer) and a row of columns
 * (held_transactions.ts); its message is decoded again, and its Transaction built, only when it is written. Entries
 * are bounded by count (`maxPending`) and by bytes (`maxPendingBytes`).
 */
export class Correlator {
  readonly #pending: PendingTable<undefined>;
  readonly #held = new HeldTransactions();
  readonly #heldBytes: HeldBytes;
  readonly #recent: RecentPairs;
  /** The key of the message being handled (reused: one message is handled at a time). */
  readonly #key = new LookupKey();
  /** The key of a held entry being written. */
  readonly #heldKey = new LookupKey();
  readonly #srcAddress = new Uint8Array(16);
  readonly #dstAddress = new Uint8Array(16);
  readonly #address = new Uint8Array(16);
  /** The message being handled and a held one, scanned to their first question for comparison. */
  readonly #reader = new MessageReader();
  readonly #question = new WireQuestion();
  readonly #heldReader = new MessageReader();
  readonly #heldQuestion = new WireQuestion();
  #nextSweepMs = -1;

  constructor(
    readonly options: CorrelatorOptions,
    readonly counters: Counters,
    readonly onTransaction: TransactionHandler,
    /** `-max_records`, for decoding held messages again as they were decoded on arrival. */
    readonly maxRecords: number = Infinity,
  ) {
    this.#pending = new PendingTable(options.maxPending);
    this.#heldBytes = new HeldBytes(options.maxPendingBytes);
    this.#recent = new RecentPairs(options.maxRecent);
    this.#held.grow(this.#pending.capacity);
  }

  /** Number of pending entries (for tests and metrics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** One decoded message (`message` is `datagram.message` decoded at depth "full" with the same `maxRecords`). */
  handle(datagram: WireDatagram, message: DnsMessage): void {
    const nowMs = datagram.tsSec * 1000 + datagram.tsNsec / 1e6;
    if (nowMs >= this.#nextSweepMs) this.#sweep(nowMs);
    const isResponse = message.header.qr;
    datagramAddresses(datagram, this.#srcAddress, this.#dstAddress);
    const key = isResponse
      ? this.#key.set(
        datagram.transport,
        this.#dstAddress,
        datagram.dstPort,
        this.#srcAddress,
        datagram.srcPort,
        message.header.id,
      )
      : this.#key.set(
        datagram.transport,
        this.#srcAddress,
        datagram.srcPort,
        this.#dstAddress,
        datagram.dstPort,
        message.header.id,
      );
    const leg: Leg = {
      message,
      tsSec: datagram.tsSec,
      tsNsec: datagram.tsNsec,
      wireLen: datagram.wireLen,
      vlans: datagram.vlans,
      interfaceId: datagram.interfaceId,
      tunnels: datagram.tunnels ?? NO_TUNNELS,
    };
    const pending = this.#pending;
    const held = this.#held;
    // Several lookups may be in flight under this key: the oldest held query and the oldest held response that ask
    // what this message asks (the table walks a key's entries newest first).
    let sameQuery = NONE;
    let sameResponse = NONE;
    let oldest = NONE;
    let oldestResponse = NONE;
    let count = 0;
    const newest = pending.find(key);
    if (newest !== NONE) {
      pointAtMessage(datagram, this.#reader);
      scanQuestion(this.#reader, this.#question); // it was decoded by the same rules: it cannot throw
    }
    for (let slot = newest; slot !== NONE; slot = pending.findNext(key, slot)) {
      count++;
      oldest = slot;
      if (held.isQuery[slot] === 0) oldestResponse = slot;
      if (!sameScannedQuestion(this.#scanHeld(slot), this.#question)) continue;
      if (held.isQuery[slot] === 1) sameQuery = slot;
      else sameResponse = slot;
    }
    if (isResponse) {
      this.counters.dns_responses++;
      if (sameQuery !== NONE) {
        const t = this.#take(sameQuery);
        t.response = leg;
        this.#pair(key, t, nowMs);
        return;
      }
      if (sameResponse !== NONE) {
        held.duplicateResponses[sameResponse]++;
        this.counters.response_duplicates++;
        return;
      }
      if (this.#recent.has(key, nowMs)) {
        this.counters.response_duplicates++;
        return;
      }
    } else {
      this.counters.dns_queries++;
      if (sameQuery !== NONE) {
        held.retransmits[sameQuery]++;
        this.counters.query_retransmits++;
        return;
      }
      if (sameResponse !== NONE) {
        // The response came first (capture reordering): the lookup is complete now.
        const t = this.#take(sameResponse);
        t.query = leg;
        this.#pair(key, t, nowMs);
        return;
      }
    }
    if (count >= MAX_PER_KEY) {
      // The key is full. A query replaces the oldest lookup of the key; an unmatched response only another held
      // response, never a query in flight (else it is given up on itself).
      const victim = isResponse ? oldestResponse : oldest;
      this.counters.correlation_evicted++;
      if (victim === NONE) {
        this.#giveUp(this.#newTransaction(datagram, leg), "evicted");
        return;
      }
      this.#giveUp(this.#take(victim), "replaced");
    }
    this.#hold(key, leg, datagram, nowMs);
  }

  /** End of input: give up on every pending entry, oldest first. */
  flush(): void {
    const pending = this.#pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.oldest()) {
      this.#giveUp(this.#take(slot), "end_of_input");
    }
    this.#heldBytes.clear();
    this.#recent.clear();
  }

  /** Point the held reader at the message held in `slot` and scan its question. */
  #scanHeld(slot: number): WireQuestion {
    const bytes = this.#heldBytes;
    const start = bytes.start(slot);
    this.#heldReader.resetRange(bytes.bytes, start, start + bytes.length(slot));
    scanQuestion(this.#heldReader, this.#heldQuestion); // it passed once: it cannot throw
    return this.#heldQuestion;
  }

  /** Take the entry in `slot` out of the table as a Transaction, its held message decoded again. */
  #take(slot: number): Transaction {
    const held = this.#held;
    const bytes = this.#heldBytes;
    const start = bytes.start(slot);
    const key = this.#heldKey;
    this.#pending.keyOf(slot, key);
    const leg: Leg = {
      // It was decoded once on arrival with the same bound: it cannot throw now.
      message: decodeMessage(bytes.bytes.subarray(start, start + bytes.length(slot)), "full", this.maxRecords),
      tsSec: held.tsSec[slot],
      tsNsec: held.tsNsec[slot],
      wireLen: held.wireLen[slot],
      vlans: held.vlans[slot],
      interfaceId: held.interfaceId[slot],
      tunnels: held.tunnels[slot],
    };
    keyAddress(key, 0, this.#address);
    const clientIp = ipv6Text(this.#address, 0);
    keyAddress(key, 1, this.#address);
    const isQuery = held.isQuery[slot] === 1;
    const t: Transaction = {
      status: "unanswered",
      transport: keyTransport(key),
      clientIp,
      clientPort: keyClientPort(key),
      serverIp: ipv6Text(this.#address, 0),
      serverPort: keyServerPort(key),
      id: keyId(key),
      query: isQuery ? leg : null,
      response: isQuery ? null : leg,
      retransmits: held.retransmits[slot],
      duplicateResponses: held.duplicateResponses[slot],
      reason: "paired",
    };
    held.vlans[slot] = NO_VLANS;
    held.tunnels[slot] = NO_TUNNELS;
    this.#pending.remove(slot);
    bytes.release(slot);
    return t;
  }

  /**
   * Hold `leg` under `key`, evicting the oldest entries while the table is full by count or by bytes. A leg over the
   * byte bound by itself is given up on at once.
   */
  #hold(key: LookupKey, leg: Leg, datagram: WireDatagram, nowMs: number): void {
    const pending = this.#pending;
    const budget = this.options.maxPendingBytes;
    const size = leg.message.size;
    if (HELD_TRANSACTION_BYTES + size > budget) {
      this.counters.correlation_evicted++;
      this.#giveUp(this.#newTransaction(datagram, leg), "evicted");
      return;
    }
    if (pending.size >= this.options.maxPending) {
      this.counters.correlation_evicted++;
      this.#giveUp(this.#take(pending.oldest()), "evicted");
    }
    while ((pending.size + 1) * HELD_TRANSACTION_BYTES + this.#heldBytes.liveBytes + size > budget) {
      this.counters.correlation_evicted++;
      this.#giveUp(this.#take(pending.oldest()), "evicted");
    }
    if (this.#nextSweepMs < 0) this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    const slot = pending.add(key, undefined);
    const held = this.#held;
    if (pending.capacity > held.slots) held.grow(pending.capacity);
    held.isQuery[slot] = leg.message.header.qr ? 0 : 1;
    held.tsSec[slot] = leg.tsSec;
    held.tsNsec[slot] = leg.tsNsec;
    held.wireLen[slot] = leg.wireLen;
    held.interfaceId[slot] = leg.interfaceId;
    held.retransmits[slot] = 0;
    held.duplicateResponses[slot] = 0;
    held.vlans[slot] = leg.vlans.length === 0 ? NO_VLANS : leg.vlans;
    held.tunnels[slot] = leg.tunnels ?? NO_TUNNELS;
    pointAtMessage(datagram, this.#reader);
    this.#heldBytes.put(slot, this.#reader.bytes, this.#reader.base, this.#reader.end);
  }

  /** A transaction of the message being handled alone (not held). */
  #newTransaction(datagram: WireDatagram, leg: Leg): Transaction {
    const isResponse = leg.message.header.qr;
    return {
      status: "unanswered",
      transport: datagram.transport,
      clientIp: isResponse ? datagram.dstIp : datagram.srcIp,
      clientPort: isResponse ? datagram.dstPort : datagram.srcPort,
      serverIp: isResponse ? datagram.srcIp : datagram.dstIp,
      serverPort: isResponse ? datagram.srcPort : datagram.dstPort,
      id: leg.message.header.id,
      query: isResponse ? null : leg,
      response: isResponse ? leg : null,
      retransmits: 0,
      duplicateResponses: 0,
      reason: "paired",
    };
  }

  #pair(key: LookupKey, entry: Transaction, nowMs: number): void {
    entry.status = "answered";
    entry.reason = "paired";
    this.counters.pairs++;
    this.#recent.remember(key, nowMs + this.options.duplicateWindowMs);
    this.onTransaction(entry);
  }

  #giveUp(entry: Transaction, reason: Transaction["reason"]): void {
    entry.reason = reason;
    if (entry.query !== null) {
      entry.status = "unanswered";
      this.counters.queries_unanswered++;
    } else {
      entry.status = "orphan_response";
      this.counters.responses_orphan++;
    }
    this.onTransaction(entry);
  }

  /** Time passes without packets (live capture): run the sweep a message at `nowMs` would run. */
  advanceClock(nowMs: number): void {
    if (nowMs >= this.#nextSweepMs) this.#sweep(nowMs);
  }

  /** Give up on entries older than the age limit. The table is in insertion order, so stop at the first young one. */
  #sweep(nowMs: number): void {
    if (this.#nextSweepMs < 0) return;
    this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    const cutoffMs = nowMs - this.options.gcAgeMs;
    const pending = this.#pending;
    const held = this.#held;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.oldest()) {
      if (held.tsSec[slot] * 1000 + held.tsNsec[slot] / 1e6 >= cutoffMs) break;
      this.#giveUp(this.#take(slot), "expired");
    }
  }
}

/** Two messages ask the same thing: first questions equal (ASCII case folded), or either has none. */
export function sameQuestion(a: DnsMessage, b: DnsMessage): boolean {
  const qa = a.questions[0];
  const qb = b.questions[0];
  if (qa === undefined || qb === undefined) return true;
  if (qa.type !== qb.type || qa.class !== qb.class) return false;
  return qa.name === qb.name || qa.name.toLowerCase() === qb.name.toLowerCase();
}
