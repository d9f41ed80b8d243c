/**
 * The transaction record's EDNS object (`query_edns`, `response_edns`) written from the OPT RR on the wire, byte for
 * byte what `JSON.stringify` gave for the object src/dns/edns.ts `readOpt` builds: version, UDP size, DO, the
 * extended RCODE's upper bits, and every option (code, mnemonic, lower-case hex, and the decoded fields of the options
 * this project knows, in snake_case), with the same anomalies in the same order.
 *
 * @module
 */

import { decodeOption } from "../dns/edns.ts";
import { ednsOptionName } from "../dns/registries.ts";
import { Constant } from "./_put.ts";
import { PartCache } from "./part_cache.ts";
import type { LegAnomalies } from "./transaction_anomalies.ts";
import type { RecordBuffer } from "./record_buffer.ts";

/** RFC 6891 §6.1.3: DO is bit 0x8000 of the TTL's low 16 bits. */
const DO_BIT = 0x8000;
const HEX = new TextEncoder().encode("0123456789abcdef");
const encoder = new TextEncoder();

/** `,"key":` for each decoded field name, in the record's snake_case (a handful of names: cached). */
const FIELD_KEYS = new Map<string, string>();

function fieldKey(name: string): string {
  let key = FIELD_KEYS.get(name);
  if (key === undefined) {
    key = "," + JSON.stringify(name.replace(/[A-Z]/g, (letter) => "_" + letter.toLowerCase())) + ":";
    FIELD_KEYS.set(name, key);
  }
  return key;
}

const constant = (text: string): Constant => new Constant(encoder.encode(text));
const VERSION = constant('{"version":');
const UDP_SIZE = constant(',"udp_size":');
const DO_TRUE = constant(',"do":true,"extended_rcode":');
const DO_FALSE = constant(',"do":false,"extended_rcode":');
const OPTIONS = constant(',"options":[');
const OPTIONS_END = constant("]}");
/** `{"code":N,"name":"MNEMONIC","data":"` per option code, encoded when first met. */
const OPTION_HEADS = new PartCache<Constant>();

function optionHead(code: number): Constant {
  let head = OPTION_HEADS.get(code);
  if (head === undefined) {
    head = constant(`{"code":${code},"name":${JSON.stringify(ednsOptionName(code))},"data":"`);
    OPTION_HEADS.set(code, head);
  }
  return head;
}

/**
 * The EDNS object of the OPT RR whose RDATA is `b[start, end)` (CLASS `udpSize`, TTL `ttl`), at the end of `out`;
 * option problems are added to `anomalies`.
 */
export function writeEdns(
  out: RecordBuffer,
  b: Uint8Array,
  udpSize: number,
  ttl: number,
  start: number,
  end: number,
  anomalies: LegAnomalies,
): void {
  out.constant(VERSION);
  out.numberWords((ttl >>> 16) & 0xff);
  out.constant(UDP_SIZE);
  out.numberWords(udpSize);
  out.constant((ttl & DO_BIT) !== 0 ? DO_TRUE : DO_FALSE);
  out.numberWords(ttl >>> 24);
  out.constant(OPTIONS);
  let p = start;
  let first = true;
  while (p < end) {
    if (p + 4 > end) {
      anomalies.add("bad_edns_option");
      break;
    }
    const code = (b[p] << 8) | b[p + 1];
    const dataEnd = p + 4 + ((b[p + 2] << 8) | b[p + 3]);
    if (dataEnd > end) {
      anomalies.add("bad_edns_option");
      break;
    }
    if (!first) out.byte(0x2c); // ,
    first = false;
    out.constant(optionHead(code));
    putHex(out, b, p + 4, dataEnd);
    out.byte(0x22); // "
    const decoded = decodeOption(b, code, p + 4, dataEnd);
    if (decoded === null) anomalies.add("bad_edns_option");
    else if (decoded !== undefined) {
      for (const [name, value] of Object.entries(decoded)) {
        out.ascii(fieldKey(name));
        // Strings as JSON.stringify writes them (EDE's extra text is any UTF-8: raw, not \u-escaped).
        if (typeof value === "number") out.number(value);
        else out.raw(encoder.encode(JSON.stringify(value)));
      }
    }
    out.byte(0x7d); // }
    p = dataEnd;
  }
  out.constant(OPTIONS_END);
}
function putHex(out: RecordBuffer, b: Uint8Array, start: number, end: number): void {
  out.reserve((end - start) * 2);
  const o = out.bytes;
  let u = out.used;
  for (let i = start; i < end; i++) {
    o[u++] = HEX[b[i] >> 4];
    o[u++] = HEX[b[i] & 15];
  }
  out.used = u;
}
