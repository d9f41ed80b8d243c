/**
 * SIGINT/SIGTERM during a run: the first stops the capture and lets everything held be flushed; a second ends the
 * process at once (status 130). The watchdog (src/signal_watchdog.ts) ends it at the second signal when the main
 * thread is blocked or busy and cannot, printing the last summary it was handed.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { PacketSource } from "./capture/packet.ts";
import { LOG_CATEGORY } from "./config/logging.ts";
import { SignalWatchdog } from "./signal_watchdog.ts";

const log = getLogger([LOG_CATEGORY, "main"]);

/** What a run needs from its signal handling. */
export interface SignalOptions {
  /** Stops the capture after the current batch (the first signal). */
  stop(): void;
  /** The summary line of the counts so far. */
  summary(): string;
  /** Stdout's flags before the run made its pipe non-blocking, or null: restored if the watchdog ends the process. */
  stdoutFlags: number | null;
  /** Ends the process with status 130 (main.ts owns `Deno.exit`). */
  exitInterrupted(): never;
}

/** The signal handling installed for a run. */
export interface Signals {
  /**
   * Hands the current summary to the watchdog: at most every {@linkcode WATCHDOG_UPDATE_MS} at batch ends, at once when
   * `now` (the end of input, and the first signal, which updates it itself).
   */
  update(now?: boolean): void;
  /** SIGINT/SIGTERM seen so far (by this thread or the watchdog, which sees even those this thread missed). */
  count(): number;
  remove(): void;
}

/**
 * How often batch ends hand the watchdog a summary. Every batch end did: a line of every counter built, posted and
 * read by the watchdog's thread, about 270 times on the 1M-pair file (1–2 % of the CPU of a `-numprocs 2` run), and
 * at every drain of a live capture, hundreds of times a second.
 */
export const WATCHDOG_UPDATE_MS = 200;

export function installSignals(options: SignalOptions): Signals {
  const watchdog = new SignalWatchdog();
  if (options.stdoutFlags !== null) watchdog.restoreStdoutFlagsAtExit(options.stdoutFlags);
  let signals = 0;
  let updatedAt = -Infinity;
  const update = (now = false) => {
    const at = performance.now();
    if (!now && at - updatedAt < WATCHDOG_UPDATE_MS) return;
    updatedAt = at;
    watchdog.update(options.summary());
  };
  const onSignal = () => {
    signals++;
    if (signals === 1) {
      log.info("Caught signal, flushing and exiting");
      update(true);
      options.stop();
    } else {
      log.warn("Second signal: exiting without waiting for the flush");
      log.info(options.summary());
      options.exitInterrupted();
    }
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  return {
    update,
    count: () => Math.max(signals, watchdog.signals),
    remove: () => {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
      watchdog.close();
    },
  };
}

/** `source` with `beforeBatchEnd` called at each batch end, before the batch's records are written. */
export function watchBatches(source: PacketSource, beforeBatchEnd: () => void): PacketSource {
  return {
    run: (onPacket, onBatchEnd, onClock) =>
      source.run(onPacket, () => {
        beforeBatchEnd();
        return onBatchEnd();
      }, onClock),
    stop: () => source.stop(),
    get timestampsClamped() {
      return source.timestampsClamped;
    },
    get regularFile() {
      return source.regularFile;
    },
    shareBuffers: source.shareBuffers === undefined
      ? undefined
      : (pool, readAhead) => source.shareBuffers!(pool, readAhead),
  };
}
