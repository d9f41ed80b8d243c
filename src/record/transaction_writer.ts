/**
 * `-format transaction` as a writer for the pairing engine (src/correlate/wire_pairing.ts): one record per lookup,
 * answered or not, with every section, EDNS, all header flags, both timestamps and the RTT, written from the wire
 * (the JSON Schema is `schema/transaction.schema.json`). The engine keeps a held query's whole message and frame
 * details for it (`holdsWholeQuery`) and hands it the legs it gives up on (`writesUnpaired`).
 *
 * Each message is walked once as it arrives (src/record/transaction_leg.ts: the `dns_anomalies` count of the whole
 * message, and its parts ready should it complete a lookup now); a held one is walked again from its copy when its
 * lookup is written. The record is the bytes `JSON.stringify` gave for the plain object this format once built, key
 * for key: strings from the wire are escaped as it escapes them (names and RDATA are printable ASCII in presentation
 * form; the sensor name and EDNS extended-error text go through `JSON.stringify` itself).
 *
 * @module
 */

import { HELD_WHOLE_SLOT_BYTES } from "../correlate/held_legs.ts";
import type { LegView, Lookup, LookupWriter } from "../correlate/lookup.ts";
import type { MessageReader } from "../dns/_reader.ts";
import type { WireQuestion } from "../dns/wire_scan.ts";
import type { Counters } from "../metrics/counters.ts";
import { IP_TEXT_MAX, putIp16 } from "./ip_write.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import { goElapsedNs, RFC3339_MAX, Rfc3339Writer } from "./time_format.ts";
import { writeEncapsulation } from "./transaction_encapsulation.ts";
import { TransactionLeg } from "./transaction_leg.ts";
import {
  ADDITIONALS,
  ANOMALIES,
  anomalyPart,
  ANSWERS,
  AUTHORITIES,
  CLIENT_PORT,
  DUPLICATE_RESPONSES,
  END,
  ID,
  NO_SECTIONS,
  NULL,
  opcodePart,
  QUERY_EDNS,
  QUERY_FLAGS_NULL,
  QUERY_FRAME_BYTES,
  QUERY_SIZE,
  QUERY_TIME,
  queryFlags,
  QUESTION_NAME,
  questionTail,
  rcodeNamePart,
  RecordHeads,
  RESPONSE_EDNS,
  RESPONSE_FLAGS_NULL,
  RESPONSE_FRAME_BYTES,
  RESPONSE_SIZE,
  RESPONSE_TIME,
  responseFlags,
  RETRANSMITS,
  RTT_NS,
  SERVER_IP,
  SERVER_PORT,
  VLANS,
} from "./transaction_parts.ts";
import { writeWireName } from "./wire_render.ts";

const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1
const OPCODE_SHIFT = 11; // RFC 1035 §4.1.1

export class TransactionWriter implements LookupWriter {
  readonly holdsWholeQuery = true;
  readonly writesUnpaired = true;
  readonly slotBytes = HELD_WHOLE_SLOT_BYTES;
  /** The message being handled, walked as it arrives; a held one, walked when its lookup is written. */
  readonly #arriving: TransactionLeg;
  readonly #held: TransactionLeg;
  /** The record's first keys, up to the client's address, for this sensor name. */
  readonly #heads: RecordHeads;
  readonly #time = new Rfc3339Writer();

  constructor(readonly counters: Counters, readonly out: RecordBuffer, sensor: string, maxRecords: number = Infinity) {
    this.#arriving = new TransactionLeg(maxRecords);
    this.#held = new TransactionLeg(maxRecords);
    this.#heads = new RecordHeads(JSON.stringify(sensor));
  }

  arrived(r: MessageReader, q: WireQuestion): void {
    this.#arriving.render(r, q);
    if (this.#arriving.anomalies.count > 0) this.counters.dns_anomalies++;
  }

  responseUnpaired(): void {}

  /** The walked parts of a leg (the one walked on arrival, or its held copy walked now). */
  #leg(leg: LegView): TransactionLeg | null {
    if (!leg.present) return null;
    if (leg.current) return this.#arriving;
    this.#held.render(leg.reader!, leg.question);
    return this.#held;
  }

  write(l: Lookup): number {
    const out = this.out;
    const q = this.#leg(l.query);
    const r = this.#leg(l.response);
    const first = q !== null ? l.query : l.response;
    out.constant(this.#heads.get(l.status, l.reason, l.transport));
    this.#address(l.client);
    out.constant(CLIENT_PORT);
    out.number(l.clientPort);
    out.constant(SERVER_IP);
    this.#address(l.server);
    out.constant(SERVER_PORT);
    out.number(l.serverPort);
    if (first.vlans.length > 0) {
      out.constant(VLANS);
      for (let i = 0; i < first.vlans.length; i++) {
        if (i > 0) out.ascii(",");
        out.number(first.vlans[i]);
      }
      out.ascii("]");
    }
    if (first.tunnels.length > 0) writeEncapsulation(out, first.tunnels);
    out.constant(ID);
    out.number(l.id);
    out.constant(opcodePart((first.question.flags >> OPCODE_SHIFT) & 0xf));
    const asked = q !== null && l.query.question.hasQuestion ? l.query.question : r !== null ? l.response.question : null;
    if (asked !== null && asked.hasQuestion) {
      out.constant(QUESTION_NAME);
      writeWireName(out, asked.name, asked.nameStart, asked.nameLength);
      out.constant(questionTail(asked.type, asked.class));
    } else out.constant(NULL);
    out.constant(QUERY_TIME);
    this.#timeOf(l.query);
    out.constant(RESPONSE_TIME);
    this.#timeOf(l.response);
    out.constant(RTT_NS);
    if (q === null || r === null) out.constant(NULL);
    else {
      const ns = goElapsedNs(l.query.tsSec, l.query.tsNsec, l.response.tsSec, l.response.tsNsec);
      if (typeof ns === "number") out.number(ns);
      else out.ascii(String(ns));
    }
    out.constant(QUERY_SIZE);
    this.#numberOrNull(q === null ? -1 : q.size);
    out.constant(RESPONSE_SIZE);
    this.#numberOrNull(r === null ? -1 : r.size);
    out.constant(QUERY_FRAME_BYTES);
    this.#numberOrNull(q === null ? -1 : l.query.wireLen);
    out.constant(RESPONSE_FRAME_BYTES);
    this.#numberOrNull(r === null ? -1 : l.response.wireLen);
    out.constant(q === null ? QUERY_FLAGS_NULL : queryFlags(q.flags));
    if (r === null) {
      out.constant(RESPONSE_FLAGS_NULL);
      out.constant(NO_SECTIONS);
    } else {
      out.constant(responseFlags(r.flags));
      const rcode = (r.flags & RCODE_MASK) | (r.extendedRcode << 4);
      out.number(rcode);
      out.constant(rcodeNamePart(rcode));
      const parts = r.out.bytes;
      out.constant(ANSWERS);
      out.raw(parts.subarray(r.sectionStart[0], r.sectionEnd[0]));
      out.constant(AUTHORITIES);
      out.raw(parts.subarray(r.sectionStart[1], r.sectionEnd[1]));
      out.constant(ADDITIONALS);
      out.raw(parts.subarray(r.sectionStart[2], r.sectionEnd[2]));
    }
    out.constant(QUERY_EDNS);
    this.#edns(q);
    out.constant(RESPONSE_EDNS);
    this.#edns(r);
    out.constant(RETRANSMITS);
    out.number(l.retransmits);
    out.constant(DUPLICATE_RESPONSES);
    out.number(l.duplicateResponses);
    out.constant(ANOMALIES);
    const more = this.#anomalies("query:", q, false);
    this.#anomalies("response:", r, more);
    out.constant(END);
    return 1;
  }

  /** An address's text, without quotes (the parts around it carry them). */
  #address(address: Uint8Array): void {
    const out = this.out;
    out.reserve(IP_TEXT_MAX);
    out.used = putIp16(out.view, out.bytes, out.used, address, 0);
  }

  #timeOf(leg: LegView): void {
    const out = this.out;
    if (!leg.present) return out.constant(NULL);
    out.reserve(RFC3339_MAX);
    out.used = this.#time.put(out.view, out.bytes, out.used, leg.tsSec, leg.tsNsec);
  }

  /** A size, or null for -1. */
  #numberOrNull(n: number): void {
    if (n < 0) this.out.constant(NULL);
    else this.out.number(n);
  }

  #edns(leg: TransactionLeg | null): void {
    if (leg === null || !leg.hasEdns) return this.out.constant(NULL);
    this.out.raw(leg.out.bytes.subarray(leg.ednsStart, leg.ednsEnd));
  }

  /** The leg's anomalies, each as `side` + name; returns whether any was written (or `more` already). */
  #anomalies(side: string, leg: TransactionLeg | null, more: boolean): boolean {
    if (leg === null) return more;
    const anomalies = leg.anomalies;
    for (let i = 0; i < anomalies.count; i++) {
      this.out.constant(anomalyPart(side, anomalies.at(i), !more));
      more = true;
    }
    return more;
  }
}
