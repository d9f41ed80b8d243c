/**
 * EDNS(0): the OPT pseudo-RR (RFC 6891 §6.1) and the options this project decodes:
 * ECS (RFC 7871 §6), COOKIE (RFC 7873 §4), EDE (RFC 8914 §2), TCP-KEEPALIVE (RFC 7828 §3.1) and
 * EXPIRE (RFC 7314 §2). Every option also keeps its raw bytes as lower-case hex.
 *
 * @module
 */

import type { MessageReader } from "./_reader.ts";
import { addAnomaly } from "./anomalies.ts";
import type { DnsMessage, Edns, EdnsOption } from "./message.ts";
import { hex } from "./rdata/_format.ts";
import { ipv4Text, ipv6Text } from "./rdata/addresses.ts";
import { ednsOptionName } from "./registries.ts";

/** RFC 6891 §6.1.3: DO is bit 0x8000 of the TTL's low 16 bits. */
const DO_BIT = 0x8000;
const OPTION_ECS = 8;
const OPTION_EXPIRE = 9;
const OPTION_COOKIE = 10;
const OPTION_TCP_KEEPALIVE = 11;
const OPTION_EDE = 15;
/** RFC 7873 §4: the client cookie is 8 bytes, the server cookie 8 to 32. */
const CLIENT_COOKIE_SIZE = 8;
const SERVER_COOKIE_MIN = 8;
const SERVER_COOKIE_MAX = 32;

const ADDRESS = new Uint8Array(16);
const utf8 = new TextDecoder();

/** ECS: `{family, sourcePrefix, scopePrefix, address}`; null when malformed. */
function decodeEcs(b: Uint8Array, start: number, end: number): Record<string, string | number> | null {
  if (end - start < 4) return null;
  const family = (b[start] << 8) | b[start + 1];
  const sourcePrefix = b[start + 2];
  const scopePrefix = b[start + 3];
  const size = family === 1 ? 4 : family === 2 ? 16 : 0; // RFC 7871 §6: IANA address family numbers
  const addressLen = end - start - 4;
  if (size === 0 || addressLen > size || sourcePrefix > size * 8 || scopePrefix > size * 8) return null;
  ADDRESS.fill(0);
  for (let i = 0; i < addressLen; i++) ADDRESS[i] = b[start + 4 + i];
  const address = size === 4 ? ipv4Text(ADDRESS, 0) : ipv6Text(ADDRESS, 0, false);
  return { family, sourcePrefix, scopePrefix, address };
}

/** One option's decoded form, `undefined` when not decoded here, `null` when malformed. */
export function decodeOption(
  b: Uint8Array,
  code: number,
  start: number,
  end: number,
): Record<string, string | number> | null | undefined {
  const len = end - start;
  switch (code) {
    case OPTION_ECS:
      return decodeEcs(b, start, end);
    case OPTION_COOKIE:
      if (
        len !== CLIENT_COOKIE_SIZE &&
        (len < CLIENT_COOKIE_SIZE + SERVER_COOKIE_MIN || len > CLIENT_COOKIE_SIZE + SERVER_COOKIE_MAX)
      ) {
        return null;
      }
      return {
        client: hex(b, start, start + CLIENT_COOKIE_SIZE, true),
        server: hex(b, start + CLIENT_COOKIE_SIZE, end, true),
      };
    case OPTION_EDE:
      if (len < 2) return null;
      return { infoCode: (b[start] << 8) | b[start + 1], extraText: utf8.decode(b.subarray(start + 2, end)) };
    case OPTION_TCP_KEEPALIVE: // an empty option is valid in queries
      if (len === 0) return undefined;
      return len === 2 ? { timeout: (b[start] << 8) | b[start + 1] } : null;
    case OPTION_EXPIRE:
      if (len === 0) return undefined;
      return len === 4
        ? { expire: ((b[start] << 24) | (b[start + 1] << 16) | (b[start + 2] << 8) | b[start + 3]) >>> 0 }
        : null;
    default:
      return undefined;
  }
}

/**
 * Turn the OPT RR found in the additional section into `msg.edns` (only the first one: a second
 * OPT is flagged `multiple_opt` and dropped). Option overruns keep the options before them and
 * flag `bad_edns_option`.
 */
export function readOpt(
  r: MessageReader,
  msg: DnsMessage,
  owner: string,
  udpSize: number,
  ttl: number,
  start: number,
  end: number,
): void {
  if (msg.edns !== null) {
    addAnomaly(msg.anomalies, "multiple_opt");
    return;
  }
  if (owner !== ".") addAnomaly(msg.anomalies, "opt_not_root");
  const b = r.bytes;
  const options: EdnsOption[] = [];
  let p = start;
  while (p < end) {
    if (p + 4 > end) {
      addAnomaly(msg.anomalies, "bad_edns_option");
      break;
    }
    const code = (b[p] << 8) | b[p + 1];
    const dataEnd = p + 4 + ((b[p + 2] << 8) | b[p + 3]);
    if (dataEnd > end) {
      addAnomaly(msg.anomalies, "bad_edns_option");
      break;
    }
    const option: EdnsOption = { code, name: ednsOptionName(code), hex: hex(b, p + 4, dataEnd, true) };
    const decoded = decodeOption(b, code, p + 4, dataEnd);
    if (decoded === null) addAnomaly(msg.anomalies, "bad_edns_option");
    else if (decoded !== undefined) option.decoded = decoded;
    options.push(option);
    p = dataEnd;
  }
  const edns: Edns = {
    version: (ttl >>> 16) & 0xff,
    udpSize,
    do: (ttl & DO_BIT) !== 0,
    extendedRcode: ttl >>> 24,
    options,
  };
  msg.edns = edns;
}
