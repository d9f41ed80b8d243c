/**
 * Address RDATA: A (RFC 1035 §3.4.1), AAAA (RFC 3596 §2.2), WKS (RFC 1035 §3.4.2),
 * EUI48/EUI64 (RFC 7043 §3.2, §4.2), and the IPv4/IPv6 text forms reused by ECS and SVCB hints.
 *
 * @module
 */

import type { MessageReader } from "../_reader.ts";
import { ipv4Text as goIpv4Text, ipv6Text as goIpv6Text } from "../../decode/ip_text.ts";
import { DECIMAL, hex } from "./_format.ts";
import type { RdataRenderer } from "./_renderer.ts";

/** Dotted-quad text of the 4 bytes at `o` (the one IP text implementation lives in src/decode/ip_text.ts). */
export const ipv4Text: (b: Uint8Array, o: number) => string = goIpv4Text;

/**
 * RFC 5952 text of the 16 bytes at `o`, as src/decode/ip_text.ts writes it. An IPv4-mapped address
 * (`::ffff:0:0/96`) prints as dotted IPv4 when `mappedAsIpv4` (Go `net.IP.String()`, which the record format
 * follows), else as `::ffff:a.b.c.d` (RFC 5952 §5), as ECS and SVCB hints show it.
 */
export function ipv6Text(b: Uint8Array, o: number, mappedAsIpv4: boolean): string {
  if (!mappedAsIpv4 && isIpv4Mapped(b, o)) return "::ffff:" + goIpv4Text(b, o + 12);
  return goIpv6Text(b, o);
}

/** RFC 4291 §2.5.5.2: ten zero bytes, then 0xffff. */
function isIpv4Mapped(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 10; i++) if (b[o + i] !== 0) return false;
  return b[o + 10] === 0xff && b[o + 11] === 0xff;
}

/** A: exactly 4 octets. */
export const renderA: RdataRenderer = (r, start, end) => {
  if (end - start !== 4) return null;
  r.next = end;
  return ipv4Text(r.bytes, start);
};

/** AAAA: exactly 16 octets, Go text (IPv4-mapped printed dotted). */
export const renderAaaa: RdataRenderer = (r, start, end) => {
  if (end - start !== 16) return null;
  r.next = end;
  return ipv6Text(r.bytes, start, true);
};

/** WKS: `address protocol port…` with the protocol and ports as numbers, as BIND prints them. */
export const renderWks: RdataRenderer = (r: MessageReader, start, end) => {
  if (end - start < 5) return null;
  const b = r.bytes;
  let s = ipv4Text(b, start) + " " + DECIMAL[b[start + 4]];
  for (let i = start + 5; i < end; i++) {
    for (let bit = 0; bit < 8; bit++) {
      if (b[i] & (0x80 >> bit)) s += " " + ((i - start - 5) * 8 + bit);
    }
  }
  r.next = end;
  return s;
};

function eui(r: MessageReader, start: number, end: number, octets: number): string | null {
  if (end - start !== octets) return null;
  let s = hex(r.bytes, start, start + 1, true);
  for (let i = start + 1; i < end; i++) s += "-" + hex(r.bytes, i, i + 1, true);
  r.next = end;
  return s;
}

/** EUI48: `xx-xx-xx-xx-xx-xx`. */
export const renderEui48: RdataRenderer = (r, start, end) => eui(r, start, end, 6);

/** EUI64: `xx-xx-xx-xx-xx-xx-xx-xx`. */
export const renderEui64: RdataRenderer = (r, start, end) => eui(r, start, end, 8);
