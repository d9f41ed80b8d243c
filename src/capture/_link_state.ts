/**
 * Whether the capture interface is up and running, from its flags (`SIOCGIFFLAGS` on Linux). Taking an interface
 * down does not end a packet socket bound to it: libpcap reports nothing, packets simply stop and resume when it is
 * up again. So the live source reads the flags about once a second to say so on stderr. (Reading
 * `/sys/class/net/IF/operstate` would need Deno's `--allow-all`.) Elsewhere than Linux, and for `any`, the state
 * is unknown and nothing is said.
 *
 * @module
 */

import { cString } from "./libpcap_ffi.ts";
import { libc } from "../libc_ffi.ts";

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SIOCGIFFLAGS = 0x8913;
/** `struct ifreq`: `char ifr_name[IFNAMSIZ]` (16), then a union whose `short ifr_flags` is first; 40 bytes. */
const IFREQ_SIZE = 40;
const IFNAMSIZ = 16;
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;

export class LinkState {
  readonly #request = new Uint8Array(IFREQ_SIZE);
  readonly #view = new DataView(this.#request.buffer);
  #socket = -1;
  /** The last state seen: true up, false down, null unknown (not checked yet, or not readable). */
  #up: boolean | null = null;

  constructor(readonly device: string) {
    const name = cString(device);
    if (Deno.build.os !== "linux" || device === "any" || name.length > IFNAMSIZ) return;
    this.#request.set(name);
    this.#socket = libc().socket(AF_INET, SOCK_DGRAM, 0);
  }

  /** Reads the state; returns "down" or "up" when it changed since the last call, else null. */
  check(): "up" | "down" | null {
    if (this.#socket < 0) return null;
    this.#view.setInt16(IFNAMSIZ, 0, true);
    // Fails when the interface is gone: the capture socket then reports "The interface disappeared" itself.
    if (libc().ioctl(this.#socket, BigInt(SIOCGIFFLAGS), this.#request) !== 0) return null;
    const flags = this.#view.getInt16(IFNAMSIZ, true);
    const up = (flags & IFF_UP) !== 0 && (flags & IFF_RUNNING) !== 0;
    const was = this.#up;
    this.#up = up;
    if (was === up || (was === null && up)) return null;
    return up ? "up" : "down";
  }

  close(): void {
    if (this.#socket >= 0) libc().close(this.#socket);
    this.#socket = -1;
  }
}
