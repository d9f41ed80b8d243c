/**
 * The parts of a gopassivedns record shared by every record of one response: the head (query ID to `"a":`) and the
 * tail (`,"dst":` to the newline). The fast path fills one reused {@linkcode RecordContext} per paired response and
 * writes each answer's record as {@linkcode startRecord}, the RDATA, {@linkcode endRecord}: the head and tail are
 * written once, for the first record, and copied from the output for the others; a record whose type and TTL are
 * those of the record before it copies that record's whole end (`,"atype":` to the newline) in one run.
 *
 * Constants and numbers are written with the word writers of src/record/_put.ts (whole 32-bit stores through the
 * buffer's `DataView`), copies of earlier output with one `copyWithin`: almost nothing is written byte by byte
 * apart from the names and addresses themselves.
 *
 * @module
 */

import type { RecordBuffer } from "./record_buffer.ts";
import {
  atypePart,
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
  rcodeAnswer,
  rcodePart,
  SPORT,
  SRC,
  TSTAMP,
} from "./gopassivedns_parts.ts";
import { GO_TIME_MAX, GoTimeWriter, putElapsed } from "./time_format.ts";
import { IP_TEXT_MAX, putIp16 } from "./ip_write.ts";
import { AddressTextCache } from "./address_text_cache.ts";
import { type Constant, copyAsciiWords, NUMBER_MAX, putConstant, putDigits } from "./_put.ts";
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
  /** Where the first record's head and tail are in the output (set by writing it; valid until the output resets). */
  headStart = 0;
  headEnd = 0;
  tailStart = 0;
  tailEnd = 0;
  /** The previous record's type and TTL, and its end (`,"atype":` to the newline) in the output. */
  lastType = -1;
  lastTtl = -1;
  lastEndStart = 0;
  lastEnd = 0;
}

/**
 * Start the record of the response's answer number `index`: `{"query_id":…,"a":`, written for the first (index 0)
 * and copied from it for the others (the output must not have been reset since).
 */
export function startRecord(out: RecordBuffer, c: RecordContext, index: number): void {
  if (index === 0) {
    c.headStart = out.used;
    writeHead(out, c);
    c.headEnd = out.used;
  } else {
    repeat(out, c.headStart, c.headEnd);
  }
}

/**
 * End the record of answer number `index` after its RDATA: `,"atype":…,"ttl":N` and the tail (newline included),
 * the tail written for the first record and copied for the others. `level` is the encoded `levelPart`.
 */
export function endRecord(
  out: RecordBuffer,
  c: RecordContext,
  index: number,
  type: number,
  ttl: number,
  level: Constant,
): void {
  const start = out.used;
  if (index !== 0 && type === c.lastType && ttl === c.lastTtl) {
    repeat(out, c.lastEndStart, c.lastEnd);
  } else {
    const atype = atypePart(type);
    // One reserve for the type, the TTL and the tail (written or copied).
    out.reserve(atype.length + NUMBER_MAX + (index === 0 ? TAIL_MAX + level.length : c.tailEnd - c.tailStart));
    const v = out.view, d = out.bytes;
    const u = putDigits(v, d, putConstant(v, d, start, atype), ttl);
    if (index === 0) {
      c.tailStart = u;
      out.used = c.tailEnd = putTail(v, d, u, c, level);
    } else {
      out.used = copyAsciiWords(v, d, u, c.tailStart, c.tailEnd);
    }
    c.lastType = type;
    c.lastTtl = ttl;
  }
  c.lastEndStart = start;
  c.lastEnd = out.used;
}

/** The one record of a response whose rcode is not NOERROR (`rcode`): the rcode text in place of an answer. */
export function writeRcodeRecord(out: RecordBuffer, c: RecordContext, rcode: number, level: Constant): void {
  writeHead(out, c);
  out.constant(rcodeAnswer(rcode));
  out.reserve(TAIL_MAX + level.length);
  out.used = putTail(out.view, out.bytes, out.used, c, level);
}

/** Copy `[start, end)` of the output (an earlier part of this response's records: ASCII) to its end. */
function repeat(out: RecordBuffer, start: number, end: number): void {
  out.reserve(end - start);
  out.used = copyAsciiWords(out.view, out.bytes, out.used, start, end);
}

/** `{"query_id":…,"a":`: everything before the answer's data. */
function writeHead(out: RecordBuffer, c: RecordContext): void {
  out.reserve(HEAD_MAX);
  const v = out.view, d = out.bytes;
  let u = putConstant(v, d, out.used, QUERY_ID);
  u = putDigits(v, d, u, c.id);
  out.used = putConstant(v, d, u, rcodePart(c.flags & RCODE_MASK));
  if (c.qtype < 0) out.constant(EMPTY_NAME);
  else writeWireName(out, c.names, c.nameStart, c.nameLength);
  out.constant(qtypePart(c.qtype));
}

/**
 * `,"dst":…}` and the newline: everything after the answer's TTL, at `u` (word writer, src/record/_put.ts: the
 * caller reserved `TAIL_MAX` plus the level's length). `level` is the encoded `levelPart`.
 */
function putTail(v: DataView, d: Uint8Array, u: number, c: RecordContext, level: Constant): number {
  u = SERVER_PART.put(v, u, c.server, 0);
  u = putIp16(v, d, u, c.client, 0);
  u = TSTAMP_WRITER.put(v, d, u, c.responseSec, c.responseNsec);
  u = putElapsed(v, d, u, c.querySec, c.queryNsec, c.responseSec, c.responseNsec);
  u = putConstant(v, d, u, SPORT);
  u = putDigits(v, d, u, c.clientPort);
  u = putConstant(v, d, u, level);
  u = putDigits(v, d, u, c.wireLen);
  const f = c.flags;
  return putConstant(
    v,
    d,
    u,
    endingPart(
      (c.tcp ? ENDING_TCP : 0) | ((f & TC_BIT) !== 0 ? ENDING_TRUNCATED : 0) |
        ((f & AA_BIT) !== 0 ? ENDING_AA : 0) | (c.rd ? ENDING_RD : 0) | ((f & RA_BIT) !== 0 ? ENDING_RA : 0),
    ),
  );
}
