import { NO_TUNNELS, type Tunnel } from "../decode/tunnels.ts";
import { NO_VLANS } from "../decode/wire_datagram.ts";

/**
 * The longest held query name kept in the slot's own room ({@linkcode HeldLegs.names}) instead of the HeldBytes
 * buffer: most names are shorter (the usual ones of real traffic, and all of the benchmark's). In a CPU profile of the
 * 1M-pair capture the buffer's `put` alone (its links, compaction check and counts) took 55–64 ns per held query on
 * the decoding thread; with the slot's room, and the address words of src/correlate/lookup_key.ts `setWords`, that
 * thread's CPU went down 4 % (`-numprocs 2`, 20 alternating runs).
 *
 * 64, not the 48 first chosen: the benchmark's longest names are 50 bytes, and the first of them came 1.4 M records
 * into the 1M-pair capture, long after V8 had optimized the pairing engine without ever running the longer names'
 * path; reaching it then threw away six optimized functions of the main thread, compiled again while both cores were
 * busy (README, "No late deoptimizations"). At 64, session 11, alternating runs: two threads 0.96× the time (14
 * pairs), Turbofan deoptimizations per run 8 → 3–4. Traffic where longer names are common meets them early, before
 * V8 optimizes.
 */
export const INLINE_NAME_BYTES = 64;

/**
 * What one held leg costs the default format besides its bytes (a held query's name longer than
 * {@linkcode INLINE_NAME_BYTES}, a held response's message), counted against `-max_pending_bytes`: the lean columns
 * (33 bytes), the room for a short name (64), the pending table's row, bucket and value (68 bytes) and the held-bytes
 * links (16 bytes), rounded up.
 */
export const HELD_SLOT_BYTES = 192;

/**
 * What one held leg costs the transaction format besides its message's bytes: the lean columns and the frame
 * columns (about 57 bytes and two references), the pending table's row, bucket and value slot (68 bytes), the
 * held-bytes links (16 bytes), and twice that for the tables' room to grow, rounded up.
 */
export const HELD_WHOLE_SLOT_BYTES = 256;

/**
 * The pairing engine's held legs, one column per field, indexed by the pending table's slot: a query or, rarely, a
 * response whose query has not been seen yet. The lean columns (kind, time, frame length, first question) always;
 * the frame columns (retransmit and duplicate counts, interface, VLANs, tunnels) only when the writer keeps whole
 * legs (`whole`), so the default format's memory stays what it needs. The held bytes (a query's name or whole
 * message, a response's message) are in a HeldBytes buffer. A held leg is no JavaScript object at all: a flood of
 * 100 000 held legs leaves no garbage for the collector to trace. Columns grow with the pending table and are
 * never shrunk; each slot is overwritten when the table reuses it.
 */
export class HeldLegs {
  /** Slots the columns have room for. */
  slots = 0;
  /** 1 for a held query, 0 for a held response. */
  isQuery = new Uint8Array(0);
  tsSec = new Float64Array(0);
  tsNsec = new Float64Array(0);
  wireLen = new Float64Array(0);
  /** A held query's first question, when only its name is held (not `whole`). */
  rd = new Uint8Array(0);
  hasQuestion = new Uint8Array(0);
  qtype = new Uint16Array(0);
  qclass = new Uint16Array(0);
  nameLength = new Int16Array(0);
  /**
   * A held query's name of at most {@linkcode INLINE_NAME_BYTES} (not `whole`), at `slot * INLINE_NAME_BYTES`; a
   * longer one is in the HeldBytes buffer. Valid until the slot is reused.
   */
  names = new Uint8Array(0);
  /** The frame columns (`whole` only). */
  retransmits = new Int32Array(0);
  duplicateResponses = new Int32Array(0);
  interfaceId = new Int32Array(0);
  /** VLAN tags of the held leg's frame (the shared empty list when untagged). */
  vlans: number[][] = [];
  /** Encapsulations of the held leg's message (the shared empty list when none). */
  tunnels: (readonly Tunnel[])[] = [];

  constructor(readonly whole: boolean) {}

  /** Make room for `slots` slots, keeping what is held. */
  grow(slots: number): void {
    this.isQuery = grown(this.isQuery, new Uint8Array(slots));
    this.tsSec = grown(this.tsSec, new Float64Array(slots));
    this.tsNsec = grown(this.tsNsec, new Float64Array(slots));
    this.wireLen = grown(this.wireLen, new Float64Array(slots));
    if (this.whole) {
      this.retransmits = grown(this.retransmits, new Int32Array(slots));
      this.duplicateResponses = grown(this.duplicateResponses, new Int32Array(slots));
      this.interfaceId = grown(this.interfaceId, new Int32Array(slots));
      const oldSlots = this.vlans.length;
      this.vlans.length = slots;
      this.vlans.fill(NO_VLANS, oldSlots);
      this.tunnels.length = slots;
      this.tunnels.fill(NO_TUNNELS, oldSlots);
    } else {
      this.rd = grown(this.rd, new Uint8Array(slots));
      this.hasQuestion = grown(this.hasQuestion, new Uint8Array(slots));
      this.qtype = grown(this.qtype, new Uint16Array(slots));
      this.qclass = grown(this.qclass, new Uint16Array(slots));
      this.nameLength = grown(this.nameLength, new Int16Array(slots));
      this.names = grown(this.names, new Uint8Array(slots * INLINE_NAME_BYTES));
    }
    this.slots = slots;
  }

  /** Whether the held query in `slot`, of which only the name is held, has it in {@linkcode names}. */
  nameInline(slot: number): boolean {
    return this.nameLength[slot] <= INLINE_NAME_BYTES;
  }

  /** Forget the references `slot` holds (its VLAN and tunnel lists), so they can be collected. */
  clearReferences(slot: number): void {
    if (!this.whole) return;
    this.vlans[slot] = NO_VLANS;
    this.tunnels[slot] = NO_TUNNELS;
  }
}

function grown<T extends Uint8Array | Uint16Array | Int16Array | Int32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
