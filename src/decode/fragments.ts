/**
 * IP fragment reassembly (IPv4 RFC 791 §3.2, IPv6 RFC 8200 §4.5) in a bounded table.
 *
 * Policy:
 * - an exact duplicate (same offset and length as a held fragment) is ignored;
 * - any other overlap drops the whole datagram with `DecodeError("fragment.overlap")`
 *   (RFC 5722 requires this for IPv6; it also defeats overlap-based evasion for IPv4);
 * - a reassembled payload may not exceed 65 535 bytes (`"fragment.too_big"`), and a datagram may
 *   not be cut in more than {@linkcode MAX_FRAGMENTS_PER_DATAGRAM} pieces (`"fragment.too_many"`);
 * - two different ends, or data past the end (`"fragment.bad_length"`) drop the datagram;
 * - the table holds at most `maxSets` partial datagrams: inserting into a full table evicts the
 *   oldest (`ip_fragments_evicted`); a datagram incomplete `timeoutSec` seconds of packet time
 *   after its first fragment is dropped (`ip_fragments_expired`).
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";
import type { Counters } from "../metrics/counters.ts";

const MAX_DATAGRAM_PAYLOAD = 65535; // 16-bit length fields (RFC 791 total length, RFC 8200 payload length)
/** Real datagrams need a few dozen pieces even at a 576-byte MTU; thousands of tiny ones are an attack. */
export const MAX_FRAGMENTS_PER_DATAGRAM = 512;

interface Piece {
  offset: number;
  end: number;
  data: Uint8Array;
}

class FragmentSet {
  readonly pieces: Piece[] = [];
  /** Payload length, known once the last fragment (MF/M clear) arrived; -1 until then. */
  totalLength = -1;
  receivedBytes = 0;
  /** Upper-layer protocol; for IPv6 taken from the fragment at offset 0. */
  protocol: number;
  constructor(readonly createdSec: number, protocol: number) {
    this.protocol = protocol;
  }
}

/** Partial datagrams keyed by (addresses, id, protocol); see the module doc for the policy. */
export class FragmentTable {
  readonly #sets = new Map<string, FragmentSet>(); // insertion order = creation order
  readonly #maxSets: number;
  readonly #timeoutSec: number;
  readonly #counters: Counters;
  /** Protocol of the datagram the last successful {@linkcode add} completed. */
  completedProtocol = 0;

  constructor(maxSets: number, timeoutSec: number, counters: Counters) {
    this.#maxSets = Math.max(1, maxSets);
    this.#timeoutSec = timeoutSec;
    this.#counters = counters;
  }

  /** Partial datagrams held. */
  get size(): number {
    return this.#sets.size;
  }

  /**
   * Add the fragment `data[start, end)` at byte `offset` of datagram `key`. Returns the whole
   * payload (a new buffer) when this fragment completes it, otherwise null. `protocol` is the
   * upper-layer protocol this fragment announces (used from the offset-0 fragment).
   */
  add(
    key: string,
    offset: number,
    more: boolean,
    data: Uint8Array,
    start: number,
    end: number,
    nowSec: number,
    protocol: number,
  ): Uint8Array | null {
    const length = end - start;
    const pieceEnd = offset + length;
    let set = this.#sets.get(key);
    if (pieceEnd > MAX_DATAGRAM_PAYLOAD) {
      if (set !== undefined) this.#sets.delete(key);
      throw new DecodeError(
        "fragment.too_big",
        offset,
        `Cannot reassemble IP datagram: fragment ends at byte ${pieceEnd}, past 65535`,
      );
    }
    if (set === undefined) {
      if (this.#sets.size >= this.#maxSets) this.#evictOldest();
      set = new FragmentSet(nowSec, protocol);
      this.#sets.set(key, set);
    }
    const problem = this.#insert(set, offset, pieceEnd, more, data, start, end);
    if (problem !== null) {
      this.#sets.delete(key);
      throw problem;
    }
    if (offset === 0) set.protocol = protocol;
    if (set.totalLength < 0 || set.receivedBytes !== set.totalLength) return null;
    this.#sets.delete(key);
    const whole = new Uint8Array(set.totalLength);
    for (const piece of set.pieces) whole.set(piece.data, piece.offset);
    this.completedProtocol = set.protocol;
    return whole;
  }

  /** Returns the error that poisons the datagram, or null; pieces stay sorted and disjoint. */
  #insert(
    set: FragmentSet,
    offset: number,
    pieceEnd: number,
    more: boolean,
    data: Uint8Array,
    start: number,
    end: number,
  ): DecodeError | null {
    if (!more) {
      if (set.totalLength >= 0 && set.totalLength !== pieceEnd) {
        return new DecodeError(
          "fragment.bad_length",
          offset,
          `Cannot reassemble IP datagram: last fragments end at ${set.totalLength} and at ${pieceEnd}`,
        );
      }
      set.totalLength = pieceEnd;
    }
    const pieces = set.pieces;
    if (set.totalLength >= 0) {
      const heldEnd = pieces.length > 0 ? pieces[pieces.length - 1].end : 0;
      const dataEnd = Math.max(heldEnd, pieceEnd);
      if (dataEnd > set.totalLength) {
        return new DecodeError(
          "fragment.bad_length",
          offset,
          `Cannot reassemble IP datagram: data up to byte ${dataEnd} past its end at ${set.totalLength}`,
        );
      }
    }
    if (pieceEnd === offset) return null; // empty fragment: nothing to hold
    let index = pieces.length;
    while (index > 0 && pieces[index - 1].offset > offset) index--;
    const before = index > 0 ? pieces[index - 1] : undefined;
    const after = index < pieces.length ? pieces[index] : undefined;
    if (before !== undefined && before.offset === offset && before.end === pieceEnd) return null; // duplicate
    if ((before !== undefined && before.end > offset) || (after !== undefined && after.offset < pieceEnd)) {
      return new DecodeError(
        "fragment.overlap",
        offset,
        `Cannot reassemble IP datagram: fragment [${offset}, ${pieceEnd}) overlaps one already held`,
      );
    }
    if (pieces.length >= MAX_FRAGMENTS_PER_DATAGRAM) {
      return new DecodeError(
        "fragment.too_many",
        offset,
        `Cannot reassemble IP datagram: more than ${MAX_FRAGMENTS_PER_DATAGRAM} fragments`,
      );
    }
    // Copy: the packet buffer is only valid during this call.
    pieces.splice(index, 0, { offset, end: pieceEnd, data: data.slice(start, end) });
    set.receivedBytes += pieceEnd - offset;
    return null;
  }

  #evictOldest(): void {
    for (const key of this.#sets.keys()) {
      this.#sets.delete(key);
      this.#counters.ip_fragments_evicted++;
      return;
    }
  }

  /** Drop partial datagrams whose first fragment is `timeoutSec` or more older than `nowSec`. */
  expire(nowSec: number): void {
    for (const [key, set] of this.#sets) {
      if (nowSec - set.createdSec < this.#timeoutSec) break; // creation order: the rest are younger
      this.#sets.delete(key);
      this.#counters.ip_fragments_expired++;
    }
  }

  /** End of input: every partial datagram is dropped and counted as expired. */
  clear(): void {
    this.#counters.ip_fragments_expired += this.#sets.size;
    this.#sets.clear();
  }
}
