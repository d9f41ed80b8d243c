/**
 * What the pairing engine (src/correlate/wire_pairing.ts) hands its record writer: one lookup, paired or given up on,
 * described by a reused {@linkcode Lookup} whose legs point at wire bytes (the message being handled, or a held copy).
 * Writers read it only during the call: every array and reader in it is borrowed.
 *
 * @module
 */

import { NO_TUNNELS, type Tunnel } from "../decode/tunnels.ts";
import { NO_VLANS } from "../decode/wire_datagram.ts";
import { MessageReader } from "../dns/_reader.ts";
import { WireQuestion } from "../dns/wire_scan.ts";

/** Why a lookup was written: paired, or given up on at the end of input, by age, by a table bound, or replaced. */
export type LookupReason = "paired" | "expired" | "evicted" | "end_of_input" | "replaced";

/** `answered`: both legs; `unanswered`: a query alone; `orphan_response`: a response alone. */
export type LookupStatus = "answered" | "unanswered" | "orphan_response";

/** One leg of a lookup: a message, where and when it was seen. */
export class LegView {
  /** Whether the lookup has this leg. */
  present = false;
  /** True for the message being handled (read once already), false for a held copy. */
  current = false;
  /**
   * The whole message (byte `base` is its DNS header), or null when only the first question's name is held (the
   * default format's held queries: `question` then carries the name, type, class and the RD bit in `flags`).
   */
  reader: MessageReader | null = null;
  /** The message's header fields and first question, scanned. */
  question: WireQuestion = new WireQuestion();
  tsSec = 0;
  tsNsec = 0;
  /** Wire length of the frame that carried (or completed) the message. */
  wireLen = 0;
  interfaceId = 0;
  vlans: number[] = NO_VLANS;
  /** Encapsulations the message came through, outermost first. */
  tunnels: readonly Tunnel[] = NO_TUNNELS;
}

/** A lookup: `client` is always the side that sent the query, whatever order the packets came in. */
export class Lookup {
  status: LookupStatus = "answered";
  reason: LookupReason = "paired";
  transport: "udp" | "tcp" = "udp";
  /** 16-byte address forms (src/decode/ip_text.ts `writeAddress16`), borrowed. */
  client: Uint8Array = new Uint8Array(16);
  server: Uint8Array = new Uint8Array(16);
  clientPort = 0;
  serverPort = 0;
  id = 0;
  /**
   * An answered lookup whose two first questions are the same bytes (name, type and class), as the engine found
   * when it paired them: a writer may read the query's from the response. False whenever it was not checked.
   */
  questionsIdentical = false;
  /** Copies of the query seen after the first, and responses to it after the first (counted, not kept). */
  retransmits = 0;
  duplicateResponses = 0;
  readonly query: LegView = new LegView();
  readonly response: LegView = new LegView();
}

/** A record format fed by the pairing engine. */
export interface LookupWriter {
  /**
   * Whether a held query keeps its whole message and frame details (VLANs, tunnels, interface, frame length), or only
   * its first question's name, type, class and RD bit.
   */
  readonly holdsWholeQuery: boolean;
  /** Whether legs given up on are written (else the engine only counts them, and fills no Lookup for them). */
  readonly writesUnpaired: boolean;
  /** What one held leg costs besides its held bytes, counted against `-max_pending_bytes`. */
  readonly slotBytes: number;
  /** Every message that scanned, before it is paired (`r` and `q` point at it). */
  arrived(r: MessageReader, q: WireQuestion): void;
  /** A response that is not paired as it arrives (held, a duplicate, or given up on). */
  responseUnpaired(r: MessageReader, q: WireQuestion): void;
  /**
   * A message that is neither held nor part of a lookup written (a retransmitted query, a duplicate response): the
   * last chance to look at it.
   */
  dropped(r: MessageReader, q: WireQuestion): void;
  /** Write a lookup; returns the number of records written. */
  write(lookup: Lookup): number;
}
