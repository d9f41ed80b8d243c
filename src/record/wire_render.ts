/**
 * DNS wire data written straight into a {@linkcode RecordBuffer} as JSON string literals, byte for byte what
 * `out.jsonString(text)` gives for the presentation text the general decoder (src/dns) builds, without building it:
 * names from their expanded wire form, or straight from the message (checked by the rules of src/dns/name.ts as they
 * are written), A, AAAA, NS, CNAME, PTR, MX and SOA from the RDATA; every other type through the general RDATA renderers
 * (src/dns/rdata/), whose text is then escaped.
 *
 * Reads only: every function takes the message through a `MessageReader` (byte 0 = the DNS header) and never keeps
 * a reference to it past the call.
 *
 * @module
 */

import type { MessageReader } from "../dns/_reader.ts";
import { expandName, MAX_NAME_OCTETS, MAX_NAME_POINTERS } from "../dns/name.ts";
import { unknownRdata } from "../dns/rdata/_format.ts";
import { rdataRenderer } from "../dns/rdata/table.ts";
import { IP_TEXT_MAX, putIp16, putIpv4 } from "./ip_write.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import { TYPE_A, TYPE_AAAA, TYPE_CNAME, TYPE_MX, TYPE_NS, TYPE_PTR, TYPE_SOA } from "../dns/rr_types.ts";

/** RFC 1035 §3.3.13: SERIAL, REFRESH, RETRY, EXPIRE and MINIMUM after SOA's two names, 32 bits each. */
const SOA_NUMBERS = 20;
/** RFC 2136 §2.5.2-§2.5.4: UPDATE deletions carry class NONE or ANY with empty RDATA. */
const CLASS_NONE = 254;
const CLASS_ANY = 255;

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
/** RFC 1035 §4.1.4: the two top bits 11 mark a compression pointer; 01 and 10 are other (unusable) label types. */
const LABEL_POINTER = 0xc0;
const LABEL_LENGTH_END = 0x40;
/** Room for the JSON form of the longest name: up to five bytes per octet (`\\DDD`). */
const NAME_JSON_MAX = MAX_NAME_OCTETS * 5;

/**
 * Per label byte, its form inside a JSON string of the presentation name (src/dns/name.ts): 0 = the byte as is;
 * 1 = a backslash escape in presentation (`\.`), doubled for JSON (`\\.`); 2 = `\DDD` in presentation (`\\DDD`).
 * `"` and `\` themselves are escaped again for JSON: `\\\"` and `\\\\`.
 */
const NAME_JSON = new Uint8Array(256);
for (let x = 0; x < 256; x++) NAME_JSON[x] = x < 0x21 || x > 0x7e ? 2 : 0;
for (const ch of '.\\"();@$ ') NAME_JSON[ch.charCodeAt(0)] = 1;

/**
 * `"name"`: the JSON string of the presentation form of the expanded wire name `wire[start, start + length)`
 * (labels with their length octets, root octet excluded; length 0 is the root, `"."`).
 */
export function writeWireName(out: RecordBuffer, wire: Uint8Array, start: number, length: number): void {
  out.reserve(length * 5 + 4);
  const o = out.bytes;
  let u = out.used;
  o[u++] = QUOTE;
  if (length === 0) {
    o[u++] = 0x2e;
  } else {
    const end = start + length;
    let p = start;
    while (p < end) {
      const labelEnd = p + 1 + wire[p];
      if (p !== start) o[u++] = 0x2e;
      u = putLabelJson(o, u, wire, p + 1, labelEnd);
      p = labelEnd;
    }
  }
  o[u++] = QUOTE;
  out.used = u;
}

/**
 * The label octets `src[from, to)` in presentation form inside a JSON string, at `o[u]`; returns the new end. A
 * presentation escape (`\.`, `\DDD`) gets its backslash doubled for JSON, and `"` or `\` one more.
 */
function putLabelJson(o: Uint8Array, u: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const x = src[i];
    const kind = NAME_JSON[x];
    if (kind === 0) {
      o[u++] = x;
    } else if (kind === 1) {
      o[u++] = BACKSLASH;
      o[u++] = BACKSLASH;
      if (x === QUOTE || x === BACKSLASH) o[u++] = BACKSLASH;
      o[u++] = x;
    } else {
      o[u++] = BACKSLASH;
      o[u++] = BACKSLASH;
      o[u++] = 0x30 + ((x / 100) | 0);
      o[u++] = 0x30 + (((x / 10) | 0) % 10);
      o[u++] = 0x30 + (x % 10);
    }
  }
  return u;
}

/** Target of the first pointer the last successful {@linkcode writeMessageName} followed, or -1 when none. */
let writtenFirstTarget = -1;

/** See {@linkcode writeMessageName}. */
export function lastWrittenFirstTarget(): number {
  return writtenFirstTarget;
}

/**
 * The presentation form of the name at `pos` of the message `r` reads, without quotes, written into the JSON string
 * being built in `out` straight from the message (no expanded copy first). It applies every rule of `expandName`
 * (src/dns/name.ts; `limit` as there); returns the expanded length and sets `r.next` as it does, or on failure
 * returns -1 with nothing written and `r`'s error set by `expandName` itself, so the error is exactly its error.
 */
export function writeMessageName(out: RecordBuffer, r: MessageReader, pos: number, limit: number): number {
  out.reserve(NAME_JSON_MAX + 1);
  const o = out.bytes;
  const b = r.bytes;
  const base = r.base;
  let u = out.used;
  let p = pos;
  let lim = limit;
  let w = 0; // octets expanded (root excluded)
  let lastTarget = 0x10000; // the next pointer must point strictly below this (message offsets)
  let pointers = 0;
  let resume = -1; // index after the first pointer (the name's in-place end)
  let firstTarget = -1;
  for (;;) {
    if (p >= lim) return expandName(r, pos, limit, null);
    const c = b[p];
    if (c === 0) {
      p++;
      break;
    }
    if (c < LABEL_LENGTH_END) {
      const labelEnd = p + 1 + c;
      if (labelEnd > lim || w + 1 + c >= MAX_NAME_OCTETS) return expandName(r, pos, limit, null);
      if (w !== 0) o[u++] = 0x2e;
      u = putLabelJson(o, u, b, p + 1, labelEnd);
      w += 1 + c;
      p = labelEnd;
      continue;
    }
    if (c < LABEL_POINTER || p + 2 > lim) return expandName(r, pos, limit, null);
    const target = ((c & 0x3f) << 8) | b[p + 1];
    if (target >= p - base || target >= lastTarget || ++pointers > MAX_NAME_POINTERS) {
      return expandName(r, pos, limit, null);
    }
    if (resume < 0) {
      resume = p + 2;
      firstTarget = target;
    }
    lastTarget = target;
    lim = r.end;
    p = base + target;
  }
  if (w === 0) o[u++] = 0x2e; // the root
  out.used = u;
  r.next = resume >= 0 ? resume : p;
  writtenFirstTarget = firstTarget;
  return w;
}

/**
 * The JSON string of the presentation form of one RR's RDATA `[start, end)` (the RDLENGTH span, within the
 * message), as the general decoder renders it. Returns false when the RDATA does not fit its type: it is then
 * written in RFC 3597 form (`\# len hex`) and the caller flags `bad_rdata`.
 */
export function writeRdata(
  out: RecordBuffer,
  r: MessageReader,
  type: number,
  klass: number,
  start: number,
  end: number,
): boolean {
  const b = r.bytes;
  if (start === end && (klass === CLASS_NONE || klass === CLASS_ANY)) {
    out.ascii('""');
    return true;
  }
  switch (type) {
    case TYPE_A:
      if (end - start !== 4) break;
      out.reserve(IP_TEXT_MAX + 2);
      out.bytes[out.used] = QUOTE;
      out.used = putIpv4(out.view, out.bytes, out.used + 1, b, start);
      out.bytes[out.used++] = QUOTE;
      return true;
    case TYPE_AAAA:
      if (end - start !== 16) break;
      out.reserve(IP_TEXT_MAX + 2);
      out.bytes[out.used] = QUOTE;
      out.used = putIp16(out.view, out.bytes, out.used + 1, b, start);
      out.bytes[out.used++] = QUOTE;
      return true;
    case TYPE_NS:
    case TYPE_CNAME:
    case TYPE_PTR: {
      const mark = out.used;
      out.reserve(NAME_JSON_MAX + 2);
      out.bytes[out.used++] = QUOTE;
      if (writeMessageName(out, r, start, end) < 0 || r.next !== end) {
        out.used = mark;
        break;
      }
      out.bytes[out.used++] = QUOTE;
      return true;
    }
    case TYPE_SOA: {
      // `mname rname serial refresh retry expire minimum` (src/dns/rdata/names.ts renderSoa).
      const mark = out.used;
      out.ascii('"');
      if (writeMessageName(out, r, start, end) < 0) {
        out.used = mark;
        break;
      }
      out.ascii(" ");
      if (writeMessageName(out, r, r.next, end) < 0) {
        out.used = mark;
        break;
      }
      const p = r.next;
      if (p + SOA_NUMBERS !== end) {
        out.used = mark;
        break;
      }
      for (let i = 0; i < SOA_NUMBERS; i += 4) {
        out.ascii(" ");
        out.number(((b[p + i] << 24) | (b[p + i + 1] << 16) | (b[p + i + 2] << 8) | b[p + i + 3]) >>> 0);
      }
      out.ascii('"');
      r.next = end;
      return true;
    }
    case TYPE_MX: {
      if (end - start < 3) break;
      const mark = out.used;
      out.ascii('"');
      out.number((b[start] << 8) | b[start + 1]);
      out.ascii(" ");
      if (writeMessageName(out, r, start + 2, end) < 0 || r.next !== end) {
        out.used = mark;
        break;
      }
      out.ascii('"');
      return true;
    }
    default: {
      const render = rdataRenderer(type);
      if (render === null) {
        out.jsonString(unknownRdata(b, start, end));
        return true;
      }
      const text = render(r, start, end);
      if (text === null || r.next !== end) break;
      out.jsonString(text);
      return true;
    }
  }
  out.jsonString(unknownRdata(b, start, end));
  return false;
}
