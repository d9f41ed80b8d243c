/**
 * libpcap through Deno FFI: the only `Deno.dlopen` in the project. Every symbol is declared in one table with its C
 * prototype; the library is opened on first use, so nothing here is loaded unless a feature needs libpcap (replay
 * does not, apart from a non-default `-bpf`).
 *
 * Needs `--allow-ffi` (Deno cannot scope it to a path: see the README's permissions).
 *
 * @module
 */

import { CaptureError } from "./packet.ts";

/** Names tried in order: Debian's runtime package (libpcap0.8), the development symlink, macOS. */
const LIBRARY_NAMES = ["libpcap.so.0.8", "libpcap.so", "libpcap.A.dylib", "libpcap.dylib"];

/** `pcap_compile`'s netmask when it is not known (then `ip broadcast` cannot be used, as in tcpdump -r). */
export const PCAP_NETMASK_UNKNOWN = 0xffffffff;
/** `struct bpf_program` on LP64: `u_int bf_len`, 4 bytes of padding, `struct bpf_insn *bf_insns`. */
export const BPF_PROGRAM_SIZE = 16;
/** `struct pcap_pkthdr` on LP64: `struct timeval ts` (16 bytes), `bpf_u_int32 caplen`, `bpf_u_int32 len`. */
export const PCAP_PKTHDR_SIZE = 24;
export const PCAP_PKTHDR_CAPLEN = 16;
export const PCAP_PKTHDR_LEN = 20;

const SYMBOLS = {
  // pcap_t *pcap_open_dead(int linktype, int snaplen)
  pcap_open_dead: { parameters: ["i32", "i32"], result: "pointer" },
  // int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize, bpf_u_int32 netmask)
  pcap_compile: { parameters: ["pointer", "buffer", "buffer", "i32", "u32"], result: "i32" },
  // int pcap_offline_filter(const struct bpf_program *fp, const struct pcap_pkthdr *h, const u_char *pkt)
  pcap_offline_filter: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  // void pcap_freecode(struct bpf_program *fp)
  pcap_freecode: { parameters: ["buffer"], result: "void" },
  // char *pcap_geterr(pcap_t *p)
  pcap_geterr: { parameters: ["pointer"], result: "pointer" },
  // void pcap_close(pcap_t *p)
  pcap_close: { parameters: ["pointer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

export type Libpcap = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let library: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;

/** The libpcap symbols, opening the library on first use. Throws a CaptureError naming what to install. */
export function libpcap(): Libpcap {
  if (library !== null) return library.symbols;
  const failures: string[] = [];
  for (const name of LIBRARY_NAMES) {
    try {
      library = Deno.dlopen(name, SYMBOLS);
      return library.symbols;
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new CaptureError(
    `Cannot load libpcap (tried ${LIBRARY_NAMES.join(", ")}): install it (Debian: apt install libpcap0.8); ` +
      failures[0],
  );
}

/** A C string for FFI: the text's UTF-8 bytes and a terminating NUL. */
export function cString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** The error text libpcap keeps for `p` (copied out of C memory). */
export function lastError(pcap: Libpcap, p: Deno.PointerValue): string {
  const message = pcap.pcap_geterr(p);
  return message === null ? "unknown libpcap error" : Deno.UnsafePointerView.getCString(message);
}
