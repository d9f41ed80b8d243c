/**
 * The one pairing engine, on the wire, for both record formats: every message is scanned to the end of its question
 * section (src/dns/wire_scan.ts, with the general decoder's rules and DecodeError codes), paired, and each lookup,
 * paired or given up on, is handed to a `LookupWriter` (src/correlate/lookup.ts) that writes its records.
 *
 * Rules. Key: transport, client address and port, server address and port, DNS ID, where the client is the sender
 * of a query and the receiver of a response, so both legs map to one key whatever order they arrive in. A key may
 * hold up to {@linkcode MAX_PER_KEY} lookups in flight, told apart by their first question (name compared without
 * regard to ASCII case, type, class; a message without a question matches on the key alone); a response pairs with
 * the oldest held query asking what it answers; a second copy of a held query is a retransmission, a second
 * response (held, or within the duplicate window of a pairing) a duplicate. Entries are bounded by count
 * (`maxPending`) and by bytes (`maxPendingBytes`, each leg costing its held bytes and the writer's `slotBytes`), and
 * given up on after `gcAgeMs` of packet time, so a replay is deterministic.
 *
 * Memory: a held leg is a row of columns (src/correlate/held_legs.ts) and its bytes in one HeldBytes buffer: a
 * query's first name only (a short one in its row instead), or its whole message when the writer asks for it
 * (`holdsWholeQuery`); a response's whole message. Nothing is decoded into objects.
 *
 * Lifetime: the datagram and its message are read only during `handle`; whatever outlives it is copied. The HeldBytes
 * ranges are valid until its next `put`, so a lookup is written before anything new is held.
 *
 * @module
 */

import { NO_TUNNELS } from "../decode/tunnels.ts";
import { NO_VLANS, type WireDatagram } from "../decode/wire_datagram.ts";
import { DecodeError } from "../decode_error.ts";
import {
  compareWireNames,
  NAMES_DIFFER,
  NAMES_IDENTICAL,
  sameScannedQuestion as sameQuestion,
  scanQuestion,
} from "../dns/wire_scan.ts";
import { countDecodeError } from "../metrics/counters.ts";
import { INLINE_NAME_BYTES } from "./held_legs.ts";
import { MAX_PER_KEY } from "./pairing_options.ts";
import type { LookupReason } from "./lookup.ts";
import { NONE } from "./pending_table.ts";
import { PairingState } from "./pairing_state.ts";

const QR_BIT = 0x8000; // RFC 1035 §4.1.1

export class WirePairing extends PairingState {
  /** One DNS message: scan, count, pair, and hand the writer what completes or gives up. */
  handle(d: WireDatagram): void {
    const r = this.reader;
    const q = this.question;
    this.pointAt(d);
    try {
      scanQuestion(r, q);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      countDecodeError(this.counters, error.code);
      return;
    }
    const nowMs = d.tsSec * 1000 + d.tsNsec / 1e6;
    this.now[0] = nowMs;
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
    this.writer.arrived(r, q);
    const isResponse = (q.flags & QR_BIT) !== 0;
    this.setKey(d, isResponse);
    const slot = this.pending.find(this.key);
    if (isResponse) {
      this.counters.dns_responses++;
      this.#onResponse(d, slot);
    } else {
      this.counters.dns_queries++;
      this.#onQuery(d, slot);
    }
  }

  #onQuery(d: WireDatagram, newest: number): void {
    const q = this.question;
    const key = this.key;
    const pending = this.pending;
    // Several lookups may be in flight under one key, told apart by question: find the oldest held query asking the
    // same (a retransmission) and the oldest held response answering it (the response came first).
    let sameQuery = NONE;
    let sameResponse = NONE;
    let oldest = NONE;
    let held = 0;
    for (let slot = newest; slot !== NONE; slot = pending.findNext(key, slot)) {
      held++;
      oldest = slot;
      if (this.held.isQuery[slot] === 1) {
        if (this.sameAsHeldQuery(slot)) sameQuery = slot;
      } else if (sameQuestion(q, this.scanHeld(slot))) sameResponse = slot;
    }
    if (sameQuery !== NONE) {
      if (this.held.whole) this.held.retransmits[sameQuery]++;
      this.counters.query_retransmits++;
      this.writer.dropped(this.reader, q);
      return;
    }
    if (sameResponse !== NONE) {
      // The response came first (capture reordering): the lookup is complete now.
      this.pair();
      this.writeHeldWithCurrent(sameResponse, d);
      this.remove(sameResponse);
      return;
    }
    if (held >= MAX_PER_KEY) this.giveUpHeld(oldest, "replaced");
    this.hold(d, true);
  }

  #onResponse(d: WireDatagram, newest: number): void {
    const q = this.question;
    const key = this.key;
    const pending = this.pending;
    // The oldest held query this answers pairs; failing that, a held response to the same question makes this one a
    // duplicate.
    let sameQuery = NONE;
    let identical = false;
    let sameResponse = NONE;
    let oldestResponse = NONE;
    let held = 0;
    for (let slot = newest; slot !== NONE; slot = pending.findNext(key, slot)) {
      held++;
      if (this.held.isQuery[slot] === 1) {
        if (this.sameAsHeldQuery(slot)) {
          sameQuery = slot;
          identical = this.#questionsIdentical;
        }
      } else {
        oldestResponse = slot;
        if (sameQuestion(this.scanHeld(slot), q)) sameResponse = slot;
      }
    }
    if (sameQuery !== NONE) {
      this.pair();
      this.writeHeldWithCurrent(sameQuery, d, identical);
      this.remove(sameQuery);
      return;
    }
    this.writer.responseUnpaired(this.reader, q);
    if (sameResponse !== NONE || this.recent.has(key, this.now[0])) {
      if (sameResponse !== NONE && this.held.whole) this.held.duplicateResponses[sameResponse]++;
      this.counters.response_duplicates++;
      this.writer.dropped(this.reader, q);
      return;
    }
    if (held >= MAX_PER_KEY) {
      // The key is full: an unmatched response makes room only at the cost of another held response, never of a
      // query in flight.
      if (oldestResponse === NONE) {
        this.counters.correlation_evicted++;
        this.giveUpCurrent(d, "evicted");
        return;
      }
      this.giveUpHeld(oldestResponse, "replaced");
    }
    this.hold(d, false);
  }

  /** End of input: give up on every pending entry, oldest first. */
  flush(): void {
    const pending = this.pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.newer(slot)) {
      this.giveUp(slot, "end_of_input");
      this.held.clearReferences(slot);
    }
    pending.clear();
    this.heldBytes.clear();
    this.forgetScan();
    this.recent.clear();
  }

  /** Time passes without packets (live capture): run the sweep a message at `nowMs` would run. */
  advanceClock(nowMs: number): void {
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
  }

  /** Give up on entries older than the age limit (the table is in insertion order). */
  sweep(nowMs: number): void {
    if (this.nextSweepMs < 0) return;
    this.nextSweepMs = nowMs + this.options.gcIntervalMs;
    const cutoffMs = nowMs - this.options.gcAgeMs;
    const pending = this.pending;
    for (let slot = pending.oldest(); slot !== NONE; slot = pending.oldest()) {
      if (this.held.tsSec[slot] * 1000 + this.held.tsNsec[slot] / 1e6 >= cutoffMs) break;
      this.giveUp(slot, "expired");
      this.remove(slot);
    }
  }

  /** Give up on the held entry in `slot` (a table bound: counted as evicted) and take it out. */
  giveUpHeld(slot: number, reason: LookupReason): void {
    this.counters.correlation_evicted++;
    this.giveUp(slot, reason);
    this.remove(slot);
  }

  /** Hold the message being handled (a query when `isQuery`), evicting the oldest entries while a bound is passed. */
  hold(d: WireDatagram, isQuery: boolean): void {
    const r = this.reader;
    const q = this.question;
    const whole = this.held.whole || !isQuery;
    // A short name is held in the slot's own room (counted in `slotBytes`), a longer one in the HeldBytes buffer.
    const inline = !whole && q.nameLength <= INLINE_NAME_BYTES;
    const bytes = whole ? r.end - r.base : inline ? 0 : q.nameLength;
    const pending = this.pending;
    const budget = this.options.maxPendingBytes;
    if (this.writer.slotBytes + bytes > budget) {
      // Over the byte bound by itself: given up on at once.
      this.counters.correlation_evicted++;
      this.giveUpCurrent(d, "evicted");
      return;
    }
    if (pending.size >= this.options.maxPending) this.giveUpHeld(pending.oldest(), "evicted");
    while ((pending.size + 1) * this.writer.slotBytes + this.heldBytes.liveBytes + bytes > budget) {
      this.giveUpHeld(pending.oldest(), "evicted");
    }
    if (this.nextSweepMs < 0) this.nextSweepMs = this.now[0] + this.options.gcIntervalMs;
    const slot = pending.add(this.key, undefined);
    this.forgetScan();
    const held = this.held;
    if (pending.capacity > held.slots) held.grow(pending.capacity);
    held.isQuery[slot] = isQuery ? 1 : 0;
    held.tsSec[slot] = d.tsSec;
    held.tsNsec[slot] = d.tsNsec;
    held.wireLen[slot] = d.wireLen;
    if (held.whole) {
      held.retransmits[slot] = 0;
      held.duplicateResponses[slot] = 0;
      held.interfaceId[slot] = d.interfaceId;
      held.vlans[slot] = d.vlans.length === 0 ? NO_VLANS : d.vlans;
      held.tunnels[slot] = d.tunnels ?? NO_TUNNELS;
    }
    if (whole) {
      this.heldBytes.put(slot, r.bytes, r.base, r.end);
      return;
    }
    held.rd[slot] = (q.flags & RD_BIT) !== 0 ? 1 : 0;
    held.hasQuestion[slot] = q.hasQuestion ? 1 : 0;
    held.qtype[slot] = q.type;
    held.qclass[slot] = q.class;
    held.nameLength[slot] = q.nameLength;
    if (!inline) {
      this.heldBytes.put(slot, q.name, q.nameStart, q.nameStart + q.nameLength);
      return;
    }
    const names = held.names;
    const name = q.name;
    const from = q.nameStart;
    const at = slot * INLINE_NAME_BYTES;
    for (let i = 0; i < q.nameLength; i++) names[at + i] = name[from + i];
  }

  /**
   * The held query in `slot` asks what the message being handled asks (either without a question: yes). Sets
   * `#questionsIdentical` when both first questions are the same bytes.
   */
  sameAsHeldQuery(slot: number): boolean {
    const q = this.question;
    const held = this.held;
    this.#questionsIdentical = false;
    if (held.whole) {
      const h = this.scanHeld(slot);
      if (!h.hasQuestion || !q.hasQuestion) return true;
      if (h.type !== q.type || h.class !== q.class) return false;
      return this.#sameNames(compareWireNames(h.name, h.nameStart, h.nameLength, q.name, q.nameStart, q.nameLength));
    }
    if (held.hasQuestion[slot] === 0 || !q.hasQuestion) return true;
    if (held.qtype[slot] !== q.type || held.qclass[slot] !== q.class) return false;
    return this.#sameNames(compareWireNames(
      this.heldNameBytes(slot),
      this.heldNameStart(slot),
      held.nameLength[slot],
      q.name,
      q.nameStart,
      q.nameLength,
    ));
  }

  /** `names` (from `compareWireNames`) say the questions match; notes whether they are the same bytes. */
  #sameNames(names: number): boolean {
    this.#questionsIdentical = names === NAMES_IDENTICAL;
    return names !== NAMES_DIFFER;
  }

  /** Set by `sameAsHeldQuery`. */
  #questionsIdentical = false;
}

const RD_BIT = 0x0100; // RFC 1035 §4.1.1
