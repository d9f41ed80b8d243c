/**
 * The stream from the decoding thread to the lookup worker: the lookups the pairing engine completes or gives up on,
 * packed one after another by the format's packer (src/parallel/lookup_entry.ts, src/parallel/transaction_entry.ts)
 * into a byte buffer, which is shared with the worker (src/parallel/lookup_protocol.ts: never transferred) when full
 * or at a capture batch end. This module holds what the packers share: the buffers, a message written as its bytes
 * or as where it lies in a capture chunk the worker shares, and a tunnel's packed form.
 *
 * @module
 */

import { LITTLE_ENDIAN } from "../correlate/lookup_key.ts";
import type { Tunnel, TunnelKind } from "../decode/tunnels.ts";
import { copyWords, LastView, WORD_COPY_MAX } from "../record/_put.ts";

/** The first byte of every entry, checked by the reader: a stream out of step is an error, not a silent misread. */
export const LOOKUP = 3;
/** A message read in place: `u32 chunk, u32 offset` (see {@linkcode BatchWriter.putMessage}). */
export const CHUNK_REFERENCE = 8;
/** Room for one packed tunnel: three texts of at most 255 bytes, its id and up to 64 labels (see `putTunnel`). */
export const TUNNEL_BYTES = 3 * 256 + 9 + 2 + 64 * 4;
/** A null text or label list. */
const ABSENT_TEXT = 0xff;
const ABSENT_LABELS = 0xffff;

/** Packs entries into buffers; `send` gets each full buffer and how many bytes it holds. */
export class BatchWriter {
  bytes: Uint8Array;
  #view: DataView;
  used = 0;
  /**
   * The capture chunk, shared with the worker, that a message's buffer is, or -1 (then its bytes are copied): set by
   * the stage that shares the chunks (src/parallel/remote_stage.ts). Unset: every message is copied.
   */
  chunkIndexOf: (bytes: Uint8Array) => number = () => -1;
  /** The last message buffer seen, and its chunk index: one buffer serves thousands. */
  #lastSource: Uint8Array | null = null;
  #lastChunk = -1;
  /** A view of the buffer a message is copied from (the held messages are all in one). */
  readonly #sourceView = new LastView();

  /** {@linkcode chunkIndexOf}, remembered for the last buffer asked about. */
  chunkOf(source: Uint8Array): number {
    if (source !== this.#lastSource) {
      this.#lastSource = source;
      this.#lastChunk = this.chunkIndexOf(source);
    }
    return this.#lastChunk;
  }

  /**
   * The message `source[start, end)` at `at`, reserved before: where it is when `chunk` (from `chunkOf`) names a
   * shared chunk ({@linkcode CHUNK_REFERENCE} bytes), else its bytes. Returns where the next entry starts.
   */
  putMessage(at: number, source: Uint8Array, start: number, end: number, chunk: number): number {
    if (chunk >= 0) {
      this.#view.setUint32(at, chunk, true);
      this.#view.setUint32(at + 4, start, true);
      return at + CHUNK_REFERENCE;
    }
    const length = end - start;
    // Most are queries of 30 to 100 bytes: words (see WORD_COPY_MAX).
    if (length > WORD_COPY_MAX) {
      this.bytes.set(source.subarray(start, end), at);
      return at + length;
    }
    return copyWords(this.#view, this.bytes, at, this.#sourceView.of(source), source, start, end);
  }

  /** The most bytes the batch being filled holds before it goes: `firstBytes`, doubled at each send, to `capacity`. */
  #limit: number;

  constructor(
    readonly capacity: number,
    /** Hands a buffer over (it is not written again until it comes back); the writer goes on in one from `nextBuffer`. */
    readonly send: (buffer: ArrayBufferLike, used: number) => void,
    /** A free buffer of at least `capacity` bytes (recycled or new). */
    readonly nextBuffer: () => ArrayBufferLike,
    /**
     * What the first batch holds at most (see {@linkcode BatchWriter.reserve}): a small first batch sets the worker
     * going while this thread is still filling the next ones.
     */
    firstBytes: number = capacity,
  ) {
    this.bytes = new Uint8Array(nextBuffer());
    this.#view = new DataView(this.bytes.buffer);
    this.#limit = Math.min(firstBytes, capacity);
  }

  /** Hand over what the buffer holds (nothing when empty). */
  sendNow(): void {
    if (this.used === 0) return;
    this.#limit = Math.min(this.#limit * 2, this.capacity);
    const buffer = this.bytes.buffer;
    const used = this.used;
    this.bytes = new Uint8Array(this.nextBuffer());
    this.#view = new DataView(this.bytes.buffer);
    this.used = 0;
    this.send(buffer, used);
  }

  /** The buffer as a DataView (valid until the next `reserve`). */
  get view(): DataView {
    return this.#view;
  }

  /**
   * A tunnel at `at`, reserved before ({@linkcode TUNNEL_BYTES} each): `kind`, outer source and destination (texts),
   * `u8 hasId, f64 id`, `u16 labelCount, u32 labels…`. Returns where the next entry starts.
   */
  putTunnel(tunnel: Tunnel, at: number): number {
    const view = this.#view;
    at = this.#text(tunnel.kind, at);
    at = this.#text(tunnel.outerSrcIp, at);
    at = this.#text(tunnel.outerDstIp, at);
    view.setUint8(at, tunnel.id === null ? 0 : 1);
    view.setFloat64(at + 1, tunnel.id ?? 0, true);
    at += 9;
    const labels = tunnel.labels;
    // A label list that does not fit the room reserved per tunnel is cut (no decoder makes one: MPLS stacks are
    // bounded far below this).
    const count = labels === null ? 0 : Math.min(labels.length, 64);
    view.setUint16(at, labels === null ? ABSENT_LABELS : count, true);
    at += 2;
    for (let i = 0; i < count; i++, at += 4) view.setUint32(at, labels![i], true);
    return at;
  }

  /** An ASCII text of at most 254 characters (a tunnel kind, an address text), or null. */
  #text(text: string | null, at: number): number {
    if (text === null) {
      this.bytes[at] = ABSENT_TEXT;
      return at + 1;
    }
    const n = Math.min(text.length, ABSENT_TEXT - 1);
    this.bytes[at++] = n;
    for (let i = 0; i < n; i++) this.bytes[at++] = text.charCodeAt(i);
    return at;
  }

  /**
   * Make room for `n` more bytes at `used`, sending the batch when they would take it past its limit: the first
   * batches grow from `firstBytes` to `capacity` (an entry larger than the limit goes whole into an empty batch).
   */
  reserve(n: number): void {
    if (this.used + n <= this.#limit || (this.used === 0 && n <= this.bytes.length)) return;
    this.sendNow();
    if (n > this.bytes.length) {
      // One message larger than a batch (a TCP message near 64 KiB in a small batch): a buffer of its own.
      this.bytes = new Uint8Array(n);
      this.#view = new DataView(this.bytes.buffer);
    }
  }
}

/** Reads the entries of a batch in order, each with `onLookup`. */
export class BatchReader {
  constructor(
    /** The entry at `at` (src/parallel/lookup_entry.ts): handles it, returns where the next entry starts. */
    readonly onLookup: (bytes: Uint8Array, view: DataView, at: number) => number,
  ) {}

  /** Every entry of `bytes[0, used)`, in order. */
  read(bytes: Uint8Array, used: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < used) {
      const kind = bytes[at];
      if (kind !== LOOKUP) throw new Error(`Corrupt lookup batch: entry kind ${kind} at offset ${at}`);
      at = this.onLookup(bytes, view, at);
    }
  }
}

/** A lookup's client and server addresses (16-byte forms) at `at`: 32 bytes, reserved before. */
export function putAddresses(bytes: Uint8Array, at: number, client: Uint8Array, server: Uint8Array): void {
  for (let i = 0; i < 16; i++) bytes[at + i] = client[i];
  for (let i = 0; i < 16; i++) bytes[at + 16 + i] = server[i];
}

/**
 * The addresses `putAddresses` wrote at `at`, into the words of the Lookup's arrays (src/correlate/lookup_key.ts
 * `addressWords`).
 */
export function readAddresses(view: DataView, at: number, client: Int32Array, server: Int32Array): void {
  // Read in the platform's byte order, so each word stores its four bytes as they were.
  for (let i = 0; i < 4; i++) client[i] = view.getInt32(at + 4 * i, LITTLE_ENDIAN);
  for (let i = 0; i < 4; i++) server[i] = view.getInt32(at + 16 + 4 * i, LITTLE_ENDIAN);
}

/** The tunnel packed at `at` (see `BatchWriter.putTunnel`) onto `into`; returns where the next entry starts. */
export function readTunnel(bytes: Uint8Array, view: DataView, at: number, into: Tunnel[]): number {
  const texts: (string | null)[] = [];
  for (let t = 0; t < 3; t++) {
    const n = bytes[at++];
    if (n === ABSENT_TEXT) {
      texts.push(null);
      continue;
    }
    texts.push(String.fromCharCode(...bytes.subarray(at, at + n)));
    at += n;
  }
  const id = bytes[at] === 0 ? null : view.getFloat64(at + 1, true);
  at += 9;
  const count = view.getUint16(at, true);
  at += 2;
  let labels: number[] | null = null;
  if (count !== ABSENT_LABELS) {
    labels = [];
    for (let i = 0; i < count; i++, at += 4) labels.push(view.getUint32(at, true));
  }
  into.push({ kind: texts[0] as TunnelKind, outerSrcIp: texts[1], outerDstIp: texts[2], id, labels });
  return at;
}
