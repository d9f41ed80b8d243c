/**
 * pcapng Interface Description Block (pcapng §4.2): link type, snap length and the two options
 * that change how timestamps read, `if_tsresol` and `if_tsoffset`.
 *
 * @module
 */

import { DEFAULT_TSRESOL, TimestampScale } from "./_timestamp.ts";

/** Option codes (pcapng §3.5, §4.2). */
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** Options start after type, length, LinkType, Reserved and SnapLen. */
const IDB_OPTIONS = 16;

/** What the reader keeps per interface id of the current section. */
export interface PcapngInterface {
  /** LINKTYPE_* of the interface's packets. */
  readonly linkType: number;
  /** Maximum captured length; 0 means no limit. */
  readonly snapLen: number;
  /** Converts this interface's timestamps (resolution and offset). */
  readonly scale: TimestampScale;
}

/**
 * Parses the IDB of total length `len` at `pos` (already bounds-checked, at least 20 bytes).
 * Returns the interface, or a description of what is wrong with it.
 */
export function parseInterfaceBlock(view: DataView, pos: number, len: number, le: boolean): PcapngInterface | string {
  const linkType = view.getUint16(pos + 8, le);
  const snapLen = view.getUint32(pos + 12, le);
  let tsresol = DEFAULT_TSRESOL;
  let offsetSec = 0n;
  const optionsEnd = pos + len - 4;
  let at = pos + IDB_OPTIONS;
  while (at + 4 <= optionsEnd) {
    const code = view.getUint16(at, le);
    const size = view.getUint16(at + 2, le);
    if (code === OPT_ENDOFOPT) break;
    const value = at + 4;
    if (value + size > optionsEnd) return `option ${code} of ${size} bytes overruns the block`;
    if (code === OPT_IF_TSRESOL && size >= 1) tsresol = view.getUint8(value);
    if (code === OPT_IF_TSOFFSET && size >= 8) offsetSec = view.getBigInt64(value, le);
    // Option values are padded to 32 bits.
    at = value + ((size + 3) & ~3);
  }
  // Every resolution is accepted, even one finer than 2^-64 s (every timestamp then falls in the first second).
  return { linkType, snapLen, scale: new TimestampScale(tsresol, offsetSec) };
}
