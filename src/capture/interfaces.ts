/**
 * The capture interfaces libpcap sees (`pcap_findalldevs`), for the message about an unknown `-dev`.
 *
 * @module
 */

import { CaptureError } from "./packet.ts";
import { errbufText, libpcap, PCAP_ERRBUF_SIZE } from "./libpcap_ffi.ts";

/** `pcap_if_t` on LP64: next, name, description, addresses (pointers), then `bpf_u_int32 flags`. */
const IF_NEXT = 0;
const IF_NAME = 8;
const IF_DESCRIPTION = 16;
const IF_FLAGS = 32;
/** `PCAP_IF_UP`: the interface is up. */
const PCAP_IF_UP = 0x2;

/** One interface as libpcap lists it. */
export interface CaptureInterface {
  name: string;
  description: string;
  up: boolean;
}

/** Every interface libpcap can capture on, in its order (the "any" pseudo-interface included on Linux). */
export function listInterfaces(): CaptureInterface[] {
  const pcap = libpcap();
  const head = new BigUint64Array(1);
  const errbuf = new Uint8Array(PCAP_ERRBUF_SIZE);
  if (pcap.pcap_findalldevs(new Uint8Array(head.buffer), errbuf) !== 0) {
    throw new CaptureError(`Cannot list the interfaces: ${errbufText(errbuf)}`);
  }
  const first = Deno.UnsafePointer.create(head[0]);
  const found: CaptureInterface[] = [];
  try {
    for (let node = first; node !== null; node = new Deno.UnsafePointerView(node).getPointer(IF_NEXT)) {
      const view = new Deno.UnsafePointerView(node);
      const name = view.getPointer(IF_NAME);
      const description = view.getPointer(IF_DESCRIPTION);
      found.push({
        name: name === null ? "" : Deno.UnsafePointerView.getCString(name),
        description: description === null ? "" : Deno.UnsafePointerView.getCString(description),
        up: (view.getUint32(IF_FLAGS) & PCAP_IF_UP) !== 0,
      });
    }
  } finally {
    if (first !== null) pcap.pcap_freealldevs(first);
  }
  return found;
}
