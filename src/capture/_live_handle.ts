/**
 * Opening a live libpcap handle: create, set the options, activate, set the kernel filter, switch to non-blocking
 * mode. Each foreseeable failure becomes a message that says what to do: not permitted (how to grant the
 * capabilities), no such interface (the interfaces there are), a filter libpcap rejects (its own words).
 *
 * @module
 */

import { ConfigError, quoteValue } from "../config/config_error.ts";
import { listInterfaces } from "./interfaces.ts";
import { LINKTYPE_LINUX_SLL2, linkTypeOfDlt } from "./link_types.ts";
import {
  BPF_PROGRAM_SIZE,
  cString,
  errbufText,
  lastError,
  type Libpcap,
  libpcap,
  PCAP_ERRBUF_SIZE,
  PCAP_ERROR_IFACE_NOT_UP,
  PCAP_ERROR_NO_SUCH_DEVICE,
  PCAP_ERROR_PERM_DENIED,
  PCAP_ERROR_PROMISC_PERM_DENIED,
  PCAP_NETMASK_UNKNOWN,
  PCAP_STAT_SIZE,
  PCAP_TSTAMP_PRECISION_NANO,
  statusText,
} from "./libpcap_ffi.ts";
import { CaptureError } from "./packet.ts";

/** What a live handle is opened with. */
export interface LiveHandleOptions {
  /** Interface name (`eth0`, `lo`, `any`). */
  device: string;
  snaplen: number;
  promisc: boolean;
  /** Kernel buffer in bytes. */
  bufferBytes: number;
  /**
   * Packet buffer timeout in ms. libpcap on Linux hands over a block of the TPACKET_V3 ring when it is full or this
   * old, so it bounds how long a packet on a quiet link waits. Immediate mode is not used: it switches libpcap to
   * TPACKET_V2, one fixed-size slot per packet, which dropped 1.2 % at 200 k packets/s here (V3: none at 400 k).
   */
  timeoutMs: number;
  /**
   * BPF expression compiled by libpcap and attached in the kernel, "" for none; or the expression for the handle's
   * link type (a default that uses `vlan`, which only Ethernet-like links support).
   */
  filter: string | ((linkType: number) => string);
}

/** libpcap's cumulative statistics of a handle (`struct pcap_stat`). */
export interface CaptureStats {
  received: number;
  dropped: number;
  ifDropped: number;
}

/** The interface could not be opened because it does not exist (now) or is down: worth retrying later. */
export class InterfaceUnavailable extends CaptureError {
  override name = "InterfaceUnavailable";
  constructor(message: string, readonly missing: boolean) {
    super(message);
  }
}

/** The "any" pseudo-interface of Linux; asked for SLL2, whose header names the interface of each packet. */
const ANY_DEVICE = "any";
const DLT_LINUX_SLL2 = LINKTYPE_LINUX_SLL2;

export class LiveHandle {
  readonly #pcap: Libpcap;
  #handle: Deno.PointerObject | null;
  readonly #stats = new Uint8Array(PCAP_STAT_SIZE);
  readonly #statsView = new DataView(this.#stats.buffer);

  private constructor(
    pcap: Libpcap,
    handle: Deno.PointerObject,
    readonly device: string,
    readonly fd: number,
    /** The filter set in the kernel ("" for none). */
    readonly filter: string,
  ) {
    this.#pcap = pcap;
    this.#handle = handle;
    this.linkType = linkTypeOfDlt(pcap.pcap_datalink(handle));
  }

  /** The LINKTYPE_* value of the frames. */
  readonly linkType: number;

  /** The raw handle, for the batch reader. */
  get handle(): Deno.PointerObject {
    if (this.#handle === null) throw new CaptureError(`Capture on ${this.device} is closed`);
    return this.#handle;
  }

  /**
   * Opens and activates a capture on `options.device`.
   *
   * @throws {ConfigError} for a filter libpcap rejects (a usage error, exit 2)
   * @throws {InterfaceUnavailable} when the interface does not exist or is down
   * @throws {CaptureError} when not permitted, libpcap is missing, or anything else fails
   */
  static open(options: LiveHandleOptions): LiveHandle {
    const pcap = libpcap();
    const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
    const device = options.device;
    const handle = pcap.pcap_create(cString(device), errbuf);
    if (handle === null) throw new CaptureError(`Cannot capture on ${device}: ${errbufText(errbuf)}`);
    try {
      pcap.pcap_set_snaplen(handle, options.snaplen);
      pcap.pcap_set_promisc(handle, options.promisc ? 1 : 0);
      pcap.pcap_set_timeout(handle, options.timeoutMs);
      pcap.pcap_set_buffer_size(handle, options.bufferBytes);
      // Optional: without it (old libpcap) timestamps come in microseconds, which the batch reader notices.
      pcap.pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);
      const status = pcap.pcap_activate(handle);
      if (status < 0) throw activationError(pcap, handle, device, status);
      if (device === ANY_DEVICE) pcap.pcap_set_datalink(handle, DLT_LINUX_SLL2); // older libpcap: SLL v1, also decoded
      const linkType = linkTypeOfDlt(pcap.pcap_datalink(handle));
      const filter = typeof options.filter === "string" ? options.filter : options.filter(linkType);
      if (filter !== "") setFilter(pcap, handle, filter);
      if (pcap.pcap_setnonblock(handle, 1, errbuf) < 0) {
        throw new CaptureError(`Cannot capture on ${device}: ${errbufText(errbuf)}`);
      }
      const fd = pcap.pcap_get_selectable_fd(handle);
      if (fd < 0) throw new CaptureError(`Cannot capture on ${device}: libpcap offers no descriptor to wait on`);
      return new LiveHandle(pcap, handle, device, fd, filter);
    } catch (error) {
      pcap.pcap_close(handle);
      throw error;
    }
  }

  /** libpcap's cumulative counts since the handle was opened, or null when it cannot give them. */
  stats(): CaptureStats | null {
    if (this.#handle === null || this.#pcap.pcap_stats(this.#handle, this.#stats) !== 0) return null;
    const view = this.#statsView;
    return { received: view.getUint32(0, true), dropped: view.getUint32(4, true), ifDropped: view.getUint32(8, true) };
  }

  /** libpcap's text for the last error on this handle. */
  lastError(): string {
    return this.#handle === null ? "closed" : lastError(this.#pcap, this.#handle);
  }

  close(): void {
    if (this.#handle === null) return;
    this.#pcap.pcap_close(this.#handle);
    this.#handle = null;
  }
}

function setFilter(pcap: Libpcap, handle: Deno.PointerObject, expression: string): void {
  const program = new Uint8Array(BPF_PROGRAM_SIZE);
  if (pcap.pcap_compile(handle, program, cString(expression), 1, PCAP_NETMASK_UNKNOWN) !== 0) {
    const reason = lastError(pcap, handle);
    throw new ConfigError(
      `invalid value ${quoteValue(expression)} for -bpf (PDNS_BPF): expected a libpcap filter expression ` +
        `(${reason})`,
      "bpf",
      expression,
    );
  }
  try {
    if (pcap.pcap_setfilter(handle, program) !== 0) {
      throw new CaptureError(`Cannot set -bpf ${quoteValue(expression)}: ${lastError(pcap, handle)}`);
    }
  } finally {
    pcap.pcap_freecode(program);
  }
}

/** The error for a failed `pcap_activate`, saying what to do about it. */
function activationError(pcap: Libpcap, handle: Deno.PointerObject, device: string, status: number): Error {
  const detail = lastError(pcap, handle) || statusText(pcap, status);
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return new CaptureError(permissionMessage(device, detail));
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return new InterfaceUnavailable(`No interface ${device}: ${detail}`, true);
    case PCAP_ERROR_IFACE_NOT_UP:
      return new InterfaceUnavailable(`Interface ${device} is down: ${detail}`, false);
    default:
      return new CaptureError(`Cannot capture on ${device}: ${detail}`);
  }
}

/** Not root and no CAP_NET_RAW: how to grant it, for a shell and for a systemd service. */
export function permissionMessage(device: string, detail: string): string {
  let binary = "the deno or denopassivedns binary";
  try {
    binary = Deno.execPath();
  } catch {
    // No read permission for the path: the generic name will do.
  }
  return `Not permitted to capture on ${device} (${detail}): run as root, or grant the capabilities ` +
    `CAP_NET_RAW and CAP_NET_ADMIN to the binary with "setcap cap_net_raw,cap_net_admin+eip ${binary}", ` +
    `or in a systemd unit with AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN`;
}

/** The usage error for a `-dev` that names no interface: what is there instead. */
export function unknownInterfaceError(device: string): ConfigError {
  return new ConfigError(
    `invalid value ${quoteValue(device)} for -dev (PDNS_DEV): expected a network interface ` +
      `(no such device; interfaces here: ${interfaceList()})`,
    "dev",
    device,
  );
}

function interfaceList(): string {
  try {
    const names = listInterfaces().map((i) => i.name);
    return names.length === 0 ? "none found" : names.join(", ");
  } catch (error) {
    return `cannot list them: ${(error as Error).message}`;
  }
}
