/**
 * Runs Wireshark's dissector (tshark) over a capture and normalises every DNS message it finds, so tests can
 * cross-check our decoder against an independent implementation.
 *
 * tshark's `-T json` output repeats keys: a TCP frame carrying several DNS messages has several `"dns"` layers, and
 * two answers with the same summary line share one key. `JSON.parse` keeps only the last of each, and
 * `--no-duplicate-keys` merges them out of order, so this module parses the output with a small JSON reader that keeps
 * every entry of an object, in order.
 *
 * @example
 * ```ts
 * const messages = await tsharkDnsMessages("testdata/real/udp_types.pcap");
 * if (messages === null) console.log("tshark is not installed");
 * else console.log(messages[0].questions[0].name); // "www.example.test"
 * ```
 */

/**
 * Our presentation names escape bytes (`\.`, `\032`, `\195\169`); tshark prints them unescaped and decodes UTF-8,
 * keeping only a NUL as `\000`. Bring ours to tshark's form.
 */
export function asTshark(name: string): string {
  if (!name.includes("\\")) return name;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "\\" && /^\d{3}$/.test(name.slice(i + 1, i + 4))) {
      bytes.push(Number(name.slice(i + 1, i + 4)));
      i += 3;
    } else if (name[i] === "\\") {
      bytes.push(name.charCodeAt(++i));
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes)).replaceAll("\u0000", "\\000");
}

/** A question as tshark shows it. */
export interface TsharkQuestion {
  /** Name as tshark prints it, no trailing dot; the root is ".". */
  name: string;
  /**
   * The labels as hex, from the bytes tshark shows for the name (`-x`): tells `a\.b` (one label) from `a.b` (two),
   * which tshark prints alike.
   */
  labels: string[];
  type: number;
  class: number;
}

/** A resource record reduced to what every type has, plus the address of A/AAAA records. */
export interface TsharkRecord {
  /** Name as tshark prints it, no trailing dot; the root is ".". */
  name: string;
  type: number;
  ttl: number;
  /** Dotted-quad (A) or compressed RFC 5952 text (AAAA). */
  addr?: string;
  /**
   * RDATA of the types whose fields tshark shows (see {@linkcode tsharkRdata}), in our presentation form with names
   * and strings unescaped as tshark prints them.
   */
  data?: string;
}

/** The OPT pseudo-RR (RFC 6891 §6.1.2). */
export interface TsharkEdns {
  udpSize: number;
  version: number;
  do: boolean;
  /** Upper 8 bits of the extended RCODE, from the OPT TTL field. */
  extendedRcode: number;
}

/** One DNS message as dissected by tshark. */
export interface TsharkDnsMessage {
  /** 1-based frame number; for TCP the frame in which the message's last byte arrived. */
  frame: number;
  transport: "udp" | "tcp";
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  id: number;
  /** QR: true for a response. */
  qr: boolean;
  opcode: number;
  /** The 4-bit header RCODE (see `edns.extendedRcode` for the upper bits). */
  rcode: number;
  flags: { aa: boolean; tc: boolean; rd: boolean; ra: boolean; ad: boolean; cd: boolean };
  questions: TsharkQuestion[];
  answers: TsharkRecord[];
  authorities: TsharkRecord[];
  /** Additional section without the OPT pseudo-RR. */
  additionals: TsharkRecord[];
  edns: TsharkEdns | null;
}

/** A JSON value in which objects keep every entry, duplicates included, in document order. */
type JsonValue = string | number | boolean | null | JsonValue[] | JsonEntries;
/** An object as its ordered list of `[key, value]` entries. */
type JsonEntries = { entries: [string, JsonValue][] };

/** RR type of the OPT pseudo-RR (RFC 6891 §6.1.1). */
const TYPE_OPT = 41;
const QR_BIT = 0x8000; // RFC 1035 §4.1.1
const OPCODE_MASK = 0x7800; // RFC 1035 §4.1.1
const OPCODE_SHIFT = 11;
const AA_BIT = 0x0400; // RFC 1035 §4.1.1
const TC_BIT = 0x0200; // RFC 1035 §4.1.1
const RD_BIT = 0x0100; // RFC 1035 §4.1.1
const RA_BIT = 0x0080; // RFC 1035 §4.1.1
const AD_BIT = 0x0020; // RFC 4035 §3.2.3
const CD_BIT = 0x0010; // RFC 4035 §3.2.2
const RCODE_MASK = 0x000f; // RFC 1035 §4.1.1
/** DO bit in the 16-bit flags part of the OPT TTL (RFC 3225 §3, RFC 6891 §6.1.4). */
const EDNS_DO_BIT = 0x8000;
/** tshark's text for the root name. */
const TSHARK_ROOT = "<Root>";

/**
 * Dissects `pcapPath` with tshark and returns every DNS message it found, in frame order (several per frame for TCP
 * segments that carry more than one message). Returns null when tshark is not installed. `dnsPorts` adds
 * `-d udp.port==N,dns -d tcp.port==N,dns` for ports tshark does not treat as DNS by default; `decodeAs` adds other
 * `-d` rules (`udp.port==8472,vxlan`).
 */
export async function tsharkDnsMessages(
  pcapPath: string,
  dnsPorts: number[] = [],
  decodeAs: string[] = [],
): Promise<TsharkDnsMessage[] | null> {
  const args = [
    "-n", // no name resolution: addresses stay numeric
    "-r",
    pcapPath,
    // Reassembly on explicitly, so a changed user profile cannot change what we compare against.
    "-o",
    "tcp.desegment_tcp_streams:TRUE",
    "-o",
    "tcp.analyze_sequence_numbers:TRUE",
    "-o",
    "dns.desegment_dns_messages:TRUE",
    "-o",
    "ip.defragment:TRUE",
    "-o",
    "ipv6.defragment:TRUE",
  ];
  for (const port of dnsPorts) {
    args.push("-d", `udp.port==${port},dns`, "-d", `tcp.port==${port},dns`);
  }
  for (const rule of decodeAs) args.push("-d", rule);
  // -J keeps only these layers (with all their fields): the rest of the tree is large and unused.
  // -x adds each field's bytes (`dns.qry.name_raw`), from which names are compared label by label.
  args.push("-Y", "dns", "-T", "json", "-x", "-J", "frame ip ipv6 udp tcp dns");

  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("tshark", { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Cannot dissect ${pcapPath} with tshark: exit code ${output.code}: ${stderr}`);
  }
  const text = new TextDecoder().decode(output.stdout);
  // tshark prints nothing at all (not even "[]") when no frame matches the filter.
  if (text.trim() === "") return [];
  const packets = parseJsonKeepingDuplicates(text);
  if (!Array.isArray(packets)) throw new Error("Cannot read tshark output: the top level is not an array");

  const messages: TsharkDnsMessage[] = [];
  for (const packet of packets) {
    const layers = field(field(packet, "_source"), "layers");
    const frame = Number(stringField(field(layers, "frame"), "frame.number"));
    // A UDP tunnel has an outer "udp" too: DNS is carried by the last transport layer.
    const [prefix, transportLayer] = lastOf(layers, ["udp", "tcp"]);
    const transport = prefix === "udp" ? "udp" : "tcp";
    // For tunnelled packets the first IP layer is the outer one; DNS ports belong to the innermost, which tshark
    // lists last (6in4 has an outer "ip" and an inner "ipv6": take whichever of the two comes last).
    const [ipPrefix, ip] = lastOf(layers, ["ip", "ipv6"]);
    for (const dns of allFields(layers, "dns")) {
      messages.push({
        frame,
        transport,
        srcIp: stringField(ip, `${ipPrefix}.src`),
        dstIp: stringField(ip, `${ipPrefix}.dst`),
        srcPort: Number(stringField(transportLayer, `${prefix}.srcport`)),
        dstPort: Number(stringField(transportLayer, `${prefix}.dstport`)),
        ...normaliseDns(dns),
      });
    }
  }
  return messages;
}

/** The address and port fields are filled in by the caller. */
type DnsPart = Omit<TsharkDnsMessage, "frame" | "transport" | "srcIp" | "dstIp" | "srcPort" | "dstPort">;

function normaliseDns(dns: JsonValue): DnsPart {
  // tshark's flag subtree omits response-only bits (AA, RA, RCODE) in queries, so read the 16-bit flags word it shows
  // for every message and split it by RFC 1035 §4.1.1 / RFC 4035 §3.2.
  const flags = Number(stringField(dns, "dns.flags"));
  let edns: TsharkEdns | null = null;
  const additionals: TsharkRecord[] = [];
  for (const [record, raw] of records(field(dns, "Additional records"))) {
    if (record.type !== TYPE_OPT) {
      additionals.push(record);
      continue;
    }
    // RFC 6891 §6.1.1: a second OPT makes the message malformed; like our decoder, keep the first.
    if (edns !== null) continue;
    edns = {
      udpSize: Number(stringField(raw, "dns.rr.udp_payload_size")),
      version: Number(stringField(raw, "dns.resp.edns0_version")),
      do: (Number(stringField(raw, "dns.resp.z")) & EDNS_DO_BIT) !== 0,
      extendedRcode: Number(stringField(raw, "dns.resp.ext_rcode")),
    };
  }
  return {
    id: Number(stringField(dns, "dns.id")),
    qr: (flags & QR_BIT) !== 0,
    opcode: (flags & OPCODE_MASK) >> OPCODE_SHIFT,
    rcode: flags & RCODE_MASK,
    flags: {
      aa: (flags & AA_BIT) !== 0,
      tc: (flags & TC_BIT) !== 0,
      rd: (flags & RD_BIT) !== 0,
      ra: (flags & RA_BIT) !== 0,
      ad: (flags & AD_BIT) !== 0,
      cd: (flags & CD_BIT) !== 0,
    },
    // RFC 2136 §2: an UPDATE's four sections are Zone, Prerequisite, Update and Additional, which tshark names so.
    questions: entriesOf(field(dns, "Queries") ?? field(dns, "Zone")).map(([, q]) => ({
      name: normaliseName(stringField(q, "dns.qry.name")),
      labels: wireLabels(field(q, "dns.qry.name_raw")),
      type: Number(stringField(q, "dns.qry.type")),
      class: Number(stringField(q, "dns.qry.class")),
    })),
    answers: records(field(dns, "Answers") ?? field(dns, "Prerequisites")).map(([record]) => record),
    authorities: records(field(dns, "Authoritative nameservers") ?? field(dns, "Updates")).map(([record]) => record),
    additionals,
    edns,
  };
}

/** Each entry of a section object (keyed by tshark's summary line) as a record plus its raw fields. */
function records(section: JsonValue | undefined): [TsharkRecord, JsonValue][] {
  return entriesOf(section).map(([summary, raw]) => {
    const record: TsharkRecord = {
      name: normaliseName(recordName(summary, raw)),
      type: Number(stringField(raw, "dns.resp.type")),
      // The OPT pseudo-RR has no TTL field in tshark's tree (its TTL bits are shown as ext_rcode/version/z).
      ttl: Number(optionalString(raw, "dns.resp.ttl") ?? "0"),
    };
    const addr = optionalString(raw, "dns.a") ?? optionalString(raw, "dns.aaaa");
    if (addr !== undefined) record.addr = addr;
    const data = tsharkRdata(record.type, raw);
    if (data !== undefined) record.data = data;
    return [record, raw];
  });
}

/**
 * The owner name of a record. tshark 4.0 shows SRV owners split into service, protocol and name fields instead of
 * `dns.resp.name`; as a last resort the summary line ("owner: type X, class Y, ...") starts with the owner.
 */
function recordName(summary: string, raw: JsonValue): string {
  const name = optionalString(raw, "dns.resp.name");
  if (name !== undefined) return name;
  const service = optionalString(raw, "dns.srv.service");
  const proto = optionalString(raw, "dns.srv.proto");
  const srvName = optionalString(raw, "dns.srv.name");
  if (service !== undefined && proto !== undefined && srvName !== undefined) return `${service}.${proto}.${srvName}`;
  const end = summary.indexOf(": type ");
  if (end < 0) throw new Error(`Cannot read tshark output: no owner name in record "${summary}"`);
  return summary.slice(0, end);
}

/**
 * The RR types whose RDATA is compared field by field: names (NS, CNAME, PTR, DNAME), MX, SOA, SRV, NAPTR, HINFO,
 * TXT, DS/CDS, SSHFP, TLSA, RRSIG, DNSKEY/CDNSKEY. Text: fields joined by spaces, names as tshark prints them,
 * character-strings each in double quotes without escaping, hex upper-case without separators, keys and signatures
 * in base64, RRSIG times as YYYYMMDDHHmmSS and the covered type as a number. Other types: undefined (A/AAAA use
 * `addr`).
 */
export const RDATA_TYPES: ReadonlySet<number> = new Set([
  2,
  5,
  12,
  39,
  15,
  6,
  33,
  35,
  13,
  16,
  43,
  59,
  44,
  52,
  46,
  48,
  60,
]);

function tsharkRdata(type: number, raw: JsonValue): string | undefined {
  const f = (key: string) => stringField(raw, key);
  const name = (key: string) => normaliseName(f(key));
  const hexOf = (key: string) => f(key).replaceAll(":", "").toUpperCase();
  const quote = (text: string) => `"${text}"`;
  switch (type) {
    case 2:
      return name("dns.ns");
    case 5:
      return name("dns.cname");
    case 12:
      return name("dns.ptr.domain_name");
    case 39:
      return name("dns.dname");
    case 15:
      return `${f("dns.mx.preference")} ${name("dns.mx.mail_exchange")}`;
    case 6:
      return [
        name("dns.soa.mname"),
        name("dns.soa.rname"),
        f("dns.soa.serial_number"),
        f("dns.soa.refresh_interval"),
        f("dns.soa.retry_interval"),
        f("dns.soa.expire_limit"),
        f("dns.soa.minimum_ttl"),
      ].join(" ");
    case 33:
      return `${f("dns.srv.priority")} ${f("dns.srv.weight")} ${f("dns.srv.port")} ${name("dns.srv.target")}`;
    case 35:
      return [
        f("dns.naptr.order"),
        f("dns.naptr.preference"),
        quote(f("dns.naptr.flags")),
        quote(f("dns.naptr.service")),
        quote(f("dns.naptr.regex")),
        name("dns.naptr.replacement"),
      ].join(" ");
    case 13:
      return `${quote(f("dns.hinfo.cpu"))} ${quote(f("dns.hinfo.os"))}`;
    case 16:
      return entriesOf(raw).filter(([k]) => k === "dns.txt").map(([, v]) => quote(String(v))).join(" ");
    case 43:
    case 59:
      return [
        Number(f("dns.ds.key_id")),
        f("dns.ds.algorithm"),
        f("dns.ds.digest_type"),
        hexOf("dns.ds.digest"),
      ].join(" ");
    case 44:
      return `${f("dns.sshfp.algorithm")} ${f("dns.sshfp.fingerprint.type")} ${hexOf("dns.sshfp.fingerprint")}`;
    case 52:
      return [
        f("dns.tlsa.certificate_usage"),
        f("dns.tlsa.selector"),
        f("dns.tlsa.matching_type"),
        hexOf("dns.tlsa.certificate_association_data"),
      ].join(" ");
    case 46:
      return [
        f("dns.rrsig.type_covered"),
        f("dns.rrsig.algorithm"),
        f("dns.rrsig.labels"),
        f("dns.rrsig.original_ttl"),
        rrsigTime(f("dns.rrsig.signature_expiration")),
        rrsigTime(f("dns.rrsig.signature_inception")),
        f("dns.rrsig.key_tag"),
        name("dns.rrsig.signers_name"),
        hexToBase64(f("dns.rrsig.signature")),
      ].join(" ");
    case 48:
    case 60:
      return [
        Number(f("dns.dnskey.flags")),
        f("dns.dnskey.protocol"),
        f("dns.dnskey.algorithm"),
        hexToBase64(f("dns.dnskey.public_key")),
      ].join(" ");
    default:
      return undefined;
  }
}

/** `01:23:ab` → base64 of those bytes. */
function hexToBase64(hex: string): string {
  const bytes = hex.split(":").map((h) => parseInt(h, 16));
  return btoa(String.fromCharCode(...bytes));
}

/** tshark's `Dec  9, 2026 22:48:48.000000000 UTC` → `20261209224848` (RFC 4034 §3.2). */
function rrsigTime(text: string): string {
  const date = new Date(text.replace(/\.\d+ UTC$/, " UTC"));
  if (Number.isNaN(date.getTime())) throw new Error(`Cannot read tshark output: RRSIG time "${text}"`);
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/** Labels of an uncompressed wire name (tshark's `_raw` field: hex first), each as lower-case hex. */
function wireLabels(raw: JsonValue | undefined): string[] {
  if (!Array.isArray(raw) || typeof raw[0] !== "string") throw new Error("Cannot read tshark output: no name bytes");
  const hex = raw[0];
  const labels: string[] = [];
  for (let p = 0; p < hex.length;) {
    const length = parseInt(hex.slice(p, p + 2), 16);
    if (length === 0 || length >= 0xc0) break;
    labels.push(hex.slice(p + 2, p + 2 + length * 2));
    p += 2 + length * 2;
  }
  return labels;
}

/** tshark prints the root as "<Root>" and never a trailing dot; we use "." for the root like src/dns/message.ts. */
function normaliseName(name: string): string {
  return name === TSHARK_ROOT || name === "" ? "." : name;
}

function entriesOf(value: JsonValue | undefined): [string, JsonValue][] {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value.entries : [];
}

function field(value: JsonValue | undefined, key: string): JsonValue | undefined {
  for (const [k, v] of entriesOf(value)) if (k === key) return v;
  return undefined;
}

/** The last entry whose key is one of `keys`, as [key, value]. */
function lastOf(value: JsonValue | undefined, keys: string[]): [string, JsonValue | undefined] {
  let found: [string, JsonValue | undefined] = [keys[0], undefined];
  for (const [k, v] of entriesOf(value)) if (keys.includes(k)) found = [k, v];
  return found;
}

function allFields(value: JsonValue | undefined, key: string): JsonValue[] {
  return entriesOf(value).filter(([k]) => k === key).map(([, v]) => v);
}

function optionalString(value: JsonValue | undefined, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === "string" ? found : undefined;
}

function stringField(value: JsonValue | undefined, key: string): string {
  const found = optionalString(value, key);
  if (found === undefined) throw new Error(`Cannot read tshark output: field "${key}" is missing`);
  return found;
}

/**
 * Parses JSON text, representing each object as its ordered entry list so repeated keys survive. Only what tshark
 * emits needs to work, but the reader follows RFC 8259 fully (it is small enough to).
 */
export function parseJsonKeepingDuplicates(text: string): JsonValue {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`Cannot parse JSON at offset ${pos}: ${what}`);
  };
  const skipSpace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
  };
  const readString = (): string => {
    // Find the closing quote, skipping escaped characters, then let JSON.parse decode the escapes.
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    if (pos >= text.length) fail("unterminated string");
    pos++;
    return JSON.parse(text.slice(start, pos));
  };
  const readValue = (): JsonValue => {
    skipSpace();
    const c = text[pos];
    if (c === "{") {
      pos++;
      const entries: [string, JsonValue][] = [];
      skipSpace();
      if (text[pos] === "}") {
        pos++;
        return { entries };
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail("expected a key");
        const key = readString();
        skipSpace();
        if (text[pos] !== ":") fail("expected ':'");
        pos++;
        entries.push([key, readValue()]);
        skipSpace();
        if (text[pos] === ",") pos++;
        else if (text[pos] === "}") {
          pos++;
          return { entries };
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      pos++;
      const items: JsonValue[] = [];
      skipSpace();
      if (text[pos] === "]") {
        pos++;
        return items;
      }
      for (;;) {
        items.push(readValue());
        skipSpace();
        if (text[pos] === ",") pos++;
        else if (text[pos] === "]") {
          pos++;
          return items;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return readString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos, pos + 64));
    if (literal === null) return fail("unexpected character");
    pos += literal[0].length;
    return JSON.parse(literal[0]);
  };
  const value = readValue();
  skipSpace();
  if (pos !== text.length) fail("trailing characters");
  return value;
}
