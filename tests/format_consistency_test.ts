/**
 * The two formats pair through one engine (src/correlate/wire_pairing.ts) that holds different things for each: the
 * default format's writer keeps only a held query's name, the transaction format's its whole message. On every
 * bundled capture the two writers must agree on pairing: the default records are exactly those the answered
 * transactions imply (one per answer of a NOERROR response, one per error rcode), lookup by lookup.
 */
import assert from "node:assert/strict";
import { goldenCaptures } from "./_golden_cases.ts";
import { MAX_PER_KEY } from "../src/correlate/pairing_options.ts";
import { answer, pcapFile, query, tcpConnection, TYPE_A, TYPE_AAAA, udpLeg } from "./_pairing_captures.ts";
import { replay, TESTDATA, testEachWay } from "./_replay.ts";

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

testEachWay("on every bundled capture the default records are exactly those the transactions imply", async () => {
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

testEachWay("generated traffic gives the record counts the generator predicts, and both formats agree", async () => {
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

/** Replay `frames` in both formats; returns the default records as lines and the transactions. */
async function replayBoth(frames: Uint8Array[]) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/pairing.pcap`;
  await Deno.writeFile(path, pcapFile(frames));
  const byDefault = await replay(path);
  const byTransaction = await replay(path, { format: "transaction" });
  await Deno.remove(dir, { recursive: true });
  const expected = (byTransaction.records as unknown as TransactionRecord[]).flatMap(fromTransaction);
  assert.deepEqual(byDefault.records.map(fromDefault).sort(), expected.sort(), "both formats pair alike");
  for (const counter of ["pairs", "query_retransmits", "response_duplicates", "queries_unanswered"] as const) {
    assert.equal(byDefault.counters[counter], byTransaction.counters[counter], counter);
  }
  return {
    answers: byDefault.records.map((r) => `${r.q} ${r.qtype} ${r.a} ${r.protocol}`),
    statuses: byTransaction.records.map((r) => r.status),
    counters: byDefault.counters,
  };
}

for (const v6 of [false, true]) {
  const ip = v6 ? "IPv6" : "IPv4";
  const q1 = query("www.example.com", TYPE_A);
  const q2 = query("www.example.com", TYPE_AAAA);
  const r1 = answer("www.example.com", TYPE_A, 1);
  const r2 = answer("www.example.com", TYPE_AAAA, 2);
  const expected = (protocol: string) =>
    ["www.example.com A 192.0.2.1", "www.example.com AAAA 2001:db8::2"].map((a) => `${a} ${protocol}`);

  for (const [order, responses] of [["R1 R2", [r1, r2]], ["R2 R1", [r2, r1]]] as const) {
    testEachWay(
      `UDP/${ip}: two queries under one ID (A, AAAA), answered ${order}, are two lookups in both formats`,
      async () => {
        const frames = [udpLeg(q1, true, v6), udpLeg(q2, true, v6), ...responses.map((r) => udpLeg(r, false, v6))];
        const { answers, statuses, counters } = await replayBoth(frames);
        assert.deepEqual(answers.sort(), expected("udp"));
        assert.deepEqual(statuses, ["answered", "answered"]);
        assert.equal(counters.pairs, 2);
        assert.equal(counters.queries_unanswered + counters.responses_orphan + counters.correlation_evicted, 0);
      },
    );

    testEachWay(
      `TCP/${ip}: two queries under one ID in one segment, answered ${order}, are two lookups in both formats`,
      async () => {
        const { answers, statuses, counters } = await replayBoth(
          tcpConnection([q1, q2], [[responses[0]], [responses[1]]], v6),
        );
        assert.deepEqual(answers.sort(), expected("tcp"));
        assert.deepEqual(statuses, ["answered", "answered"]);
        assert.equal(counters.tcp_messages, 4);
        assert.equal(counters.queries_unanswered + counters.responses_orphan, 0);
      },
    );
  }
}

testEachWay(
  "two queries under one ID, both answers in one TCP segment in reverse order, pair in both formats",
  async () => {
    const q1 = query("a.example", TYPE_A);
    const q2 = query("b.example", TYPE_A);
    const { answers, counters } = await replayBoth(
      tcpConnection([q1, q2], [[answer("b.example", TYPE_A, 2), answer("A.EXAMPLE", TYPE_A, 1)]]),
    );
    assert.deepEqual(answers.sort(), ["a.example A 192.0.2.1 tcp", "b.example A 192.0.2.2 tcp"]);
    assert.equal(counters.pairs, 2);
  },
);

testEachWay(
  "under one key, a retransmission is counted, a copy of an answer is a duplicate, and the rest still pair",
  async () => {
    const q1 = query("one.example", TYPE_A);
    const q2 = query("two.example", TYPE_A);
    const r1 = answer("one.example", TYPE_A, 1);
    const r2 = answer("two.example", TYPE_A, 2);
    const frames = [q1, q2, q1].map((q) => udpLeg(q, true)).concat([r1, r1, r2].map((r) => udpLeg(r, false)));
    const { answers, statuses, counters } = await replayBoth(frames);
    assert.deepEqual(answers.sort(), ["one.example A 192.0.2.1 udp", "two.example A 192.0.2.2 udp"]);
    assert.deepEqual(statuses, ["answered", "answered"]);
    assert.equal(counters.query_retransmits, 1);
    assert.equal(counters.response_duplicates, 1);
  },
);

testEachWay("a key holds at most MAX_PER_KEY lookups: the oldest is given up on and counted as evicted", async () => {
  const names = Array.from({ length: MAX_PER_KEY + 1 }, (_, i) => `n${i}.example`);
  const frames = names.map((n) => udpLeg(query(n, TYPE_A), true));
  frames.push(...names.map((n, i) => udpLeg(answer(n, TYPE_A, i), false)));
  const { answers, counters } = await replayBoth(frames);
  assert.equal(answers.length, MAX_PER_KEY, "every lookup but the first");
  assert.equal(counters.correlation_evicted, 2, "the first query, then its answer: a full key keeps its queries");
  assert.equal(counters.queries_unanswered, 1);
  assert.equal(counters.responses_orphan, 1);
});

testEachWay(
  "real/same_id.pcap: knotd's answers to two lookups in flight under one ID all pair, in both formats",
  async () => {
    const path = `${TESTDATA}real/same_id.pcap`;
    const byDefault = await replay(path);
    const byTransaction = await replay(path, { format: "transaction" });
    assert.deepEqual(byTransaction.records.map((r) => r.status), new Array(8).fill("answered"));
    // Per transport and address family, the A and the AAAA lookup share an ID.
    const ids = new Map<string, Set<number>>();
    for (const r of byTransaction.records as unknown as (TransactionRecord & { question: { type: string } })[]) {
      const key = `${r.protocol} ${r.client_ip} ${r.id}`;
      ids.set(key, (ids.get(key) ?? new Set()).add(r.question.type === "A" ? 1 : 28));
    }
    assert.deepEqual([...ids.values()].map((types) => [...types].sort((a, b) => a - b)), new Array(4).fill([1, 28]));
    assert.equal(byDefault.records.length, 16);
    assert.equal(byDefault.counters.pairs, 8);
    assert.equal(byDefault.counters.queries_unanswered + byDefault.counters.responses_orphan, 0);
  },
);
