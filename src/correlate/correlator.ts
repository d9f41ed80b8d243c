import type { DnsDatagram } from "../decode/dns_datagram.ts";
import { datagramAddresses, type WireDatagram } from "../decode/wire_datagram.ts";
import type { DnsMessage } from "../dns/message.ts";
import type { Counters } from "../metrics/counters.ts";
import { LookupKey } from "./lookup_key.ts";
import { NONE, PendingTable } from "./pending_table.ts";
import { RecentPairs } from "./recent_pairs.ts";
import type { Leg, Transaction, TransactionHandler } from "./transaction.ts";

export interface CorrelatorOptions {
  /** Bound on pending entries (queries awaiting a response, responses awaiting a query). */
  maxPending: number;
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
  gcAgeMs: 60_000,
  gcIntervalMs: 180_000,
  duplicateWindowMs: 10_000,
  maxRecent: 65_536,
};

/**
 * Pairs queries with responses.
 *
 * Key: transport, client IP and port, server IP and port, DNS ID, where the client is the sender of a query and
 * the receiver of a response, so both legs map to one key whatever order they arrive in. The first question
 * (name compared without regard to ASCII case, type, class) confirms a match; a message without a question
 * matches on the key alone. All time is packet time, so a replay is deterministic.
 */
export class Correlator {
  readonly #pending: PendingTable<Transaction>;
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
  ) {
    this.#pending = new PendingTable(options.maxPending);
    this.#recent = new RecentPairs(options.maxRecent);
  }

  /** Number of pending entries (for tests and metrics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

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
    const slot = this.#pending.find(key);
    if (isResponse) {
      this.counters.dns_responses++;
      this.#onResponse(key, slot, leg, nowMs, datagram, clientIp, clientPort, serverIp, serverPort);
    } else {
      this.counters.dns_queries++;
      this.#onQuery(key, slot, leg, nowMs, datagram, clientIp, clientPort, serverIp, serverPort);
    }
  }

  /** End of input: give up on every pending entry, oldest first. */
  flush(): void {
    const pending = this.#pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.newer(slot)) {
      this.#giveUp(pending.value(slot), "end_of_input");
    }
    pending.clear();
    this.#recent.clear();
  }

  #onQuery(
    key: LookupKey,
    slot: number,
    leg: Leg,
    nowMs: number,
    datagram: DnsDatagram,
    clientIp: string,
    clientPort: number,
    serverIp: string,
    serverPort: number,
  ): void {
    if (slot !== NONE) {
      const entry = this.#pending.value(slot);
      if (entry.query !== null) {
        if (sameQuestion(entry.query.message, leg.message)) {
          entry.retransmits++;
          this.counters.query_retransmits++;
          return;
        }
        // The same ID reused for another question: the earlier query was never answered.
        this.#pending.remove(slot);
        this.#giveUp(entry, "replaced");
      } else if (entry.response !== null && sameQuestion(leg.message, entry.response.message)) {
        // The response came first (capture reordering): the lookup is complete now.
        this.#pending.remove(slot);
        entry.query = leg;
        this.#pair(key, entry, nowMs);
        return;
      } else {
        this.#pending.remove(slot);
        this.#giveUp(entry, "replaced");
      }
    }
    this.#insert(key, newTransaction(datagram, clientIp, clientPort, serverIp, serverPort, leg, null), nowMs);
  }

  #onResponse(
    key: LookupKey,
    slot: number,
    leg: Leg,
    nowMs: number,
    datagram: DnsDatagram,
    clientIp: string,
    clientPort: number,
    serverIp: string,
    serverPort: number,
  ): void {
    if (slot !== NONE) {
      const entry = this.#pending.value(slot);
      if (entry.query !== null && sameQuestion(entry.query.message, leg.message)) {
        this.#pending.remove(slot);
        entry.response = leg;
        this.#pair(key, entry, nowMs);
        return;
      }
      if (entry.query === null && entry.response !== null && sameQuestion(entry.response.message, leg.message)) {
        entry.duplicateResponses++;
        this.counters.response_duplicates++;
        return;
      }
      // A response to some other question under this key: the pending entry is done for.
      this.#pending.remove(slot);
      this.#giveUp(entry, "replaced");
    } else {
      if (this.#recent.has(key, nowMs)) {
        this.counters.response_duplicates++;
        return;
      }
    }
    this.#insert(key, newTransaction(datagram, clientIp, clientPort, serverIp, serverPort, null, leg), nowMs);
  }

  #insert(key: LookupKey, entry: Transaction, nowMs: number): void {
    const pending = this.#pending;
    if (pending.size >= this.options.maxPending) {
      const oldestSlot = pending.oldest();
      const oldest = pending.value(oldestSlot);
      pending.remove(oldestSlot);
      this.counters.correlation_evicted++;
      this.#giveUp(oldest, "evicted");
    }
    if (this.#nextSweepMs < 0) this.#nextSweepMs = nowMs + this.options.gcIntervalMs;
    pending.add(key, entry);
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
      pending.remove(slot);
      this.#giveUp(entry, "expired");
    }
  }
}

function newTransaction(
  datagram: DnsDatagram,
  clientIp: string,
  clientPort: number,
  serverIp: string,
  serverPort: number,
  query: Leg | null,
  response: Leg | null,
): Transaction {
  return {
    status: "unanswered",
    transport: datagram.transport,
    clientIp,
    clientPort,
    serverIp,
    serverPort,
    id: (query ?? response)!.message.header.id,
    query,
    response,
    retransmits: 0,
    duplicateResponses: 0,
    reason: "paired",
  };
}

/** Two messages ask the same thing: first questions equal (ASCII case folded), or either has none. */
export function sameQuestion(a: DnsMessage, b: DnsMessage): boolean {
  const qa = a.questions[0];
  const qb = b.questions[0];
  if (qa === undefined || qb === undefined) return true;
  if (qa.type !== qb.type || qa.class !== qb.class) return false;
  return qa.name === qb.name || qa.name.toLowerCase() === qb.name.toLowerCase();
}
