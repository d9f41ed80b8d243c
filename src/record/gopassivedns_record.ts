/**
 * The parts of a gopassivedns record shared by every record of one response: the head (query ID to `"a":`) and the
 * tail (`,"dst":` to the newline). The fast path fills one reused {@linkcode RecordContext} per paired response,
 * writes the head and tail once, and repeats them from the output for the response's further records.
 *
 * @module
 */

import type { RecordBuffer } from "./record_buffer.ts";
import {
  DST,
  ELAPSED,
  EMPTY_NAME,
  ENDING_AA,
  ENDING_RA,
  ENDING_RD,
  ENDING_TCP,
  ENDING_TRUNCATED,
  endingPart,
  qtypePart,
  QUERY_ID,
  rcodePart,
  SPORT,
  SRC,
  TSTAMP,
} from "./gopassivedns_parts.ts";
import { elapsedNs, GO_TIME_MAX, GoTimeWriter } from "./time_format.ts";
import { IP_TEXT_MAX, putIp16 } from "./ip_write.ts";
import { AddressTextCache } from "./address_text_cache.ts";
import { NUMBER_MAX, putBytes, putNumber, putUint32 } from "./_put.ts";
import { writeWireName } from "./wire_render.ts";

const AA_BIT = 0x0400; // RFC 1035 §4.1.1
const TC_BIT = 0x0200; // RFC 1035 §4.1.1
const RA_BIT = 0x0080; // RFC 1035 §4.1.1
const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1

/** Room for the head up to the name: `{"query_id":`, five digits, the rcode part (written with one reserve). */
const HEAD_MAX = 64;
/** Room for the tail apart from the level part (written with one reserve): constants, two addresses, numbers. */
const TAIL_MAX = 160 + 2 * IP_TEXT_MAX + GO_TIME_MAX + 3 * NUMBER_MAX;
/** `,"dst":"…","src":"`: the server's address with the keys around it (a few servers: cached). */
const SERVER_PART = new AddressTextCache(DST, SRC);
/** `","tstamp":"…","elapsed":` (the response time with the keys around it). */
const TSTAMP_WRITER = new GoTimeWriter(TSTAMP, ELAPSED);
/**
 * What the records of one paired response share. Reused: the fast path overwrites every field per response, and
 * the byte arrays (`names`, `client`, `server`) are borrowed views read only while the records are written.
 */
export class RecordContext {
  /** The response's DNS ID and header flags word. */
  id = 0;
  flags = 0;
  /** The question's name `names[nameStart, nameStart + nameLength)` in expanded wire form; qtype -1: no question. */
  names: Uint8Array = new Uint8Array(0);
  nameStart = 0;
  nameLength = 0;
  qtype = -1;
  /** The query's RD bit. */
  rd = false;
  tcp = false;
  /** 16-byte addresses (`writeAddress16` form) and the client's port. */
  client: Uint8Array = new Uint8Array(16);
  server: Uint8Array = new Uint8Array(16);
  clientPort = 0;
  querySec = 0;
  queryNsec = 0;
  responseSec = 0;
  responseNsec = 0;
  /** The response's captured frame length (`bytes`). */
  wireLen = 0;
}

/** `{"query_id":…,"a":`: everything before the answer's data. */
export function writeHead(out: RecordBuffer, c: RecordContext): void {
  out.reserve(HEAD_MAX);
  const d = out.bytes;
  let u = putBytes(d, out.used, QUERY_ID);
  u = putUint32(d, u, c.id);
  out.used = putBytes(d, u, rcodePart(c.flags & RCODE_MASK));
  if (c.qtype < 0) out.raw(EMPTY_NAME);
  else writeWireName(out, c.names, c.nameStart, c.nameLength);
  out.raw(qtypePart(c.qtype));
}

/** `,"dst":…}` and the newline: everything after the answer's TTL. `level` is the encoded `levelPart`. */
export function writeTail(out: RecordBuffer, c: RecordContext, level: Uint8Array): void {
  out.reserve(TAIL_MAX + level.length);
  const d = out.bytes;
  let u = SERVER_PART.put(d, out.used, c.server, 0);
  u = putIp16(d, u, c.client, 0);
  u = TSTAMP_WRITER.put(d, u, c.responseSec, c.responseNsec);
  u = putNumber(d, u, elapsedNs(c.querySec, c.queryNsec, c.responseSec, c.responseNsec));
  u = putBytes(d, u, SPORT);
  u = putUint32(d, u, c.clientPort);
  u = putBytes(d, u, level);
  u = putUint32(d, u, c.wireLen);
  const f = c.flags;
  out.used = putBytes(
    d,
    u,
    endingPart(
      (c.tcp ? ENDING_TCP : 0) | ((f & TC_BIT) !== 0 ? ENDING_TRUNCATED : 0) |
        ((f & AA_BIT) !== 0 ? ENDING_AA : 0) | (c.rd ? ENDING_RD : 0) | ((f & RA_BIT) !== 0 ? ENDING_RA : 0),
    ),
  );
}
