import { gopassivednsRcodeText, gopassivednsTypeName } from "../dns/mod.ts";
import type { Transaction } from "../correlate/transaction.ts";
import { jsonString } from "./json_string.ts";
import type { LineWriter, RecordFormat } from "./record_writer.ts";
import { elapsedNs, goTimeString } from "./time_format.ts";

/**
 * The original gopassivedns record: 19 keys in its order and JSON types. One record per answer RR of a NOERROR
 * response, in wire order; one record carrying the rcode text for any other rcode; nothing for NOERROR without
 * answers and nothing for a query that was never answered (or a response whose query was never seen).
 *
 * Fixed against the original (see README): src/sport are always the client and dst the server; ra is the
 * response's RA and rd the query's RD; tstamp is the response's capture time; elapsed is response minus query
 * capture time; TCP records carry the real client port and frame length.
 */
export class GopassivednsFormat implements RecordFormat {
  /** @param level the `-syslog_priority` string, copied into every record as the original does. */
  constructor(readonly level: string) {}

  write(t: Transaction, out: LineWriter): number {
    if (t.status !== "answered") return 0;
    const query = t.query!;
    const response = t.response!;
    const header = response.message.header;
    const answers = response.message.answers;
    if (header.rcode === 0 && answers.length === 0) return 0;
    const question = query.message.questions[0] ?? response.message.questions[0];
    const head = '{"query_id":' + header.id + ',"rcode":' + header.rcode + ',"q":' +
      (question === undefined ? '""' : jsonString(question.name)) + ',"qtype":' +
      (question === undefined ? '""' : jsonString(gopassivednsTypeName(question.type)));
    const tail = ',"dst":' + jsonString(t.serverIp) + ',"src":' + jsonString(t.clientIp) + ',"tstamp":"' +
      goTimeString(response.tsSec, response.tsNsec) + '","elapsed":' +
      elapsedNs(query.tsSec, query.tsNsec, response.tsSec, response.tsNsec) + ',"sport":"' + t.clientPort +
      '","level":' + jsonString(this.level) + ',"bytes":' + response.wireLen + ',"protocol":"' + t.transport +
      '","truncated":' + header.tc + ',"aa":' + header.aa + ',"rd":' + query.message.header.rd + ',"ra":' +
      header.ra + "}";
    if (header.rcode !== 0) {
      out(head + ',"a":' + jsonString(gopassivednsRcodeText(header.rcode)) + ',"atype":"","ttl":0' + tail);
      return 1;
    }
    for (const rr of answers) {
      out(
        head + ',"a":' + jsonString(rr.data) + ',"atype":' + jsonString(gopassivednsTypeName(rr.type)) + ',"ttl":' +
          rr.ttl + tail,
      );
    }
    return answers.length;
  }
}
