import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { MessageReader } from "./_reader.ts";
import { hex } from "./_test_builder.ts";
import {
  compareWireNames,
  NAMES_DIFFER,
  NAMES_EQUAL_FOLDED,
  NAMES_IDENTICAL,
  plainQuestionLength,
  readPlainQuestion,
  scanQuestion,
  WireQuestion,
} from "./wire_scan.ts";

function scan(message: Uint8Array): WireQuestion {
  const r = new MessageReader();
  r.reset(message);
  const q = new WireQuestion();
  scanQuestion(r, q);
  return q;
}

/** The first question's name as dotted labels (from its expanded wire form). */
function labels(q: WireQuestion): string {
  const parts: string[] = [];
  for (let p = q.nameStart; p < q.nameStart + q.nameLength; p += 1 + q.name[p]) {
    parts.push(String.fromCharCode(...q.name.subarray(p + 1, p + 1 + q.name[p])));
  }
  return parts.join(".");
}

Deno.test("scanQuestion() leaves an uncompressed first name in place in the message", () => {
  const message = hex(`
    12 34 01 00 00 02 00 00 00 00 00 00   // 0   id 0x1234, RD, 2 questions
    03 77 77 77 02 65 78 00 00 1c 00 01   // 12  www.ex AAAA IN
    c0 10 00 01 00 01                     // 24  -> ex (offset 16) A IN
  `);
  const q = scan(message);
  assert.equal(q.name, message, "no copy: the name is the message's own bytes");
  assert.deepEqual([q.nameStart, q.nameLength, q.nameFirstTarget], [12, 7, -1]);
  assert.deepEqual([q.id, q.flags, q.type, q.class, q.answersStart], [0x1234, 0x0100, 28, 1, 30]);
  assert.equal(labels(q), "www.ex");
});

Deno.test("scanQuestion() expands a first name that points into the header", () => {
  const message = hex(`
    01 61 00 00 00 01 00 00 00 00 00 00   // 0   id 0x0161 reads as the name "a" (then a root octet)
    c0 00 00 01 00 01                     // 12  -> offset 0, A IN
  `);
  const q = scan(message);
  assert.notEqual(q.name, message);
  assert.deepEqual([q.nameStart, q.nameLength, q.nameFirstTarget], [0, 2, 0]);
  assert.equal(labels(q), "a");
});

Deno.test("scanQuestion() rejects a later question with the decoder's error code", () => {
  const message = hex(`
    00 01 00 00 00 02 00 00 00 00 00 00   // 0   2 questions
    01 61 00 00 01 00 01                  // 12  a A IN
    c0 20 00 01 00 01                     // 19  pointer forward to offset 32
  `);
  assert.throws(() => scan(message), (e) => e instanceof DecodeError && e.code === "dns.pointer_forward");
});

Deno.test("compareWireNames() folds ASCII case only, at any offsets", () => {
  const a = hex("ff 03 57 77 57");
  const b = hex("03 77 77 77");
  assert.notEqual(compareWireNames(a, 1, 4, b, 0, 4), NAMES_DIFFER);
  assert.equal(compareWireNames(a, 1, 4, b, 0, 3), NAMES_DIFFER);
  const brackets = compareWireNames(hex("01 5b"), 0, 2, hex("01 7b"), 0, 2);
  assert.equal(brackets, NAMES_DIFFER, "[ and { differ by 0x20 but are not letters");
});

Deno.test("scanQuestion() scans a message in place in a larger buffer, as the same message alone", () => {
  const message = hex(`
    12 34 81 80 00 01 00 01 00 00 00 00   // 0   id 0x1234, response, 1 question, 1 answer
    01 61 02 65 78 00 00 01 00 01         // 12  a.ex A IN
    c0 0c                                 // 22  answer owner -> offset 12
  `);
  const buffer = new Uint8Array(message.length + 7).fill(0xee);
  buffer.set(message, 4);
  const r = new MessageReader();
  r.resetRange(buffer, 4, 4 + message.length);
  const q = new WireQuestion();
  scanQuestion(r, q);
  const alone = scan(message);
  assert.equal(q.name, buffer, "no copy: the name is the buffer's own bytes");
  assert.deepEqual([q.nameStart, q.nameLength, q.answersStart], [16, 5, 26], "positions index the buffer");
  assert.deepEqual(
    [q.id, q.flags, q.ancount, q.type, q.class, q.nameFirstTarget],
    [alone.id, alone.flags, alone.ancount, alone.type, alone.class, alone.nameFirstTarget],
  );
  assert.equal(labels(q), "a.ex");
});

Deno.test("scanQuestion() gives a message in a larger buffer the error offsets of the message alone", () => {
  const buffer = hex(`
    ee ee ee                              // 0   before the message
    00 01 00 00 00 01 00 00 00 00 00 00   // 3   message offset 0: 1 question
    01 61 00 00 01                        // 15  offset 12: "a", then 2 of the 4 type and class bytes
    ee ee ee ee                           // 20  after the message
  `);
  const r = new MessageReader();
  r.resetRange(buffer, 3, 20);
  assert.throws(
    () => scanQuestion(r, new WireQuestion()),
    (e) => e instanceof DecodeError && e.code === "dns.truncated_question" && e.offset === 15,
  );
});

Deno.test("compareWireNames() tells the same bytes from names equal only once ASCII case is folded", () => {
  const name = hex("07 45 78 41 6d 70 6c 65 03 63 6f 6d"); // ExAmple.com
  assert.equal(compareWireNames(name, 0, 12, name.slice(), 0, 12), NAMES_IDENTICAL);
  assert.equal(compareWireNames(name, 0, 12, hex("07 65 78 61 6d 70 6c 65 03 63 6f 6d"), 0, 12), NAMES_EQUAL_FOLDED);
  assert.equal(compareWireNames(name, 0, 12, hex("07 65 78 61 6d 70 6c 66 03 63 6f 6d"), 0, 12), NAMES_DIFFER);
  assert.equal(compareWireNames(name, 0, 12, name, 0, 11), NAMES_DIFFER);
});

Deno.test("readPlainQuestion() gives what scanQuestion() gives for one question without a pointer, and only then", () => {
  const plain = hex(`
    ab cd 81 80 00 01 00 01 00 00 00 00   // 0   id 0xabcd, response, 1 question, 1 answer
    03 77 77 77 02 65 78 00 00 1c 00 01   // 12  www.ex AAAA IN
    c0 0c 00 1c 00 01 00 00 00 3c 00 10   // 24  answer
    20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  `);
  // The message as a range of a larger buffer, as the engine hands it.
  const framed = new Uint8Array(plain.length + 7);
  framed.set(plain, 3);
  const r = new MessageReader();
  r.resetRange(framed, 3, 3 + plain.length);
  const scanned = new WireQuestion();
  scanQuestion(r, scanned);
  const length = plainQuestionLength(scanned, r);
  assert.equal(length, 8);
  const read = new WireQuestion();
  readPlainQuestion(r, read, length);
  assert.deepEqual({ ...read }, { ...scanned });
  // Two questions, or a first name with a pointer: not plain (the worker scans them).
  const two = hex(`
    12 34 01 00 00 02 00 00 00 00 00 00
    03 77 77 77 02 65 78 00 00 1c 00 01
    c0 10 00 01 00 01
  `);
  // A pointer into the header, where the byte at 4 (QDCOUNT's high byte, 0) reads as the root.
  const pointer = hex(`
    12 34 01 00 00 01 00 00 00 00 00 00
    c0 04 00 01 00 01
  `);
  for (const message of [two, pointer]) {
    r.reset(message);
    const q = new WireQuestion();
    scanQuestion(r, q);
    assert.equal(plainQuestionLength(q, r), 0);
  }
});
