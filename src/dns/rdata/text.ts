/**
 * RDATA made of character-strings: TXT and SPF (RFC 1035 §3.3.14, RFC 7208), HINFO (RFC 1035
 * §3.3.2), NAPTR (RFC 3403 §4.1), CAA (RFC 8659 §4.1) and URI (RFC 7553 §4.5). Each
 * character-string prints quoted, with `"` and `\` escaped and non-printable bytes as `\DDD`.
 *
 * @module
 */

import { u16 } from "../_reader.ts";

import type { MessageReader } from "../_reader.ts";
import { readName } from "../name.ts";
import { quoted } from "./_format.ts";
import type { RdataRenderer } from "./_renderer.ts";

/** One `<length><bytes>` character-string at `p`, quoted; sets `r.next`; null if it overruns `end`. */
function charString(r: MessageReader, p: number, end: number): string | null {
  if (p >= end) return null;
  const stop = p + 1 + r.bytes[p];
  if (stop > end) return null;
  r.next = stop;
  return quoted(r.bytes, p + 1, stop);
}

/** TXT, SPF: every character-string, space-separated (`"" ` for empty RDATA, as dig prints it). */
export const renderTxt: RdataRenderer = (r, start, end) => {
  if (start === end) {
    r.next = end;
    return '""';
  }
  let s = "";
  let p = start;
  while (p < end) {
    const part = charString(r, p, end);
    if (part === null) return null;
    s = p === start ? part : s + " " + part;
    p = r.next;
  }
  return s;
};

/** HINFO: `"cpu" "os"`. */
export const renderHinfo: RdataRenderer = (r, start, end) => {
  const cpu = charString(r, start, end);
  if (cpu === null) return null;
  const os = charString(r, r.next, end);
  return os === null ? null : cpu + " " + os;
};

/** NAPTR: `order preference "flags" "services" "regexp" replacement`. */
export const renderNaptr: RdataRenderer = (r, start, end) => {
  if (end - start < 4) return null;
  let s = u16(r.bytes, start) + " " + u16(r.bytes, start + 2);
  let p = start + 4;
  for (let i = 0; i < 3; i++) {
    const part = charString(r, p, end);
    if (part === null) return null;
    s += " " + part;
    p = r.next;
  }
  const replacement = readName(r, p, end);
  return replacement === null ? null : s + " " + replacement;
};

/** CAA: `flags tag "value"`; the tag is 1..15 letters or digits (RFC 8659 §4.1). */
export const renderCaa: RdataRenderer = (r, start, end) => {
  if (end - start < 2) return null;
  const b = r.bytes;
  const tagLen = b[start + 1];
  const tagEnd = start + 2 + tagLen;
  if (tagLen === 0 || tagEnd > end) return null;
  let tag = "";
  for (let i = start + 2; i < tagEnd; i++) {
    const c = b[i];
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum) return null;
    tag += String.fromCharCode(c);
  }
  r.next = end;
  return b[start] + " " + tag + " " + quoted(b, tagEnd, end);
};

/** URI: `priority weight "target"`. */
export const renderUri: RdataRenderer = (r, start, end) => {
  if (end - start < 4) return null;
  r.next = end;
  return u16(r.bytes, start) + " " + u16(r.bytes, start + 2) + " " + quoted(r.bytes, start + 4, end);
};
