import assert from "node:assert/strict";
import { facilityCode, severityCode } from "./syslog_codes.ts";
import { appName, rfc5424Header } from "./syslog_remote.ts";

Deno.test("facilityCode() and severityCode() give RFC 5424 codes for Go's names, in any case", () => {
  assert.equal(facilityCode("KERN"), 0);
  assert.equal(facilityCode("daemon"), 3 << 3);
  assert.equal(facilityCode("FTP"), 11 << 3);
  assert.equal(facilityCode("local0"), 16 << 3);
  assert.equal(facilityCode("Local7"), 23 << 3);
  assert.equal(severityCode("emerg"), 0);
  assert.equal(severityCode("Notice"), 5);
  assert.equal(severityCode("DEBUG"), 7);
  assert.throws(() => severityCode("WARN"), RangeError);
  assert.throws(() => facilityCode("LOCAL8"), RangeError);
});

Deno.test("rfc5424Header() writes PRI, version 1, an RFC 3339 UTC time, host, APP-NAME and PROCID", () => {
  const header = rfc5424Header((16 << 3) | 6, new Date(Date.UTC(2026, 11, 4, 15, 0, 0, 123)), "sensor1", "pdns", 42);
  assert.equal(header, "<134>1 2026-12-04T15:00:00.123Z sensor1 pdns 42 - - ");
  assert.equal(
    appName("my tag with spaces and more than forty-eight characters in all"),
    "my_tag_with_spaces_and_more_than_forty-eight_cha",
  );
  assert.equal(appName(""), "-");
});
