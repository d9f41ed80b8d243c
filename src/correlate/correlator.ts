import { datagramAddresses, type WireDatagram } from "../decode/wire_datagram.ts";
import { decodeMessage } from "../dns/decode_message.ts";
import type { DnsMessage, DnsQuestion } from "../dns/message.ts";
import type { Counters } from "../metrics/counters.ts";
import { HeldBytes } from "./held_bytes.ts";
import { LookupKey } from "./lookup_key.ts";
import { NONE, PendingTable } from "./pending_table.ts";
import { RecentPairs } from "./recent_pairs.ts";
import type { Leg, Transaction, TransactionHandler } from "./transaction.ts";

/**
 * The most lookups held in flight under one key (transport, client, server, ID), told apart by question: a stub
 * resolver's A and AAAA with one ID, pipelined TCP queries reusing an ID. A further one gives up on the oldest
 * (counted in `correlation_evicted`, `reason: "replaced"`). Small, because every message on a key compares its
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
  maxPendingBytes: 64 << 20,
  gcAgeMs: 60_000,
  gcIntervalMs: 180_000,
  duplicateWindowMs: 10_000,
  maxRecent: 65_536,
};

/**
 * What one held transaction costs besides its message bytes, counted against `-max_pending_bytes`: the transaction,
 * its leg, the first question and its name, the address texts and the table's row (~450 bytes measured with 100 000
 * held in V8), rounded up.
 */
export const HELD_TRANSACTION_BYTES = 512;

/** A pending transaction, with its held leg's first question (null: none) to tell lookups under one key apart. */
interface HeldTransaction extends Transaction {
  question: DnsQuestion | null;
}

/** A held leg's message while its bytes wait in HeldBytes: decoded again when the transaction is written. */
const HELD: DnsMessage = Object.freeze({
  header: Object.freeze({
    id: 0,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    qdcount: 0,
    ancount: 0,
    nscount: 0,
    arcount: 0,
  }),
  questions: [],
  answers: [],
  authorities: [],
  additionals: [],
  edns: null,
  anomalies: [],
  size: 0,
}) as DnsMessage;

/**
 * Pairs queries with responses.
 *
 * Key: transport, client IP and port, server IP and port, DNS ID, where the client is the sender of a query and
 * the receiver of a response, so both legs map to one key whatever order they arrive in. A key may hold up to
 * {@linkcode MAX_PER_KEY} lookups in flight, told apart by their first question (name compared without regard to
 * ASCII case, type, class); a response pairs with the oldest held query asking what it answers. A message without a
 * question matches on the key alone. All time is packet time, so a replay is deterministic.
 *
 * Memory: a held leg keeps its message's wire bytes (in one HeldBytes buffer), not the decoded message, which is
 * decoded again when its transaction is written; entries are bounded by count (`maxPending`) and by bytes
 * (`maxPendingBytes`).
 */
export class Correlator {
  readonly #pending: PendingTable<HeldTransaction>;
  readonly #heldBytes: HeldBytes;
  readonly #recent: RecentPairs;
  /** The key of the message being handled (reused: one message is handled at a time). */
  readonly #key = new LookupKey();
  readonly #srcAddress = new Uint8Array(16);
  readonly #dstAddress = new Uint8Array(16);
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
    const clientIp = isResponse ? datagram.dstIp : datagram.srcIp;
    const clientPort = isResponse ? datagram.dstPort : datagram.srcPort;
    const serverIp = isResponse ? datagram.srcIp : datagram.dstIp;
    const serverPort = isResponse ? datagram.srcPort : datagram.dstPort;
    datagramAddresses(datagram, this.#srcAddress, this.#dstAddress);
    const clientAddress = isResponse ? this.#dstAddress : this.#srcAddress;
    const serverAddress = isResponse ? this.#srcAddress : this.#dstAddress;
    const key = this.#key.set(
      datagram.transport,
      clientAddress,
      clientPort,
      serverAddress,
      serverPort,
      message.header.id,
    );
    const leg: Leg = {
      message,
      tsSec: datagram.tsSec,
      tsNsec: datagram.tsNsec,
      wireLen: datagram.wireLen,
      vlans: datagram.vlans,
      interfaceId: datagram.interfaceId,
    };
    const question = message.questions[0] ?? null;
    const pending = this.#pending;
    // Several lookups may be in flight under this key: the oldest held query and the oldest held response that ask
    // what this message asks (the table walks a key's entries newest first).
    let sameQuery = NONE;
    let sameResponse = NONE;
    let oldest = NONE;
    let held = 0;
    for (let slot = pending.find(key); slot !== NONE; slot = pending.findNext(key, slot)) {
      held++;
      oldest = slot;
      const entry = pending.value(slot);
      if (!sameFirstQuestion(entry.question, question)) continue;
      if (entry.query !== null) sameQuery = slot;
      else sameResponse = slot;
    }
    if (isResponse) {
      this.counters.dns_responses++;
      if (sameQuery !== NONE) {
        const entry = this.#take(sameQuery);
        entry.response = leg;
        this.#pair(key, entry, nowMs);
        return;
      }
      if (sameResponse !== NONE) {
        pending.value(sameResponse).duplicateResponses++;
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
        pending.value(sameQuery).retransmits++;
        this.counters.query_retransmits++;
        return;
      }
      if (sameResponse !== NONE) {
        // The response came first (capture reordering): the lookup is complete now.
        const entry = this.#take(sameResponse);
        entry.query = leg;
        this.#pair(key, entry, nowMs);
        return;
      }
    }
    if (held >= MAX_PER_KEY) {
      this.counters.correlation_evicted++;
      this.#giveUp(this.#take(oldest), "replaced");
    }
    const entry: HeldTransaction = {
      status: "unanswered",
      transport: datagram.transport,
      clientIp,
      clientPort,
      serverIp,
      serverPort,
      id: message.header.id,
      query: isResponse ? null : leg,
      response: isResponse ? leg : null,
      retransmits: 0,
      duplicateResponses: 0,
      reason: "paired",
      question,
    };
    this.#insert(key, entry, datagram.message, nowMs);
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

  /** Take the entry in `slot` out of the table, its held leg's message decoded again from its bytes. */
  #take(slot: number): HeldTransaction {
    const entry = this.#pending.value(slot);
    const held = this.#heldBytes;
    const start = held.start(slot);
    const leg = (entry.query ?? entry.response)!;
    // It was decoded once on arrival with the same bound: it cannot throw now.
    leg.message = decodeMessage(held.bytes.subarray(start, start + held.length(slot)), "full", this.maxRecords);
    this.#pending.remove(slot);
    held.release(slot);
    return entry;
  }

  /**
   * Hold `entry` (its leg's message is `wire`), evicting the oldest entries while the table is full by count or by
   * bytes. A leg over the byte bound by itself is given up on at once.
   */
  #insert(key: LookupKey, entry: HeldTransaction, wire: Uint8Array, nowMs: number): void {
    const pending = this.#pending;
    const budget = this.options.maxPendingBytes;
    if (HELD_TRANSACTION_BYTES + wire.length > budget) {
      this.counters.correlation_evicted++;
      this.#giveUp(entry, "evicted");
      return;
    }
    if (pending.size >= this.options.maxPending) {
      this.counters.correlation_evicted++;
      this.#giveUp(this.#take(pending.oldest()), "evicted");
    }
    while ((pending.size + 1) * HELD_TRANSACTION_BYTES + this.#heldBytes.liveBytes + wire.length > budget) {
      this.counters.correlation_evicted++;
      this.#giveUp(this.#take(pending.oldest()), "evicted");
    }
    if (this.#nextSweepMs < 0) this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    (entry.query ?? entry.response)!.message = HELD;
    const slot = pending.add(key, entry);
    this.#heldBytes.put(slot, wire, 0, wire.length);
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
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.oldest()) {
      const entry = pending.value(slot);
      const leg = (entry.query ?? entry.response)!;
      if (leg.tsSec * 1000 + leg.tsNsec / 1e6 >= cutoffMs) break;
      this.#giveUp(this.#take(slot), "expired");
    }
  }
}

/** Two messages ask the same thing: first questions equal (ASCII case folded), or either has none. */
export function sameQuestion(a: DnsMessage, b: DnsMessage): boolean {
  return sameFirstQuestion(a.questions[0] ?? null, b.questions[0] ?? null);
}

/** Two first questions are the same (ASCII case folded), or either is missing. */
export function sameFirstQuestion(qa: DnsQuestion | null, qb: DnsQuestion | null): boolean {
  if (qa === null || qb === null) return true;
  if (qa.type !== qb.type || qa.class !== qb.class) return false;
  return qa.name === qb.name || qa.name.toLowerCase() === qb.name.toLowerCase();
}
