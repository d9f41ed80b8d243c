/**
 * A {@linkcode DnsDatagram} that may also carry its addresses as bytes, so that consumers key on them without
 * text. The UDP path of the packet decoder sets both; messages from reassembled TCP streams carry only the texts,
 * and {@linkcode datagramAddresses} parses those.
 *
 * Contract: `srcAddress` and `dstAddress` are 16-byte forms (`writeAddress16`) in buffers the decoder reuses: like
 * `message`, valid only during the handler call.
 *
 * @module
 */

import type { DnsDatagram } from "./dns_datagram.ts";
import { parseAddressText } from "./ip_text.ts";

export interface WireDatagram extends DnsDatagram {
  srcAddress?: Uint8Array;
  dstAddress?: Uint8Array;
}

export type WireDatagramHandler = (datagram: WireDatagram) => void;

/** The 16-byte forms of the datagram's source and destination addresses, written into `src` and `dst`. */
export function datagramAddresses(datagram: WireDatagram, src: Uint8Array, dst: Uint8Array): void {
  if (datagram.srcAddress !== undefined && datagram.dstAddress !== undefined) {
    src.set(datagram.srcAddress);
    dst.set(datagram.dstAddress);
  } else {
    parseAddressText(datagram.srcIp, src);
    parseAddressText(datagram.dstIp, dst);
  }
}
