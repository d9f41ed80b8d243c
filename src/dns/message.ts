/** The decoded shape of a DNS message (RFC 1035 §4, RFC 6891 for EDNS). */

export interface DnsHeader {
  id: number;
  /** QR: true for a response. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The Z bit (RFC 1035 reserved bit, 0x0040). */
  z: boolean;
  ad: boolean;
  cd: boolean;
  /** The 4-bit header RCODE (without the EDNS extension). */
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface DnsQuestion {
  /** Presentation form, no trailing dot, `\.` and `\DDD` escapes; the root is ".". */
  name: string;
  type: number;
  class: number;
}

export interface DnsResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  /** RDATA in presentation format (the type's RFC), or RFC 3597 `\# len hex` for unknown types. */
  data: string;
}

export interface EdnsOption {
  code: number;
  /** Mnemonic from the IANA EDNS option registry ("ECS", "COOKIE", ...) or "OPT<code>". */
  name: string;
  /** Lower-case hex of the option data. */
  hex: string;
  /** Decoded form where this project knows the option (ECS, COOKIE), else absent. */
  decoded?: Record<string, string | number>;
}

export interface Edns {
  version: number;
  udpSize: number;
  /** DNSSEC OK bit. */
  do: boolean;
  /** Upper 8 bits of the extended RCODE (from the OPT TTL field). */
  extendedRcode: number;
  options: EdnsOption[];
}

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsResourceRecord[];
  authorities: DnsResourceRecord[];
  /** Additional section without the OPT pseudo-RR (that is in `edns`). */
  additionals: DnsResourceRecord[];
  edns: Edns | null;
  /**
   * Recoverable oddities, as stable identifiers: "trailing_bytes", "count_mismatch",
   * "truncated_section", "bad_rdata", "multiple_opt", ... Never throw for these.
   */
  anomalies: string[];
  /** Message length in bytes. */
  size: number;
}
