/**
 * SVCB and HTTPS RDATA (RFC 9460 §2.2, presentation per §2.1 and Appendix A):
 * `priority target key=value…`, SvcParams in wire order (which must be strictly increasing).
 * Known keys: mandatory (0), alpn (1), no-default-alpn (2), port (3), ipv4hint (4), ech (5),
 * ipv6hint (6), dohpath (7, RFC 9461), ohttp (8, RFC 9540); others print as `keyNNNNN="value"`.
 *
 * @module
 */

import { u16 } from "../_reader.ts";

import { readName } from "../name.ts";
import { base64, quoted } from "./_format.ts";
import { ipv4Text, ipv6Text } from "./addresses.ts";
import type { RdataRenderer } from "./_renderer.ts";

/** RFC 9460 §14.3.2 SvcParamKeys with a name. */
const SVC_KEY_NAMES: readonly string[] = [
  "mandatory",
  "alpn",
  "no-default-alpn",
  "port",
  "ipv4hint",
  "ech",
  "ipv6hint",
  "dohpath",
  "ohttp",
];
/** RFC 9460 §14.3.2: key 65535 is reserved ("Invalid key"). */
const SVC_KEY_INVALID = 65535;

function svcKeyName(key: number): string {
  return key < SVC_KEY_NAMES.length ? SVC_KEY_NAMES[key] : "key" + key;
}

/**
 * alpn value: the protocol ids joined by commas, each id with `,` and `\` escaped (RFC 9460
 * Appendix A.1 value-list), then quoted as a character-string (so a comma prints `\\,`).
 */
function alpnValue(b: Uint8Array, start: number, end: number): string | null {
  let s = '"';
  let p = start;
  while (p < end) {
    const len = b[p];
    if (len === 0 || p + 1 + len > end) return null;
    if (p !== start) s += ",";
    for (let i = p + 1; i <= p + len; i++) {
      const x = b[i];
      if (x === 0x2c) s += "\\\\,";
      else if (x === 0x5c) s += "\\\\\\\\";
      else if (x === 0x22) s += '\\"';
      else if (x >= 0x20 && x <= 0x7e) s += String.fromCharCode(x);
      else s += "\\" + String(x).padStart(3, "0");
    }
    p += 1 + len;
  }
  return s + '"';
}

/** One SvcParam value in presentation form (`=value` or "" for keys without a value); null if invalid. */
function svcValue(b: Uint8Array, key: number, start: number, end: number): string | null {
  const len = end - start;
  switch (key) {
    case 0: { // mandatory: a non-empty list of keys
      if (len === 0 || len % 2 !== 0) return null;
      let s = "=";
      for (let p = start; p < end; p += 2) s += (p === start ? "" : ",") + svcKeyName((b[p] << 8) | b[p + 1]);
      return s;
    }
    case 1: { // alpn
      const v = len === 0 ? null : alpnValue(b, start, end);
      return v === null ? null : "=" + v;
    }
    case 2: // no-default-alpn
    case 8: // ohttp
      return len === 0 ? "" : null;
    case 3: // port
      return len === 2 ? "=" + ((b[start] << 8) | b[start + 1]) : null;
    case 4: { // ipv4hint
      if (len === 0 || len % 4 !== 0) return null;
      let s = "=";
      for (let p = start; p < end; p += 4) s += (p === start ? "" : ",") + ipv4Text(b, p);
      return s;
    }
    case 5: // ech: an ECHConfigList, base64
      return len === 0 ? null : "=" + base64(b, start, end);
    case 6: { // ipv6hint
      if (len === 0 || len % 16 !== 0) return null;
      let s = "=";
      for (let p = start; p < end; p += 16) s += (p === start ? "" : ",") + ipv6Text(b, p, false);
      return s;
    }
    case 7: // dohpath: a URI template
      return "=" + quoted(b, start, end);
    default:
      return len === 0 ? "" : "=" + quoted(b, start, end);
  }
}

/** SVCB, HTTPS: `priority target key=value…`. */
export const renderSvcb: RdataRenderer = (r, start, end) => {
  if (end - start < 3) return null;
  const b = r.bytes;
  const target = readName(r, start + 2, end);
  if (target === null) return null;
  let s = u16(r.bytes, start) + " " + target;
  let p = r.next;
  let lastKey = -1;
  while (p < end) {
    if (p + 4 > end) return null;
    const key = (b[p] << 8) | b[p + 1];
    const valueEnd = p + 4 + ((b[p + 2] << 8) | b[p + 3]);
    if (key <= lastKey || key === SVC_KEY_INVALID || valueEnd > end) return null;
    lastKey = key;
    const value = svcValue(b, key, p + 4, valueEnd);
    if (value === null) return null;
    s += " " + svcKeyName(key) + value;
    p = valueEnd;
  }
  r.next = end;
  return s;
};
