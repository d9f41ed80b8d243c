import assert from "node:assert/strict";
import { DecodeError } from "../decode_error.ts";
import { decodeName, expandName, lastFirstTarget, NAME_WIRE } from "./name.ts";
import { MessageReader } from "./_reader.ts";
import { ascii, hex, wireName } from "./_test_builder.ts";

function nameError(bytes: Uint8Array, offset: number): DecodeError {
  try {
    decodeName(bytes, offset);
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${e}`);
    return e;
  }
  assert.fail("expected a DecodeError");
}

Deno.test("decodeName() reads an uncompressed name without the trailing dot", () => {
  const bytes = hex(`
    03 77 77 77 06 67 6f 6f 67 6c 65   // 0   "www" "google"
    03 63 6f 6d 00                     // 11  "com" root
  `);
  assert.deepEqual(decodeName(bytes, 0), ["www.google.com", 16]);
});

Deno.test("decodeName() returns the root as a single dot", () => {
  assert.deepEqual(decodeName(hex("00"), 0), [".", 1]);
});

Deno.test("decodeName() follows a backward pointer and resumes after it", () => {
  const bytes = hex(`
    06 67 6f 6f 67 6c 65 03 63 6f 6d 00   // 0   "google" "com" root
    04 61 6c 74 33 c0 00                  // 12  "alt3" -> 0
    c0 0c                                 // 19  -> 12
  `);
  assert.deepEqual(decodeName(bytes, 12), ["alt3.google.com", 19]);
  assert.deepEqual(decodeName(bytes, 19), ["alt3.google.com", 21]);
});

Deno.test("decodeName() escapes special and non-printable bytes like dig", () => {
  const bytes = hex(`
    03 61 2e 62            // 0   "a.b"
    02 5c 22               // 4   \\ "
    06 28 29 3b 40 24 20   // 7   ( ) ; @ $ space
    03 00 7f ff            // 14  0x00 0x7f 0xff
    03 43 6f 4d 00         // 18  "CoM" root (case kept)
  `);
  assert.deepEqual(decodeName(bytes, 0), ['a\\.b.\\\\\\".\\(\\)\\;\\@\\$\\ .\\000\\127\\255.CoM', 23]);
});

Deno.test("decodeName() keeps names that differ only in case apart", () => {
  const upper = new Uint8Array(wireName("WWW.Example.COM"));
  const lower = new Uint8Array(wireName("www.example.com"));
  assert.equal(decodeName(upper, 0)[0], "WWW.Example.COM");
  assert.equal(decodeName(lower, 0)[0], "www.example.com");
  assert.equal(decodeName(upper, 0)[0], "WWW.Example.COM");
});

Deno.test("decodeName() accepts a 63-octet label and a 255-octet name", () => {
  const l63 = "a".repeat(63);
  const name255 = [l63, l63, l63, "b".repeat(61)].join("."); // 3 x 64 + 62 + root = 255 octets
  const bytes = new Uint8Array(wireName(name255));
  assert.equal(bytes.length, 255);
  assert.deepEqual(decodeName(bytes, 0), [name255, 255]);
});

Deno.test("decodeName() rejects a name of 256 octets", () => {
  const l63 = "a".repeat(63);
  const bytes = new Uint8Array(wireName([l63, l63, l63, "b".repeat(62)].join(".")));
  const e = nameError(bytes, 0);
  assert.equal(e.code, "dns.name_too_long");
  assert.equal(e.offset, 192);
  assert.equal(e.message, "Cannot decode name at offset 0: it exceeds 255 octets at offset 192");
});

Deno.test("decodeName() counts the 255-octet budget after expanding pointers", () => {
  const l63 = ascii("x".repeat(63));
  const bytes = new Uint8Array([
    ...[63, ...l63, 0], //              0    63-octet label, root
    ...[63, ...l63, 0xc0, 0], //        65   63-octet label -> 0
    ...[63, ...l63, 0xc0, 65], //       131  63-octet label -> 65
    ...[63, ...l63, 0xc0, 131], //      197  63-octet label -> 131 (4 x 64 + root = 257 octets)
  ]);
  assert.equal(decodeName(bytes, 131)[0].length, 63 * 3 + 2);
  assert.equal(nameError(bytes, 197).code, "dns.name_too_long");
});

Deno.test("decodeName() rejects a forward pointer with the state in the message", () => {
  const bytes = hex(`
    00 00 00 00 00 00 00 00 00 00   // 0   padding
    01 61 c1 f4                     // 10  "a" -> 0x01f4
  `);
  const e = nameError(bytes, 10);
  assert.equal(e.code, "dns.pointer_forward");
  assert.equal(e.offset, 12);
  assert.equal(e.message, "Cannot decode name at offset 10: pointer 0x01f4 at offset 12 does not point backwards");
});

Deno.test("decodeName() rejects a pointer to itself", () => {
  const bytes = hex(`
    00 00 00 00   // 0  padding
    c0 04         // 4  -> 4
  `);
  assert.equal(nameError(bytes, 4).code, "dns.pointer_forward");
});

Deno.test("decodeName() rejects a pointer loop back into the same labels", () => {
  const bytes = hex(`
    00 00 00 00   // 0  padding
    01 61 c0 04   // 4  "a" -> 4 (the second visit points at 4 again)
  `);
  const e = nameError(bytes, 4);
  assert.equal(e.code, "dns.pointer_loop");
  assert.equal(
    e.message,
    "Cannot decode name at offset 4: pointer 0x0004 at offset 6 does not point before the previous target 0x0004",
  );
});

Deno.test("decodeName() rejects a pointer that goes back but not below the previous target", () => {
  const bytes = hex(`
    00 00 00 00 00 00 00 00 00 00   // 0   padding
    01 62 c0 0b                     // 10  "b" -> 11 (backwards from 12, but not below target 10)
    00 00 00 00 00 00               // 14  padding
    c0 0a                           // 20  -> 10
  `);
  assert.equal(nameError(bytes, 20).code, "dns.pointer_loop");
});

Deno.test("decodeName() rejects the 0x40 and 0x80 label types", () => {
  const e40 = nameError(hex("01 61 41 62 00"), 0);
  assert.equal(e40.code, "dns.label_type");
  assert.equal(e40.offset, 2);
  assert.equal(e40.message, "Cannot decode name at offset 0: label type 0x40 at offset 2 is not supported");
  assert.equal(nameError(hex("80 00"), 0).code, "dns.label_type");
});

Deno.test("decodeName() rejects a pointer cut off at the end of the buffer", () => {
  const e = nameError(hex("01 61 00 01 62 c0"), 3);
  assert.equal(e.code, "dns.truncated_name");
  assert.equal(e.message, "Cannot decode name at offset 3: pointer at offset 5 is cut off");
});

Deno.test("decodeName() rejects a label or a name that runs past the end", () => {
  assert.equal(nameError(hex("05 61 62"), 0).code, "dns.truncated_name");
  assert.equal(nameError(hex("01 61"), 0).code, "dns.truncated_name");
  assert.equal(nameError(new Uint8Array(0), 0).code, "dns.truncated_name");
});

Deno.test("decodeName() caps a chain of pointers at 126", () => {
  // 200 pointers, each pointing at the one before it; the first points at a root octet.
  const bytes = new Uint8Array(2 + 200 * 2);
  for (let i = 0; i < 200; i++) {
    const at = 2 + 2 * i;
    bytes[at] = 0xc0;
    bytes[at + 1] = at - 2;
  }
  assert.deepEqual(decodeName(bytes, 2 + 2 * 125), [".", 2 + 2 * 126]); // 126 pointers: fine
  const e = nameError(bytes, 2 + 2 * 126); // 127 pointers
  assert.equal(e.code, "dns.too_many_pointers");
  assert.equal(e.message, "Cannot decode name at offset 254: more than 126 pointers at offset 2");
});

Deno.test("decodeName() returns the right name for thousands of names sharing the intern table", () => {
  const names = Array.from({ length: 10000 }, (_, i) => `h${i}.example${i % 7}.com`);
  for (let round = 0; round < 3; round++) {
    for (const name of names) assert.equal(decodeName(new Uint8Array(wireName(name)), 0)[0], name);
  }
});

Deno.test("expandName() reads a message in place in a larger buffer, pointers and errors relative to its start", () => {
  const buffer = hex(`
    ee ee ee ee ee                  // 0   bytes before the message (its offset 0 is index 5)
    01 61 00                        // 5   message offset 0: "a"
    01 62 c0 00                     // 8   offset 3: "b" -> offset 0 ("b.a")
    01 63 c0 09                     // 12  offset 7: "c" -> offset 9, forward
    ee ee                           // 16  bytes after the message
  `);
  const r = new MessageReader();
  r.resetRange(buffer, 5, 16);
  assert.equal(expandName(r, 8, r.end), 4);
  assert.deepEqual([...NAME_WIRE.subarray(0, 4)], [1, 0x62, 1, 0x61]);
  assert.equal(r.next, 12, "the index after the pointer");
  assert.equal(lastFirstTarget(), 0, "the target is a message offset");
  assert.equal(expandName(r, 12, r.end), -1);
  assert.equal(r.errCode, "dns.pointer_forward");
  assert.equal(r.errOffset, 9);
  assert.equal(r.errMessage, "Cannot decode name at offset 7: pointer 0x0009 at offset 9 does not point backwards");
});
