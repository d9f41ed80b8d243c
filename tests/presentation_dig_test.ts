/**
 * RDATA text against dig's own: testdata/presentation/dig.pcap holds knotd's answers for LOC (whole metres,
 * centimetres, zero sizes, both hemispheres), SVCB/HTTPS (quoted alpn with an escaped comma, keys without a value,
 * unknown keys with quoting, ech, hints, port) and an RFC 3597 type; dig.txt is what dig 9.18 printed for each answer
 * when the capture was made. Both record formats must print the same text (names without the trailing dot, as
 * everywhere in our records); the type is TYPE65280 in the transaction format and the original's bare 65280 in the
 * default format.
 */
import assert from "node:assert/strict";
import { replay, TESTDATA } from "./_replay.ts";

const DIR = TESTDATA + "presentation/";

/** dig's lines, as "label type" → data, the target name of SVCB/HTTPS without its trailing dot. */
function digAnswers(): Map<string, string> {
  const answers = new Map<string, string>();
  for (const line of Deno.readTextFileSync(DIR + "dig.txt").split("\n")) {
    if (line === "") continue;
    const [label, type, ...data] = line.split(" ");
    if ((type === "SVCB" || type === "HTTPS") && data[1] !== ".") data[1] = data[1].replace(/\.$/, "");
    answers.set(`${label} ${type}`, data.join(" "));
  }
  return answers;
}

Deno.test("LOC, SVCB, HTTPS and unknown-type RDATA print as dig prints them, in both formats", async () => {
  const expected = digAnswers();
  assert.equal(expected.size, 9);
  const transaction = await replay(DIR + "dig.pcap", { format: "transaction", dnsPorts: [53535] });
  const fromTransaction = new Map<string, string>();
  for (const record of transaction.records) {
    for (const rr of record.answers as { name: string; type: string; data: string }[]) {
      fromTransaction.set(`${rr.name.split(".")[0]} ${rr.type}`, rr.data);
    }
  }
  assert.deepEqual(fromTransaction, expected);

  const gopassivedns = await replay(DIR + "dig.pcap", { dnsPorts: [53535] });
  const fromDefault = new Map<string, string>();
  for (const record of gopassivedns.records) {
    const type = record.atype === "65280" ? "TYPE65280" : String(record.atype);
    fromDefault.set(`${String(record.q).split(".")[0]} ${type}`, String(record.a));
  }
  assert.deepEqual(fromDefault, expected);
  assert.ok(gopassivedns.records.some((r) => r.atype === "65280" && r.qtype === "65280"), "bare number by default");
});
