/**
 * The correlation key of one lookup (transport, client IP and port, server IP and port, DNS ID) as a hash, the
 * two address texts and one exact number for the rest, so tables compare keys without building a string per
 * message (a 6-part string key, flattened and hashed by a `Map`, was the costliest line of the correlator).
 *
 * @module
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const PORT_SPAN = 0x10000;

/** A reusable key: `set` fills it in place. */
export class LookupKey {
  /** 32-bit hash of every part. */
  hash = 0;
  clientIp = "";
  serverIp = "";
  /** Transport, DNS ID, server port and client port packed into one exact integer below 2^49. */
  ports = 0;

  set(
    transport: "udp" | "tcp",
    clientIp: string,
    clientPort: number,
    serverIp: string,
    serverPort: number,
    id: number,
  ): this {
    const high = (transport === "tcp" ? PORT_SPAN : 0) + id; // 17 bits
    const low = ((serverPort << 16) | clientPort) >>> 0; // 32 bits
    this.clientIp = clientIp;
    this.serverIp = serverIp;
    this.ports = high * 0x1_0000_0000 + low;
    let h = hashText(clientIp, FNV_OFFSET);
    h = hashText(serverIp, Math.imul(h ^ 0x2f, FNV_PRIME));
    h = Math.imul(h ^ low, FNV_PRIME);
    h = Math.imul(h ^ high, FNV_PRIME);
    // Final avalanche (murmur3 fmix32): tables index by the low bits.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    this.hash = (h ^ (h >>> 16)) | 0;
    return this;
  }
}

/** Address characters hashed, from the end: enough to tell hosts of one network apart, cheap on every message. */
const HASHED_TAIL = 8;

/**
 * FNV-1a over the length and the last few UTF-16 units of an address text, continuing from `h`. Addresses of one
 * network share their beginning; the DNS ID and client port mix in 32 more bits of variety per lookup.
 */
function hashText(text: string, h: number): number {
  const n = text.length;
  h = Math.imul(h ^ n, FNV_PRIME);
  for (let i = n > HASHED_TAIL ? n - HASHED_TAIL : 0; i < n; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}
