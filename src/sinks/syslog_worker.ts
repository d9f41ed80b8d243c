/**
 * The worker that calls `syslog(3)`: one call per record, in order. Runs off the capture thread because a call
 * blocks while the daemon's socket is full; the queue in front of it (QueuedSink) is what drops and counts.
 *
 * Messages: `{ kind: "open", tag, facility }` once, then `{ kind: "send", id, records, priority }` (a batch of
 * newline-terminated records), answered with `{ id, skipped }` after the last call (`skipped`: records too long to
 * send); `{ kind: "close" }` at the end.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { cString, LOG_NDELAY, LOG_PID, openLibcSyslog } from "./libc_syslog_ffi.ts";

export type SyslogWorkerRequest =
  | { kind: "open"; tag: string; facility: number }
  | { kind: "send"; id: number; records: Uint8Array<ArrayBuffer>; priority: number }
  | { kind: "close" };

const FORMAT = cString("%s");

/**
 * Longest record sent to the local socket. syslog(3) sends one datagram per message on a Unix datagram socket, whose
 * largest datagram is bounded by the socket buffer (`net.core.wmem_default`, 212 992 bytes on Linux by default); a
 * longer message fails with EMSGSIZE and libc drops it silently (measured: a 314 KB record never arrived). Records
 * past this bound are not sent, and are counted as failed.
 */
export const LOCAL_MAX_RECORD = 200_000;
let libc: ReturnType<typeof openLibcSyslog> | null = null;
/** openlog keeps the pointer, so the tag buffer must live as long as the worker. */
let ident: Uint8Array<ArrayBuffer> | null = null;

self.onmessage = (event: MessageEvent<SyslogWorkerRequest>) => {
  const request = event.data;
  try {
    if (request.kind === "open") {
      libc = openLibcSyslog();
      ident = cString(request.tag);
      libc.openlog(ident, LOG_PID | LOG_NDELAY, request.facility);
      self.postMessage({ id: 0 });
    } else if (request.kind === "send") {
      const records = request.records; // our own copy: each newline becomes the message's NUL terminator
      let start = 0;
      let skipped = 0;
      for (let end = records.indexOf(0x0a); end !== -1; end = records.indexOf(0x0a, start)) {
        if (end - start > LOCAL_MAX_RECORD) {
          skipped++; // one datagram could not carry it: libc would drop it without a word
        } else {
          records[end] = 0;
          libc!.syslog(request.priority, FORMAT, records.subarray(start, end + 1));
        }
        start = end + 1;
      }
      self.postMessage({ id: request.id, skipped });
    } else {
      libc?.closelog();
      self.postMessage({ id: -1 });
    }
  } catch (error) {
    const id = request.kind === "send" ? request.id : request.kind === "open" ? 0 : -1;
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
