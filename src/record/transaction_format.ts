import { className, opcodeName, rcodeName, typeName } from "../dns/mod.ts";
import type { DnsHeader, DnsMessage, DnsResourceRecord, Edns } from "../dns/message.ts";
import { NO_TUNNELS, type Tunnel, type TunnelKind } from "../decode/tunnels.ts";
import type { Leg, Transaction } from "../correlate/transaction.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import { goElapsedNs, rfc3339Nano } from "./time_format.ts";

/**
 * `-format transaction`: one record per transaction, answered or not, with every section, EDNS, all header
 * flags, both timestamps and the RTT. The JSON Schema is `schema/transaction.schema.json`.
 */
export class TransactionFormat {
  /**
   * The encapsulations each tunnelled message was found in, keyed by the decoded message a leg keeps (the
   * correlator's legs carry the message, not the datagram); messages seen outside tunnels are not entered.
   */
  readonly #tunnels = new WeakMap<DnsMessage, readonly Tunnel[]>();

  constructor(readonly sensor: string) {}

  /** Remember that `message` came through `tunnels` (outermost first); call before handing it to the correlator. */
  noteTunnels(message: DnsMessage, tunnels: readonly Tunnel[]): void {
    if (tunnels.length > 0) this.#tunnels.set(message, tunnels);
  }

  write(t: Transaction, out: RecordBuffer): number {
    const first = (t.query ?? t.response)!;
    // A held leg's message was decoded again when it was written (src/correlate/correlator.ts): its tunnels travel
    // with the leg.
    const tunnels = first.tunnels !== undefined && first.tunnels.length > 0
      ? first.tunnels
      : this.#tunnels.get(first.message) ?? NO_TUNNELS;
    out.line(JSON.stringify(transactionRecord(t, this.sensor, tunnels)));
    return 1;
  }
}

/**
 * The record as a plain object, keys in output order. `tunnels` are those of the first leg (query, else response),
 * like the VLANs.
 */
export function transactionRecord(
  t: Transaction,
  sensor: string,
  tunnels: readonly Tunnel[] = NO_TUNNELS,
): Record<string, unknown> {
  const q = t.query;
  const r = t.response;
  const first = (q ?? r)!;
  const question = q?.message.questions[0] ?? r?.message.questions[0] ?? null;
  const record: Record<string, unknown> = {
    status: t.status,
    reason: t.reason,
    sensor,
    protocol: t.transport,
    client_ip: t.clientIp,
    client_port: t.clientPort,
    server_ip: t.serverIp,
    server_port: t.serverPort,
  };
  if (first.vlans.length > 0) record.vlans = first.vlans;
  if (tunnels.length > 0) record.encapsulation = tunnels.map(encapsulation);
  record.id = t.id;
  record.opcode = opcodeName(first.message.header.opcode);
  record.question = question === null
    ? null
    : { name: question.name, type: typeName(question.type), class: className(question.class) };
  record.query_time = q === null ? null : rfc3339Nano(q.tsSec, q.tsNsec);
  record.response_time = r === null ? null : rfc3339Nano(r.tsSec, r.tsNsec);
  record.rtt_ns = q === null || r === null ? null : rttNs(q, r);
  record.query_size = q?.message.size ?? null;
  record.response_size = r?.message.size ?? null;
  record.query_frame_bytes = q?.wireLen ?? null;
  record.response_frame_bytes = r?.wireLen ?? null;
  record.query_flags = q === null ? null : flags(q.message.header);
  record.response_flags = r === null ? null : flags(r.message.header);
  const rcode = r === null ? null : r.message.header.rcode | ((r.message.edns?.extendedRcode ?? 0) << 4);
  record.rcode = rcode;
  record.rcode_name = rcode === null ? null : rcodeName(rcode);
  record.answers = r === null ? [] : r.message.answers.map(resourceRecord);
  record.authorities = r === null ? [] : r.message.authorities.map(resourceRecord);
  record.additionals = r === null ? [] : r.message.additionals.map(resourceRecord);
  record.query_edns = q === null ? null : edns(q.message.edns);
  record.response_edns = r === null ? null : edns(r.message.edns);
  record.retransmits = t.retransmits;
  record.duplicate_responses = t.duplicateResponses;
  record.anomalies = [...legAnomalies("query", q), ...legAnomalies("response", r)];
  return record;
}

/** Nanoseconds from query to response; past 2^53 written exactly as a raw JSON integer (see goElapsedNs). */
function rttNs(q: Leg, r: Leg): unknown {
  const ns = goElapsedNs(q.tsSec, q.tsNsec, r.tsSec, r.tsNsec);
  return typeof ns === "number" ? ns : rawJson(String(ns));
}

/** `JSON.rawJSON` (ES2026; in V8 since 11.4), which TypeScript's lib does not declare yet. */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** The name of a tunnel's identifier in the record, by kind. */
const ID_FIELD: Readonly<Record<TunnelKind, string | null>> = {
  vxlan: "vni",
  geneve: "vni",
  gre: "key",
  gre_udp: "key",
  erspan_1: null,
  erspan_2: "session_id",
  erspan_3: "session_id",
  pptp: "call_id",
  gtpu: "teid",
  "4in4": null,
  "6in4": null,
  "4in6": null,
  "6in6": null,
  mpls: null,
  pppoe: "session_id",
  teredo: null,
};

function encapsulation(tunnel: Tunnel): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    kind: tunnel.kind,
    outer_src_ip: tunnel.outerSrcIp,
    outer_dst_ip: tunnel.outerDstIp,
  };
  const idField = ID_FIELD[tunnel.kind];
  if (idField !== null && tunnel.id !== null) entry[idField] = tunnel.id;
  if (tunnel.labels !== null) entry.labels = tunnel.labels;
  return entry;
}

function flags(h: DnsHeader): Record<string, boolean> {
  return { qr: h.qr, aa: h.aa, tc: h.tc, rd: h.rd, ra: h.ra, z: h.z, ad: h.ad, cd: h.cd };
}

function resourceRecord(rr: DnsResourceRecord): Record<string, unknown> {
  return { name: rr.name, type: typeName(rr.type), class: className(rr.class), ttl: rr.ttl, data: rr.data };
}

function edns(e: Edns | null): Record<string, unknown> | null {
  if (e === null) return null;
  return {
    version: e.version,
    udp_size: e.udpSize,
    do: e.do,
    extended_rcode: e.extendedRcode,
    options: e.options.map((o) => {
      const option: Record<string, unknown> = { code: o.code, name: o.name, data: o.hex };
      // Decoded fields (ECS source prefix, cookie halves, ...) in the record's snake_case.
      for (const [key, value] of Object.entries(o.decoded ?? {})) option[snakeCase(key)] = value;
      return option;
    }),
  };
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => "_" + letter.toLowerCase());
}

function legAnomalies(side: string, leg: Leg | null): string[] {
  return leg === null ? [] : leg.message.anomalies.map((a) => side + ":" + a);
}
