/**
 * Test helper: pull the DNS messages out of a small capture file (pcapng or classic pcap,
 * Ethernet/IPv4/IPv6, UDP port 53, and TCP segments that hold exactly one length-prefixed
 * message). Deliberately tiny and lenient; the real capture and transport decoders live in
 * src/capture and src/decode.
 *
 * @module
 */

/** DNS payloads of `file`, in capture order. */
export function dnsPayloads(file: Uint8Array): Uint8Array[] {
  const frames = file[0] === 0x0a && file[1] === 0x0d ? pcapngFrames(file) : pcapFrames(file);
  const out: Uint8Array[] = [];
  for (const frame of frames) {
    const payload = dnsFromEthernet(frame);
    if (payload !== null) out.push(payload);
  }
  return out;
}

function pcapngFrames(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const frames: Uint8Array[] = [];
  let p = 0;
  while (p + 12 <= file.byteLength) {
    const type = view.getUint32(p, true);
    const len = view.getUint32(p + 4, true);
    if (type === 6) { // Enhanced Packet Block
      const capLen = view.getUint32(p + 20, true);
      frames.push(file.subarray(p + 28, p + 28 + capLen));
    }
    if (len < 12) break;
    p += len;
  }
  return frames;
}

function pcapFrames(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const frames: Uint8Array[] = [];
  let p = 24;
  while (p + 16 <= file.byteLength) {
    const capLen = view.getUint32(p + 8, true);
    frames.push(file.subarray(p + 16, p + 16 + capLen));
    p += 16 + capLen;
  }
  return frames;
}

function dnsFromEthernet(frame: Uint8Array): Uint8Array | null {
  let p = 12;
  let etherType = (frame[p] << 8) | frame[p + 1];
  while (etherType === 0x8100) {
    p += 4;
    etherType = (frame[p] << 8) | frame[p + 1];
  }
  p += 2;
  let proto: number;
  let ipEnd: number;
  if (etherType === 0x0800) {
    proto = frame[p + 9];
    ipEnd = p + ((frame[p + 2] << 8) | frame[p + 3]);
    p += (frame[p] & 15) * 4;
  } else if (etherType === 0x86dd) {
    proto = frame[p + 6];
    ipEnd = p + 40 + ((frame[p + 4] << 8) | frame[p + 5]);
    p += 40;
  } else {
    return null;
  }
  if (proto === 17) {
    return frame.subarray(p + 8, Math.min(ipEnd, p + ((frame[p + 4] << 8) | frame[p + 5])));
  }
  if (proto === 6) {
    const data = frame.subarray(p + (frame[p + 12] >> 4) * 4, ipEnd);
    if (data.byteLength >= 14 && ((data[0] << 8) | data[1]) === data.byteLength - 2) return data.subarray(2);
  }
  return null;
}
