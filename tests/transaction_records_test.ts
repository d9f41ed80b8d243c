/** `-format transaction`: one record per transaction, answered or not, with every section and flag. */
import assert from "node:assert/strict";
import { goldenCaptures } from "./_golden_cases.ts";
import { replay, TESTDATA, testEachWay } from "./_replay.ts";

const CRAFTED = TESTDATA + "crafted/";

testEachWay("transaction format reports every transaction of ordering.pcap with its status", async () => {
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

testEachWay("transaction format keeps NODATA, NOTIFY and damaged responses the default format drops", async () => {
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

testEachWay("transaction format carries VLAN ids, all sections and the sensor name", async () => {
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

/**
 * The encapsulation of the first record of each tunnel capture, as the scripts that made them set it up
 * (testdata/tunnels/make_captures.sh: VNIs 42 and 7 on the veth underlay; build_tunnels.py: keys, sessions, TEIDs,
 * labels and documentation outer addresses). The inner addresses stay the record's client and server.
 */
testEachWay("transaction format: encapsulation of each tunnel capture as its generator set it up", async () => {
  const out4 = { outer_src_ip: "203.0.113.1", outer_dst_ip: "203.0.113.2" };
  const out6 = { outer_src_ip: "2001:db8:1::1", outer_dst_ip: "2001:db8:1::2" };
  const link = { outer_src_ip: null, outer_dst_ip: null };
  const expected: Record<string, unknown[]> = {
    "vxlan.pcap": [{ kind: "vxlan", outer_src_ip: "10.200.0.1", outer_dst_ip: "10.200.0.2", vni: 42 }],
    "vxlan_8472.pcap": [{ kind: "vxlan", outer_src_ip: "fd20::1", outer_dst_ip: "fd20::2", vni: 7 }],
    "geneve.pcap": [{ kind: "geneve", ...out4, vni: 77 }],
    "gre.pcap": [{ kind: "gre", ...out4, key: 1001 }],
    "ip6gre.pcap": [{ kind: "gre", ...out6, key: 1003 }],
    "gre_udp.pcap": [{ kind: "gre_udp", ...out4, key: 1004 }],
    "erspan_1.pcap": [{ kind: "erspan_1", ...out4 }],
    "erspan_2.pcap": [{ kind: "erspan_2", ...out4, session_id: 12 }],
    "erspan_3.pcap": [{ kind: "erspan_3", ...out4, session_id: 13 }],
    "pptp.pcap": [{ kind: "pptp", ...out4, call_id: 42 }],
    "gtpu.pcap": [{ kind: "gtpu", ...out4, teid: 0x1000 }],
    "ip_in_ip.pcap": [{ kind: "4in4", ...out4 }],
    "mpls.pcap": [{ kind: "mpls", ...link, labels: [16001, 17002] }],
    "pppoe.pcap": [{ kind: "pppoe", ...link, session_id: 0x0101 }],
    "teredo.pcap": [{ kind: "teredo", ...out4 }],
    "nested.pcap": [
      { kind: "mpls", ...link, labels: [16001] },
      { kind: "gre", ...out4, key: 1005 },
      { kind: "vxlan", ...out6, vni: 9 },
    ],
  };
  for (const [file, encapsulation] of Object.entries(expected)) {
    const { records } = await replay(TESTDATA + "tunnels/" + file, { format: "transaction" });
    assert.ok(records.length > 0, file);
    assert.deepEqual(records[0].encapsulation, encapsulation, file);
    assert.ok(
      String(records[0].client_ip).match(/^(192\.168\.(42|7)\.1|fd42::1)$/),
      `${file}: ${records[0].client_ip}`,
    );
  }
  const plain = await replay(TESTDATA + "tunnels/inner.pcap", { format: "transaction" });
  assert.ok(plain.records.every((r) => !("encapsulation" in r)), "no encapsulation key without a tunnel");
});

testEachWay(
  "every transaction record of every bundled capture is byte for byte what JSON.stringify writes for it",
  async () => {
    // The records are written from the wire (src/record/transaction_writer.ts); parsed and stringified again, each must
    // come back unchanged: key order, number forms and string escapes as JSON.stringify has them.
    let checked = 0;
    for (const capture of goldenCaptures()) {
      const { lines } = await replay(TESTDATA + capture, { format: "transaction", sensor: "sensör \u0007" });
      for (const line of lines) {
        assert.equal(line, JSON.stringify(JSON.parse(line)), capture);
        checked++;
      }
    }
    assert.ok(checked > 1000, `checked ${checked} records`);
  },
);
