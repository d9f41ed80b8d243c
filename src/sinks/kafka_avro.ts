/**
 * Avro single-object encoding of a gopassivedns record (`-kafka_avro`), byte for byte as the original's later
 * versions send it: `C3 01`, the schema's 8-byte CRC-64-AVRO fingerprint (little-endian), then the Avro binary body
 * (Avro 1.11 specification, "Single-object encoding" and "Binary encoding"). The schema is fixed (`DnsLogEntry`,
 * the 19 fields of the record in order), so the encoder is a straight walk over the fields; no Avro library needed.
 *
 * @module
 */

/** The fields of `DnsLogEntry` in schema order, with their Avro types. */
const FIELDS = [
  ["query_id", "int"],
  ["rcode", "int"],
  ["q", "string"],
  ["qtype", "string"],
  ["a", "string"],
  ["atype", "string"],
  ["ttl", "long"],
  ["dst", "string"],
  ["src", "string"],
  ["tstamp", "string"],
  ["elapsed", "long"],
  ["sport", "string"],
  ["level", "string"],
  ["bytes", "int"],
  ["protocol", "string"],
  ["truncated", "boolean"],
  ["aa", "boolean"],
  ["rd", "boolean"],
  ["ra", "boolean"],
] as const;

/** The schema in Parsing Canonical Form (attributes in the order name, type, fields), the text fingerprinted. */
export const DNS_LOG_ENTRY_SCHEMA = JSON.stringify({
  name: "DnsLogEntry",
  type: "record",
  fields: FIELDS.map(([name, type]) => ({ name, type })),
});

const CRC64_AVRO_EMPTY = 0xc15d213aa4d7a795n;

/** CRC-64-AVRO (Rabin) fingerprint of a schema text, as the Avro specification's reference code computes it. */
export function avroFingerprint(schema: string): bigint {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (CRC64_AVRO_EMPTY & -(fp & 1n));
    table.push(fp);
  }
  let fp = CRC64_AVRO_EMPTY;
  for (const byte of new TextEncoder().encode(schema)) fp = (fp >> 8n) ^ table[Number((fp ^ BigInt(byte)) & 0xffn)];
  return fp;
}

/** `C3 01` + the fingerprint, little-endian: the 10 bytes every message starts with. */
export const AVRO_HEADER: Uint8Array = (() => {
  const header = new Uint8Array(10);
  header[0] = 0xc3;
  header[1] = 0x01;
  new DataView(header.buffer).setBigUint64(2, avroFingerprint(DNS_LOG_ENTRY_SCHEMA), true);
  return header;
})();

/** Grows as needed; one per encoder, reused for every record. */
class AvroWriter {
  bytes = new Uint8Array(512);
  length = 0;

  #reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  raw(data: Uint8Array): void {
    this.#reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** Zig-zag varint of an int or long (exact for the safe-integer range, through BigInt beyond 2^31). */
  long(value: number): void {
    this.#reserve(10);
    if (Number.isSafeInteger(value) && Math.abs(value) < 2 ** 30) {
      let n = (value << 1) ^ (value >> 31);
      while ((n & ~0x7f) !== 0) {
        this.bytes[this.length++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.bytes[this.length++] = n;
      return;
    }
    const big = BigInt.asIntN(64, BigInt(Math.trunc(value)));
    let n = BigInt.asUintN(64, (big << 1n) ^ (big >> 63n));
    while (n > 0x7fn) {
      this.bytes[this.length++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.bytes[this.length++] = Number(n);
  }

  string(value: string): void {
    const utf8 = new TextEncoder().encode(value);
    this.long(utf8.length);
    this.raw(utf8);
  }
}

/**
 * Encodes one gopassivedns JSON record (the line without its newline) as an Avro single-object message. A field
 * missing from the record is encoded as its zero value (`""`, 0, false), as Go's zero values would be.
 *
 * @example
 * ```ts
 * import { encodeAvroRecord } from "./kafka_avro.ts";
 * const message = encodeAvroRecord('{"query_id":1,"q":"example.com"}');
 * message[0]; // 0xc3
 * ```
 */
export function encodeAvroRecord(json: string): Uint8Array {
  const record = JSON.parse(json) as Record<string, unknown>;
  const out = new AvroWriter();
  out.raw(AVRO_HEADER);
  for (const [name, type] of FIELDS) {
    const value = record[name];
    switch (type) {
      case "int":
      case "long":
        out.long(typeof value === "number" ? value : 0);
        break;
      case "string":
        // The original writes Go's IP text, "<nil>" for an absent address, where JSON has "".
        out.string(
          typeof value === "string" ? (value === "" && (name === "src" || name === "dst") ? "<nil>" : value) : "",
        );
        break;
      case "boolean":
        out.raw(Uint8Array.of(value === true ? 1 : 0));
        break;
    }
  }
  return out.bytes.slice(0, out.length);
}
