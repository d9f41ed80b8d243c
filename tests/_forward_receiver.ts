/**
 * A Fluentd forward-protocol receiver for the tests (no Fluentd or Fluent Bit is installable here): it listens on a
 * Unix socket or a TCP port, decodes every message with a real msgpack library (`@msgpack/msgpack`) in any of the
 * protocol's modes (Message, Forward, PackedForward, CompressedPackedForward is not offered by the sink), keeps the
 * events, and acknowledges each chunk that asks for it (`{"ack": chunk}`), as Fluentd's in_forward does.
 * `stop()` drops every connection and anything not yet acknowledged, as a crashed server would.
 *
 * @module
 */

import { decodeMulti, decodeMultiStream, encode } from "@msgpack/msgpack";

export interface ForwardEvent {
  tag: string;
  time: unknown;
  record: Record<string, unknown>;
}

export class ForwardReceiver {
  readonly events: ForwardEvent[] = [];
  /** Chunks received and acknowledged. */
  chunks = 0;
  #listener: Deno.Listener | null = null;
  readonly #connections = new Set<Deno.Conn>();
  #serving: Promise<void> | null = null;

  private constructor(readonly address: { path: string } | { port: number }) {}

  /** Listens on this Unix socket path, or on a free TCP port of 127.0.0.1 when `path` is undefined. */
  static start(path?: string): ForwardReceiver {
    const receiver = new ForwardReceiver(path === undefined ? { port: 0 } : { path });
    receiver.#listen();
    return receiver;
  }

  /** `-fluentd_socket` for this receiver. */
  get socketOption(): string {
    return "path" in this.address ? this.address.path : `tcp://127.0.0.1:${this.address.port}`;
  }

  #listen(): void {
    if ("path" in this.address) {
      try {
        Deno.removeSync(this.address.path);
      } catch { /* not there */ }
      this.#listener = Deno.listen({ transport: "unix", path: this.address.path });
    } else {
      this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.address.port });
      (this.address as { port: number }).port = (this.#listener.addr as Deno.NetAddr).port;
    }
    const listener = this.#listener;
    this.#serving = (async () => {
      try {
        for await (const conn of listener) {
          this.#connections.add(conn);
          this.#serve(conn).finally(() => this.#connections.delete(conn));
        }
      } catch { /* listener closed */ }
    })();
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    try {
      for await (const message of decodeMultiStream(conn.readable)) {
        if (!Array.isArray(message) || typeof message[0] !== "string") throw new Error("not a forward message");
        const tag = message[0];
        let option: Record<string, unknown> | undefined;
        if (Array.isArray(message[1])) { // Forward mode: [tag, [[time, record], ...], option]
          for (const [time, record] of message[1]) this.events.push({ tag, time, record });
          option = message[2];
        } else if (message[1] instanceof Uint8Array || typeof message[1] === "string") { // PackedForward
          const bytes = typeof message[1] === "string" ? new TextEncoder().encode(message[1]) : message[1];
          for (const entry of decodeMulti(bytes)) {
            const [time, record] = entry as [unknown, Record<string, unknown>];
            this.events.push({ tag, time, record });
          }
          option = message[2];
        } else { // Message mode: [tag, time, record, option]
          this.events.push({ tag, time: message[1], record: message[2] });
          option = message[3];
        }
        this.chunks++;
        if (option?.chunk !== undefined) await writeAll(conn, encode({ ack: option.chunk }));
      }
    } catch {
      /* connection dropped */
    } finally {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  /** Closes the listener and every connection at once, unacknowledged data lost, as a crash. */
  async stop(): Promise<void> {
    this.#listener?.close();
    for (const conn of this.#connections) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await this.#serving;
    this.#listener = null;
  }

  /** Listens again on the same path or port. */
  restart(): void {
    this.#listen();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}
