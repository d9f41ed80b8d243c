/**
 * Records to syslog, one record per message, through a {@linkcode QueuedSink} (a slow or absent daemon never stalls
 * capture: when the queue is full, records are dropped and counted):
 * - local (default): libc `syslog(3)` from a worker, tag `-syslog_tag`, facility and severity from the options;
 * - remote (`-syslog_server udp://host:port` or `tcp://host:port`): RFC 5424 messages, one per UDP datagram
 *   (RFC 5426) or octet-counted on TCP (RFC 6587 §3.4.1), see `syslog_remote.ts`.
 *
 * @module
 */

import { QueuedSink, type QueuedSinkOptions, type RecordTransport } from "./queued_sink.ts";
import { facilityCode, severityCode } from "./syslog_codes.ts";
import { RemoteSyslogTransport } from "./syslog_remote.ts";
import { openLibcSyslog, pathExists } from "./libc_syslog_ffi.ts";
import { SinkStartError } from "./sink_start_error.ts";
import type { SyslogServer } from "../config/endpoints.ts";
import type { SyslogWorkerRequest } from "./syslog_worker.ts";

export interface SyslogSettings {
  facility: string;
  priority: string;
  tag: string;
  /** A remote server, or null for the local syslog. */
  server: SyslogServer | null;
}

/** Where libc's syslog(3) connects (glibc: `_PATH_LOG`). */
const LOCAL_SYSLOG_SOCKET = "/dev/log";

/** @throws {SinkStartError} when the local syslog socket does not exist (libc would then drop every message). */
export function syslogSink(settings: SyslogSettings, options: Partial<QueuedSinkOptions>): QueuedSink {
  if (settings.server === null && !pathExists(openLibcSyslog(), LOCAL_SYSLOG_SOCKET)) {
    throw new SinkStartError(
      `failed to connect to the local syslog daemon: ${LOCAL_SYSLOG_SOCKET} does not exist ` +
        "(start rsyslog or journald, or send to a server with -syslog_server)",
    );
  }
  const facility = facilityCode(settings.facility);
  const severity = severityCode(settings.priority);
  const transport = settings.server === null
    ? new LocalSyslogTransport(settings.tag, facility, severity)
    : new RemoteSyslogTransport(settings.server, settings.tag, facility | severity);
  return new QueuedSink("syslog", transport, options);
}

/** How long `close` waits for the worker's closelog. */
const CLOSE_GRACE_MS = 200;

interface WorkerReply {
  id: number;
  /** Records of the batch too long for the local socket (not sent). */
  skipped?: number;
  error?: string;
}

/** syslog(3) in a worker: each batch is posted to it and settles when its last record was handed to libc. */
export class LocalSyslogTransport implements RecordTransport {
  readonly #worker: Worker;
  readonly #priority: number;
  readonly #waiting = new Map<number, { resolve: (skipped: number) => void; reject: (error: Error) => void }>();
  #next = 1;
  readonly #opened: Promise<void>;

  constructor(tag: string, facility: number, severity: number) {
    this.#priority = facility | severity;
    this.#worker = new Worker(new URL("./syslog_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const waiting = this.#waiting.get(event.data.id);
      this.#waiting.delete(event.data.id);
      if (event.data.error === undefined) waiting?.resolve(event.data.skipped ?? 0);
      else waiting?.reject(new Error(event.data.error));
    };
    this.#opened = this.#request(0, { kind: "open", tag, facility }).then(() => {});
  }

  /** Resolves with the number of records too long for the local socket (counted as failed). */
  async send(records: Uint8Array): Promise<number> {
    await this.#opened;
    const id = this.#next++;
    // Copied (exactly the batch: a view would clone its whole buffer), not transferred: a transfer detaches, and the
    // first detach in an isolate makes every typed array access of the hot code slower (src/parallel/remote_stage.ts).
    return await this.#request(id, { kind: "send", id, records: records.slice(), priority: this.#priority });
  }

  /**
   * closelog, then the worker ends. A worker still blocked in syslog(3) (a stopped daemon) is not waited for beyond
   * a short grace: the queue's close deadline has already counted what it held as failed.
   */
  async close(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_GRACE_MS));
    await Promise.race([this.#request(-1, { kind: "close" }).catch(() => {}), grace]);
    clearTimeout(timer);
    this.#worker.terminate();
  }

  #request(id: number, request: SyslogWorkerRequest): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage(request);
    });
  }
}
