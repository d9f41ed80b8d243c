import assert from "node:assert/strict";
import { decodeMessage } from "../decode_message.ts";
import { ascii, be16, be32, hex, message, renderOne, rr, wireName } from "../_test_builder.ts";

const NS = 2;
const CNAME = 5;
const SOA = 6;
const PTR = 12;
const MINFO = 14;
const MX = 15;
const RP = 17;
const AFSDB = 18;
const PX = 26;
const SRV = 33;
const DNAME = 39;

Deno.test("NS, CNAME, PTR and DNAME render their target without the trailing dot", () => {
  assert.equal(renderOne(NS, wireName("ns1.example.com")).data, "ns1.example.com");
  assert.equal(renderOne(CNAME, wireName("web.example.com")).data, "web.example.com");
  assert.equal(renderOne(PTR, wireName("host.example.com")).data, "host.example.com");
  assert.equal(renderOne(DNAME, wireName("example.net")).data, "example.net");
  assert.equal(renderOne(CNAME, wireName(".")).data, ".");
});

Deno.test("MX renders preference and exchange, following compression into the question", () => {
  // Question name "example.com" starts at offset 12; the exchange is "mail" + pointer to it.
  const msg = decodeMessage(
    message({ answers: [rr([0xc0, 12], MX, 300, [...be16(10), 4, ...ascii("mail"), 0xc0, 12])] }),
    "answers",
  );
  assert.equal(msg.answers[0].name, "example.com");
  assert.equal(msg.answers[0].data, "10 mail.example.com");
  assert.equal(renderOne(MX, [...be16(0), 0]).data, "0 ."); // RFC 7505 null MX
});

Deno.test("SOA renders mname rname serial refresh retry expire minimum", () => {
  const rdata = [
    ...wireName("ns1.example.com"),
    ...wireName("hostmaster.example.com"),
    ...be32(2017071401),
    ...be32(7200),
    ...be32(900),
    ...be32(1209600),
    ...be32(300),
  ];
  assert.deepEqual(renderOne(SOA, rdata), {
    data: "ns1.example.com hostmaster.example.com 2017071401 7200 900 1209600 300",
    anomalies: [],
  });
});

Deno.test("SOA cut short falls back to RFC 3597", () => {
  const rdata = [...wireName("a"), ...wireName("b"), ...be32(1)];
  assert.deepEqual(renderOne(SOA, rdata), { data: "\\# 10 01610001620000000001", anomalies: ["bad_rdata"] });
});

Deno.test("SRV renders priority weight port target", () => {
  const rdata = [...be16(10), ...be16(20), ...be16(5060), ...wireName("sip.example.com")];
  assert.equal(renderOne(SRV, rdata).data, "10 20 5060 sip.example.com");
});

Deno.test("MINFO, RP, AFSDB and PX render their names and numbers", () => {
  assert.equal(
    renderOne(MINFO, [...wireName("admin.example"), ...wireName("err.example")]).data,
    "admin.example err.example",
  );
  assert.equal(renderOne(RP, [...wireName("louie.trantor.umd.edu"), ...wireName(".")]).data, "louie.trantor.umd.edu .");
  assert.equal(renderOne(AFSDB, [...be16(1), ...wireName("afs.example")]).data, "1 afs.example");
  assert.equal(
    renderOne(PX, [...be16(10), ...wireName("net2.it"), ...wireName("PRMD-net2.ADMD-p400.C-it")]).data,
    "10 net2.it PRMD-net2.ADMD-p400.C-it",
  );
});

Deno.test("a name shorter than RDLENGTH gives bad_rdata and decoding continues at the RDATA end", () => {
  const msg = decodeMessage(
    message({
      answers: [
        rr("example.com", CNAME, 60, [...wireName("web.example.com"), 0xaa]), // one extra byte
        rr("example.com", 1, 60, [192, 0, 2, 1]),
      ],
    }),
    "answers",
  );
  assert.equal(msg.answers[0].data, "\\# 18 03776562076578616D706C6503636F6D00AA");
  assert.equal(msg.answers[1].data, "192.0.2.1");
  assert.deepEqual(msg.anomalies, ["bad_rdata"]);
});

Deno.test("a name running past RDLENGTH gives bad_rdata, not a read beyond the RR", () => {
  const rdata = hex(`
    03 77 65 62   // 0 "web" with no terminator inside the RDATA
  `);
  const msg = decodeMessage(
    message({ answers: [rr("example.com", CNAME, 60, [...rdata]), rr("example.com", 1, 60, [192, 0, 2, 1])] }),
    "answers",
  );
  assert.equal(msg.answers[0].data, "\\# 4 03776562");
  assert.equal(msg.answers[1].data, "192.0.2.1");
  assert.deepEqual(msg.anomalies, ["bad_rdata"]);
});

Deno.test("a forward pointer inside RDATA gives bad_rdata", () => {
  assert.deepEqual(renderOne(CNAME, [0xc3, 0xff]), { data: "\\# 2 C3FF", anomalies: ["bad_rdata"] });
});
