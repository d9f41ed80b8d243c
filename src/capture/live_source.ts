/**
 * Live capture from a network interface through libpcap, as a {@linkcode PacketSource}: the pipeline cannot tell it
 * from a file.
 *
 * The event loop is never blocked and no FFI call is made per packet. The handle is non-blocking; the one wait,
 * for its descriptor to become readable, is a `poll` run on a thread of Deno's blocking pool (a `nonblocking` FFI
 * call) with a short timeout, so `stop()` is honoured within it. Then everything waiting is drained synchronously
 * in batches copied out by libpcap itself (src/capture/_capture_batch.ts). Timestamps are libpcap's (the kernel's).
 *
 * Time on a quiet link: pairing and expiry run on packet time, which stands still when no packets come, so the
 * run loop also hands the wall clock to `onClock` twice a second, then ends a batch so whatever that expired is
 * written. libpcap's statistics are reported as deltas every `statsIntervalSec` and at the end.
 *
 * An interface that goes down or disappears ends the run with a CaptureError when `retry` is off; otherwise the
 * source says so, closes the handle and reopens it with back-off (1 s doubling to 30 s), running the clock meanwhile.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { LOG_CATEGORY } from "../config/logging.ts";
import type { Counters } from "../metrics/counters.ts";
import { CaptureBatch } from "./_capture_batch.ts";
import { EventLoopTurn } from "./_event_loop_turn.ts";
import {
  type CaptureStats,
  InterfaceUnavailable,
  LiveHandle,
  type LiveHandleOptions,
  unknownInterfaceError,
} from "./_live_handle.ts";
import { LinkState } from "./_link_state.ts";
import { CaptureStatsDeltas, statsLine } from "./capture_stats.ts";
import { libc, POLLFD_SIZE, POLLIN } from "../libc_ffi.ts";
import { linkTypeName } from "./link_types.ts";
import { CaptureError, type ClockHandler, type PacketHandler, type PacketSource } from "./packet.ts";

const log = getLogger([LOG_CATEGORY, "capture"]);

/** Longest wait for the descriptor: how late `stop()` and the clock can be on an idle link. */
const POLL_TIMEOUT_MS = 100;
/** libpcap's packet buffer timeout: the oldest a packet of a quiet link gets before it is handed over. */
export const PACKET_TIMEOUT_MS = 100;
/** How often the wall clock is handed to the pipeline. */
const CLOCK_TICK_MS = 500;
/** Packets drained before the batch ends (output flushed, event loop turned), so signals and timers keep running. */
const DRAIN_LIMIT = 16_384;
/** After `stop()`, packets keep being drained this long: those in a ring block the kernel has not handed over yet. */
const STOP_DRAIN_MS = 2 * PACKET_TIMEOUT_MS + 50;
/** How often the interface's up/down state is read. */
const LINK_CHECK_MS = 1_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export interface LiveSourceOptions extends LiveHandleOptions {
  /** Reopen an interface that went down or disappeared (with back-off) instead of failing the run. */
  retry: boolean;
  /** Seconds between `Statistics received: …` lines on stderr; the counters are updated at the same time. */
  statsIntervalSec: number;
  /** Where `pcap_received`, `pcap_dropped`, `pcap_ifdropped` and `capture_restarts` are added. */
  counters: Counters;
}

export class LiveSource implements PacketSource {
  readonly #options: LiveSourceOptions;
  #handle: LiveHandle | null;
  #batch: CaptureBatch | null = null;
  readonly #deltas = new CaptureStatsDeltas();
  /** Wall-clock ms at which `stop()` was first called, or -1. */
  #stopAt = -1;
  #started = false;
  #lastTickMs = 0;
  #lastStatsMs = 0;
  #retryMs = RETRY_FIRST_MS;
  readonly #link: LinkState;
  /** A handle has been open before (a later opening is a restart). */
  #opened: boolean;
  #lastLinkCheckMs = 0;

  private constructor(options: LiveSourceOptions, handle: LiveHandle | null) {
    this.#options = options;
    this.#handle = handle;
    this.#link = new LinkState(options.device);
    this.#opened = handle !== null;
  }

  /**
   * Opens the capture. An interface that is down is waited for when `retry` is on.
   *
   * @throws {ConfigError} for an unknown interface or a bad filter
   * @throws {CaptureError} when not permitted, libpcap is missing, or (without `retry`) the interface is down
   */
  static open(options: LiveSourceOptions): LiveSource {
    try {
      return new LiveSource(options, LiveHandle.open(options));
    } catch (error) {
      if (!(error instanceof InterfaceUnavailable)) throw error;
      // At start-up a missing interface is most likely a typo: a usage error listing the interfaces there are.
      if (error.missing) throw unknownInterfaceError(options.device);
      if (!options.retry) throw error;
      log.warn(`${error.message}; waiting for it to come up (-dev_retry)`);
      return new LiveSource(options, null);
    }
  }

  /** The link type of the frames, or -1 while the interface is not open. */
  get linkType(): number {
    return this.#handle?.linkType ?? -1;
  }

  async run(onPacket: PacketHandler, onBatchEnd: () => Promise<void>, onClock?: ClockHandler): Promise<void> {
    if (this.#started) throw new CaptureError(`Capture on ${this.#options.device} is already running`);
    this.#started = true;
    const turns = new EventLoopTurn();
    const pollfd = new Uint8Array(POLLFD_SIZE);
    const pollView = new DataView(pollfd.buffer);
    this.#lastTickMs = this.#lastStatsMs = Date.now();
    // Said when the run starts (signal handlers are in place by then), not when the handle is opened.
    if (this.#handle !== null) logOpened(this.#handle, this.#options);
    try {
      while (true) {
        const handle = this.#handle;
        if (handle === null) {
          if (!await this.#reopen(onBatchEnd, onClock)) return;
          continue;
        }
        const batch = this.#batch ??= new CaptureBatch(handle, this.#options.snaplen);
        const [drained, status] = this.#drain(batch, onPacket);
        if (drained > 0) await onBatchEnd();
        if (status < 0) {
          this.#lost(handle.lastError());
          continue;
        }
        await this.#tick(onBatchEnd, onClock);
        if (this.#stopAt >= 0 && Date.now() >= this.#stopAt + STOP_DRAIN_MS) return;
        if (drained >= DRAIN_LIMIT) {
          await turns.next(); // more is waiting: let signals and timers in, then go on draining
          continue;
        }
        pollView.setInt32(0, handle.fd, true);
        pollView.setInt16(4, POLLIN, true);
        pollView.setInt16(6, 0, true);
        await libc().poll_wait(pollfd, 1n, POLL_TIMEOUT_MS);
      }
    } finally {
      turns.close();
      this.#link.close();
      this.#close();
    }
  }

  /**
   * Makes `run` finish: it goes on draining for a moment (packets the kernel holds in a ring block it has not
   * handed over yet), ends the batch, and resolves. Safe from a signal handler.
   */
  stop(): void {
    if (this.#stopAt < 0) this.#stopAt = Date.now();
  }

  /** Drains up to DRAIN_LIMIT packets; returns how many and the last libpcap status (negative: the capture failed). */
  #drain(batch: CaptureBatch, onPacket: PacketHandler): [number, number] {
    let drained = 0;
    while (drained < DRAIN_LIMIT) {
      const status = batch.fill();
      if (status > 0) {
        batch.deliver(onPacket);
        drained += status;
      }
      if (status < batch.maxPackets) return [drained, status];
    }
    return [drained, 0];
  }

  /** The clock and the statistics, when due. */
  async #tick(onBatchEnd: () => Promise<void>, onClock: ClockHandler | undefined): Promise<void> {
    const now = Date.now();
    if (onClock !== undefined && now - this.#lastTickMs >= CLOCK_TICK_MS) {
      this.#lastTickMs = now;
      onClock(Math.floor(now / 1000), (now % 1000) * 1_000_000);
      await onBatchEnd();
    }
    let change = null;
    // Only while a handle is open: otherwise the reopening says what is wrong.
    if (this.#handle !== null && now - this.#lastLinkCheckMs >= LINK_CHECK_MS) {
      this.#lastLinkCheckMs = now;
      change = this.#link.check();
    }
    if (change === "down") {
      log.warn(`Interface ${this.#options.device} is down: no packets until it is up again (the capture stays open)`);
    } else if (change === "up") {
      log.info(`Interface ${this.#options.device} is up again`);
    }
    if (now - this.#lastStatsMs >= this.#options.statsIntervalSec * 1000) {
      this.#lastStatsMs = now;
      this.#report();
    }
  }

  /** Adds libpcap's counts since the last report to the counters and logs them. */
  #report(): CaptureStats | null {
    const stats = this.#handle?.stats();
    if (stats === null || stats === undefined) return null;
    const delta = this.#deltas.next(stats);
    const counters = this.#options.counters;
    counters.pcap_received += delta.received;
    counters.pcap_dropped += delta.dropped;
    counters.pcap_ifdropped += delta.ifDropped;
    log.info(statsLine(delta));
    return delta;
  }

  /** The capture failed (interface down or gone): fail the run, or close the handle for `#reopen`. */
  #lost(reason: string): void {
    const device = this.#options.device;
    if (!this.#options.retry) throw new CaptureError(`Capture on ${device} failed: ${reason}`);
    log.error(`Capture on ${device} failed: ${reason}; reopening it in ${this.#retryMs / 1000} s (-dev_retry)`);
    this.#close();
  }

  /** Waits out the back-off, then tries to open the interface again. Returns false when stopped meanwhile. */
  async #reopen(onBatchEnd: () => Promise<void>, onClock: ClockHandler | undefined): Promise<boolean> {
    const until = Date.now() + this.#retryMs;
    while (Date.now() < until) {
      if (this.#stopAt >= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_TIMEOUT_MS, until - Date.now())));
      await this.#tick(onBatchEnd, onClock);
    }
    try {
      this.#handle = LiveHandle.open(this.#options);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
      log.warn(`Cannot reopen ${this.#options.device}: ${error.message}; next try in ${this.#retryMs / 1000} s`);
      return true;
    }
    if (this.#opened) this.#options.counters.capture_restarts++;
    this.#opened = true;
    this.#retryMs = RETRY_FIRST_MS;
    logOpened(this.#handle, this.#options);
    return true;
  }

  /** Final statistics, then the batch buffer and the handle are released. */
  #close(): void {
    if (this.#handle !== null) this.#report();
    this.#deltas.reset();
    this.#batch?.close();
    this.#batch = null;
    this.#handle?.close();
    this.#handle = null;
  }
}

/** One line saying what is captured and how (the benchmark also waits for it). */
function logOpened(handle: LiveHandle, options: LiveSourceOptions): void {
  const filter = handle.filter === "" ? "none" : JSON.stringify(handle.filter);
  log.info(
    `Capturing on ${options.device}: link type ${linkTypeName(handle.linkType)}, snaplen ${options.snaplen}, ` +
      `buffer ${options.bufferBytes >> 20} MiB, ${options.promisc ? "promiscuous" : "not promiscuous"}, ` +
      `filter ${filter}`,
  );
}
