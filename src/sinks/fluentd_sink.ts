/**
 * The Fluentd sink: records to a Fluentd (or Fluent Bit) `in_forward` input with `@fluent-org/logger`, in
 * PackedForward mode (one msgpack chunk per batch) with acknowledgements and the library's event retry, behind a
 * {@linkcode QueuedSink} that holds up to its queue bound while the server is away and drops (and counts)
 * beyond it. The original blocked every sink for up to 50 s and then exited; this one never stalls capture.
 *
 * - Address: a Unix socket path (as the original), `unix:///path`, or `tcp://host:port`.
 * - Tag: `<name>.service`, as the original. Time: the send time in whole seconds, as the original.
 * - Record: a msgpack map with the record's keys in order and JSON's types (integers, strings, booleans); `level`
 *   is left out when empty, as the original's msgpack encoding did.
 * - A batch is acknowledged record by record (chunk by chunk on the wire); a retry of the batch resends only the
 *   records not acknowledged yet. A server that acknowledges a chunk it then loses, or a chunk whose ack is lost,
 *   makes this at-least-once: a record can arrive twice, never silently not at all.
 *
 * @module
 */

// Imported here, statically: this module is itself imported only when -fluentd_socket is set (src/sensor.ts). A
// dynamic import of this CommonJS package gives no named exports once bundled with code splitting (the package).
import { FluentClient, FluentSocketEvent } from "@fluent-org/logger";
import { getLogger } from "@logtape/logtape";
import { QueuedSink, type QueuedSinkOptions, type RecordTransport } from "./queued_sink.ts";
import { SinkStartError } from "./sink_start_error.ts";

/** Where the sink connects, from `-fluentd_socket`. */
export type FluentdAddress = { path: string } | { host: string; port: number };

/**
 * `-fluentd_socket`: a path, `unix:///path` or `tcp://host:port` (IPv6 in brackets); null when malformed.
 *
 * @example
 * ```ts
 * import { parseFluentdAddress } from "./fluentd_sink.ts";
 * parseFluentdAddress("tcp://127.0.0.1:24224"); // { host: "127.0.0.1", port: 24224 }
 * parseFluentdAddress("/run/fluentd.sock"); // { path: "/run/fluentd.sock" }
 * ```
 */
export function parseFluentdAddress(text: string): FluentdAddress | null {
  if (text.startsWith("unix://")) return text.length > 7 ? { path: text.slice(7) } : null;
  if (!text.startsWith("tcp://")) return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? null : { path: text };
  const match = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/\[\]]+)):([0-9]{1,5})$/.exec(text);
  if (match === null) return null;
  const port = Number(match[3]);
  return port >= 1 && port <= 65535 ? { host: match[1] ?? match[2], port } : null;
}

/**
 * Deno's node:net reports a connection it has no permission for as an ordinary socket error, which the library
 * retries for ever without a word: check the permission first and refuse to start instead.
 */
function checkPermission(address: FluentdAddress): void {
  const descriptors: Deno.PermissionDescriptor[] = "path" in address
    ? [{ name: "read", path: address.path }, { name: "write", path: address.path }]
    : [{ name: "net", host: `${address.host.includes(":") ? `[${address.host}]` : address.host}:${address.port}` }];
  for (const descriptor of descriptors) {
    if (Deno.permissions.querySync(descriptor).state !== "granted") {
      const flag = descriptor.name === "net" ? "--allow-net" : `--allow-${descriptor.name}`;
      throw new SinkStartError(
        `the fluentd sink has no ${descriptor.name} permission for ${
          "path" in address ? address.path : descriptor.name === "net" ? descriptor.host : ""
        }: run with ${flag} (the deno tasks grant it)`,
      );
    }
  }
}

const NEWLINE = 0x0a;

/** One record line as the map Fluentd receives. */
function toEvent(line: string): Record<string, unknown> {
  const record = JSON.parse(line) as Record<string, unknown>;
  if (record.level === "") delete record.level;
  return record;
}

/** Delivers batches of records as acknowledged forward-protocol events. */
export class FluentdTransport implements RecordTransport {
  /** The batch being delivered and which of its records are acknowledged, so a retry skips them. */
  #current: { records: Uint8Array; acknowledged: Uint8Array } | null = null;

  constructor(readonly client: FluentClient) {}

  async send(records: Uint8Array, count: number): Promise<void> {
    if (this.#current?.records !== records) this.#current = { records, acknowledged: new Uint8Array(count) };
    const { acknowledged } = this.#current;
    const decoder = new TextDecoder();
    const emitted: Promise<void>[] = [];
    let start = 0;
    for (let index = 0; start < records.length; index++) {
      let end = records.indexOf(NEWLINE, start);
      if (end === -1) end = records.length;
      if (acknowledged[index] === 0) {
        const event = toEvent(decoder.decode(records.subarray(start, end)));
        emitted.push(
          this.client.emit("service", event).then(() => {
            acknowledged[index] = 1;
          }),
        );
      }
      start = end + 1;
    }
    const results = await Promise.allSettled(emitted);
    const failure = results.find((result) => result.status === "rejected");
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
    this.#current = null;
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}

/** Builds the client and its queued sink. */
export function createFluentdSink(
  socket: string,
  name: string,
  options: Partial<QueuedSinkOptions> = {},
): QueuedSink {
  const address = parseFluentdAddress(socket);
  if (address === null) {
    throw new SinkStartError(
      `invalid value ${JSON.stringify(socket)} for -fluentd_socket (PDNS_FLUENTD_SOCKET): expected a Unix socket ` +
        "path, unix:///path or tcp://host:port",
    );
  }
  checkPermission(address);
  const client = new FluentClient(name, {
    eventMode: "PackedForward",
    socket: { ...address, timeout: -1, reconnect: { delay: 250, backoff: 2, minDelay: 250, maxDelay: 5_000 } },
    ack: { ackTimeout: 10_000 },
    eventRetry: { attempts: 4, delay: 250, backoff: 2, maxDelay: 5_000, onError: () => {} },
  });
  // The client reconnects and retries in silence; say once per episode that the server is away, and when it is back.
  const log = getLogger(["denopassivedns", "fluentd"]);
  let away = false;
  client.socketOn(FluentSocketEvent.ERROR, (error: Error) => {
    if (away) return;
    away = true;
    log.warn(`Sink fluentd: ${socket}: ${error.message}; reconnecting, records wait in the queue`);
  });
  client.socketOn(FluentSocketEvent.ESTABLISHED, () => {
    if (away) log.info(`Sink fluentd: ${socket}: connected again`);
    away = false;
  });
  return new QueuedSink("fluentd", new FluentdTransport(client), options);
}
