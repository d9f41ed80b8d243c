import type { Tunnel } from "../decode/tunnels.ts";
import type { DnsMessage } from "../dns/message.ts";

/** One DNS message kept past its packet: the decoded message (self-contained strings) and where it was seen. */
export interface Leg {
  message: DnsMessage;
  tsSec: number;
  tsNsec: number;
  /** Wire length of the frame that carried (or completed) the message. */
  wireLen: number;
  vlans: number[];
  interfaceId: number;
  /** Encapsulations the message came through, outermost first (absent or empty: none). */
  tunnels?: readonly Tunnel[];
}

/**
 * What the correlator emits: a lookup with both legs, or a leg that never found its partner.
 * `client*` is always the side that sent the query, whatever order the packets came in.
 */
export interface Transaction {
  status: "answered" | "unanswered" | "orphan_response";
  transport: "udp" | "tcp";
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  id: number;
  /** The first copy of the query (retransmissions are counted, not kept). */
  query: Leg | null;
  /** The first response (duplicates are counted, not kept). */
  response: Leg | null;
  retransmits: number;
  duplicateResponses: number;
  /** Why a leg was given up on: end of input, age (`-gc_age`), or a full table. */
  reason: "paired" | "expired" | "evicted" | "end_of_input" | "replaced";
}

export type TransactionHandler = (transaction: Transaction) => void;
