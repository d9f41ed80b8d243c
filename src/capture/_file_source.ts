/**
 * The batch loop shared by the pcap and pcapng readers: deliver every complete record in the
 * buffer, await `onBatchEnd`, then read the next chunk. Damage found mid-chunk is reported only
 * after the packets before it (and their batch end) have been delivered.
 *
 * @module
 */

import type { ChunkPool, ChunkReader } from "./_chunk_reader.ts";
import type { PacketHandler, PacketSource } from "./packet.ts";
import { CaptureError } from "./packet.ts";
import { EventLoopTurn } from "./_event_loop_turn.ts";

/** A capture file read chunk by chunk; subclasses parse records out of the chunk buffer. */
export abstract class FileSource implements PacketSource {
  /** Corruption found by the parser; thrown after the current batch is delivered. */
  protected damage: CaptureError | null = null;
  #stopped = false;
  #started = false;
  /** Packets whose time did not fit the range of capture times and was clamped (see `MAX_TIME_SEC`). */
  timestampsClamped = 0;

  protected constructor(protected readonly reader: ChunkReader) {}

  /** A regular file (read synchronously), not a pipe or a FIFO. */
  get regularFile(): boolean {
    return this.reader.synchronous;
  }

  /** Read into buffers from `pool` from the next read on (see ChunkPool), reading ahead when asked. */
  shareBuffers(pool: ChunkPool, readAhead: boolean): void {
    this.reader.pool = pool;
    this.reader.readAhead = readAhead;
  }

  /** The input's name as used in error messages (the path, or `<stdin>`). */
  get name(): string {
    return this.reader.name;
  }

  /**
   * Calls `onPacket` for each packet, awaiting `onBatchEnd` after each chunk that delivered any.
   * Resolves at end of file or after `stop()`; rejects with a CaptureError on damage. Closes the
   * input when it settles.
   */
  async run(onPacket: PacketHandler, onBatchEnd: () => Promise<void>): Promise<void> {
    if (this.#started) throw new CaptureError(`Capture file ${this.reader.name} is already being read`);
    this.#started = true;
    const reader = this.reader;
    // Synchronous reads never return to the event loop: yield to it once a batch, so signals are handled.
    const turns = reader.synchronous ? new EventLoopTurn() : null;
    try {
      while (true) {
        const count = this.deliver(onPacket);
        if (count > 0 || this.damage) await onBatchEnd();
        if (this.damage) throw this.damage;
        if (turns !== null) await turns.next();
        if (this.#stopped) return;
        if (await reader.read(this.needed()) === 0) {
          if (reader.available > 0 || reader.pendingSkip > 0) throw this.truncation();
          return;
        }
      }
    } finally {
      turns?.close();
      reader.close();
    }
  }

  /** Makes `run` resolve after the current batch. Safe from a signal handler. */
  stop(): void {
    this.#stopped = true;
  }

  /** Releases the input without reading it (for a source whose `run` is never called). */
  close(): void {
    this.reader.close();
  }

  /** Delivers every complete record in the buffer, advancing `reader.pos`; returns the count. */
  protected abstract deliver(onPacket: PacketHandler): number;

  /** Bytes from `reader.pos` the parser needs before it can go on, once `deliver` has run dry. */
  protected abstract needed(): number;

  /** The error for input that ends inside a record. */
  protected abstract truncation(): CaptureError;
}
