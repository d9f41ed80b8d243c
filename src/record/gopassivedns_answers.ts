/**
 * The answer section of a paired response, walked once: one gopassivedns record per answer RR (written as
 * src/record/gopassivedns_record.ts describes), checked with the general decoder's rules so the default format
 * counts the same anomalies as `-format transaction`. Used by the default format's path
 * (src/record/gopassivedns_writer.ts), which fills the {@linkcode RecordContext} before each call.
 *
 * @module
 */

import type { MessageReader } from "../dns/_reader.ts";
import { u16 } from "../dns/_reader.ts";
import { HEADER_SIZE } from "../dns/header.ts";
import { expandName } from "../dns/name.ts";
import { TYPE_CNAME, TYPE_NS, TYPE_OPT, TYPE_PTR } from "../dns/rr_types.ts";
import type { WireQuestion } from "../dns/wire_scan.ts";
import type { Constant } from "./_put.ts";
import { endRecord, type RecordContext, startRecord, writeRcodeRecord } from "./gopassivedns_record.ts";
import { RecordBuffer } from "./record_buffer.ts";
import { lastWrittenFirstTarget, writeRdata } from "./wire_render.ts";

const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1
/** RFC 1035 §4.1.3: TYPE, CLASS, TTL and RDLENGTH after the owner name. */
const RR_FIXED = 10;
/** RFC 1035 §4.1.4: the two top bits 11 mark a compression pointer. */
const LABEL_POINTER = 0xc0;

export class GopassivednsAnswers {
  /** Whether the last walk met anything the general decoder flags as an anomaly (callers count it per message). */
  anomaly = false;
  /** Where RDATA goes when a response's answers are only checked, not written. */
  readonly #discard = new RecordBuffer(1 << 16);

  /**
   * `out` receives the records, `context` describes the response being written (the caller fills it), `level` is
   * the encoded `levelPart` of `-syslog_priority`.
   */
  constructor(
    readonly out: RecordBuffer,
    readonly context: RecordContext,
    readonly level: Constant,
    /** `-max_records`: answers past this many are not walked (the general decoder's `too_many_records`). */
    readonly maxRecords: number = Infinity,
  ) {}

  /**
   * Write the records of the response in `r` (scanned into `rq`), paired as the context describes; returns how
   * many. A response whose rcode is not NOERROR gives one record carrying the rcode text; its answers are checked.
   */
  write(r: MessageReader, rq: WireQuestion): number {
    const c = this.context;
    c.id = rq.id;
    c.flags = rq.flags;
    const rcode = rq.flags & RCODE_MASK;
    if (rcode !== 0) {
      writeRcodeRecord(this.out, c, rcode, this.level);
      this.walk(r, rq, false);
      return 1;
    }
    return this.walk(r, rq, true);
  }

  /**
   * The answer section with the general decoder's rules (src/dns/record.ts at depth "answers"): one record per RR
   * (when `emit`), stopping where the general decoder stops. Sets `anomaly` when the general decoder would flag the
   * message.
   */
  walk(r: MessageReader, rq: WireQuestion, emit: boolean): number {
    const b = r.bytes;
    const base = r.base;
    const end = r.end;
    const out = emit ? this.out : this.#discard;
    // An owner name is not part of the record, so it is only checked, and a pointer to a name already checked in
    // this message needs no walk: it is that name, provided that name's walk followed only pointers below the target
    // (the rule a full walk from the pointer applies; src/dns/name.ts `readName` reuses names by the same rule). The
    // first question's name is at offset 12; `known` is the message offset of the last NS, CNAME or PTR target
    // written (the next owner of a CNAME chain points there), `knownFirst` the first pointer its walk followed.
    const questionOwner = rq.hasQuestion && rq.nameFirstTarget < HEADER_SIZE;
    let known = -1;
    let knownFirst = 0;
    let anomaly = false;
    let p = rq.answersStart;
    let written = 0;
    for (let i = 0; i < rq.ancount; i++) {
      if (p === end) {
        anomaly = true; // count_mismatch
        break;
      }
      if (written === this.maxRecords) {
        anomaly = true; // too_many_records
        break;
      }
      let checked = false;
      if (b[p] >= LABEL_POINTER && p + 2 <= end) {
        const target = ((b[p] & 0x3f) << 8) | b[p + 1]; // both names checked precede p: it points backwards
        checked = (target === HEADER_SIZE && questionOwner) || (target === known && knownFirst < target);
      }
      if (checked) {
        p += 2;
      } else {
        if (expandName(r, p, end, null) < 0) {
          anomaly = true; // truncated_section or bad_name
          break;
        }
        p = r.next;
      }
      if (p + RR_FIXED > end) {
        anomaly = true; // truncated_section
        break;
      }
      const type = u16(b, p);
      const klass = u16(b, p + 2);
      const ttl = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
      const rdEnd = p + RR_FIXED + u16(b, p + 8);
      p += RR_FIXED;
      if (rdEnd > end) {
        anomaly = true; // truncated_section
        break;
      }
      if (type === TYPE_OPT) anomaly = true; // opt_outside_additional
      // The head and tail are written for the first record and copied for the others (gopassivedns_record.ts).
      if (emit) startRecord(out, this.context, written);
      if (!writeRdata(out, r, type, klass, p, rdEnd)) {
        anomaly = true; // bad_rdata
      } else if ((type === TYPE_CNAME || type === TYPE_NS || type === TYPE_PTR) && rdEnd > p && b[p] < LABEL_POINTER) {
        known = p - base; // a name starting in place was checked (and written) there
        knownFirst = lastWrittenFirstTarget();
      }
      if (emit) endRecord(out, this.context, written, type, ttl, this.level);
      else out.reset();
      written++;
      p = rdEnd;
    }
    this.anomaly = anomaly;
    return written;
  }
}
