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
 * The Map's insertion order is the recency order: a touched connection is moved to the end.
 *
 * @module
 */
import { TcpContext, TcpHalfStream } from "./tcp_stream.ts";
import { TCP_FIN, TCP_RST, TCP_SYN } from "./tcp_segment.ts";

class TcpConnection {
  lastSeenSec: number;
  constructor(readonly a: TcpHalfStream, readonly b: TcpHalfStream, nowSec: number) {
    this.lastSeenSec = nowSec;
  }
}

/** Connections keyed by their unordered endpoint pair, bounded, expiring on packet time. */
export class TcpTable {
  readonly #connections = new Map<string, TcpConnection>();
  readonly #ctx: TcpContext;
  readonly #maxConnections: number;
  readonly #idleTimeoutSec: number;

  constructor(ctx: TcpContext, maxConnections: number, idleTimeoutSec: number) {
    this.#ctx = ctx;
    this.#maxConnections = Math.max(1, maxConnections);
    this.#idleTimeoutSec = idleTimeoutSec;
  }

  /** Connections tracked. */
  get size(): number {
    return this.#connections.size;
  }

  /**
   * One segment from srcIp:srcPort to dstIp:dstPort, data `data[start, end)`. The frame's time and
   * length must already be in the context. `vlans` is kept by a new connection (not copied).
   */
  segment(
    srcIp: string,
    srcPort: number,
    dstIp: string,
    dstPort: number,
    seq: number,
    flags: number,
    data: Uint8Array,
    start: number,
    end: number,
    nowSec: number,
    vlans: number[],
    interfaceId: number,
  ): void {
    const forward = srcIp < dstIp || (srcIp === dstIp && srcPort <= dstPort);
    const key = forward
      ? srcIp + " " + srcPort + " " + dstIp + " " + dstPort
      : dstIp + " " + dstPort + " " + srcIp + " " + srcPort;
    const connections = this.#connections;
    let connection = connections.get(key);
    if (connection === undefined) {
      if ((flags & TCP_SYN) === 0 && end === start) return; // stray ACK / FIN / RST
      if (connections.size >= this.#maxConnections) this.#evictLeastRecent();
      const ctx = this.#ctx;
      connection = new TcpConnection(
        new TcpHalfStream(ctx, srcIp, dstIp, srcPort, dstPort, vlans, interfaceId),
        new TcpHalfStream(ctx, dstIp, srcIp, dstPort, srcPort, vlans, interfaceId),
        nowSec,
      );
      connections.set(key, connection);
      ctx.counters.tcp_streams_opened++;
    } else {
      connections.delete(key); // move to the most-recent end
      connections.set(key, connection);
      connection.lastSeenSec = nowSec;
    }
    const stream = connection.a.srcPort === srcPort && connection.a.srcIp === srcIp ? connection.a : connection.b;
    if ((flags & TCP_RST) !== 0) {
      // Deliver what is complete, then the connection is gone.
      stream.segment(seq, data, start, end, false);
      this.#close(key, connection);
      return;
    }
    if ((flags & TCP_SYN) !== 0) stream.syn(seq);
    stream.segment((flags & TCP_SYN) !== 0 ? (seq + 1) >>> 0 : seq, data, start, end, (flags & TCP_FIN) !== 0);
    if (connection.a.finished && connection.b.finished) {
      connections.delete(key);
      this.#ctx.counters.tcp_streams_closed++;
    }
  }

  #close(key: string, connection: TcpConnection): void {
    connection.a.flush();
    connection.b.flush();
    this.#connections.delete(key);
    this.#ctx.counters.tcp_streams_closed++;
  }

  #evictLeastRecent(): void {
    for (const [key, connection] of this.#connections) {
      connection.a.flush();
      connection.b.flush();
      this.#connections.delete(key);
      this.#ctx.counters.tcp_streams_evicted++;
      return;
    }
  }

  /** Flush and drop connections idle for `idleTimeoutSec` or more at packet time `nowSec`. */
  expire(nowSec: number): void {
    for (const [key, connection] of this.#connections) {
      if (nowSec - connection.lastSeenSec < this.#idleTimeoutSec) break; // recency order: the rest are newer
      connection.a.flush();
      connection.b.flush();
      this.#connections.delete(key);
      this.#ctx.counters.tcp_streams_expired++;
    }
  }

  /** End of input: deliver what every connection can still deliver, drop the rest, empty the table. */
  flush(): void {
    for (const connection of this.#connections.values()) {
      connection.a.flush();
      connection.b.flush();
    }
    this.#connections.clear();
  }
}
