/**
 * Denial-of-existence RDATA: NSEC (RFC 4034 §4), NSEC3 (RFC 5155 §3.3), NSEC3PARAM (RFC 5155
 * §4.3) and CSYNC (RFC 7477 §2.1.1), which share the type bit map of RFC 4034 §4.1.2.
 *
 * @module
 */

import { u16, u32 } from "../_reader.ts";

import type { MessageReader } from "../_reader.ts";
import { readName } from "../name.ts";
import { typeName } from "../registries.ts";
import { base32hex, hex } from "./_format.ts";
import type { RdataRenderer } from "./_renderer.ts";

/**
 * The type bit map at `bytes[start..end)` as ` A NS …` (each mnemonic preceded by a space; empty
 * for an empty map). Null when a window is out of order or its length is not 1..32.
 */
export function typeBitmap(r: MessageReader, start: number, end: number): string | null {
  const b = r.bytes;
  let s = "";
  let p = start;
  let lastWindow = -1;
  while (p < end) {
    if (p + 2 > end) return null;
    const window = b[p];
    const len = b[p + 1];
    if (window <= lastWindow || len === 0 || len > 32 || p + 2 + len > end) return null;
    lastWindow = window;
    for (let i = 0; i < len; i++) {
      const octet = b[p + 2 + i];
      if (octet === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (octet & (0x80 >> bit)) s += " " + typeName(window * 256 + i * 8 + bit);
      }
    }
    p += 2 + len;
  }
  return s;
}

/** NSEC: `next types…`. */
export const renderNsec: RdataRenderer = (r, start, end) => {
  const next = readName(r, start, end);
  if (next === null) return null;
  const types = typeBitmap(r, r.next, end);
  if (types === null) return null;
  r.next = end;
  return next + types;
};

/** NSEC3PARAM fields shared with NSEC3: `alg flags iterations salt` (salt `-` when empty); sets `r.next`. */
function nsec3Head(r: MessageReader, start: number, end: number): string | null {
  if (end - start < 5) return null;
  const b = r.bytes;
  const saltEnd = start + 5 + b[start + 4];
  if (saltEnd > end) return null;
  r.next = saltEnd;
  const salt = saltEnd === start + 5 ? "-" : hex(b, start + 5, saltEnd);
  return b[start] + " " + b[start + 1] + " " + u16(r.bytes, start + 2) + " " + salt;
}

/** NSEC3: `alg flags iterations salt NEXT-BASE32HEX types…`. */
export const renderNsec3: RdataRenderer = (r, start, end) => {
  const head = nsec3Head(r, start, end);
  if (head === null) return null;
  const p = r.next;
  if (p >= end) return null;
  const hashEnd = p + 1 + r.bytes[p];
  if (hashEnd > end || hashEnd === p + 1) return null;
  const types = typeBitmap(r, hashEnd, end);
  if (types === null) return null;
  r.next = end;
  return head + " " + base32hex(r.bytes, p + 1, hashEnd) + types;
};

/** NSEC3PARAM: `alg flags iterations salt`. */
export const renderNsec3param: RdataRenderer = (r, start, end) => nsec3Head(r, start, end);

/** CSYNC: `serial flags types…`. */
export const renderCsync: RdataRenderer = (r, start, end) => {
  if (end - start < 6) return null;
  const types = typeBitmap(r, start + 6, end);
  if (types === null) return null;
  r.next = end;
  return u32(r.bytes, start) + " " + u16(r.bytes, start + 4) + types;
};
