/**
 * Domain name decompression (RFC 1035 §3.1, §4.1.4) into presentation form.
 *
 * Hardening, after miekg/dns `UnpackDomainName`:
 * - a pointer must point strictly before its own position, and every further pointer strictly
 *   before the previous pointer's target, so targets strictly decrease and decoding terminates;
 * - labels are at most 63 octets (the 0x00 label type has 6 length bits), and the whole name at most
 *   255 octets after expansion (RFC 1035 §3.1, length octets and root included);
 * - at most 126 pointers per name (miekg/dns `maxCompressionPointers`): pointer chains add no
 *   octets, so without a cap one 64 KiB message of chained pointers costs quadratic time;
 * - the label types 0x40 (RFC 6891 §5, extended) and 0x80 (reserved) are rejected.
 *
 * Presentation: no trailing dot, the root is ".", case kept; `. \ " ( ) ; @ $` and space are
 * backslash-escaped, other bytes outside 0x21..0x7e become `\DDD` (three decimal digits).
 *
 * @module
 */

import { DecodeError } from "../decode_error.ts";
import { MessageReader } from "./_reader.ts";
import { decimalEscapeInto, SCRATCH, scratchString } from "./_scratch.ts";

/** RFC 1035 §3.1: a name is at most 255 octets on the wire, root octet included. */
export const MAX_NAME_OCTETS = 255;
/** More pointers than a 255-octet name can usefully hold (one per two octets, minus the root). */
export const MAX_NAME_POINTERS = 126;
/** RFC 1035 §4.1.4: the two top bits 11 mark a compression pointer. */
const LABEL_POINTER = 0xc0;
/** RFC 1035 §4.1.4 / RFC 6891 §5: label type bits; 0x40 and 0x80 are not usable. */
const LABEL_TYPE_MASK = 0xc0;

/** Per byte: 0 = copy, 1 = backslash + byte, 2 = `\DDD`. */
const NAME_CHAR = new Uint8Array(256);
for (let x = 0; x < 256; x++) NAME_CHAR[x] = x < 0x21 || x > 0x7e ? 2 : 0;
for (const ch of '.\\"();@$') NAME_CHAR[ch.charCodeAt(0)] = 1;
NAME_CHAR[0x20] = 1; // space: `\ ` (project choice, as miekg/dns prints it)

/** The expanded (uncompressed) wire form of the name being read, root octet excluded. */
const WIRE = new Uint8Array(MAX_NAME_OCTETS);

/**
 * Process-wide intern table of presentation names, keyed by their uncompressed wire form: passive
 * DNS sees popular names again and again, and a hit costs a hash and a compare instead of building
 * a string (measured: an A response decodes about 25% faster on a hit, a miss costs about 20%
 * more). Direct-mapped and bounded (1 MiB of wire forms + 4096 strings): a colliding name simply
 * replaces the older entry. Names are case-sensitive here, as in the output.
 */
const INTERN_SIZE = 4096; // power of two
/** Entry i holds its wire form at INTERN_WIRE[i * MAX_NAME_OCTETS], its length in INTERN_LENGTH[i]. */
const INTERN_WIRE = new Uint8Array(INTERN_SIZE * MAX_NAME_OCTETS);
const INTERN_LENGTH = new Int16Array(INTERN_SIZE); // 0 = empty slot
const INTERN_NAME: string[] = new Array<string>(INTERN_SIZE).fill("");

function hex4(n: number): string {
  return "0x" + n.toString(16).padStart(4, "0");
}

/** Presentation form of `WIRE[0..len)` (labels with their length octets). */
function present(len: number): string {
  let n = 0;
  let p = 0;
  while (p < len) {
    const labelEnd = p + 1 + WIRE[p];
    if (n !== 0) SCRATCH[n++] = 0x2e;
    for (let i = p + 1; i < labelEnd; i++) {
      const x = WIRE[i];
      const cls = NAME_CHAR[x];
      if (cls === 0) {
        SCRATCH[n++] = x;
      } else if (cls === 1) {
        SCRATCH[n++] = 0x5c;
        SCRATCH[n++] = x;
      } else {
        n = decimalEscapeInto(n, x);
      }
    }
    p = labelEnd;
  }
  return scratchString(n);
}

/** FNV-1a hash of `WIRE[0..len)`. */
function wireHash(len: number): number {
  let hash = 0x811c9dc5; // FNV-1a offset basis
  for (let i = 0; i < len; i++) hash = Math.imul(hash ^ WIRE[i], 0x01000193);
  return hash;
}

/**
 * The presentation form of `WIRE[0..len)` whose FNV-1a hash is `hash`, interned on its second
 * sighting: the first one only records the wire form, so a flood of unique names (random
 * subdomains) never fills the table with strings that the GC would have to promote and collect.
 */
function intern(len: number, hash: number): string {
  const slot = hash & (INTERN_SIZE - 1);
  const base = slot * MAX_NAME_OCTETS;
  if (INTERN_LENGTH[slot] === len) {
    let i = 0;
    while (i < len && INTERN_WIRE[base + i] === WIRE[i]) i++;
    if (i === len) {
      const known = INTERN_NAME[slot];
      if (known !== "") return known;
      const name = present(len);
      INTERN_NAME[slot] = name;
      return name;
    }
  }
  for (let i = 0; i < len; i++) INTERN_WIRE[base + i] = WIRE[i];
  INTERN_LENGTH[slot] = len;
  INTERN_NAME[slot] = "";
  return present(len);
}

/** Target of the first pointer the last {@linkcode expandName} followed, or -1 when it followed none. */
let wireFirstTarget = -1;

/**
 * The wire form of the last name expanded: `NAME_WIRE[0..n)` after `n = expandName(...)`, labels with their length
 * octets, root octet excluded. Overwritten by the next name read (by anyone): copy what must be kept.
 */
export const NAME_WIRE: Uint8Array = WIRE;

/**
 * Validate and decompress the name at `pos` into `into` (by default {@linkcode NAME_WIRE}; at least
 * {@linkcode MAX_NAME_OCTETS} bytes; `null` only validates and measures), with every rule of the module header.
 * Positions are indices into `r.bytes`; pointer offsets are relative to the message start `r.base`. Labels stored
 * in place must end by `limit` (the RDATA end for names inside RDATA); pointers may lead anywhere earlier in the
 * message. Returns the expanded length (0 for the root) and sets `r.next` to the byte after the name's in-place
 * part; on failure returns -1 with `r.errCode` set (`dns.truncated_name`, `dns.pointer_forward`,
 * `dns.pointer_loop`, `dns.too_many_pointers`, `dns.label_type`, `dns.name_too_long`) and `r.errOffset` relative to
 * the message start.
 */
export function expandName(
  r: MessageReader,
  pos: number,
  limit: number,
  into: Uint8Array | null = WIRE,
): number {
  const b = r.bytes;
  const base = r.base;
  let p = pos;
  let lim = limit;
  let w = 0; // octets expanded (root excluded)
  let lastTarget = 0x10000; // the next pointer must point strictly below this (message offsets)
  let pointers = 0;
  let resume = -1; // index after the first pointer (the name's in-place end)
  wireFirstTarget = -1;
  for (;;) {
    if (p >= lim) {
      return nameFailure(r, "dns.truncated_name", p, `it runs past offset ${lim - base}`, pos);
    }
    const c = b[p];
    if (c === 0) {
      p++;
      break;
    }
    const kind = c & LABEL_TYPE_MASK;
    if (kind === 0) {
      const labelEnd = p + 1 + c;
      if (labelEnd > lim) {
        return nameFailure(
          r,
          "dns.truncated_name",
          p,
          `label of ${c} octets at offset ${p - base} runs past offset ${lim - base}`,
          pos,
        );
      }
      if (w + 1 + c >= MAX_NAME_OCTETS) { // the root octet still has to fit
        return nameFailure(
          r,
          "dns.name_too_long",
          p,
          `it exceeds ${MAX_NAME_OCTETS} octets at offset ${p - base}`,
          pos,
        );
      }
      if (into === null) w += 1 + c;
      else for (let i = p; i < labelEnd; i++) into[w++] = b[i];
      p = labelEnd;
      continue;
    }
    if (kind !== LABEL_POINTER) {
      return nameFailure(
        r,
        "dns.label_type",
        p,
        `label type 0x${kind.toString(16)} at offset ${p - base} is not supported`,
        pos,
      );
    }
    if (p + 2 > lim) {
      return nameFailure(r, "dns.truncated_name", p, `pointer at offset ${p - base} is cut off`, pos);
    }
    const target = ((c & 0x3f) << 8) | b[p + 1];
    if (target >= p - base) {
      return nameFailure(
        r,
        "dns.pointer_forward",
        p,
        `pointer ${hex4(target)} at offset ${p - base} does not point backwards`,
        pos,
      );
    }
    if (target >= lastTarget) {
      return nameFailure(
        r,
        "dns.pointer_loop",
        p,
        `pointer ${hex4(target)} at offset ${p - base} does not point before the previous target ${hex4(lastTarget)}`,
        pos,
      );
    }
    if (++pointers > MAX_NAME_POINTERS) {
      return nameFailure(
        r,
        "dns.too_many_pointers",
        p,
        `more than ${MAX_NAME_POINTERS} pointers at offset ${p - base}`,
        pos,
      );
    }
    if (resume < 0) {
      resume = p + 2;
      wireFirstTarget = target;
    }
    lastTarget = target;
    lim = r.end;
    p = base + target;
  }
  r.next = resume >= 0 ? resume : p;
  return w;
}

/** Record the failure of the name at index `pos` (at index `at`): returns -1. Offsets are made message-relative. */
function nameFailure(r: MessageReader, code: string, at: number, detail: string, pos: number): -1 {
  r.fail(code, at - r.base, `Cannot decode name at offset ${pos - r.base}: ${detail}`);
  return -1;
}

/**
 * Target of the first pointer followed by the last successful {@linkcode expandName}, or -1 when the name is
 * entirely in place. A pointer to that name's offset may reuse its result only when this is below the pointer's
 * target (the rule a full walk from the pointer would apply to the first inner pointer).
 */
export function lastFirstTarget(): number {
  return wireFirstTarget;
}

/**
 * Decode the name at `pos` to its presentation form: {@linkcode expandName}, then the intern table. On success sets
 * `r.next` like `expandName`; on failure returns `null` with `r.errCode` set.
 */
export function readName(r: MessageReader, pos: number, limit: number): string | null {
  const b = r.bytes;
  const base = r.base;
  // A name that is just a pointer to a name already read in this message (owner names are mostly 0xc00c) is that
  // name, provided the cached walk followed only pointers below the target, which is the rule a full walk applies.
  if (pos + 2 <= limit && b[pos] >= LABEL_POINTER) {
    const target = ((b[pos] & 0x3f) << 8) | b[pos + 1];
    if (target < pos - base) {
      for (let k = 0; k < r.cacheCount; k++) {
        if (r.cacheOffset[k] === base + target) {
          if (r.cacheFirstTarget[k] < target) {
            r.next = pos + 2;
            return r.cacheName[k];
          }
          break;
        }
      }
    }
  }
  const w = expandName(r, pos, limit);
  if (w < 0) return null;
  if (w === 0) return ".";
  const name = intern(w, wireHash(w));
  if (b[pos] < LABEL_POINTER && r.cacheCount < r.cacheOffset.length) {
    const k = r.cacheCount++;
    r.cacheOffset[k] = pos;
    r.cacheFirstTarget[k] = wireFirstTarget;
    r.cacheName[k] = name;
  }
  return name;
}

const publicReader = new MessageReader();

/**
 * Decode the (possibly compressed) name at `offset` of the DNS message `bytes` (index 0 = the
 * header). Returns the presentation form and the offset after the name's in-place part.
 *
 * @throws {DecodeError} `dns.truncated_name`, `dns.pointer_forward`, `dns.pointer_loop`,
 *   `dns.too_many_pointers`, `dns.label_type` or `dns.name_too_long`.
 *
 * @example
 * ```ts
 * const msg = new Uint8Array([3, 0x77, 0x77, 0x77, 0, 0xc0, 0]);
 * decodeName(msg, 5); // ["www", 7]
 * ```
 */
export function decodeName(bytes: Uint8Array, offset: number): [string, number] {
  publicReader.reset(bytes);
  const name = readName(publicReader, offset, publicReader.end);
  if (name === null) throw new DecodeError(publicReader.errCode, publicReader.errOffset, publicReader.errMessage);
  return [name, publicReader.next];
}
