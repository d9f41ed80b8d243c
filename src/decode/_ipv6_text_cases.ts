/**
 * Test cases shared by every IPv6 text writer (strings in src/decode/ip_text.ts, bytes in src/record/ip_write.ts):
 * each row is the 16 address bytes in hex and the text Go's `net.IP.String()` gives for them.
 */
export const IPV6_TEXT_CASES: [string, string][] = [
  ["2001 0db8 0000 0000 0000 0000 0000 0001", "2001:db8::1"],
  ["0000 0000 0000 0000 0000 0000 0000 0000", "::"],
  ["0000 0000 0000 0000 0000 0000 0000 0001", "::1"],
  ["0001 0000 0000 0000 0000 0000 0000 0000", "1::"],
  ["2001 0db8 0000 0000 0001 0000 0000 0001", "2001:db8::1:0:0:1"], // tie: the first run
  ["2001 0db8 0000 0001 0000 0000 0000 0001", "2001:db8:0:1::1"], // longest run, not the first
  ["2001 0db8 0000 0001 0001 0001 0001 0001", "2001:db8:0:1:1:1:1:1"], // one zero field stays
  ["FE80 0000 0000 0000 ABCD 00EF 0000 0000", "fe80::abcd:ef:0:0"], // lower case, no leading zeros
  ["0000 0000 0000 0000 0000 ffff c000 0201", "192.0.2.1"], // IPv4-mapped: dotted, like Go
  ["0000 0000 0000 0000 0000 0000 c000 0201", "::c000:201"], // IPv4-compatible: not dotted in Go
  ["0064 ff9b 0000 0000 0000 0000 c000 0201", "64:ff9b::c000:201"], // NAT64 prefix: not mapped
  ["ffff ffff ffff ffff ffff ffff ffff ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
  ["0a0b 0100 0010 000f 00f0 0f00 f000 ffff", "a0b:100:10:f:f0:f00:f000:ffff"], // every leading-zero width
];
