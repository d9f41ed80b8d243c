/** Every record of every bundled capture, in both formats, validates against the format's JSON Schema. */
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { replay, TESTDATA } from "./_replay.ts";

const SCHEMAS = new URL("../src/record/schema/", import.meta.url).pathname;

async function validator(name: string) {
  const schema = JSON.parse(await Deno.readTextFile(SCHEMAS + name));
  return new Ajv({ allErrors: true }).compile(schema);
}

async function captures(): Promise<string[]> {
  const paths: string[] = [];
  for (const dir of ["gopassivedns", "crafted", "real", "hostile", "tunnels", "links"]) {
    try {
      for await (const entry of Deno.readDir(TESTDATA + dir)) {
        if (/\.pcap(ng)?$/.test(entry.name)) paths.push(`${TESTDATA}${dir}/${entry.name}`);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return paths.sort();
}

for (const format of ["gopassivedns", "transaction"] as const) {
  Deno.test(`every ${format} record of every bundled capture matches its schema`, async () => {
    const validate = await validator(`${format}.schema.json`);
    let total = 0;
    for (const path of await captures()) {
      const { records } = await replay(path, { format, dnsPorts: [53, 5300, 5353] });
      for (const record of records) {
        total++;
        assert.ok(validate(record), `${path}: ${JSON.stringify(validate.errors)} in ${JSON.stringify(record)}`);
      }
    }
    assert.ok(total > 400, `validated ${total} records`);
  });
}

Deno.test("the schemas reject a record with a missing or mistyped key", async () => {
  const validate = await validator("gopassivedns.schema.json");
  const { records } = await replay(TESTDATA + "gopassivedns/a.pcap");
  assert.ok(validate(records[0]));
  assert.ok(!validate({ ...records[0], sport: 49934 }));
  const { q: _dropped, ...withoutQ } = records[0];
  assert.ok(!validate(withoutQ));
});

Deno.test("the transaction schema describes encapsulation: a tunnelled record passes, a malformed entry does not", async () => {
  const validate = await validator("transaction.schema.json");
  const { records } = await replay(TESTDATA + "tunnels/nested.pcap", { format: "transaction" });
  const record = records[0] as Record<string, unknown> & { encapsulation: Record<string, unknown>[] };
  assert.deepEqual(record.encapsulation.map((e) => e.kind), ["mpls", "gre", "vxlan"]);
  assert.ok(validate(record), JSON.stringify(validate.errors));
  const [mpls, gre, vxlan] = record.encapsulation;
  assert.ok(!validate({ ...record, encapsulation: [{ ...mpls, kind: "carrier-pigeon" }, gre, vxlan] }));
  assert.ok(!validate({ ...record, encapsulation: [mpls, { ...gre, key: -1 }, vxlan] }));
  assert.ok(!validate({ ...record, encapsulation: [mpls, gre, { ...vxlan, vni: 1 << 24 }] }));
  assert.ok(!validate({ ...record, encapsulation: [] }));
});
