/**
 * The constant parts of a gopassivedns record (README, "Records"), encoded once as bytes so the fast path writes
 * each run of keys and fixed values with one copy: keys are merged with their neighbours, the per-type and
 * per-rcode texts are encoded on first use and kept, and the six trailing booleans are one of 32 ready endings.
 *
 * The parts written by word writers are {@linkcode Constant}s (src/record/_put.ts); those handed to the address
 * cache and the time writer, which merge them into their own copies, stay plain bytes.
 *
 * Zero-copy contract: every array returned here is shared and must only be read (copied into a RecordBuffer).
 *
 * @module
 */

import { gopassivednsRcodeText, gopassivednsTypeName } from "../dns/registries.ts";
import { jsonString } from "./json_string.ts";
import { Constant } from "./_put.ts";

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const constant = (text: string): Constant => new Constant(encoder.encode(text));

/** `{"query_id":`: a record's first bytes. */
export const QUERY_ID: Constant = constant('{"query_id":');
/** An absent question's name. */
export const EMPTY_NAME: Constant = constant('""');
/** `,"dst":"`, before the server's address. */
export const DST: Uint8Array = bytes(',"dst":"');
/** `","src":"`, between the server's and the client's address. */
export const SRC: Uint8Array = bytes('","src":"');
/** `","tstamp":"`, before the response time. */
export const TSTAMP: Uint8Array = bytes('","tstamp":"');
/** `","elapsed":`, before the nanoseconds from query to response. */
export const ELAPSED: Uint8Array = bytes('","elapsed":');
/** `,"sport":"`, before the client's port. */
export const SPORT: Constant = constant(',"sport":"');

/** RFC 1035 §4.1.1: RCODE is four bits. */
const RCODES = 16;

/** `,"rcode":N,"q":` per RCODE. */
const RCODE_PARTS: readonly Constant[] = Array.from({ length: RCODES }, (_, n) => constant(`,"rcode":${n},"q":`));

/** `,"rcode":N,"q":`: the bytes between the query ID and the question name. */
export function rcodePart(rcode: number): Constant {
  return RCODE_PARTS[rcode];
}

/** `"Non-Existent Domain","atype":"","ttl":0` per RCODE: the record of a response that is not NOERROR. */
const RCODE_ANSWERS: readonly Constant[] = Array.from(
  { length: RCODES },
  (_, n) => constant(jsonString(gopassivednsRcodeText(n)) + ',"atype":"","ttl":0'),
);

/** The `a`, `atype` and `ttl` values of a response that is not NOERROR (from after `"a":` to before `"dst"`). */
export function rcodeAnswer(rcode: number): Constant {
  return RCODE_ANSWERS[rcode];
}

/**
 * Per TYPE value, encoded on first use: `,"qtype":"A","a":` and `,"atype":"A","ttl":`. The tables (256 KB each) are
 * made at the first record: with a lookup worker the decoding thread loads this module but writes no record.
 */
let QTYPE_PARTS: (Constant | undefined)[] | null = null;
let ATYPE_PARTS: (Constant | undefined)[] | null = null;
/** `,"qtype":"","a":` for a message without a question. */
const NO_QTYPE_PART = constant(',"qtype":"","a":');

/** `,"qtype":"A","a":`, or with an empty qtype when `type` is -1 (no question). */
export function qtypePart(type: number): Constant {
  if (type < 0) return NO_QTYPE_PART;
  return (QTYPE_PARTS ??= new Array(0x10000))[type] ??= constant(
    ',"qtype":' + jsonString(gopassivednsTypeName(type)) + ',"a":',
  );
}

/** `,"atype":"A","ttl":`: the bytes between an answer's data and its TTL. */
export function atypePart(type: number): Constant {
  return (ATYPE_PARTS ??= new Array(0x10000))[type] ??= constant(
    ',"atype":' + jsonString(gopassivednsTypeName(type)) + ',"ttl":',
  );
}

/** `","level":"…","bytes":` (closing the sport string) for a `-syslog_priority` value. */
export function levelPart(level: string): Constant {
  return constant('","level":' + jsonString(level) + ',"bytes":');
}

/** Flags of {@linkcode endingPart}, one bit each. */
export const ENDING_TCP = 16;
export const ENDING_TRUNCATED = 8;
export const ENDING_AA = 4;
export const ENDING_RD = 2;
export const ENDING_RA = 1;

/** `,"protocol":"udp","truncated":false,"aa":false,"rd":true,"ra":true}` and the newline, per flag combination. */
const ENDINGS: readonly Constant[] = Array.from({ length: 32 }, (_, f) =>
  constant(
    `,"protocol":"${f & ENDING_TCP ? "tcp" : "udp"}","truncated":${(f & ENDING_TRUNCATED) !== 0}` +
      `,"aa":${(f & ENDING_AA) !== 0},"rd":${(f & ENDING_RD) !== 0},"ra":${(f & ENDING_RA) !== 0}}\n`,
  ));

/** A record's last bytes, newline included, for the `ENDING_*` flags in `flags`. */
export function endingPart(flags: number): Constant {
  return ENDINGS[flags];
}
