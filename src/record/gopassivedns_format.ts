import { gopassivednsRcodeText, gopassivednsTypeName } from "../dns/mod.ts";
import type { Transaction } from "../correlate/transaction.ts";
import { jsonString } from "./json_string.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import type { RecordFormat } from "./record_writer.ts";
import { elapsedNs, writeGoTime } from "./time_format.ts";

const encoder = new TextEncoder();

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
  /** `,"level":"…","bytes":`, the `-syslog_priority` string as the original copies it into every record. */
  readonly #level: Uint8Array;

  /** @param level the `-syslog_priority` string, copied into every record as the original does. */
  constructor(readonly level: string) {
    this.#level = encoder.encode(',"level":' + jsonString(level) + ',"bytes":');
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
    out.ascii('{"query_id":');
    out.number(header.id);
    out.ascii(',"rcode":');
    out.number(header.rcode);
    out.ascii(',"q":');
    if (question === undefined) out.ascii('""');
    else out.jsonString(question.name);
    out.ascii(',"qtype":');
    if (question === undefined) out.ascii('""');
    else out.jsonString(gopassivednsTypeName(question.type));
    const headEnd = out.used;

    if (header.rcode !== 0) {
      out.ascii(',"a":');
      out.jsonString(gopassivednsRcodeText(header.rcode));
      out.ascii(',"atype":"","ttl":0');
    } else {
      const rr = answers[0];
      out.ascii(',"a":');
      out.jsonString(rr.data);
      out.ascii(',"atype":');
      out.jsonString(gopassivednsTypeName(rr.type));
      out.ascii(',"ttl":');
      out.number(rr.ttl);
    }

    const tailStart = out.used;
    out.ascii(',"dst":');
    out.jsonString(t.serverIp);
    out.ascii(',"src":');
    out.jsonString(t.clientIp);
    out.ascii(',"tstamp":"');
    writeGoTime(out, response.tsSec, response.tsNsec);
    out.ascii('","elapsed":');
    out.number(elapsedNs(query.tsSec, query.tsNsec, response.tsSec, response.tsNsec));
    out.ascii(',"sport":"');
    out.number(t.clientPort);
    out.ascii('"');
    out.raw(this.#level);
    out.number(response.wireLen);
    out.ascii(',"protocol":"');
    out.ascii(t.transport);
    out.ascii('","truncated":');
    out.boolean(header.tc);
    out.ascii(',"aa":');
    out.boolean(header.aa);
    out.ascii(',"rd":');
    out.boolean(query.message.header.rd);
    out.ascii(',"ra":');
    out.boolean(header.ra);
    out.ascii("}");
    const tailEnd = out.used;
    out.endLine();
    if (header.rcode !== 0) return 1;

    for (let i = 1; i < answers.length; i++) {
      const rr = answers[i];
      out.repeat(headStart, headEnd);
      out.ascii(',"a":');
      out.jsonString(rr.data);
      out.ascii(',"atype":');
      out.jsonString(gopassivednsTypeName(rr.type));
      out.ascii(',"ttl":');
      out.number(rr.ttl);
      out.repeat(tailStart, tailEnd);
      out.endLine();
    }
    return answers.length;
  }
}
