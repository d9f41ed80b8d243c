/**
 * The bounded table of TCP connections. A connection is the unordered pair of endpoints, so both
 * directions share one entry and one clock; each direction is a {@linkcode TcpHalfStream}.
 *
 * - Created by a SYN or a segment with data on an unknown connection (a bare ACK, FIN or RST of
 *   an unknown connection is ignored); counted in `tcp_streams_opened`.
 * - Closed when both directions have delivered everything up to their FIN, or at once on RST
 *   (held data is flushed first); counted in `tcp_streams_closed`.
 * - Idle for `idleTimeoutSec` of packet time: flushed and dropped (`tcp_streams_expired`).
 * - Table full: the least recently used connection is flushed and dropped (`tcp_streams_evicted`).
 *
 * Lookup hashes the endpoints' address bytes and ports (no text per segment) into a power-of-two
 * bucket array with chaining. A doubly linked list keeps the recency order, oldest first: a
 * touched connection moves to the newest end.
 *
 * @module
 */
import { TcpContext, TcpHalfStream } from "./tcp_stream.ts";
import { TCP_FIN, TCP_RST, TCP_SYN } from "./tcp_segment.ts";
import { NO_TUNNELS, type Tunnel } from "./tunnels.ts";

/** Bucket count bounds: enough for the default 4096 connections at a load under one, never a huge array. */
const MIN_BUCKETS = 1024;
const MAX_BUCKETS = 1 << 16;

class TcpConnection {
  lastSeenSec: number;
  /** Next connection in the same bucket. */
  chain: TcpConnection | null = null;
  /** Neighbours in the recency list. */
  older: TcpConnection | null = null;
  newer: TcpConnection | null = null;
  constructor(readonly hash: number, readonly a: TcpHalfStream, readonly b: TcpHalfStream, nowSec: number) {
    this.lastSeenSec = nowSec;
  }
}

/** Connections keyed by their unordered endpoint pair, bounded, expiring on packet time. */
export class TcpTable {
  readonly #buckets: (TcpConnection | null)[];
  readonly #mask: number;
  #size = 0;
  /** Recency list: `#oldest` is the least recently used connection. */
  #oldest: TcpConnection | null = null;
  #newest: TcpConnection | null = null;
  readonly #ctx: TcpContext;
  readonly #maxConnections: number;
  readonly #idleTimeoutSec: number;
  /** Bytes buffered by every connection together (partial messages and held segments), and its bound. */
  #bufferedBytes = 0;
  readonly #maxBufferedBytes: number;

  constructor(ctx: TcpContext, maxConnections: number, idleTimeoutSec: number, maxBufferedBytes = Infinity) {
    this.#ctx = ctx;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#maxConnections = Math.max(1, maxConnections);
    this.#idleTimeoutSec = idleTimeoutSec;
    let buckets = MIN_BUCKETS;
    while (buckets < this.#maxConnections && buckets < MAX_BUCKETS) buckets *= 2;
    this.#buckets = new Array<TcpConnection | null>(buckets).fill(null);
    this.#mask = buckets - 1;
  }

  /** Connections tracked. */
  get size(): number {
    return this.#size;
  }

  /**
   * One segment from srcAddress:srcPort to dstAddress:dstPort (16-byte address forms, copied if
   * kept), data `data[start, end)`. The frame's time and length must already be in the context.
   * `vlans` and `tunnels` are kept by a new connection (not copied).
   */
  segment(
    srcAddress: Uint8Array,
    srcPort: number,
    dstAddress: Uint8Array,
    dstPort: number,
    seq: number,
    flags: number,
    data: Uint8Array,
    start: number,
    end: number,
    nowSec: number,
    vlans: number[],
    interfaceId: number,
    tunnels: readonly Tunnel[] = NO_TUNNELS,
  ): void {
    // Symmetric in the two endpoints, so both directions find the same bucket.
    const hash = mix((endpointHash(srcAddress, srcPort) + endpointHash(dstAddress, dstPort)) | 0);
    let connection = this.#buckets[hash & this.#mask];
    let stream: TcpHalfStream | null = null;
    for (; connection !== null; connection = connection.chain) {
      if (connection.hash !== hash) continue;
      const a = connection.a;
      if (a.srcPort === srcPort && a.dstPort === dstPort) {
        if (sameAddress(a.srcAddress, srcAddress) && sameAddress(a.dstAddress, dstAddress)) {
          stream = a;
          break;
        }
      }
      if (a.srcPort === dstPort && a.dstPort === srcPort) {
        if (sameAddress(a.srcAddress, dstAddress) && sameAddress(a.dstAddress, srcAddress)) {
          stream = connection.b;
          break;
        }
      }
    }
    if (connection === null) {
      if ((flags & TCP_SYN) === 0 && end === start) return; // stray ACK / FIN / RST
      if (this.#size >= this.#maxConnections) this.#evict(this.#oldest!, "tcp_streams_evicted");
      const ctx = this.#ctx;
      connection = new TcpConnection(
        hash,
        new TcpHalfStream(ctx, srcAddress, dstAddress, srcPort, dstPort, vlans, interfaceId, tunnels),
        new TcpHalfStream(ctx, dstAddress, srcAddress, dstPort, srcPort, vlans, interfaceId, tunnels),
        nowSec,
      );
      this.#insert(connection);
      ctx.counters.tcp_streams_opened++;
      stream = connection.a;
    } else {
      this.#touch(connection);
      connection.lastSeenSec = nowSec;
    }
    const bufferedBefore = stream!.bufferedBytes;
    if ((flags & TCP_RST) !== 0) {
      // Deliver what is complete, then the connection is gone.
      stream!.segment(seq, data, start, end, false);
      this.#bufferedBytes += stream!.bufferedBytes - bufferedBefore;
      this.#evict(connection, "tcp_streams_closed");
      return;
    }
    if ((flags & TCP_SYN) !== 0) stream!.syn(seq);
    stream!.segment((flags & TCP_SYN) !== 0 ? (seq + 1) >>> 0 : seq, data, start, end, (flags & TCP_FIN) !== 0);
    this.#bufferedBytes += stream!.bufferedBytes - bufferedBefore;
    if (connection.a.finished && connection.b.finished) {
      this.#remove(connection);
      this.#ctx.counters.tcp_streams_closed++;
      return;
    }
    // Over the table's byte budget: give up on the least recently used connections (this one is the newest).
    while (this.#bufferedBytes > this.#maxBufferedBytes && this.#oldest !== connection) {
      this.#evict(this.#oldest!, "tcp_streams_evicted");
    }
  }

  /** Bytes buffered by all connections (for tests and metrics). */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** Flush and drop connections idle for `idleTimeoutSec` or more at packet time `nowSec`. */
  expire(nowSec: number): void {
    while (this.#oldest !== null) {
      if (nowSec - this.#oldest.lastSeenSec < this.#idleTimeoutSec) break; // recency order: the rest are newer
      this.#evict(this.#oldest, "tcp_streams_expired");
    }
  }

  /** End of input: deliver what every connection can still deliver, drop the rest, empty the table. */
  flush(): void {
    for (let connection = this.#oldest; connection !== null; connection = connection.newer) {
      connection.a.flush();
      connection.b.flush();
    }
    this.#buckets.fill(null);
    this.#oldest = this.#newest = null;
    this.#size = 0;
    this.#bufferedBytes = 0;
  }

  /** Flush both directions (delivering what is complete), drop the connection and count it under `counter`. */
  #evict(connection: TcpConnection, counter: "tcp_streams_evicted" | "tcp_streams_expired" | "tcp_streams_closed") {
    this.#bufferedBytes -= connection.a.bufferedBytes + connection.b.bufferedBytes;
    connection.a.flush();
    connection.b.flush();
    this.#remove(connection);
    this.#ctx.counters[counter]++;
  }

  #insert(connection: TcpConnection): void {
    const bucket = connection.hash & this.#mask;
    connection.chain = this.#buckets[bucket];
    this.#buckets[bucket] = connection;
    this.#append(connection);
    this.#size++;
  }

  #remove(connection: TcpConnection): void {
    // What a flushed or finished connection still holds is dropped with it (and was counted by the stream).
    this.#bufferedBytes -= connection.a.bufferedBytes + connection.b.bufferedBytes;
    const bucket = connection.hash & this.#mask;
    let at = this.#buckets[bucket];
    if (at === connection) {
      this.#buckets[bucket] = connection.chain;
    } else {
      while (at !== null && at.chain !== connection) at = at.chain;
      if (at !== null) at.chain = connection.chain;
    }
    connection.chain = null;
    this.#unlink(connection);
    this.#size--;
  }

  /** Make `connection` the most recently used. */
  #touch(connection: TcpConnection): void {
    if (connection === this.#newest) return;
    this.#unlink(connection);
    this.#append(connection);
  }

  #append(connection: TcpConnection): void {
    connection.older = this.#newest;
    connection.newer = null;
    if (this.#newest === null) this.#oldest = connection;
    else this.#newest.newer = connection;
    this.#newest = connection;
  }

  #unlink(connection: TcpConnection): void {
    if (connection.older === null) this.#oldest = connection.newer;
    else connection.older.newer = connection.newer;
    if (connection.newer === null) this.#newest = connection.older;
    else connection.newer.older = connection.older;
    connection.older = connection.newer = null;
  }
}

/** FNV-1a over the address's four 32-bit words and the port. */
function endpointHash(address: Uint8Array, port: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i += 4) {
    h = Math.imul(
      h ^ ((address[i] << 24) | (address[i + 1] << 16) | (address[i + 2] << 8) | address[i + 3]),
      0x01000193,
    );
  }
  return Math.imul(h ^ port, 0x01000193);
}

/** murmur3's fmix32: bucket indexes take the low bits. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function sameAddress(x: number[], y: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return false;
  return true;
}
