/** Tuning of the packet decoder: which ports carry DNS and how much state it may keep. */
export interface DecoderOptions {
  /** DNS is recognised when the source or destination port is in the set, for UDP and TCP. */
  dnsPorts: ReadonlySet<number>;
  /** Partial IP datagrams held for reassembly; the oldest is evicted when full. */
  maxFragmentSets: number;
  /** A partial IP datagram is dropped this many seconds (packet time) after its first fragment. */
  fragmentTimeoutSec: number;
  /** TCP connections tracked at once; the least recently used is evicted when full. */
  maxTcpStreams: number;
  /** Bytes buffered per direction of a TCP connection (partial message plus out-of-order segments). */
  maxTcpStreamBytes: number;
  /**
   * Bytes buffered by all TCP connections together: without it the two bounds above still allow
   * 4096 × 2 × 256 KiB = 2 GiB. Over it, the least recently used connections are evicted.
   */
  maxTcpBufferedBytes: number;
  /** A TCP connection without a segment for this many seconds (packet time) is flushed and closed. */
  tcpIdleTimeoutSec: number;
  /** UDP ports decapsulated as tunnels (a DNS port wins); absent: {@linkcode DEFAULT_TUNNEL_PORTS}. */
  tunnelPorts?: TunnelPorts;
}

/** UDP ports of each tunnel kind; an empty list turns that kind off. */
export interface TunnelPorts {
  vxlan: readonly number[];
  geneve: readonly number[];
  /** GRE-in-UDP (RFC 8086). */
  greUdp: readonly number[];
  gtpu: readonly number[];
  teredo: readonly number[];
}

/** The IANA ports (and Linux's old VXLAN port 8472). */
export const DEFAULT_TUNNEL_PORTS: TunnelPorts = Object.freeze({
  vxlan: [4789, 8472],
  geneve: [6081],
  greUdp: [4754],
  gtpu: [2152],
  teredo: [3544],
});

/**
 * The defaults: port 53, 1024 partial datagrams for 30 s, 4096 connections of 256 KiB per direction idle 120 s,
 * 64 MiB of TCP data buffered in all.
 */
export const DEFAULT_DECODER_OPTIONS: DecoderOptions = Object.freeze({
  dnsPorts: new Set([53]) as ReadonlySet<number>,
  maxFragmentSets: 1024,
  fragmentTimeoutSec: 30,
  maxTcpStreams: 4096,
  maxTcpStreamBytes: 256 * 1024,
  maxTcpBufferedBytes: 64 * 1024 * 1024,
  tcpIdleTimeoutSec: 120,
  tunnelPorts: DEFAULT_TUNNEL_PORTS,
});
