/**
 * The JSON strings of type and class mnemonics, encoded once per value, for the transaction record's parts
 * (src/record/transaction_parts.ts).
 *
 * @module
 */

import { className, typeName } from "../dns/registries.ts";

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
