/**
 * The default output format (`-format gopassivedns`) as a writer for the pairing engine
 * (src/correlate/wire_pairing.ts): records written as bytes from the wire, with no `DnsMessage` and no text built per
 * message.
 *
 * - A held query needs only its first question's name, type, class and RD bit, which is all the engine keeps of it
 *   for this writer (`holdsWholeQuery` false); legs given up on give no record (`writesUnpaired` false).
 * - A response's answer section is walked once (src/record/gopassivedns_answers.ts), with the general decoder's
 *   anomaly rules (`dns_anomalies`, counted once per response as it arrives); when it pairs, that walk writes the
 *   records straight into the output buffer.
 * - Records are written as bytes (src/record/gopassivedns_record.ts): the head and tail a response's records share
 *   are written once, from a reused RecordContext, and repeated from the output for its further records.
 *
 * @module
 */

import { HELD_SLOT_BYTES } from "../correlate/held_legs.ts";
import type { Lookup, LookupWriter } from "../correlate/lookup.ts";
import type { MessageReader } from "../dns/_reader.ts";
import type { WireQuestion } from "../dns/wire_scan.ts";
import type { Counters } from "../metrics/counters.ts";
import { GopassivednsAnswers } from "./gopassivedns_answers.ts";
import { levelPart } from "./gopassivedns_parts.ts";
import { RecordContext } from "./gopassivedns_record.ts";
import type { RecordBuffer } from "./record_buffer.ts";

const RD_BIT = 0x0100; // RFC 1035 §4.1.1

/**
 * The gopassivedns record: 19 keys in the original's order and JSON types (README, "Records"). One record per
 * answer RR of a NOERROR response in wire order; one carrying the rcode text for any other rcode; none for NOERROR
 * without answers, unanswered queries and responses whose query was never seen.
 */
export class GopassivednsWriter implements LookupWriter {
  readonly holdsWholeQuery = false;
  readonly writesUnpaired = false;
  readonly slotBytes = HELD_SLOT_BYTES;
  /** The response being written: what its records share. */
  readonly #context = new RecordContext();
  /** Writes (or checks) a response's answers, described by `#context`. */
  readonly #answers: GopassivednsAnswers;

  constructor(readonly counters: Counters, out: RecordBuffer, level: string, maxRecords: number = Infinity) {
    // `","level":"…","bytes":` (closing the sport string): the `-syslog_priority` string, encoded once.
    this.#answers = new GopassivednsAnswers(out, this.#context, levelPart(level), maxRecords);
  }

  arrived(): void {}

  dropped(): void {}

  /** Check a response's answers without writing records (it is not being paired now). */
  responseUnpaired(r: MessageReader, q: WireQuestion): void {
    this.#answers.walk(r, q, false);
    if (this.#answers.anomaly) this.counters.dns_anomalies++;
  }

  write(l: Lookup): number {
    if (l.status !== "answered") return 0;
    const q = l.query.question;
    const response = l.response;
    const rq = response.question;
    const c = this.#context;
    // The name comes from the query, else from the response: read before anything new is held (the engine's contract).
    const useQuery = q.hasQuestion;
    c.names = useQuery ? q.name : rq.name;
    c.nameStart = useQuery ? q.nameStart : rq.nameStart;
    c.nameLength = useQuery ? q.nameLength : rq.nameLength;
    c.qtype = useQuery ? q.type : rq.hasQuestion ? rq.type : -1;
    c.rd = (q.flags & RD_BIT) !== 0;
    c.tcp = l.transport === "tcp";
    c.client = l.client;
    c.clientPort = l.clientPort;
    c.server = l.server;
    c.querySec = l.query.tsSec;
    c.queryNsec = l.query.tsNsec;
    c.responseSec = response.tsSec;
    c.responseNsec = response.tsNsec;
    c.wireLen = response.wireLen;
    const written = this.#answers.write(response.reader!, rq);
    // A held response's anomalies were counted when it arrived.
    if (response.current && this.#answers.anomaly) this.counters.dns_anomalies++;
    return written;
  }
}
