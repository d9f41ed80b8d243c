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
import { opcodeName, rcodeName } from "../dns/registries.ts";
import type { WireQuestion } from "../dns/wire_scan.ts";
import type { Counters } from "../metrics/counters.ts";
import { IP_TEXT_MAX, putIp16 } from "./ip_write.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import { goElapsedNs, Rfc3339Writer } from "./time_format.ts";
import { writeEncapsulation } from "./transaction_encapsulation.ts";
import { TransactionLeg } from "./transaction_leg.ts";
import { writeQuestion } from "./transaction_question.ts";

const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1
const OPCODE_SHIFT = 11; // RFC 1035 §4.1.1

/** `{"qr":…,"cd":…}` per header flags word (its eight flag bits; the rest masked off), encoded when first met. */
const FLAG_BITS = 0xfff0 & ~0x7800;
const FLAGS_JSON = new Map<number, Uint8Array>();
const encoder = new TextEncoder();

function flagsJson(flags: number): Uint8Array {
  const bits = flags & FLAG_BITS;
  let json = FLAGS_JSON.get(bits);
  if (json === undefined) {
    const on = (bit: number) => (bits & bit) !== 0;
    json = encoder.encode(JSON.stringify({
      qr: on(0x8000),
      aa: on(0x0400),
      tc: on(0x0200),
      rd: on(0x0100),
      ra: on(0x0080),
      z: on(0x0040),
      ad: on(0x0020),
      cd: on(0x0010),
    }));
    FLAGS_JSON.set(bits, json);
  }
  return json;
}

const STATUS = {
  answered: encoder.encode('{"status":"answered","reason":'),
  unanswered: encoder.encode('{"status":"unanswered","reason":'),
  orphan_response: encoder.encode('{"status":"orphan_response","reason":'),
};

export class TransactionWriter implements LookupWriter {
  readonly holdsWholeQuery = true;
  readonly writesUnpaired = true;
  readonly slotBytes = HELD_WHOLE_SLOT_BYTES;
  /** The message being handled, walked as it arrives; a held one, walked when its lookup is written. */
  readonly #arriving: TransactionLeg;
  readonly #held: TransactionLeg;
  /** `"sensor":"…"` and what follows up to the protocol's value. */
  readonly #sensorPart: Uint8Array;
  readonly #time = new Rfc3339Writer();

  constructor(readonly counters: Counters, readonly out: RecordBuffer, sensor: string, maxRecords: number = Infinity) {
    this.#arriving = new TransactionLeg(maxRecords);
    this.#held = new TransactionLeg(maxRecords);
    this.#sensorPart = encoder.encode(',"sensor":' + JSON.stringify(sensor) + ',"protocol":');
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
    out.raw(STATUS[l.status]);
    out.ascii('"' + l.reason + '"');
    out.raw(this.#sensorPart);
    out.ascii(l.transport === "tcp" ? '"tcp","client_ip":' : '"udp","client_ip":');
    this.#address(l.client);
    out.ascii(',"client_port":');
    out.number(l.clientPort);
    out.ascii(',"server_ip":');
    this.#address(l.server);
    out.ascii(',"server_port":');
    out.number(l.serverPort);
    if (first.vlans.length > 0) {
      out.ascii(',"vlans":[');
      for (let i = 0; i < first.vlans.length; i++) {
        if (i > 0) out.ascii(",");
        out.number(first.vlans[i]);
      }
      out.ascii("]");
    }
    if (first.tunnels.length > 0) writeEncapsulation(out, first.tunnels);
    out.ascii(',"id":');
    out.number(l.id);
    out.ascii(',"opcode":');
    out.jsonString(opcodeName((first.question.flags >> OPCODE_SHIFT) & 0xf));
    out.ascii(',"question":');
    const asked = q !== null && l.query.question.hasQuestion
      ? l.query.question
      : r !== null
      ? l.response.question
      : null;
    writeQuestion(out, asked !== null && asked.hasQuestion ? asked : null);
    out.ascii(',"query_time":');
    this.#timeOf(l.query);
    out.ascii(',"response_time":');
    this.#timeOf(l.response);
    out.ascii(',"rtt_ns":');
    if (q === null || r === null) out.ascii("null");
    else out.ascii(String(goElapsedNs(l.query.tsSec, l.query.tsNsec, l.response.tsSec, l.response.tsNsec)));
    out.ascii(',"query_size":');
    this.#numberOrNull(q?.size);
    out.ascii(',"response_size":');
    this.#numberOrNull(r?.size);
    out.ascii(',"query_frame_bytes":');
    this.#numberOrNull(q === null ? undefined : l.query.wireLen);
    out.ascii(',"response_frame_bytes":');
    this.#numberOrNull(r === null ? undefined : l.response.wireLen);
    out.ascii(',"query_flags":');
    if (q === null) out.ascii("null");
    else out.raw(flagsJson(q.flags));
    out.ascii(',"response_flags":');
    if (r === null) out.ascii("null");
    else out.raw(flagsJson(r.flags));
    out.ascii(',"rcode":');
    if (r === null) out.ascii('null,"rcode_name":null');
    else {
      const rcode = (r.flags & RCODE_MASK) | (r.extendedRcode << 4);
      out.number(rcode);
      out.ascii(',"rcode_name":');
      out.jsonString(rcodeName(rcode));
    }
    out.ascii(',"answers":');
    this.#section(r, 0);
    out.ascii(',"authorities":');
    this.#section(r, 1);
    out.ascii(',"additionals":');
    this.#section(r, 2);
    out.ascii(',"query_edns":');
    this.#edns(q);
    out.ascii(',"response_edns":');
    this.#edns(r);
    out.ascii(',"retransmits":');
    out.number(l.retransmits);
    out.ascii(',"duplicate_responses":');
    out.number(l.duplicateResponses);
    out.ascii(',"anomalies":[');
    const more = this.#anomalies("query:", q, false);
    this.#anomalies("response:", r, more);
    out.ascii("]}");
    out.endLine();
    return 1;
  }

  #address(address: Uint8Array): void {
    const out = this.out;
    out.reserve(IP_TEXT_MAX + 2);
    out.bytes[out.used] = 0x22;
    out.used = putIp16(out.view, out.bytes, out.used + 1, address, 0);
    out.bytes[out.used++] = 0x22;
  }

  #timeOf(leg: LegView): void {
    const out = this.out;
    if (!leg.present) return out.ascii("null");
    out.reserve(64);
    out.used = this.#time.put(out.bytes, out.used, leg.tsSec, leg.tsNsec);
  }

  #numberOrNull(n: number | undefined): void {
    if (n === undefined) this.out.ascii("null");
    else this.out.number(n);
  }

  #section(leg: TransactionLeg | null, section: number): void {
    if (leg === null) return this.out.ascii("[]");
    this.out.raw(leg.out.bytes.subarray(leg.sectionStart[section], leg.sectionEnd[section]));
  }

  #edns(leg: TransactionLeg | null): void {
    if (leg === null || !leg.hasEdns) return this.out.ascii("null");
    this.out.raw(leg.out.bytes.subarray(leg.ednsStart, leg.ednsEnd));
  }

  /** The leg's anomalies, each as `side` + name; returns whether any was written (or `more` already). */
  #anomalies(side: string, leg: TransactionLeg | null, more: boolean): boolean {
    if (leg === null) return more;
    const anomalies = leg.anomalies;
    for (let i = 0; i < anomalies.count; i++) {
      this.out.ascii(more ? ',"' : '"');
      this.out.ascii(side + anomalies.at(i) + '"');
      more = true;
    }
    return more;
  }
}
