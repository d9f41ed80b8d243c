/**
 * DNSSEC key and signature RDATA: DS/CDS/DLV/TA (RFC 4034 §5.3, RFC 7344), DNSKEY/CDNSKEY/KEY
 * (RFC 4034 §2.2, RFC 2535), RRSIG/SIG (RFC 4034 §3.2, RFC 2931), plus the other digest- and
 * key-shaped records: TLSA/SMIMEA (RFC 6698 §2.2, RFC 8162), SSHFP (RFC 4255 §3.2), CERT
 * (RFC 4398 §2.2), DHCID/OPENPGPKEY (base64, RFC 4701, RFC 7929), ZONEMD (RFC 8976 §3).
 * Hex prints upper-case and unbroken (dig splits long fields with spaces; this form is one token).
 *
 * @module
 */

import { u16, u32 } from "../_reader.ts";

import { readName } from "../name.ts";
import { typeName } from "../registries.ts";
import { base64, hex, rrsigTime } from "./_format.ts";
import type { RdataRenderer } from "./_renderer.ts";

/** DS, CDS, DLV, TA: `keytag algorithm digesttype DIGEST`. */
export const renderDs: RdataRenderer = (r, start, end) => {
  if (end - start < 5) return null;
  const b = r.bytes;
  r.next = end;
  return u16(r.bytes, start) + " " + b[start + 2] + " " + b[start + 3] + " " + hex(b, start + 4, end);
};

/** DNSKEY, CDNSKEY, KEY: `flags protocol algorithm BASE64` (no key field when the key is empty). */
export const renderDnskey: RdataRenderer = (r, start, end) => {
  if (end - start < 4) return null;
  const b = r.bytes;
  r.next = end;
  const head = u16(r.bytes, start) + " " + b[start + 2] + " " + b[start + 3];
  return end - start === 4 ? head : head + " " + base64(b, start + 4, end);
};

/** RRSIG, SIG: `type alg labels origttl expiration inception keytag signer BASE64`. */
export const renderRrsig: RdataRenderer = (r, start, end) => {
  if (end - start < 19) return null;
  const b = r.bytes;
  const head = typeName(u16(b, start)) + " " + b[start + 2] + " " + b[start + 3] + " " + u32(b, start + 4) +
    " " + rrsigTime(u32(b, start + 8)) + " " + rrsigTime(u32(b, start + 12)) + " " + u16(b, start + 16);
  const signer = readName(r, start + 18, end);
  if (signer === null) return null;
  const sigStart = r.next;
  r.next = end;
  return sigStart === end ? head + " " + signer : head + " " + signer + " " + base64(b, sigStart, end);
};

/** TLSA, SMIMEA: `usage selector matchingtype HEX`. */
export const renderTlsa: RdataRenderer = (r, start, end) => {
  if (end - start < 4) return null;
  const b = r.bytes;
  r.next = end;
  return b[start] + " " + b[start + 1] + " " + b[start + 2] + " " + hex(b, start + 3, end);
};

/** SSHFP: `algorithm fptype HEX`. */
export const renderSshfp: RdataRenderer = (r, start, end) => {
  if (end - start < 3) return null;
  const b = r.bytes;
  r.next = end;
  return b[start] + " " + b[start + 1] + " " + hex(b, start + 2, end);
};

/** CERT: `type keytag algorithm BASE64` with numeric type and algorithm. */
export const renderCert: RdataRenderer = (r, start, end) => {
  const b = r.bytes;
  if (end - start < 6) return null;
  r.next = end;
  return u16(b, start) + " " + u16(b, start + 2) + " " + r.bytes[start + 4] + " " +
    base64(r.bytes, start + 5, end);
};

/** DHCID, OPENPGPKEY: the whole RDATA as base64. */
export const renderBase64: RdataRenderer = (r, start, end) => {
  if (end === start) return null;
  r.next = end;
  return base64(r.bytes, start, end);
};

/** ZONEMD: `serial scheme hashalgorithm HEX`. */
export const renderZonemd: RdataRenderer = (r, start, end) => {
  if (end - start < 7) return null;
  const b = r.bytes;
  r.next = end;
  return u32(r.bytes, start) + " " + b[start + 4] + " " + b[start + 5] + " " + hex(b, start + 6, end);
};
