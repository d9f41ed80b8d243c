/**
 * The answer, authority and additional sections (RFC 1035 §4.1.3). The hot path of the default
 * output format: one name (usually a cache hit on a compression pointer), one 10-byte fixed block,
 * one table-dispatched RDATA renderer per RR, no exception.
 *
 * A problem that loses the RR boundary (name, fixed block or RDATA past the end, bad owner name)
 * keeps the RRs read so far, flags the message and stops decoding. A problem inside RDATA keeps the
 * RR in RFC 3597 form, flags `bad_rdata`, and goes on at the RDLENGTH end (miekg/dns checks
 * `consumed == rdlength` the same way).
 *
 * @module
 */

import { u16, u32 } from "./_reader.ts";

import type { MessageReader } from "./_reader.ts";
import { addAnomaly } from "./anomalies.ts";
import { readOpt } from "./edns.ts";
import type { DnsMessage, DnsResourceRecord } from "./message.ts";
import { readName } from "./name.ts";
import { unknownRdata } from "./rdata/_format.ts";
import { rdataRenderer } from "./rdata/table.ts";
import { TYPE_OPT } from "./rr_types.ts";

/** RFC 1035 §4.1.3: TYPE, CLASS, TTL and RDLENGTH after the owner name. */
const RR_FIXED = 10;
/** RFC 2136 §2.5.2-§2.5.4: UPDATE deletions carry class NONE or ANY with empty RDATA. */
const CLASS_NONE = 254;
const CLASS_ANY = 255;

/**
 * Read up to `count` RRs at `pos` into `out`. In the additional section (`additional`), the first
 * OPT becomes `msg.edns`. Returns the offset after the section, or -1 when decoding stopped early
 * (with an anomaly on `msg`).
 */
export function readSection(
  r: MessageReader,
  msg: DnsMessage,
  pos: number,
  count: number,
  out: DnsResourceRecord[],
  additional: boolean,
  maxRecords: number = Infinity,
): number {
  const b = r.bytes;
  const end = r.end;
  let p = pos;
  for (let i = 0; i < count; i++) {
    if (p === end) {
      addAnomaly(msg.anomalies, "count_mismatch");
      return -1;
    }
    if (out.length === maxRecords) {
      addAnomaly(msg.anomalies, "too_many_records");
      return -1;
    }
    const name = readName(r, p, end);
    if (name === null) {
      addAnomaly(msg.anomalies, r.errCode === "dns.truncated_name" ? "truncated_section" : "bad_name");
      return -1;
    }
    p = r.next;
    if (p + RR_FIXED > end) {
      addAnomaly(msg.anomalies, "truncated_section");
      return -1;
    }
    const type = u16(b, p);
    const klass = u16(b, p + 2);
    const ttl = u32(b, p + 4);
    const rdEnd = p + RR_FIXED + u16(b, p + 8);
    p += RR_FIXED;
    if (rdEnd > end) {
      addAnomaly(msg.anomalies, "truncated_section");
      return -1;
    }
    if (type === TYPE_OPT) {
      if (additional) {
        readOpt(r, msg, name, klass, ttl, p, rdEnd);
        p = rdEnd;
        continue;
      }
      addAnomaly(msg.anomalies, "opt_outside_additional");
    }
    let data: string;
    if (p === rdEnd && (klass === CLASS_NONE || klass === CLASS_ANY)) {
      data = "";
    } else {
      const render = rdataRenderer(type);
      if (render === null) {
        data = unknownRdata(b, p, rdEnd);
      } else {
        const text = render(r, p, rdEnd);
        if (text !== null && r.next === rdEnd) {
          data = text;
        } else {
          addAnomaly(msg.anomalies, "bad_rdata");
          data = unknownRdata(b, p, rdEnd);
        }
      }
    }
    out.push({ name, type, class: klass, ttl, data });
    p = rdEnd;
  }
  return p;
}
