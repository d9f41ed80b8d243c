/**
 * Test helper: small captures of several lookups in flight under one key (issue 12 §1), built from the frame and
 * message builders, written as classic pcap files so both record formats replay them end to end.
 */
import { message, rr } from "../src/dns/_test_builder.ts";
import {
  CLIENT,
  CLIENT6,
  ethernet,
  ipv4,
  ipv6,
  prefixed,
  SERVER,
  SERVER6,
  tcp,
  udp,
} from "../src/decode/_test_frames.ts";

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const ID = 0x4242;
const CLIENT_PORT = 40000;

/** A query (RD) for `name` and `type`, with the shared ID. */
export function query(name: string, type: number): Uint8Array {
  return message({ id: ID, flags: 0x0100, questions: [[name, type]] });
}

/** A NOERROR response to `name`/`type` with one answer (A 192.0.2.n or AAAA 2001:db8::n). */
export function answer(name: string, type: number, n: number): Uint8Array {
  const data = type === TYPE_A ? [192, 0, 2, n] : [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), n];
  return message({ id: ID, flags: 0x8180, questions: [[name, type]], answers: [rr([0xc0, 12], type, 300, data)] });
}

/** A UDP frame between the client and the server, over IPv4 or IPv6. */
export function udpLeg(payload: Uint8Array, fromClient: boolean, v6 = false): Uint8Array {
  const segment = fromClient ? udp(CLIENT_PORT, 53, payload) : udp(53, CLIENT_PORT, payload);
  if (v6) {
    return ethernet(0x86dd, fromClient ? ipv6(CLIENT6, SERVER6, 17, segment) : ipv6(SERVER6, CLIENT6, 17, segment));
  }
  return ethernet(0x0800, fromClient ? ipv4(CLIENT, SERVER, 17, segment) : ipv4(SERVER, CLIENT, 17, segment));
}

/**
 * A whole TCP connection (handshake, data, FIN both ways): the client sends `queries` in one segment (RFC 7766
 * framing), the server answers with one segment per entry of `answers` (each entry a list of messages).
 */
export function tcpConnection(queries: Uint8Array[], answers: Uint8Array[][], v6 = false): Uint8Array[] {
  const wrap = (fromClient: boolean, segment: Uint8Array) =>
    v6
      ? ethernet(0x86dd, fromClient ? ipv6(CLIENT6, SERVER6, 6, segment) : ipv6(SERVER6, CLIENT6, 6, segment))
      : ethernet(0x0800, fromClient ? ipv4(CLIENT, SERVER, 6, segment) : ipv4(SERVER, CLIENT, 6, segment));
  const c = (seq: number, flags: string, payload?: Uint8Array) => wrap(true, tcp(CLIENT_PORT, 53, seq, flags, payload));
  const s = (seq: number, flags: string, payload?: Uint8Array) =>
    wrap(false, tcp(53, CLIENT_PORT, seq, flags, payload));
  const frames = [c(1000, "S"), s(5000, "SA"), c(1001, "A")];
  const request = prefixed(...queries);
  frames.push(c(1001, "PA", request));
  let seq = 5001;
  for (const group of answers) {
    const data = prefixed(...group);
    frames.push(s(seq, "PA", data));
    seq += data.length;
  }
  frames.push(c(1001 + request.length, "FA"), s(seq, "FA"), c(1002 + request.length, "A"));
  return frames;
}

/** A classic pcap (Ethernet, µs) of `frames`, one millisecond apart. */
export function pcapFile(frames: Uint8Array[]): Uint8Array {
  const parts: number[] = [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0];
  const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
  frames.forEach((frame, i) =>
    parts.push(...le32(1700000000), ...le32(i * 1000), ...le32(frame.length), ...le32(frame.length), ...frame)
  );
  return Uint8Array.from(parts);
}
