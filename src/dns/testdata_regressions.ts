/**
 * DNS messages that once crashed or hung the decoder (found by decode_message_fuzz_test.ts or by
 * hand), kept as hex so they are replayed on every test run. Add the case before fixing the bug.
 *
 * @module
 */

export interface DnsRegression {
  /** What the input exercises, and the bug it found (if any). */
  name: string;
  /** The whole message as hex (whitespace allowed). */
  bytes: string;
}

export const DNS_REGRESSIONS: readonly DnsRegression[] = [
  {
    name: "answer owner is a pointer loop 12 -> 14 -> 12 through a label",
    bytes: "0001 8180 0001 0001 0000 0000  01 61 c0 0c 0001 0001  c0 0e 0001 0001 00000001 0004 01020304",
  },
  {
    name: "all counts 0xffff with an empty body",
    bytes: "0001 8180 ffff ffff ffff ffff",
  },
];
