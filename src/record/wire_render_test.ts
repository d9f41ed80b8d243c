import assert from "node:assert/strict";
import { MessageReader } from "../dns/_reader.ts";
import { be32, hex, message, rr, wireName } from "../dns/_test_builder.ts";
import { decodeMessage } from "../dns/decode_message.ts";
import { scanQuestion, WireQuestion } from "../dns/wire_scan.ts";
import { expandName, NAME_WIRE } from "../dns/name.ts";
import { RecordBuffer } from "./record_buffer.ts";
import { lastWrittenFirstTarget, writeMessageName, writeRdata, writeWireName } from "./wire_render.ts";

const decoder = new TextDecoder();

/** What the two-step path (expand, then write the expanded form) gives for the name at `pos`, or null on failure. */
function expandedThenWritten(r: MessageReader, pos: number, limit: number): string | null {
  const length = expandName(r, pos, limit);
  if (length < 0) return null;
  const out = new RecordBuffer(16);
  writeWireName(out, NAME_WIRE, 0, length);
  return decoder.decode(out.bytes.subarray(1, out.used - 1));
}

/** `writeMessageName` into a fresh buffer holding `"x"`: the text written after it, or null on failure. */
function written(r: MessageReader, pos: number, limit: number): string | null {
  const out = new RecordBuffer(16);
  out.ascii('"x');
  const used = out.used;
  if (writeMessageName(out, r, pos, limit) < 0) {
    assert.equal(out.used, used, "nothing written on failure");
    return null;
  }
  return decoder.decode(out.bytes.subarray(used, out.used));
}

const MESSAGE = hex(`
  ee ee                             // 0   before the message (its offset 0 is index 2)
  00 00                             // 2   offset 0: the root
  03 77 77 77 01 61 00              // 4   offset 2: www.a
  02 22 5c 03 2e 20 07 c0 02        // 11  offset 9: labels 22 5c and 2e 20 07 (to escape) -> offset 2
  01 62 c0 09                       // 20  offset 18: b -> offset 9 (pointer chain)
  01 63 c0 16                       // 24  offset 22: c -> offset 22 (its own start): a loop
  c0 00                             // 28  offset 26: -> the root
  01 64 00                          // 30  offset 28: d, cut at the limit below
`);

Deno.test("writeMessageName() writes what expanding the name and writing its expanded form writes", () => {
  const r = new MessageReader();
  r.resetRange(MESSAGE, 2, MESSAGE.length);
  for (const pos of [2, 4, 11, 20, 28]) {
    const expected = expandedThenWritten(r, pos, r.end);
    const next = r.next;
    assert.notEqual(expected, null);
    assert.equal(written(r, pos, r.end), expected, `name at index ${pos}`);
    assert.equal(r.next, next, `next after the name at index ${pos}`);
  }
  assert.equal(written(r, 11, r.end), '\\\\\\"\\\\\\\\.\\\\.\\\\ \\\\007.www.a');
  assert.equal(written(r, 28, r.end), ".");
});

Deno.test("writeMessageName() reports the first pointer it followed as a message offset", () => {
  const r = new MessageReader();
  r.resetRange(MESSAGE, 2, MESSAGE.length);
  written(r, 20, r.end);
  assert.equal(lastWrittenFirstTarget(), 9);
  written(r, 4, r.end);
  assert.equal(lastWrittenFirstTarget(), -1);
});

Deno.test("writeMessageName() fails as expandName does, with its error, and writes nothing", () => {
  const r = new MessageReader();
  r.resetRange(MESSAGE, 2, MESSAGE.length);
  for (const [pos, limit, code] of [[24, r.end, "dns.pointer_loop"], [30, 32, "dns.truncated_name"]] as const) {
    assert.equal(expandName(r, pos, limit), -1);
    const expected = [r.errCode, r.errOffset, r.errMessage];
    r.errCode = "";
    assert.equal(written(r, pos, limit), null);
    assert.deepEqual([r.errCode, r.errOffset, r.errMessage], expected);
    assert.equal(r.errCode, code);
  }
});

Deno.test("writeRdata() writes SOA from the wire as the general renderer's text, and fails where it fails", () => {
  const names = [...wireName("ns1.example"), ...wireName("host\\.master.example")];
  const numbers = [...be32(2024010101), ...be32(7200), ...be32(3600), ...be32(4294967295), ...be32(0)];
  const cases: Array<[string, number[]]> = [
    ["whole", [...names, ...numbers]],
    ["compressed", [0xc0, 12, 0xc0, 12, ...numbers]],
    ["escaped", [...wireName("a b.example"), 0, ...numbers]],
    ["short", [...names, ...numbers.slice(0, 19)]],
    ["long", [...names, ...numbers, 0]],
    ["bad name", [0x80, ...numbers]],
  ];
  for (const [label, rdata] of cases) {
    const bytes = message({ answers: [rr("example.com", 6, 300, rdata)] });
    const general = decodeMessage(bytes, "full");
    const r = new MessageReader();
    r.reset(bytes);
    const q = new WireQuestion();
    scanQuestion(r, q);
    expandName(r, q.answersStart, r.end); // the owner
    const start = r.next + 10;
    const out = new RecordBuffer(16);
    const ok = writeRdata(out, r, 6, 1, start, start + rdata.length);
    assert.equal(ok, !general.anomalies.includes("bad_rdata"), label);
    assert.equal(decoder.decode(out.records()), JSON.stringify(general.answers[0].data), label);
  }
});
