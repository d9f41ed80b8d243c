import type { ChunkPool } from "./_chunk_reader.ts";

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
  /** Capture time: whole seconds since the Unix epoch, from {@linkcode MIN_TIME_SEC} to {@linkcode MAX_TIME_SEC}. */
  tsSec: number;
  /** Capture time: nanoseconds within the second, 0..999 999 999. */
  tsNsec: number;
  /** pcapng interface index (0 for classic pcap and live capture). */
  interfaceId: number;
}

/**
 * The range of capture times, in seconds since the Unix epoch: JavaScript's `Date` range, years -271821 to 275760.
 * Every second in it is an exact double and has a calendar date, so a time in it can be written without loss. A
 * pcapng timestamp (64 bits at any resolution, plus a 64-bit `if_tsoffset`) can say far more; the readers clamp such
 * a time to the nearest bound and count it (`timestamps_clamped`). A classic pcap's times always fit.
 */
export const MAX_TIME_SEC = 8_640_000_000_000;
export const MIN_TIME_SEC = -MAX_TIME_SEC;

/** Receives one packet; synchronous so the hot path never awaits per packet. */
export type PacketHandler = (packet: Packet) => void;

/**
 * Receives the wall clock (whole seconds since the Unix epoch, nanoseconds within the second) from a live source,
 * so expiry that runs on packet time also runs when no packets come.
 */
export type ClockHandler = (sec: number, nsec: number) => void;

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
  /**
   * `onClock`, when given, is called by sources whose time is the wall clock (live capture) about twice a second,
   * followed by `onBatchEnd`; file sources ignore it (their time is the packets').
   */
  run(onPacket: PacketHandler, onBatchEnd: () => Promise<void>, onClock?: ClockHandler): Promise<void>;
  /** Ask `run` to finish after the current batch. Safe to call from a signal handler. */
  stop(): void;
  /** Packets whose capture time was outside {@linkcode MIN_TIME_SEC}..{@linkcode MAX_TIME_SEC} and was clamped. */
  readonly timestampsClamped?: number;
  /**
   * True for a regular file, whose next batch never waits for a writer: the pipeline may hold records across a batch
   * end (a lookup worker is started only once there is enough work). Absent or false: a stream (a pipe, a FIFO, live
   * capture), whose records must not wait for packets that may be long in coming.
   */
  readonly regularFile?: boolean;
  /**
   * Read into buffers from `pool` (a file source), so that another thread may read packets' bytes in place after
   * they were delivered (src/parallel/remote_stage.ts), and with `readAhead` a regular file's next buffer while the
   * one before is handled (src/capture/_chunk_reader.ts). Absent: the source's buffers are its own (live capture).
   */
  shareBuffers?(pool: ChunkPool, readAhead: boolean): void;
}

/** A capture file or device that cannot be read: names the input and what is wrong. */
export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CaptureError";
  }
}
