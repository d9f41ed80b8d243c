/**
 * The source and destination addresses of the packet being decoded, in the 16-byte form of `writeAddress16`
 * (src/decode/ip_text.ts), kept in two buffers that are refilled for every packet.
 *
 * Most traffic is IPv4, whose 16-byte form shares one 12-byte prefix (`::ffff:`, RFC 4291 §2.5.5.2): the pair
 * remembers whether its buffers hold that prefix already and then writes only the 4 address bytes of each.
 *
 * Contract: only the pair writes into its buffers. Whoever is handed them (a datagram's handler, the TCP table)
 * reads them, or copies what it keeps; a write from outside would leave a stale prefix behind.
 *
 * @module
 */

import { writeAddress16 } from "./ip_text.ts";

const IPV4 = 4;

/** Two reused 16-byte address buffers, filled from a packet's IP header. */
export class AddressPair {
  /** Whether both buffers hold the IPv4-mapped prefix (bytes 0-11). */
  #mapped = false;

  constructor(readonly src: Uint8Array = new Uint8Array(16), readonly dst: Uint8Array = new Uint8Array(16)) {}

  /**
   * Fill both buffers from the addresses at `srcOffset` and `dstOffset` of `bytes` (4 bytes each for `version` 4,
   * else 16).
   *
   * @example
   * ```ts
   * import { AddressPair } from "./address_pair.ts";
   *
   * const pair = new AddressPair();
   * pair.write(new Uint8Array([192, 0, 2, 1, 192, 0, 2, 53]), 0, 4, 4);
   * console.log(pair.dst); // 0 × 10, 0xff, 0xff, 192, 0, 2, 53
   * ```
   */
  write(bytes: Uint8Array, srcOffset: number, dstOffset: number, version: number): void {
    const src = this.src, dst = this.dst;
    if (version === IPV4 && this.#mapped) {
      src[12] = bytes[srcOffset];
      src[13] = bytes[srcOffset + 1];
      src[14] = bytes[srcOffset + 2];
      src[15] = bytes[srcOffset + 3];
      dst[12] = bytes[dstOffset];
      dst[13] = bytes[dstOffset + 1];
      dst[14] = bytes[dstOffset + 2];
      dst[15] = bytes[dstOffset + 3];
      return;
    }
    writeAddress16(bytes, srcOffset, version, src);
    writeAddress16(bytes, dstOffset, version, dst);
    this.#mapped = version === IPV4;
  }
}
