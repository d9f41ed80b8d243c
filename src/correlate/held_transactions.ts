import { NO_TUNNELS, type Tunnel } from "../decode/tunnels.ts";
import { NO_VLANS } from "../decode/wire_datagram.ts";

/**
 * What one held transaction costs the general correlator besides its message's bytes, counted against
 * `-max_pending_bytes`: these columns (45 bytes and two references), the pending table's row, bucket and value slot
 * (68 bytes), the held-bytes links (16 bytes), and twice that for the tables' room to grow, rounded up.
 */
export const HELD_TRANSACTION_BYTES = 256;

/**
 * The general correlator's pending entries, one column per field, indexed by the pending table's slot: the held leg
 * (a query, or a response whose query has not been seen), when it was seen, its frame, and what was counted against
 * it. Its message is in a HeldBytes buffer and the addresses, ports, transport and ID are the slot's key, so a held
 * transaction is no JavaScript object at all: a flood of 100 000 held legs leaves no garbage for the collector to
 * trace (as objects, ~350 bytes of heap each, promoted and then dropped, they grew the heap to 200 MB between
 * collections).
 */
export class HeldTransactions {
  /** Slots the columns have room for. */
  slots = 0;
  /** 1 for a held query, 0 for a held response. */
  isQuery: Uint8Array = new Uint8Array(0);
  tsSec: Float64Array = new Float64Array(0);
  tsNsec: Float64Array = new Float64Array(0);
  wireLen: Float64Array = new Float64Array(0);
  interfaceId: Int32Array = new Int32Array(0);
  retransmits: Int32Array = new Int32Array(0);
  duplicateResponses: Int32Array = new Int32Array(0);
  /** VLAN tags of the held leg's frame (the shared empty list when untagged). */
  vlans: number[][] = [];
  /** Encapsulations of the held leg's message (the shared empty list when none). */
  tunnels: (readonly Tunnel[])[] = [];

  /** Make room for `slots` slots, keeping what is held. */
  grow(slots: number): void {
    this.isQuery = grown(this.isQuery, new Uint8Array(slots));
    this.tsSec = grown(this.tsSec, new Float64Array(slots));
    this.tsNsec = grown(this.tsNsec, new Float64Array(slots));
    this.wireLen = grown(this.wireLen, new Float64Array(slots));
    this.interfaceId = grown(this.interfaceId, new Int32Array(slots));
    this.retransmits = grown(this.retransmits, new Int32Array(slots));
    this.duplicateResponses = grown(this.duplicateResponses, new Int32Array(slots));
    const oldSlots = this.vlans.length;
    this.vlans.length = slots;
    this.vlans.fill(NO_VLANS, oldSlots);
    this.tunnels.length = slots;
    this.tunnels.fill(NO_TUNNELS, oldSlots);
    this.slots = slots;
  }
}

function grown<T extends Uint8Array | Int32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
