/**
 * RDATA made of names and integers: NS, CNAME, PTR, DNAME, MB, MD, MF, MG, MR (one name, RFC 1035
 * §3.3, RFC 6672), MX/AFSDB/RT/KX (preference + name: RFC 1035 §3.3.9, RFC 1183, RFC 2230),
 * MINFO/RP (two names: RFC 1035 §3.3.7, RFC 1183), PX (RFC 2163), SOA (RFC 1035 §3.3.13) and
 * SRV (RFC 2782). Names print without the trailing dot.
 *
 * @module
 */

import { u16, u32 } from "../_reader.ts";

import { readName } from "../name.ts";
import type { RdataRenderer } from "./_renderer.ts";

/** One name filling the RDATA. */
export const renderName: RdataRenderer = (r, start, end) => readName(r, start, end);

/** `preference name`: MX, AFSDB, RT, KX. */
export const renderPrefName: RdataRenderer = (r, start, end) => {
  if (end - start < 3) return null;
  const pref = u16(r.bytes, start);
  const name = readName(r, start + 2, end);
  return name === null ? null : pref + " " + name;
};

/** `name name`: MINFO (rmailbx emailbx), RP (mbox txt). */
export const renderTwoNames: RdataRenderer = (r, start, end) => {
  const first = readName(r, start, end);
  if (first === null) return null;
  const second = readName(r, r.next, end);
  return second === null ? null : first + " " + second;
};

/** PX: `preference map822 mapx400`. */
export const renderPx: RdataRenderer = (r, start, end) => {
  if (end - start < 4) return null;
  const pref = u16(r.bytes, start);
  const rest = renderTwoNames(r, start + 2, end);
  return rest === null ? null : pref + " " + rest;
};

/** SOA: `mname rname serial refresh retry expire minimum`. */
export const renderSoa: RdataRenderer = (r, start, end) => {
  const b = r.bytes;
  const mname = readName(r, start, end);
  if (mname === null) return null;
  const rname = readName(r, r.next, end);
  if (rname === null) return null;
  const p = r.next;
  if (p + 20 > end) return null;
  r.next = p + 20;
  return mname + " " + rname + " " + u32(b, p) + " " + u32(b, p + 4) + " " + u32(b, p + 8) + " " +
    u32(b, p + 12) + " " + u32(b, p + 16);
};

/** SRV: `priority weight port target`. */
export const renderSrv: RdataRenderer = (r, start, end) => {
  const b = r.bytes;
  if (end - start < 7) return null;
  const head = u16(b, start) + " " + u16(b, start + 2) + " " + u16(b, start + 4) + " ";
  const target = readName(r, start + 6, end);
  return target === null ? null : head + target;
};
