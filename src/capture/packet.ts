/**
 * The unit every capture source hands to the decoder.
 *
 * Contract (zero-copy): `data` is a view into the source's own buffer and is valid only for the
 * duration of the `onPacket` call. Whatever must outlive the call (TCP stream bytes, IP fragments,
 * held queries) is copied with `.slice()` by whoever keeps it. Sources reuse one `Packet` object.
 */
export interface Packet {
  /** Link-layer header type of the interface this frame came from (LINKTYPE_* value). */
  linkType: number;
  /** Captured bytes of the frame (may be shorter than `origLen` when the snap length cut it). */
  data: Uint8Array;
  /** Length of the frame on the wire. */
  origLen: number;
  /** Capture time: whole seconds since the Unix epoch. */
  tsSec: number;
  /** Capture time: nanoseconds within the second, 0..999 999 999. */
  tsNsec: number;
  /** pcapng interface index (0 for classic pcap and live capture). */
  interfaceId: number;
}

/** Receives one packet; synchronous so the hot path never awaits per packet. */
export type PacketHandler = (packet: Packet) => void;

/**
 * One packet-source interface for file and live input (gopacket's PacketSource idea).
 *
 * `run` calls `onPacket` for each packet in capture order. After each batch of packets (a read
 * chunk of a file, one drain of libpcap) it awaits `onBatchEnd`, which is where output is flushed
 * and back-pressure applied. `run` resolves at the end of input or after `stop()`, and rejects
 * with a `CaptureError` on a corrupt or truncated file after every packet before the damage has
 * been delivered.
 */
export interface PacketSource {
  run(onPacket: PacketHandler, onBatchEnd: () => Promise<void>): Promise<void>;
  /** Ask `run` to finish after the current batch. Safe to call from a signal handler. */
  stop(): void;
}

/** A capture file or device that cannot be read: names the input and what is wrong. */
export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaptureError";
  }
}
