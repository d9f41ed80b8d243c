import assert from "node:assert/strict";
import { parseAddressText } from "../decode/ip_text.ts";
import { LookupKey } from "./lookup_key.ts";
import { NONE, PendingTable } from "./pending_table.ts";

const address = (text: string) => {
  const out = new Uint8Array(16);
  parseAddressText(text, out);
  return out;
};
const SERVER = address("10.0.0.53");
const key = (id: number, clientIp = "10.0.0.1") => new LookupKey().set("udp", address(clientIp), 40000, SERVER, 53, id);
/** A value the table holds: any object (the engine itself stores none). */
interface Entry {
  id: number;
}

const entry = (id: number): Entry => ({ id });

function ids(table: PendingTable<Entry>): number[] {
  const out: number[] = [];
  for (let slot = table.oldest(); slot !== NONE; slot = table.newer(slot)) out.push(table.value(slot).id);
  return out;
}

Deno.test("PendingTable finds entries by key and keeps them in insertion order", () => {
  const table = new PendingTable<Entry>(10);
  for (const id of [3, 1, 2]) table.add(key(id), entry(id));
  assert.equal(table.value(table.find(key(1))).id, 1);
  assert.equal(table.find(key(1, "10.0.0.2")), NONE, "another client is another key");
  assert.equal(table.find(new LookupKey().set("tcp", address("10.0.0.1"), 40000, SERVER, 53, 1)), NONE);
  table.remove(table.find(key(1)));
  assert.deepEqual(ids(table), [3, 2]);
  table.add(key(1), entry(1));
  assert.deepEqual(ids(table), [3, 2, 1]);
  assert.equal(table.size, 3);
});

Deno.test("PendingTable grows its storage up to its limit and reuses freed slots", () => {
  const table = new PendingTable<Entry>(5000);
  for (let id = 0; id < 5000; id++) table.add(key(id), entry(id));
  assert.equal(table.size, 5000);
  assert.equal(table.value(table.find(key(4321))).id, 4321);
  assert.throws(() => table.add(key(5000), entry(5000)), RangeError);
  table.remove(table.oldest());
  table.add(key(5000), entry(5000));
  assert.equal(table.find(key(0)), NONE);
  assert.equal(table.value(table.find(key(5000))).id, 5000);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.oldest(), NONE);
});

Deno.test("PendingTable holds several entries under one key and walks them newest first", () => {
  const table = new PendingTable<Entry>(64);
  for (let i = 0; i < 20; i++) table.add(key(i % 3), entry(i)); // three keys, interleaved, on a table that grows
  const under = (k: LookupKey) => {
    const out: number[] = [];
    for (let slot = table.find(k); slot !== NONE; slot = table.findNext(k, slot)) out.push(table.value(slot).id);
    return out;
  };
  assert.deepEqual(under(key(1)), [19, 16, 13, 10, 7, 4, 1]);
  table.remove(table.findNext(key(1), table.find(key(1))));
  assert.deepEqual(under(key(1)), [19, 13, 10, 7, 4, 1]);
  const stored = new LookupKey();
  table.keyOf(table.find(key(2)), stored);
  assert.deepEqual([stored.hash, stored.high, stored.low, [...stored.words]], [
    key(2).hash,
    key(2).high,
    key(2).low,
    [...key(2).words],
  ]);
});
