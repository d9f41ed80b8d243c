/**
 * The two formats pair through two implementations (the lean default-format path and the general correlator behind
 * `-format transaction`). On every bundled capture they must agree: the default records are exactly those the
 * answered transactions imply (one per answer of a NOERROR response, one per error rcode), lookup by lookup.
 */
import assert from "node:assert/strict";
import { goldenCaptures } from "./_golden_cases.ts";
import { replay, TESTDATA } from "./_replay.ts";

interface TransactionRecord {
  status: string;
  id: number;
  client_ip: string;
  client_port: number;
  server_ip: string;
  protocol: string;
  question: { name: string } | null;
  rcode: number;
  answers: { data: string; ttl: number }[];
  response_frame_bytes: number;
}

/** One line per default record: who asked what, and which answer (or which error) came back. */
function fromDefault(r: Record<string, unknown>): string {
  const answer = r.atype === "" ? `rcode ${r.rcode}` : `${r.a} ttl ${r.ttl}`;
  return [r.protocol, r.query_id, r.src, r.sport, r.dst, r.q, answer, r.bytes].join(" | ");
}

function fromTransaction(t: TransactionRecord): string[] {
  if (t.status !== "answered") return [];
  const rcode = t.rcode & 0xf; // the default format carries the 4-bit header RCODE
  const answers = rcode !== 0 ? [`rcode ${rcode}`] : t.answers.map((a) => `${a.data} ttl ${a.ttl}`);
  return answers.map((answer) =>
    [
      t.protocol,
      t.id,
      t.client_ip,
      t.client_port,
      t.server_ip,
      t.question?.name ?? "",
      answer,
      t.response_frame_bytes,
    ].join(" | ")
  );
}

Deno.test("on every bundled capture the default records are exactly those the transactions imply", async () => {
  let compared = 0;
  for (const capture of goldenCaptures()) {
    const byDefault = await replay(TESTDATA + capture);
    const byTransaction = await replay(TESTDATA + capture, { format: "transaction" });
    const expected = (byTransaction.records as unknown as TransactionRecord[]).flatMap(fromTransaction);
    assert.deepEqual(byDefault.records.map(fromDefault).sort(), expected.sort(), capture);
    for (
      const counter of [
        "pairs",
        "query_retransmits",
        "response_duplicates",
        "queries_unanswered",
        "responses_orphan",
        "decode_errors",
      ] as const
    ) {
      assert.equal(byDefault.counters[counter], byTransaction.counters[counter], `${capture}: ${counter}`);
    }
    compared += expected.length;
  }
  assert.ok(compared > 1000, `compared ${compared} records`);
});

Deno.test("generated traffic gives the record counts the generator predicts, and both formats agree", async () => {
  const dir = await Deno.makeTempDir();
  const generator = new URL("../scripts/gen_dns_pcap.py", import.meta.url).pathname;
  // Debian's interpreter, installed by scripts/install_test_deps.sh (the generator needs only the standard library).
  const { code, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: [generator, "--pairs", "3000", "--seed", "7", "-o", `${dir}/gen.pcap`, "--stats-json", `${dir}/gen.json`],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const stats = JSON.parse(await Deno.readTextFile(`${dir}/gen.json`));
  const byDefault = await replay(`${dir}/gen.pcap`);
  const byTransaction = await replay(`${dir}/gen.pcap`, { format: "transaction" });
  assert.equal(byDefault.records.length, stats.answer_rrs + stats.nxdomain);
  assert.equal(byTransaction.records.length, stats.pairs);
  assert.equal(byTransaction.records.filter((r) => r.status === "unanswered").length, stats.unanswered);
  assert.equal(byDefault.counters.decode_errors, 0);
  const expected = (byTransaction.records as unknown as TransactionRecord[]).flatMap(fromTransaction);
  assert.deepEqual(byDefault.records.map(fromDefault).sort(), expected.sort());
  await Deno.remove(dir, { recursive: true });
});
