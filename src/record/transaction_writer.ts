/**
 * `-format transaction` as a writer for the pairing engine (src/correlate/wire_pairing.ts): one record per lookup,
 * answered or not, with every section, EDNS, all header flags, both timestamps and the RTT, written from the wire
 * (the JSON Schema is `schema/transaction.schema.json`). The engine keeps a held query's whole message and frame
 * details for it (`holdsWholeQuery`) and hands it the legs it gives up on (`writesUnpaired`).
 *
 * Each message is walked once (src/record/transaction_leg.ts), when its lookup is written (a held one from its copy)
 * or, for a message no record carries (a retransmission, a duplicate), when the engine drops it: its anomalies are
 * counted then (`dns_anomalies`, once per message, as the general decoder counted them on arrival). The record is the bytes `JSON.stringify` gave for the plain object this format once built, key
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
import { copySpan, NUMBER_MAX, putConstant, putNumberWords } from "./_put.ts";
import { AddressTextCache } from "./address_text_cache.ts";
import { putIp16 } from "./ip_write.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import { putElapsed, Rfc3339Writer } from "./time_format.ts";
import { writeEncapsulation } from "./transaction_encapsulation.ts";
import { TransactionLeg } from "./transaction_leg.ts";
import {
  ANOMALIES,
  anomalyPart,
  CLIENT_PORT,
  DUPLICATE_RESPONSES,
  ednsPart,
  END,
  flagsPart,
  ID,
  NO_QUERY_EDNS,
  NO_QUERY_TIME,
  NO_RESPONSE_EDNS,
  NO_RESPONSE_TIME,
  NULL,
  opcodePart,
  QUERY_EDNS,
  QUERY_FRAME_BYTES,
  QUERY_SIZE,
  questionTail,
  QUIET_END,
  RecordHeads,
  RESPONSE_EDNS,
  RESPONSE_FRAME_BYTES,
  RESPONSE_SIZE,
  RETRANSMITS,
  SERVER_IP,
  SERVER_PORT,
  VLANS,
} from "./transaction_parts.ts";

const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1
const OPCODE_SHIFT = 11; // RFC 1035 §4.1.1
/**
 * Room for a record's parts besides the sensor name, the VLANs, the sections and the EDNS objects: the constant parts
 * (under 700 bytes), about 15 numbers of at most 24 bytes, two addresses and two times, a question name of up to
 * 5 × 255 bytes, and the anomalies (ten of under 40 bytes per leg).
 */
const RECORD_FIXED_MAX = 4096;
/** `,"server_ip":"…","server_port":`: the server's address with the keys around it (a few servers: cached). */
const SERVER_PART = new AddressTextCache(SERVER_IP, SERVER_PORT);

export class TransactionWriter implements LookupWriter {
  readonly holdsWholeQuery = true;
  readonly writesUnpaired = true;
  readonly slotBytes = HELD_WHOLE_SLOT_BYTES;
  /** The parts of the message being handled, and of a held one, walked when its lookup is written. */
  readonly #current: TransactionLeg;
  readonly #held: TransactionLeg;
  /** The record's first keys, up to the client's address, for this sensor name. */
  readonly #heads: RecordHeads;
  readonly #queryTime = new Rfc3339Writer(',"query_time":', ',"response_time":');
  readonly #responseTime = new Rfc3339Writer("", ',"rtt_ns":');

  constructor(readonly counters: Counters, readonly out: RecordBuffer, sensor: string, maxRecords: number = Infinity) {
    this.#current = new TransactionLeg(maxRecords);
    this.#held = new TransactionLeg(maxRecords);
    this.#heads = new RecordHeads(JSON.stringify(sensor));
  }

  /** A message is walked only when it is written or dropped, once (a held one from its copy). */
  arrived(): void {}

  responseUnpaired(): void {}

  /** Walked for its anomalies only. */
  dropped(r: MessageReader, q: WireQuestion): void {
    this.#walk(this.#current, r, q);
  }

  /**
   * The walked parts of a leg (its question's name left out unless `withQuestion`), its anomalies counted
   * (`dns_anomalies`, per message).
   */
  #leg(leg: LegView, withQuestion = true): TransactionLeg | null {
    if (!leg.present) return null;
    return this.#walk(leg.current ? this.#current : this.#held, leg.reader!, leg.question, withQuestion);
  }

  #walk(parts: TransactionLeg, r: MessageReader, q: WireQuestion, withQuestion = true): TransactionLeg {
    parts.render(r, q, withQuestion);
    if (parts.anomalies.count > 0) this.counters.dns_anomalies++;
    return parts;
  }

  write(l: Lookup): number {
    return this.writeWalked(l, null, null);
  }

  /**
   * Write a lookup of which a leg may have been walked already, on another thread (`walkedQuery`, `walkedResponse`:
   * its parts, its anomalies counted there), else null: walked here. Returns the number of records written.
   */
  writeWalked(l: Lookup, walkedQuery: TransactionLeg | null, walkedResponse: TransactionLeg | null): number {
    const out = this.out;
    // The query's first question the same bytes as the response's (the engine compared them): the record's
    // `question` is written from the response's walk, and the query's walk leaves its name out.
    const fromResponse = l.questionsIdentical && l.query.present && l.response.present;
    const q = walkedQuery ?? this.#leg(l.query, !fromResponse);
    const r = walkedResponse ?? this.#leg(l.response);
    const first = q !== null ? l.query : l.response;
    // One reserve for the whole record: every part below is bounded (RECORD_FIXED_MAX covers the fixed parts, the
    // numbers, addresses, times and the question's name), then written through one cursor with the word writers.
    out.reserve(
      RECORD_FIXED_MAX + this.#heads.sensorJson.length + first.vlans.length * NUMBER_MAX +
        (q === null ? 0 : q.out.used) + (r === null ? 0 : r.out.used),
    );
    const d = out.bytes;
    const v = out.view;
    let u = putConstant(v, d, out.used, this.#heads.get(l.status, l.reason, l.transport));
    u = putIp16(v, d, u, l.client, 0);
    u = putConstant(v, d, u, CLIENT_PORT);
    u = putNumberWords(v, d, u, l.clientPort);
    u = SERVER_PART.put(v, u, l.server, 0);
    u = putNumberWords(v, d, u, l.serverPort);
    if (first.vlans.length > 0) {
      u = putConstant(v, d, u, VLANS);
      for (let i = 0; i < first.vlans.length; i++) {
        if (i > 0) d[u++] = 0x2c; // ,
        u = putNumberWords(v, d, u, first.vlans[i]);
      }
      d[u++] = 0x5d; // ]
    }
    if (first.tunnels.length > 0) {
      out.used = u;
      writeEncapsulation(out, first.tunnels); // rare: it reserves (and may grow the buffer) itself
      return this.#rest(l, q, r, first, fromResponse);
    }
    out.used = u;
    return this.#rest(l, q, r, first, fromResponse);
  }

  /**
   * The record from its ID on (the buffer has room: see `write`, or the encapsulation's own reserve); `fromResponse`:
   * its question is the response's (see `writeWalked`).
   */
  #rest(l: Lookup, q: TransactionLeg | null, r: TransactionLeg | null, first: LegView, fromResponse: boolean): number {
    const out = this.out;
    out.reserve(RECORD_FIXED_MAX + (q === null ? 0 : q.out.used) + (r === null ? 0 : r.out.used));
    const d = out.bytes;
    const v = out.view;
    let u = putConstant(v, d, out.used, ID);
    u = putNumberWords(v, d, u, l.id);
    // The query's first question, else the response's.
    const asked = q !== null && l.query.question.hasQuestion && !fromResponse
      ? q
      : r !== null && l.response.question.hasQuestion
      ? r
      : null;
    const opcode = (first.question.flags >> OPCODE_SHIFT) & 0xf;
    if (asked !== null) {
      const question = asked === q ? l.query.question : l.response.question;
      u = putConstant(v, d, u, opcodePart(opcode, true));
      u = copySpan(v, d, u, asked.out.view, asked.out.bytes, asked.questionStart, asked.questionEnd);
      u = putConstant(v, d, u, questionTail(question.type, question.class));
    } else u = putConstant(v, d, u, opcodePart(opcode, false));
    const query = l.query;
    const response = l.response;
    u = query.present ? this.#queryTime.put(v, d, u, query.tsSec, query.tsNsec) : putConstant(v, d, u, NO_QUERY_TIME);
    u = response.present
      ? this.#responseTime.put(v, d, u, response.tsSec, response.tsNsec)
      : putConstant(v, d, u, NO_RESPONSE_TIME);
    if (q === null || r === null) u = putConstant(v, d, u, NULL);
    else u = putElapsed(v, d, u, l.query.tsSec, l.query.tsNsec, l.response.tsSec, l.response.tsNsec);
    u = putConstant(v, d, u, QUERY_SIZE);
    u = q === null ? putConstant(v, d, u, NULL) : putNumberWords(v, d, u, q.size);
    u = putConstant(v, d, u, RESPONSE_SIZE);
    u = r === null ? putConstant(v, d, u, NULL) : putNumberWords(v, d, u, r.size);
    u = putConstant(v, d, u, QUERY_FRAME_BYTES);
    u = q === null ? putConstant(v, d, u, NULL) : putNumberWords(v, d, u, l.query.wireLen);
    u = putConstant(v, d, u, RESPONSE_FRAME_BYTES);
    u = r === null ? putConstant(v, d, u, NULL) : putNumberWords(v, d, u, l.response.wireLen);
    const rcode = r === null ? 0 : (r.flags & RCODE_MASK) | (r.extendedRcode << 4);
    u = putConstant(v, d, u, flagsPart(q === null ? -1 : q.flags, r === null ? -1 : r.flags, rcode));
    if (r !== null) {
      u = copySpan(v, d, u, r.out.view, r.out.bytes, r.sectionsStart, r.sectionsEnd);
    }
    u = this.#edns(d, v, u, q, false);
    u = this.#edns(d, v, u, r, true);
    const anomalous = (q !== null && q.anomalies.count > 0) || (r !== null && r.anomalies.count > 0);
    if (l.retransmits === 0 && l.duplicateResponses === 0 && !anomalous) {
      out.used = putConstant(v, d, u, QUIET_END);
      return 1;
    }
    u = putConstant(v, d, u, RETRANSMITS);
    u = putNumberWords(v, d, u, l.retransmits);
    u = putConstant(v, d, u, DUPLICATE_RESPONSES);
    u = putNumberWords(v, d, u, l.duplicateResponses);
    out.used = putConstant(v, d, u, ANOMALIES);
    const more = this.#anomalies("query:", q, false);
    this.#anomalies("response:", r, more);
    out.constant(END);
    return 1;
  }

  /** `,"query_edns":…` or `,"response_edns":…`. */
  #edns(d: Uint8Array, v: DataView, u: number, leg: TransactionLeg | null, response: boolean): number {
    if (leg === null || !leg.hasEdns) return putConstant(v, d, u, response ? NO_RESPONSE_EDNS : NO_QUERY_EDNS);
    if (!leg.ednsOptions) return putConstant(v, d, u, ednsPart(response, leg.ednsUdpSize, leg.ednsTtl));
    u = putConstant(v, d, u, response ? RESPONSE_EDNS : QUERY_EDNS);
    return copySpan(v, d, u, leg.out.view, leg.out.bytes, leg.ednsStart, leg.ednsEnd);
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
