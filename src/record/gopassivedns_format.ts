import { gopassivednsRcodeText, gopassivednsTypeName } from "../dns/mod.ts";
import type { Transaction } from "../correlate/transaction.ts";
import type { DnsResourceRecord } from "../dns/message.ts";
import { jsonString } from "./json_string.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import type { RecordFormat } from "./record_writer.ts";
import { elapsedNs, writeGoTime } from "./time_format.ts";

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

// The fixed parts of a record, in output order, encoded once.
const QUERY_ID = bytes('{"query_id":');
const RCODE = bytes(',"rcode":');
const Q = bytes(',"q":');
const QTYPE = bytes(',"qtype":');
const EMPTY_STRING = bytes('""');
const A = bytes(',"a":');
const ATYPE = bytes(',"atype":');
const TTL = bytes(',"ttl":');
const NO_ATYPE_NO_TTL = bytes(',"atype":"","ttl":0');
const DST = bytes(',"dst":');
const SRC = bytes(',"src":');
const TSTAMP = bytes(',"tstamp":"');
const ELAPSED = bytes('","elapsed":');
const SPORT = bytes(',"sport":"');
const PROTOCOL_UDP = bytes(',"protocol":"udp","truncated":');
const PROTOCOL_TCP = bytes(',"protocol":"tcp","truncated":');
const AA = bytes(',"aa":');
const RD = bytes(',"rd":');
const RA = bytes(',"ra":');
const TRUE = bytes("true");
const FALSE = bytes("false");
const CLOSE = bytes("}");

/**
 * The original gopassivedns record: 19 keys in its order and JSON types. One record per answer RR of a NOERROR
 * response, in wire order; one record carrying the rcode text for any other rcode; nothing for NOERROR without
 * answers and nothing for a query that was never answered (or a response whose query was never seen).
 *
 * Fixed against the original (see README): src/sport are always the client and dst the server; ra is the
 * response's RA and rd the query's RD; tstamp is the response's capture time; elapsed is response minus query
 * capture time; TCP records carry the real client port and frame length.
 *
 * Records are written as ASCII bytes straight into the output buffer. The keys before `"a"` (the head) and after
 * `"ttl"` (the tail) are the same for every answer of a response: they are written once, for the first record,
 * and copied from it for the others.
 */
export class GopassivednsFormat implements RecordFormat {
  /** `","level":"…","bytes":` (closing the sport string): the `-syslog_priority` string, encoded once. */
  readonly #level: Uint8Array;

  /** @param level the `-syslog_priority` string, copied into every record as the original does. */
  constructor(readonly level: string) {
    this.#level = bytes('","level":' + jsonString(level) + ',"bytes":');
  }

  write(t: Transaction, out: RecordBuffer): number {
    if (t.status !== "answered") return 0;
    const query = t.query!;
    const response = t.response!;
    const header = response.message.header;
    const answers = response.message.answers;
    if (header.rcode === 0 && answers.length === 0) return 0;
    const question = query.message.questions[0] ?? response.message.questions[0];

    const headStart = out.used;
    out.raw(QUERY_ID);
    out.number(header.id);
    out.raw(RCODE);
    out.number(header.rcode);
    out.raw(Q);
    if (question === undefined) out.raw(EMPTY_STRING);
    else out.jsonString(question.name);
    out.raw(QTYPE);
    if (question === undefined) out.raw(EMPTY_STRING);
    else out.jsonString(gopassivednsTypeName(question.type));
    const headEnd = out.used;

    if (header.rcode !== 0) {
      out.raw(A);
      out.jsonString(gopassivednsRcodeText(header.rcode));
      out.raw(NO_ATYPE_NO_TTL);
    } else {
      writeAnswer(out, answers[0]);
    }

    const tailStart = out.used;
    out.raw(DST);
    out.jsonString(t.serverIp);
    out.raw(SRC);
    out.jsonString(t.clientIp);
    out.raw(TSTAMP);
    writeGoTime(out, response.tsSec, response.tsNsec);
    out.raw(ELAPSED);
    out.number(elapsedNs(query.tsSec, query.tsNsec, response.tsSec, response.tsNsec));
    out.raw(SPORT);
    out.number(t.clientPort);
    out.raw(this.#level);
    out.number(response.wireLen);
    out.raw(t.transport === "udp" ? PROTOCOL_UDP : PROTOCOL_TCP);
    out.raw(header.tc ? TRUE : FALSE);
    out.raw(AA);
    out.raw(header.aa ? TRUE : FALSE);
    out.raw(RD);
    out.raw(query.message.header.rd ? TRUE : FALSE);
    out.raw(RA);
    out.raw(header.ra ? TRUE : FALSE);
    out.raw(CLOSE);
    const tailEnd = out.used;
    out.endLine();
    if (header.rcode !== 0) return 1;

    for (let i = 1; i < answers.length; i++) {
      out.repeat(headStart, headEnd);
      writeAnswer(out, answers[i]);
      out.repeat(tailStart, tailEnd);
      out.endLine();
    }
    return answers.length;
  }
}

/** `,"a":…,"atype":…,"ttl":…` for one answer RR. */
function writeAnswer(out: RecordBuffer, rr: DnsResourceRecord): void {
  out.raw(A);
  out.jsonString(rr.data);
  out.raw(ATYPE);
  out.jsonString(gopassivednsTypeName(rr.type));
  out.raw(TTL);
  out.number(rr.ttl);
}
