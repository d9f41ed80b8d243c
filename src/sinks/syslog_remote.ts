/**
 * Syslog to a remote server, for machines without a local daemon: RFC 5424 messages
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - MSG`, the record as MSG (no BOM: the default format is ASCII).
 *
 * - UDP (RFC 5426): one datagram per record. A record whose message exceeds 65 507 bytes cannot travel in one
 *   datagram: it is skipped and counted as failed (never cut).
 * - TCP (RFC 6587 §3.4.1, octet counting): `LEN SP MSG`, so records of any length arrive whole. A batch is one
 *   write; after a connection error the next attempt reconnects and sends the whole batch again, so records of a
 *   batch cut by a reset may arrive twice (at least once, never lost silently).
 *
 * @module
 */

import dgram from "node:dgram";
import type { SyslogServer } from "../config/endpoints.ts";
import type { RecordTransport } from "./queued_sink.ts";

/** Largest UDP payload over IPv4 (65 535 − 8 UDP − 20 IP). */
export const MAX_UDP_MESSAGE = 65_507;

const encoder = new TextEncoder();

/** APP-NAME: printable ASCII without spaces, at most 48 characters (RFC 5424 §6.2.5); "-" when empty. */
export function appName(tag: string): string {
  const cleaned = tag.replace(/[^\x21-\x7e]/g, "_").slice(0, 48);
  return cleaned === "" ? "-" : cleaned;
}

/** The header of every message sent now: `<PRI>1 2026-12-04T15:00:00.123Z host tag 1234 - - `. */
export function rfc5424Header(pri: number, time: Date, host: string, tag: string, pid: number): string {
  return `<${pri}>1 ${time.toISOString()} ${appName(host)} ${appName(tag)} ${pid} - - `;
}

export class RemoteSyslogTransport implements RecordTransport {
  #udp: dgram.Socket | null = null;
  #tcp: Deno.TcpConn | null = null;
  readonly #host: string;

  constructor(readonly server: SyslogServer, readonly tag: string, readonly pri: number) {
    let host = "-";
    try {
      host = Deno.hostname();
    } catch { /* no --allow-sys=hostname: NILVALUE */ }
    this.#host = host;
  }

  async send(records: Uint8Array, count: number): Promise<number> {
    const header = encoder.encode(rfc5424Header(this.pri, new Date(), this.#host, this.tag, Deno.pid));
    return this.server.transport === "udp"
      ? await this.#sendUdp(records, header)
      : await this.#sendTcp(records, header, count);
  }

  async close(): Promise<void> {
    try {
      this.#tcp?.close();
    } catch { /* already closed by the peer */ }
    this.#tcp = null;
    const udp = this.#udp;
    this.#udp = null;
    if (udp === null) return;
    // The close callback is not waited for past a short grace: in Deno it never fires for a socket that sent
    // nothing (seen when every record of a run was too long for a datagram), and the process must still end.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => udp.close(() => resolve())),
      new Promise<void>((resolve) => timer = setTimeout(resolve, 200)),
    ]);
    clearTimeout(timer);
  }

  /** One datagram per record; resolves with the number of records too long for a datagram. */
  async #sendUdp(records: Uint8Array, header: Uint8Array): Promise<number> {
    const sends: Promise<void>[] = [];
    let tooLong = 0;
    let start = 0;
    for (let end = records.indexOf(0x0a); end !== -1; end = records.indexOf(0x0a, start)) {
      const length = header.length + end - start;
      if (length > MAX_UDP_MESSAGE) {
        tooLong++;
      } else {
        if (this.#udp === null) {
          this.#udp = dgram.createSocket(this.server.host.includes(":") ? "udp6" : "udp4");
          this.#udp.on("error", () => {}); // send errors reach each send's callback
        }
        const udp = this.#udp;
        const message = new Uint8Array(length);
        message.set(header);
        message.set(records.subarray(start, end), header.length);
        sends.push(
          new Promise<void>((resolve, reject) =>
            udp.send(message, this.server.port, this.server.host, (error) => error ? reject(error) : resolve())
          ),
        );
      }
      start = end + 1;
    }
    await Promise.all(sends);
    return tooLong;
  }

  /**
   * Reads the connection until the server closes it (a syslog server never sends anything), so a connection the
   * server has closed (restart, idle timeout) is replaced before the next batch instead of swallowing it: a write
   * into a half-closed connection succeeds locally and is lost.
   */
  async #watch(conn: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(512);
    try {
      while ((await conn.read(buffer)) !== null) { /* nothing is expected from the server */ }
    } catch { /* reset, or closed by us */ }
    if (this.#tcp === conn) {
      this.#tcp = null;
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  /** The batch as one write of octet-counted frames; reconnects when there is no connection. */
  async #sendTcp(records: Uint8Array, header: Uint8Array, count: number): Promise<number> {
    const frames = new Uint8Array(records.length - count + count * (header.length + 12));
    let at = 0;
    let start = 0;
    for (let end = records.indexOf(0x0a); end !== -1; end = records.indexOf(0x0a, start)) {
      at += encoder.encodeInto(`${header.length + end - start} `, frames.subarray(at)).written;
      frames.set(header, at);
      at += header.length;
      frames.set(records.subarray(start, end), at);
      at += end - start;
      start = end + 1;
    }
    try {
      if (this.#tcp === null) {
        this.#tcp = await Deno.connect({ hostname: this.server.host, port: this.server.port });
        this.#watch(this.#tcp);
      }
      let done = 0;
      while (done < at) done += await this.#tcp.write(frames.subarray(done, at));
    } catch (error) {
      try {
        this.#tcp?.close();
      } catch { /* already closed by the peer */ }
      this.#tcp = null;
      throw error;
    }
    return 0;
  }
}
