/**
 * What one held leg costs the default-format path besides its bytes (a held query's name, a held response's
 * message), counted against `-max_pending_bytes`: these columns (33 bytes), the pending table's row, bucket and value
 * (68 bytes) and the held-bytes links (16 bytes), rounded up.
 */
export const HELD_SLOT_BYTES = 128;

/**
 * What the default-format path keeps of a held leg, one column per field, indexed by the pending table's slot:
 * a query (its first question's type, class, RD, capture time; its wire name in a HeldBytes buffer) or, rarely, a
 * response whose query has not been seen yet (its frame length here, its message in the HeldBytes buffer). Columns grow with the pending table
 * and are never shrunk; each slot is overwritten when the table reuses it.
 */
export class HeldLegs {
  /** Slots the columns have room for. */
  slots = 0;
  /** 1 for a held query, 0 for a held response. */
  isQuery = new Uint8Array(0);
  tsSec = new Float64Array(0);
  tsNsec = new Float64Array(0);
  rd = new Uint8Array(0);
  hasQuestion = new Uint8Array(0);
  qtype = new Uint16Array(0);
  qclass = new Uint16Array(0);
  nameLength = new Int16Array(0);
  responseWireLen = new Float64Array(0);

  /** Make room for `slots` slots, keeping what is held. */
  grow(slots: number): void {
    this.isQuery = grown(this.isQuery, new Uint8Array(slots));
    this.tsSec = grown(this.tsSec, new Float64Array(slots));
    this.tsNsec = grown(this.tsNsec, new Float64Array(slots));
    this.rd = grown(this.rd, new Uint8Array(slots));
    this.hasQuestion = grown(this.hasQuestion, new Uint8Array(slots));
    this.qtype = grown(this.qtype, new Uint16Array(slots));
    this.qclass = grown(this.qclass, new Uint16Array(slots));
    this.nameLength = grown(this.nameLength, new Int16Array(slots));
    this.responseWireLen = grown(this.responseWireLen, new Float64Array(slots));
    this.slots = slots;
  }
}

function grown<T extends Uint8Array | Uint16Array | Int16Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
