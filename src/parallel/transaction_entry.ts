/**
 * The transaction format's lookups, packed for the lookup worker (`-numprocs` 2 or more): as for the default format
 * (src/parallel/lookup_entry.ts), the one pairing engine runs on the decoding thread and the worker only writes
 * records. Measured on the 1M-pair capture, the worker running the whole post-decode stage took 3.2 s of CPU against
 * the decoding thread's 0.6 s: pairing (0.6 s of it: the question scan, the table, the held copies) moves over, and
 * the worker keeps what reads every message, the transaction writer, and the output's write(2).
 *
 * The writer reads both legs whole (sections, EDNS, anomalies), so an entry carries each leg's message: where it is
 * (`u32 chunk, u32 offset`) when it lies in a capture chunk shared with the worker (src/capture/_chunk_reader.ts
 * ChunkPool: the message being handled, read from a file), else its bytes (a held leg's copy, a TCP stream's, a
 * reassembled datagram's). The worker scans each leg's question again (the bytes passed that scan once: same result).
 *
 * Entry (little-endian, no alignment, in the stream of src/parallel/datagram_batch.ts): `u8 3, u8 bits (1 TCP,
 * 2 query, 4 response, 8 a dropped message), u8 reason, u16 clientPort, u16 serverPort, u16 id, u32 retransmits,
 * u32 duplicateResponses, 16 client, 16 server`, then each leg present, query first: `u8 bits (1 read in place),
 * f64 tsSec, u32 tsNsec, u32 wireLen, u32 interfaceId, u16 vlanCount, u8 tunnelCount, u32 length`, the VLAN ids
 * (u16 each), the tunnels (`BatchWriter.putTunnel`) and the message. A dropped message (a retransmitted query, a
 * duplicate response: the writer only counts its anomalies) is `u8 3, u8 8` and one leg.
 *
 * @module
 */

import { HELD_WHOLE_SLOT_BYTES } from "../correlate/held_legs.ts";
import { type LegView, Lookup, type LookupReason, type LookupWriter } from "../correlate/lookup.ts";
import { NO_TUNNELS, type Tunnel } from "../decode/tunnels.ts";
import { NO_VLANS } from "../decode/wire_datagram.ts";
import { MessageReader } from "../dns/_reader.ts";
import { scanQuestion } from "../dns/wire_scan.ts";
import {
  type BatchWriter,
  CHUNK_REFERENCE,
  LITTLE_ENDIAN,
  LOOKUP,
  readTunnel,
  TUNNEL_BYTES,
  words,
} from "./datagram_batch.ts";
import type { LookupEntries } from "./lookup_entry.ts";

const HEAD = 49;
const LEG_HEAD = 28;
const TCP = 1;
const QUERY = 2;
const RESPONSE = 4;
const DROPPED = 8;
const IN_CHUNK = 1;
const REASONS: readonly LookupReason[] = ["paired", "expired", "evicted", "end_of_input", "replaced"];

/** The transaction format's writer on the decoding thread: every lookup, and every dropped message, is packed. */
export class RemoteTransactionWriter implements LookupWriter {
  readonly holdsWholeQuery = true;
  readonly writesUnpaired = true;
  readonly slotBytes = HELD_WHOLE_SLOT_BYTES;
  constructor(readonly batch: BatchWriter) {}

  arrived(): void {}

  responseUnpaired(): void {}

  /** Packed for its anomalies, which the worker counts as the writer walks it. */
  dropped(r: MessageReader): void {
    const batch = this.batch;
    const chunk = batch.chunkOf(r.bytes);
    batch.reserve(2 + LEG_HEAD + (chunk < 0 ? r.end - r.base : CHUNK_REFERENCE));
    batch.bytes[batch.used] = LOOKUP;
    batch.bytes[batch.used + 1] = DROPPED;
    batch.used = this.#message(batch.used + 2, r, chunk, 0, 0, 0, 0, NO_VLANS, NO_TUNNELS);
  }

  /** Packs the lookup; its records are counted by the worker that writes them. */
  write(l: Lookup): number {
    const query = l.query;
    const response = l.response;
    const batch = this.batch;
    // Only the message being handled may lie in a chunk: a held leg is a copy.
    const queryChunk = query.present && query.current ? batch.chunkOf(query.reader!.bytes) : -1;
    const responseChunk = response.present && response.current ? batch.chunkOf(response.reader!.bytes) : -1;
    batch.reserve(HEAD + legBytes(query, queryChunk) + legBytes(response, responseChunk));
    const view = batch.view;
    const bytes = batch.bytes;
    let at = batch.used;
    bytes[at] = LOOKUP;
    bytes[at + 1] = (l.transport === "tcp" ? TCP : 0) | (query.present ? QUERY : 0) | (response.present ? RESPONSE : 0);
    bytes[at + 2] = REASONS.indexOf(l.reason);
    view.setUint16(at + 3, l.clientPort, true);
    view.setUint16(at + 5, l.serverPort, true);
    view.setUint16(at + 7, l.id, true);
    view.setUint32(at + 9, l.retransmits, true);
    view.setUint32(at + 13, l.duplicateResponses, true);
    const client = l.client;
    const server = l.server;
    for (let i = 0; i < 16; i++) bytes[at + 17 + i] = client[i];
    for (let i = 0; i < 16; i++) bytes[at + 33 + i] = server[i];
    at += HEAD;
    if (query.present) at = this.#leg(at, query, queryChunk);
    if (response.present) at = this.#leg(at, response, responseChunk);
    batch.used = at;
    return 0;
  }

  #leg(at: number, leg: LegView, chunk: number): number {
    const r = leg.reader!;
    return this.#message(at, r, chunk, leg.tsSec, leg.tsNsec, leg.wireLen, leg.interfaceId, leg.vlans, leg.tunnels);
  }

  #message(
    at: number,
    r: MessageReader,
    chunk: number,
    tsSec: number,
    tsNsec: number,
    wireLen: number,
    interfaceId: number,
    vlans: readonly number[],
    tunnels: readonly Tunnel[],
  ): number {
    const batch = this.batch;
    const view = batch.view;
    batch.bytes[at] = chunk < 0 ? 0 : IN_CHUNK;
    view.setFloat64(at + 1, tsSec, true);
    view.setUint32(at + 9, tsNsec, true);
    view.setUint32(at + 13, wireLen, true);
    view.setUint32(at + 17, interfaceId, true);
    view.setUint16(at + 21, vlans.length, true);
    view.setUint8(at + 23, tunnels.length);
    view.setUint32(at + 24, r.end - r.base, true);
    at += LEG_HEAD;
    for (let i = 0; i < vlans.length; i++, at += 2) view.setUint16(at, vlans[i], true);
    for (let i = 0; i < tunnels.length; i++) at = batch.putTunnel(tunnels[i], at);
    return batch.putMessage(at, r.bytes, r.base, r.end, chunk);
  }
}

/** The most a leg takes in an entry. */
function legBytes(leg: LegView, chunk: number): number {
  if (!leg.present) return 0;
  const r = leg.reader!;
  return LEG_HEAD + leg.vlans.length * 2 + leg.tunnels.length * TUNNEL_BYTES +
    (chunk < 0 ? r.end - r.base : CHUNK_REFERENCE);
}

/** Unpacks transaction entries into one reused Lookup, whose legs point into the batch or a chunk (during the call). */
export class TransactionUnpacker implements LookupEntries {
  readonly lookup = new Lookup();
  dropped = false;
  readonly #client = words(this.lookup.client);
  readonly #server = words(this.lookup.server);

  /** `chunks`: the capture chunks entries name by index (a live array: chunks are added as the capture goes on). */
  constructor(readonly chunks: readonly Uint8Array[]) {
    const l = this.lookup;
    l.query.reader = new MessageReader();
    l.response.reader = new MessageReader();
    // The writer walks the two legs into two buffers, told apart by `current`.
    l.response.current = true;
  }

  read(bytes: Uint8Array, view: DataView, at: number): number {
    const l = this.lookup;
    const bits = bytes[at + 1];
    this.dropped = (bits & DROPPED) !== 0;
    if (this.dropped) return this.#leg(bytes, view, at + 2, l.query);
    l.transport = (bits & TCP) !== 0 ? "tcp" : "udp";
    l.query.present = (bits & QUERY) !== 0;
    l.response.present = (bits & RESPONSE) !== 0;
    l.status = !l.query.present ? "orphan_response" : l.response.present ? "answered" : "unanswered";
    l.reason = REASONS[bytes[at + 2]];
    l.clientPort = view.getUint16(at + 3, true);
    l.serverPort = view.getUint16(at + 5, true);
    l.id = view.getUint16(at + 7, true);
    l.retransmits = view.getUint32(at + 9, true);
    l.duplicateResponses = view.getUint32(at + 13, true);
    // Read in the platform's byte order, so each word stores its four bytes as they were.
    const client = this.#client;
    const server = this.#server;
    for (let i = 0; i < 4; i++) client[i] = view.getInt32(at + 17 + 4 * i, LITTLE_ENDIAN);
    for (let i = 0; i < 4; i++) server[i] = view.getInt32(at + 33 + 4 * i, LITTLE_ENDIAN);
    at += HEAD;
    if (l.query.present) at = this.#leg(bytes, view, at, l.query);
    if (l.response.present) at = this.#leg(bytes, view, at, l.response);
    return at;
  }

  #leg(bytes: Uint8Array, view: DataView, at: number, leg: LegView): number {
    const inChunk = (bytes[at] & IN_CHUNK) !== 0;
    leg.tsSec = view.getFloat64(at + 1, true);
    leg.tsNsec = view.getUint32(at + 9, true);
    leg.wireLen = view.getUint32(at + 13, true);
    leg.interfaceId = view.getUint32(at + 17, true);
    const vlanCount = view.getUint16(at + 21, true);
    const tunnelCount = bytes[at + 23];
    const length = view.getUint32(at + 24, true);
    at += LEG_HEAD;
    if (vlanCount === 0) leg.vlans = NO_VLANS;
    else {
      leg.vlans = [];
      for (let i = 0; i < vlanCount; i++, at += 2) leg.vlans.push(view.getUint16(at, true));
    }
    if (tunnelCount === 0) leg.tunnels = NO_TUNNELS;
    else {
      const tunnels: Tunnel[] = [];
      for (let i = 0; i < tunnelCount; i++) at = readTunnel(bytes, view, at, tunnels);
      leg.tunnels = tunnels;
    }
    const r = leg.reader!;
    if (inChunk) {
      const offset = view.getUint32(at + 4, true);
      r.resetRange(this.chunks[view.getUint32(at, true)], offset, offset + length);
      at += CHUNK_REFERENCE;
    } else {
      r.resetRange(bytes, at, at + length);
      at += length;
    }
    // It passed this scan on the decoding thread: it cannot throw.
    scanQuestion(r, leg.question);
    return at;
  }
}
