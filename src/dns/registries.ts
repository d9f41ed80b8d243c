/**
 * IANA DNS registries as lookup tables: RR types, classes, RCODEs, opcodes and EDNS option codes,
 * plus the names the original gopassivedns printed in its default output format.
 *
 * GENERATED-STYLE TABLES: transcribed by hand from the IANA "Domain Name System (DNS) Parameters"
 * and "DNS EDNS0 Option Codes (OPT)" registries (2025 state). Each table is a list of
 * `[value, mnemonic]` rows; edit the rows, never the lookup code below them. Every lookup is an
 * array index (built once at load), so it costs no allocation for known values.
 *
 * @module
 */

/** IANA "Resource Record (RR) TYPEs" (types with a mnemonic; 255 is printed "ANY" like dig, not "*"). */
const RR_TYPES: ReadonlyArray<readonly [number, string]> = [
  [1, "A"],
  [2, "NS"],
  [3, "MD"],
  [4, "MF"],
  [5, "CNAME"],
  [6, "SOA"],
  [7, "MB"],
  [8, "MG"],
  [9, "MR"],
  [10, "NULL"],
  [11, "WKS"],
  [12, "PTR"],
  [13, "HINFO"],
  [14, "MINFO"],
  [15, "MX"],
  [16, "TXT"],
  [17, "RP"],
  [18, "AFSDB"],
  [19, "X25"],
  [20, "ISDN"],
  [21, "RT"],
  [22, "NSAP"],
  [23, "NSAP-PTR"],
  [24, "SIG"],
  [25, "KEY"],
  [26, "PX"],
  [27, "GPOS"],
  [28, "AAAA"],
  [29, "LOC"],
  [30, "NXT"],
  [31, "EID"],
  [32, "NIMLOC"],
  [33, "SRV"],
  [34, "ATMA"],
  [35, "NAPTR"],
  [36, "KX"],
  [37, "CERT"],
  [38, "A6"],
  [39, "DNAME"],
  [40, "SINK"],
  [41, "OPT"],
  [42, "APL"],
  [43, "DS"],
  [44, "SSHFP"],
  [45, "IPSECKEY"],
  [46, "RRSIG"],
  [47, "NSEC"],
  [48, "DNSKEY"],
  [49, "DHCID"],
  [50, "NSEC3"],
  [51, "NSEC3PARAM"],
  [52, "TLSA"],
  [53, "SMIMEA"],
  [55, "HIP"],
  [56, "NINFO"],
  [57, "RKEY"],
  [58, "TALINK"],
  [59, "CDS"],
  [60, "CDNSKEY"],
  [61, "OPENPGPKEY"],
  [62, "CSYNC"],
  [63, "ZONEMD"],
  [64, "SVCB"],
  [65, "HTTPS"],
  [66, "DSYNC"],
  [67, "HHIT"],
  [68, "BRID"],
  [99, "SPF"],
  [100, "UINFO"],
  [101, "UID"],
  [102, "GID"],
  [103, "UNSPEC"],
  [104, "NID"],
  [105, "L32"],
  [106, "L64"],
  [107, "LP"],
  [108, "EUI48"],
  [109, "EUI64"],
  [128, "NXNAME"],
  [249, "TKEY"],
  [250, "TSIG"],
  [251, "IXFR"],
  [252, "AXFR"],
  [253, "MAILB"],
  [254, "MAILA"],
  [255, "ANY"],
  [256, "URI"],
  [257, "CAA"],
  [258, "AVC"],
  [259, "DOA"],
  [260, "AMTRELAY"],
  [261, "RESINFO"],
  [262, "WALLET"],
  [263, "CLA"],
  [264, "IPN"],
  [32768, "TA"],
  [32769, "DLV"],
];

/** IANA "DNS CLASSes". */
const CLASSES: ReadonlyArray<readonly [number, string]> = [
  [1, "IN"],
  [3, "CH"],
  [4, "HS"],
  [254, "NONE"],
  [255, "ANY"],
];

/** IANA "DNS RCODEs" (16 is BADVERS in an OPT context and BADSIG in TSIG; BADVERS is printed). */
const RCODES: ReadonlyArray<readonly [number, string]> = [
  [0, "NOERROR"],
  [1, "FORMERR"],
  [2, "SERVFAIL"],
  [3, "NXDOMAIN"],
  [4, "NOTIMP"],
  [5, "REFUSED"],
  [6, "YXDOMAIN"],
  [7, "YXRRSET"],
  [8, "NXRRSET"],
  [9, "NOTAUTH"],
  [10, "NOTZONE"],
  [11, "DSOTYPENI"],
  [16, "BADVERS"],
  [17, "BADKEY"],
  [18, "BADTIME"],
  [19, "BADMODE"],
  [20, "BADNAME"],
  [21, "BADALG"],
  [22, "BADTRUNC"],
  [23, "BADCOOKIE"],
];

/** IANA "DNS OpCodes". */
const OPCODES: ReadonlyArray<readonly [number, string]> = [
  [0, "QUERY"],
  [1, "IQUERY"],
  [2, "STATUS"],
  [4, "NOTIFY"],
  [5, "UPDATE"],
  [6, "DSO"],
];

/** IANA "DNS EDNS0 Option Codes (OPT)", with the short names dig prints. */
const EDNS_OPTIONS: ReadonlyArray<readonly [number, string]> = [
  [1, "LLQ"],
  [2, "UL"],
  [3, "NSID"],
  [5, "DAU"],
  [6, "DHU"],
  [7, "N3U"],
  [8, "ECS"],
  [9, "EXPIRE"],
  [10, "COOKIE"],
  [11, "TCP-KEEPALIVE"],
  [12, "PADDING"],
  [13, "CHAIN"],
  [14, "KEY-TAG"],
  [15, "EDE"],
  [16, "CLIENT-TAG"],
  [17, "SERVER-TAG"],
  [18, "REPORT-CHANNEL"],
  [19, "ZONEVERSION"],
  [20292, "UMBRELLA-IDENT"],
  [26946, "DEVICEID"],
];

/** The types gopassivedns itself named (seed + HEAD); listed for documentation and tests. */
export const GOPASSIVEDNS_NAMED_TYPES: readonly number[] = [
  1,
  28,
  5,
  15,
  2,
  12,
  16,
  6,
  33,
  255, // seed
  3,
  4,
  7,
  8,
  9,
  10,
  11,
  13,
  14,
  41,
  46,
  48,
  64,
  65,
  256, // HEAD
];

/** Dense array 0..max(low values); values above `limit` go through `high`. */
function table(
  rows: ReadonlyArray<readonly [number, string]>,
  limit: number,
  fallback: (n: number) => string,
): { low: string[]; high: Map<number, string> } {
  const low: string[] = [];
  for (let n = 0; n <= limit; n++) low.push(fallback(n));
  const high = new Map<number, string>();
  for (const [n, name] of rows) {
    if (n <= limit) low[n] = name;
    else high.set(n, name);
  }
  return { low, high };
}

const TYPE_LIMIT = 300;
const TYPES = table(RR_TYPES, TYPE_LIMIT, (n) => `TYPE${n}`);
const GO_TYPES = table(RR_TYPES, TYPE_LIMIT, (n) => String(n));
const CLASS_TABLE = table(CLASSES, 255, (n) => `CLASS${n}`);
const RCODE_TABLE = table(RCODES, 4095, (n) => `RCODE${n}`);
const OPCODE_TABLE = table(OPCODES, 15, (n) => `OPCODE${n}`);
const OPTION_TABLE = table(EDNS_OPTIONS, 64, (n) => `OPT${n}`);

/** True when `n` is an IANA-assigned RR type with a mnemonic. */
export function isKnownType(n: number): boolean {
  return KNOWN_TYPES.has(n);
}

const KNOWN_TYPES: ReadonlySet<number> = new Set(RR_TYPES.map(([n]) => n));

/**
 * The RR type mnemonic (RFC 3597 `TYPE<n>` when unassigned).
 *
 * @example
 * ```ts
 * typeName(28); // "AAAA"
 * typeName(65280); // "TYPE65280"
 * ```
 */
export function typeName(n: number): string {
  if (n <= TYPE_LIMIT) return TYPES.low[n];
  return TYPES.high.get(n) ?? `TYPE${n}`;
}

/** The class mnemonic (RFC 3597 `CLASS<n>` when unassigned). */
export function className(n: number): string {
  return n <= 255 ? CLASS_TABLE.low[n] : `CLASS${n}`;
}

/** The RCODE mnemonic (header RCODE or the 12-bit extended RCODE); `RCODE<n>` when unassigned. */
export function rcodeName(n: number): string {
  return n <= 4095 ? RCODE_TABLE.low[n] : `RCODE${n}`;
}

/** The opcode mnemonic; `OPCODE<n>` when unassigned. */
export function opcodeName(n: number): string {
  return n <= 15 ? OPCODE_TABLE.low[n] : `OPCODE${n}`;
}

/** The EDNS option mnemonic ("ECS", "COOKIE", ...); `OPT<code>` when unassigned. */
export function ednsOptionName(code: number): string {
  if (code <= 64) return OPTION_TABLE.low[code];
  return OPTION_TABLE.high.get(code) ?? `OPT${code}`;
}

/**
 * Type names for the default (gopassivedns-compatible) output format: the IANA mnemonic for every
 * known type (a superset of the original's list), and the decimal number as a string otherwise.
 *
 * @example
 * ```ts
 * gopassivednsTypeName(15); // "MX"
 * gopassivednsTypeName(65280); // "65280"
 * ```
 */
export function gopassivednsTypeName(n: number): string {
  if (n <= TYPE_LIMIT) return GO_TYPES.low[n];
  return GO_TYPES.high.get(n) ?? String(n);
}

/** gopacket's (2018) RCODE texts, used for `a` when the response RCODE is not 0. */
const GOPASSIVEDNS_RCODE_TEXTS: readonly string[] = [
  "No Error",
  "Format Error",
  "Server Failure", // the seed had a trailing space here; this project drops it
  "Non-Existent Domain",
  "Not Implemented",
  "Query Refused",
  "Name Exists when it should not",
  "RR Set Exists when it should not",
  "RR Set that should exist does not",
  "Server Not Authoritative for zone",
  "Name not contained in zone",
];

/** The original program's text for a 4-bit header RCODE ("Non-Existent Domain"); 11–15 give "Unknown". */
export function gopassivednsRcodeText(rcode: number): string {
  return GOPASSIVEDNS_RCODE_TEXTS[rcode] ?? "Unknown";
}
