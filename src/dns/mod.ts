/**
 * DNS message decoding: `decodeMessage()` and the types, registries and name helpers around it.
 *
 * @example
 * ```ts
 * import { decodeMessage, gopassivednsTypeName } from "./src/dns/mod.ts";
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
