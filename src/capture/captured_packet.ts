/**
 * The reused {@linkcode Packet} of the capture-file sources, which hands out the frame without making a view of it.
 *
 * Zero-copy contract: the frame is `buffer[start, end)`, where `buffer` is the source's chunk buffer. Like
 * `Packet.data`, the three fields are valid only during the `onPacket` call: the next read moves the bytes and may
 * replace the buffer. A decoder that knows this class reads the frame in place (src/decode/packet_decoder.ts), so
 * capture allocates nothing per packet; `data`, for every other reader, makes the view on first use and keeps it
 * until the source moves on to the next frame.
 *
 * @module
 */

import type { Packet } from "./packet.ts";

const EMPTY = new Uint8Array(0);

/** A Packet whose frame is a range of a larger buffer; sources refill one instance per frame with `setFrame`. */
export class CapturedPacket implements Packet {
  linkType = 0;
  /** The buffer holding the frame (the source's chunk buffer); the frame is `buffer[start, end)`. */
  buffer: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  origLen = 0;
  tsSec = 0;
  tsNsec = 0;
  interfaceId = 0;
  /** The view `data` made for the current frame, or null until someone asks. */
  #view: Uint8Array | null = null;

  /** Point at the next frame, `buffer[start, end)`. */
  setFrame(buffer: Uint8Array, start: number, end: number): void {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
    this.#view = null;
  }

  /** The frame as its own view (made once per frame, only when read). */
  get data(): Uint8Array {
    return this.#view ??= this.buffer.subarray(this.start, this.end);
  }

  set data(view: Uint8Array) {
    this.setFrame(view, 0, view.length);
    this.#view = view;
  }
}
