/**
 * DNS message decoding: `decodeMessage()` and the types, registries and name helpers around it.
 *
 * @example
 * ```ts
 * import { decodeMessage, gopassivednsTypeName } from "./mod.ts";
 *
 * // A response to "A? www.slashdot.org" with one answer.
 * const hex = "4fb881800001000100000000" + "03777777" + "08736c617368646f74" + "036f726700" + "00010001" +
 *   "c00c000100010000012c0004d822b530";
 * const payload = Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
 * const msg = decodeMessage(payload, "answers");
 * for (const rr of msg.answers) console.log(gopassivednsTypeName(rr.type), rr.data);
 * ```
 *
 * @module
 */

export { type DecodeDepth, decodeMessage } from "./decode_message.ts";
export type { DnsHeader, DnsMessage, DnsQuestion, DnsResourceRecord, Edns, EdnsOption } from "./message.ts";
export { decodeHeader, HEADER_SIZE } from "./header.ts";
export { decodeName, MAX_NAME_OCTETS, MAX_NAME_POINTERS } from "./name.ts";
export { addAnomaly, DNS_ANOMALIES, type DnsAnomaly } from "./anomalies.ts";
export {
  className,
  ednsOptionName,
  GOPASSIVEDNS_NAMED_TYPES,
  gopassivednsRcodeText,
  gopassivednsTypeName,
  isKnownType,
  opcodeName,
  rcodeName,
  typeName,
} from "./registries.ts";
export { ipv4Text, ipv6Text } from "./rdata/addresses.ts";
