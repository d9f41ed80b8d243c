/** `-format transaction`: one record per transaction, answered or not, with every section and flag. */
import assert from "node:assert/strict";
import { replay, TESTDATA } from "./_replay.ts";

const CRAFTED = TESTDATA + "crafted/";

Deno.test("transaction format reports every transaction of ordering.pcap with its status", async () => {
  const { records } = await replay(CRAFTED + "ordering.pcap", { format: "transaction" });
  const brief = records.map((r) => [
    (r.question as { name: string }).name,
    r.status,
    r.retransmits,
    r.duplicate_responses,
  ]);
  assert.deepEqual(brief, [
    ["reversed.example", "answered", 0, 0],
    ["retrans.example", "answered", 1, 0],
    ["one.example", "answered", 0, 0],
    ["two.example", "answered", 0, 0],
    ["duprsp.example", "orphan_response", 0, 1],
  ]);
  assert.equal(records[4].reason, "end_of_input");
  assert.equal(records[4].query_time, null);
  assert.equal(records[1].rtt_ns, 600_000_000);
});

Deno.test("transaction format keeps NODATA, NOTIFY and damaged responses the default format drops", async () => {
  const rcodes = await replay(CRAFTED + "rcodes.pcap", { format: "transaction" });
  const nodata = rcodes.records.find((r) => (r.question as { name: string }).name === "nodata.example")!;
  assert.deepEqual([nodata.status, nodata.rcode_name, nodata.answers], ["answered", "NOERROR", []]);
  const edns = rcodes.records.find((r) => (r.question as { name: string }).name === "edns.example")!;
  assert.deepEqual(edns.response_edns, { version: 0, udp_size: 4096, do: false, extended_rcode: 0, options: [] });

  const notify = await replay(CRAFTED + "notify.pcap", { format: "transaction" });
  assert.deepEqual(notify.records.map((r) => [r.opcode, r.status]), [["NOTIFY", "answered"]]);

  const truncated = await replay(CRAFTED + "truncated.pcap", { format: "transaction" });
  assert.equal(truncated.records.length, 1);
  assert.ok((truncated.records[0].anomalies as string[]).some((a) => a.startsWith("response:")));
});

Deno.test("transaction format carries VLAN ids, all sections and the sensor name", async () => {
  const vlan = await replay(CRAFTED + "vlan.pcap", { format: "transaction", sensor: "tap-1" });
  assert.deepEqual(vlan.records[0].vlans, [100]);
  assert.equal(vlan.records[0].sensor, "tap-1");
  const nx = await replay(TESTDATA + "gopassivedns/nxdomain.pcap", { format: "transaction" });
  const [record] = nx.records;
  assert.equal(record.rcode_name, "NXDOMAIN");
  assert.equal((record.authorities as unknown[]).length, 1);
  assert.equal((record.authorities as { type: string }[])[0].type, "SOA");
  assert.equal(typeof record.query_time, "string");
  assert.ok((record.rtt_ns as number) > 0);
});
