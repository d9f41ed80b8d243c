import assert from "node:assert/strict";
import { parseHostPort, parseSyslogServer } from "./endpoints.ts";

Deno.test("parseHostPort() takes names, IPv4 and bracketed IPv6 with a port from 1 to 65535", () => {
  assert.deepEqual(parseHostPort("127.0.0.1:8125"), { host: "127.0.0.1", port: 8125 });
  assert.deepEqual(parseHostPort("statsd.example:8125"), { host: "statsd.example", port: 8125 });
  assert.deepEqual(parseHostPort("[::1]:9167"), { host: "::1", port: 9167 });
  for (const bad of ["", "host", "host:", ":80", "host:0", "host:65536", "::1:80", "a b:80", "[::1]"]) {
    assert.equal(parseHostPort(bad), null, bad);
  }
});

Deno.test("parseSyslogServer() takes udp:// and tcp:// URLs with a port", () => {
  assert.deepEqual(parseSyslogServer("udp://127.0.0.1:514"), { transport: "udp", host: "127.0.0.1", port: 514 });
  assert.deepEqual(parseSyslogServer("TCP://[::1]:601"), { transport: "tcp", host: "::1", port: 601 });
  for (const bad of ["127.0.0.1:514", "http://h:80", "udp://h", "tcp://:601", "udp://h:70000"]) {
    assert.equal(parseSyslogServer(bad), null, bad);
  }
});
