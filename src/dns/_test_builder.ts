/**
 * Test helpers: hex fixtures written in rows with comments, and a small DNS message builder.
 *
 * @module
 */

import { decodeMessage } from "./decode_message.ts";

/**
 * Bytes from hex rows; `//` starts a comment (offset/ASCII notes), whitespace is ignored.
 *
 * @example
 * ```ts
 * hex(`
 *   03 77 77 77 00   // 0  "www" root
 * `);
 * ```
 */
export function hex(rows: string): Uint8Array {
  const digits = rows.split("\n").map((line) => line.replace(/\/\/.*$/, "")).join("").replace(/\s+/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`Bad hex fixture: ${digits}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Uncompressed wire name; "." or "" is the root. Labels are latin-1 text. */
export function wireName(name: string): number[] {
  if (name === "." || name === "") return [0];
  const out: number[] = [];
  for (const label of name.split(".")) {
    out.push(label.length);
    for (const ch of label) out.push(ch.charCodeAt(0));
  }
  out.push(0);
  return out;
}

export function be16(n: number): number[] {
  return [(n >> 8) & 255, n & 255];
}

export function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** ASCII bytes of `text`. */
export function ascii(text: string): number[] {
  return [...text].map((ch) => ch.charCodeAt(0));
}

/** A resource record; `owner` is a name or raw name bytes (e.g. a pointer `[0xc0, 12]`). */
export function rr(owner: string | number[], type: number, ttl: number, rdata: number[], klass = 1): number[] {
  const name = typeof owner === "string" ? wireName(owner) : owner;
  return [...name, ...be16(type), ...be16(klass), ...be32(ttl), ...be16(rdata.length), ...rdata];
}

export interface MessageParts {
  id?: number;
  flags?: number;
  questions?: Array<[string, number]>;
  answers?: number[][];
  authorities?: number[][];
  additionals?: number[][];
  /** Override header counts [qd, an, ns, ar]. */
  counts?: [number, number, number, number];
  trailing?: number[];
}

/** A whole message (flags default: response, RD, RA). */
export function message(parts: MessageParts): Uint8Array {
  const questions = parts.questions ?? [["example.com", 1]];
  const answers = parts.answers ?? [];
  const authorities = parts.authorities ?? [];
  const additionals = parts.additionals ?? [];
  const counts = parts.counts ?? [questions.length, answers.length, authorities.length, additionals.length];
  const out: number[] = [
    ...be16(parts.id ?? 0x1234),
    ...be16(parts.flags ?? 0x8180),
    ...counts.flatMap(be16),
  ];
  for (const [name, type] of questions) out.push(...wireName(name), ...be16(type), ...be16(1));
  for (const rec of [...answers, ...authorities, ...additionals]) out.push(...rec);
  out.push(...(parts.trailing ?? []));
  return new Uint8Array(out);
}

/** Decode a message holding one answer of `type` with `rdata`; returns its data and the anomalies. */
export function renderOne(type: number, rdata: number[] | Uint8Array): { data: string; anomalies: string[] } {
  const msg = decodeMessage(message({ answers: [rr("example.com", type, 300, [...rdata])] }), "full");
  return { data: msg.answers[0].data, anomalies: msg.anomalies };
}
