/**
 * Parts of the transaction record shared by its writers: the JSON strings of type and class mnemonics (encoded once
 * per value) and the `question` object, from the scanned first question (src/dns/wire_scan.ts).
 *
 * @module
 */

import { className, typeName } from "../dns/registries.ts";
import type { WireQuestion } from "../dns/wire_scan.ts";
import type { RecordBuffer } from "./record_buffer.ts";
import { writeWireName } from "./wire_render.ts";

const TYPE_JSON: (Uint8Array | undefined)[] = [];
const CLASS_JSON: (Uint8Array | undefined)[] = [];
const encoder = new TextEncoder();

/** `"MNEMONIC"` of an RR type (`"TYPE<n>"` when unassigned). */
export function typeJson(type: number): Uint8Array {
  return TYPE_JSON[type] ??= encoder.encode(JSON.stringify(typeName(type)));
}

/** `"MNEMONIC"` of a class (`"CLASS<n>"` when unassigned). */
export function classJson(klass: number): Uint8Array {
  return CLASS_JSON[klass] ??= encoder.encode(JSON.stringify(className(klass)));
}

/** `{"name":…,"type":…,"class":…}` of a scanned first question, or `null`. */
export function writeQuestion(out: RecordBuffer, q: WireQuestion | null): void {
  if (q === null) return out.ascii("null");
  out.ascii('{"name":');
  writeWireName(out, q.name, q.nameStart, q.nameLength);
  out.ascii(',"type":');
  out.raw(typeJson(q.type));
  out.ascii(',"class":');
  out.raw(classJson(q.class));
  out.ascii("}");
}
