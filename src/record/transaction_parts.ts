/**
 * The constant parts of a transaction record, encoded once as {@linkcode Constant}s so the writers copy each run of
 * keys and fixed values in one go (src/record/_put.ts): keys merged with their neighbours, and the parts that depend
 * on a small value (status and reason, opcode, type and class, header flags, rcode) encoded on first use and kept.
 * Every text here is what `JSON.stringify` writes for the same keys and values.
 *
 * @module
 */

import type { LookupReason, LookupStatus } from "../correlate/lookup.ts";
import { opcodeName, rcodeName } from "../dns/registries.ts";
import { Constant } from "./_put.ts";
import { PartCache, RecentParts } from "./part_cache.ts";
import { classJson, typeJson } from "./transaction_names.ts";

const encoder = new TextEncoder();
const constant = (text: string): Constant => new Constant(encoder.encode(text));
const decoder = new TextDecoder();

export const CLIENT_PORT: Constant = constant('","client_port":');
/** Around the server's address (src/record/address_text_cache.ts). */
export const SERVER_IP: Uint8Array = encoder.encode(',"server_ip":"');
export const SERVER_PORT: Uint8Array = encoder.encode('","server_port":');
export const VLANS: Constant = constant(',"vlans":[');
export const ID: Constant = constant(',"id":');
export const NULL: Constant = constant("null");
/** The times of a lookup without a query, or without a response (src/record/time_format.ts writes the others). */
export const NO_QUERY_TIME: Constant = constant(',"query_time":null,"response_time":');
export const NO_RESPONSE_TIME: Constant = constant('null,"rtt_ns":');
export const QUERY_SIZE: Constant = constant(',"query_size":');
export const RESPONSE_SIZE: Constant = constant(',"response_size":');
export const QUERY_FRAME_BYTES: Constant = constant(',"query_frame_bytes":');
export const RESPONSE_FRAME_BYTES: Constant = constant(',"response_frame_bytes":');
export const QUERY_EDNS: Constant = constant(',"query_edns":');
export const RESPONSE_EDNS: Constant = constant(',"response_edns":');
export const NO_QUERY_EDNS: Constant = constant(',"query_edns":null');
export const NO_RESPONSE_EDNS: Constant = constant(',"response_edns":null');
export const RETRANSMITS: Constant = constant(',"retransmits":');
export const DUPLICATE_RESPONSES: Constant = constant(',"duplicate_responses":');
export const ANOMALIES: Constant = constant(',"anomalies":[');
export const END: Constant = constant("]}\n");
/** Between a leg's sections (src/record/transaction_leg.ts), and for those not decoded. */
export const AUTHORITIES_KEY: Constant = constant(',"authorities":');
export const ADDITIONALS_KEY: Constant = constant(',"additionals":');
export const NO_AUTHORITIES: Constant = constant(',"authorities":[]');
export const NO_ADDITIONALS: Constant = constant(',"additionals":[]');
/** A leg's three sections when all are empty (or hold only an OPT RR, which is the EDNS object instead). */
export const EMPTY_SECTIONS: Constant = constant('[],"authorities":[],"additionals":[]');
/** The end of a record with no retransmission, no duplicate and no anomaly. */
export const QUIET_END: Constant = constant(',"retransmits":0,"duplicate_responses":0,"anomalies":[]}\n');
/** An RR of a section: `{"name":"`, the owner, then {@linkcode rrTypeClass}, the TTL, `,"data":`. */
export const RR_FIRST: Constant = constant('{"name":"');
export const RR_NEXT: Constant = constant(',{"name":"');
export const RR_DATA: Constant = constant(',"data":');

/**
 * `{"status":…,"reason":…,"sensor":…,"protocol":…,"client_ip":"` per status, reason and protocol, for one sensor
 * name (its JSON string given).
 */
export class RecordHeads {
  /** Indexed by status, reason and protocol (see `get`). */
  readonly #heads: Constant[] = [];
  constructor(readonly sensorJson: string) {
    // Every head made now, through `get` itself: a status, a reason or an index first seen late in a run (the first
    // expired lookup, the first over TCP) deoptimized the record writer that inlines `get` (measured on the 1M-pair
    // capture with `--trace-deopt`: twice per run).
    for (const status of Object.keys(STATUS_INDEX) as LookupStatus[]) {
      for (const reason of Object.keys(REASON_INDEX) as LookupReason[]) {
        for (const transport of ["udp", "tcp"] as const) this.get(status, reason, transport);
      }
    }
  }

  get(status: LookupStatus, reason: LookupReason, transport: "udp" | "tcp"): Constant {
    const key = (STATUS_INDEX[status] * 8 + REASON_INDEX[reason]) * 2 + (transport === "tcp" ? 1 : 0);
    return this.#heads[key] ??= constant(
      `{"status":"${status}","reason":"${reason}","sensor":${this.sensorJson},"protocol":"${transport}","client_ip":"`,
    );
  }
}

const STATUS_INDEX: Readonly<Record<LookupStatus, number>> = { answered: 0, unanswered: 1, orphan_response: 2 };
const REASON_INDEX: Readonly<Record<LookupReason, number>> = {
  paired: 0,
  expired: 1,
  evicted: 2,
  end_of_input: 3,
  replaced: 4,
};

const OPCODES: Constant[] = [];
/** `,"opcode":"QUERY","question":{"name":"` per opcode (four bits), or with `null` for no question. */
export function opcodePart(opcode: number, question: boolean): Constant {
  return OPCODES[opcode * 2 + (question ? 1 : 0)] ??= constant(
    `,"opcode":${JSON.stringify(opcodeName(opcode))},"question":` + (question ? '{"name":"' : "null"),
  );
}

const CLASS_IN = 1;

/**
 * `","type":"A","class":"IN"` and what follows it (`end`), per type and class: for class IN and types below 256
 * (nearly every question and RR) from an array by type, without hashing (a `Map` lookup per record cost more), the
 * others in a bounded cache.
 */
class TypeClassParts {
  readonly #inClass: Constant[] = [];
  readonly #others = new PartCache<Constant>();

  constructor(readonly end: string) {}

  get(type: number, klass: number): Constant {
    if (klass === CLASS_IN && type < 256) return this.#inClass[type] ??= this.#make(type, klass);
    const key = type * 0x10000 + klass;
    return this.#others.get(key) ?? this.#others.set(key, this.#make(type, klass));
  }

  #make(type: number, klass: number): Constant {
    return constant(
      `","type":${decoder.decode(typeJson(type))},"class":${decoder.decode(classJson(klass))}${this.end}`,
    );
  }
}

const QUESTION_TAILS = new TypeClassParts("}");
/** `","type":"A","class":"IN"}`: the rest of a question after its name. */
export function questionTail(type: number, klass: number): Constant {
  return QUESTION_TAILS.get(type, klass);
}

const RR_TAILS = new TypeClassParts(',"ttl":');
/** `","type":"A","class":"IN","ttl":`: what follows an RR's owner name up to its TTL. */
export function rrTypeClass(type: number, klass: number): Constant {
  return RR_TAILS.get(type, klass);
}

/** `{"qr":…,"cd":…}` per header flags word: its eight flag bits (opcode and rcode masked off). */
const FLAG_BITS = 0x87f0;
const FLAGS = new Map<number, string>();
function flagsJson(flags: number): string {
  const bits = flags & FLAG_BITS;
  let json = FLAGS.get(bits);
  if (json === undefined) {
    const on = (bit: number) => (bits & bit) !== 0;
    json = JSON.stringify({
      qr: on(0x8000),
      aa: on(0x0400),
      tc: on(0x0200),
      rd: on(0x0100),
      ra: on(0x0080),
      z: on(0x0040),
      ad: on(0x0020),
      cd: on(0x0010),
    });
    FLAGS.set(bits, json);
  }
  return json;
}

const FLAG_PARTS = new PartCache<Constant>();
/**
 * `,"query_flags":{…},"response_flags":{…},"rcode":N,"rcode_name":"…","answers":` for the two legs' header flags words
 * (-1: no such leg) and the response's 12-bit rcode; without a response, through its empty sections:
 * `…"response_flags":null,"rcode":null,"rcode_name":null,"answers":[],"authorities":[],"additionals":[]`.
 */
export function flagsPart(query: number, response: number, rcode: number): Constant {
  const q = query < 0 ? 0x10000 : query & FLAG_BITS;
  const r = response < 0 ? 0x10000 : response & FLAG_BITS;
  const key = (q * 0x20000 + r) * 0x1000 + (response < 0 ? 0 : rcode);
  const recent = RECENT_FLAG_PARTS.get(key);
  if (recent !== undefined) return recent;
  let part = FLAG_PARTS.get(key);
  if (part === undefined) {
    const queryFlags = query < 0 ? "null" : flagsJson(query);
    part = constant(
      `,"query_flags":${queryFlags},"response_flags":` +
        (response < 0
          ? 'null,"rcode":null,"rcode_name":null,"answers":[],"authorities":[],"additionals":[]'
          : `${flagsJson(response)},"rcode":${rcode},"rcode_name":${JSON.stringify(rcodeName(rcode))},"answers":`),
    );
    FLAG_PARTS.set(key, part);
  }
  return RECENT_FLAG_PARTS.add(key, part);
}

const RECENT_FLAG_PARTS = new RecentParts<Constant>();

const EDNS_PARTS = new PartCache<Constant>();
/**
 * `,"query_edns":{…,"options":[]}` (or `response_edns`) of an OPT RR without options, from its CLASS (the UDP size)
 * and TTL fields (RFC 6891 §6.1.3: extended RCODE, version, DO), as src/record/transaction_edns.ts writes it.
 */
export function ednsPart(response: boolean, udpSize: number, ttl: number): Constant {
  const key = ((response ? 0x100000000 : 0) + ttl) * 0x10000 + udpSize;
  const recentParts = response ? RECENT_RESPONSE_EDNS : RECENT_QUERY_EDNS;
  const recent = recentParts.get(key);
  if (recent !== undefined) return recent;
  let part = EDNS_PARTS.get(key);
  if (part === undefined) {
    part = constant(
      `,"${response ? "response" : "query"}_edns":{"version":${(ttl >>> 16) & 0xff},"udp_size":${udpSize},"do":${
        (ttl & 0x8000) !== 0
      },"extended_rcode":${ttl >>> 24},"options":[]}`,
    );
    EDNS_PARTS.set(key, part);
  }
  return recentParts.add(key, part);
}

const RECENT_QUERY_EDNS = new RecentParts<Constant>();
const RECENT_RESPONSE_EDNS = new RecentParts<Constant>();

const ANOMALY_PARTS = new Map<string, Constant>();
/** `"query:bad_rdata"` (after the first, with a comma before it). */
export function anomalyPart(side: string, anomaly: string, first: boolean): Constant {
  const key = (first ? "" : ",") + side + anomaly;
  let part = ANOMALY_PARTS.get(key);
  if (part === undefined) {
    part = constant((first ? "" : ",") + JSON.stringify(side + anomaly));
    ANOMALY_PARTS.set(key, part);
  }
  return part;
}
