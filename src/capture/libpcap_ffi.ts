/**
 * libpcap through Deno FFI: the one place libpcap is opened. Every symbol is declared in one table with its C
 * prototype; the library is opened on first use, so nothing here is loaded unless a feature needs libpcap (replay
 * does not, apart from a non-default `-bpf`).
 *
 * Needs `--allow-ffi` (Deno cannot scope it to a path: see the README's permissions).
 *
 * @module
 */

import { CaptureError } from "./packet.ts";
import { dlopenFirst } from "../dlopen_first.ts";

/**
 * Names tried in order: Debian/Ubuntu (libpcap0.8), RHEL/Fedora/Alpine (libpcap.so.1), the development symlink,
 * macOS.
 */
const LIBRARY_NAMES = ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so", "libpcap.A.dylib", "libpcap.dylib"];

/** `pcap_compile`'s netmask when it is not known (then `ip broadcast` cannot be used, as in tcpdump -r). */
export const PCAP_NETMASK_UNKNOWN = 0xffffffff;
/** `struct bpf_program` on LP64: `u_int bf_len`, 4 bytes of padding, `struct bpf_insn *bf_insns`. */
export const BPF_PROGRAM_SIZE = 16;
/** `struct pcap_pkthdr` on LP64: `struct timeval ts` (16 bytes), `bpf_u_int32 caplen`, `bpf_u_int32 len`. */
export const PCAP_PKTHDR_SIZE = 24;
export const PCAP_PKTHDR_CAPLEN = 16;
export const PCAP_PKTHDR_LEN = 20;
/** `char errbuf[PCAP_ERRBUF_SIZE]`. */
export const PCAP_ERRBUF_SIZE = 256;
/** `struct pcap_stat` on Linux: `u_int ps_recv, ps_drop, ps_ifdrop`. */
export const PCAP_STAT_SIZE = 12;
/** `pcap_set_tstamp_precision`: timestamps in nanoseconds (`ts.tv_usec` then holds nanoseconds). */
export const PCAP_TSTAMP_PRECISION_NANO = 1;

/** `pcap_activate` and `pcap_next_ex` results (pcap/pcap.h). */
export const PCAP_ERROR = -1;
export const PCAP_ERROR_BREAK = -2;
export const PCAP_ERROR_NO_SUCH_DEVICE = -5;
export const PCAP_ERROR_PERM_DENIED = -8;
export const PCAP_ERROR_IFACE_NOT_UP = -9;
export const PCAP_ERROR_PROMISC_PERM_DENIED = -11;

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

  // Live capture (src/capture/live_source.ts). Every call below is synchronous and returns at once: the one wait,
  // for the selectable fd, is a `poll` in src/libc_ffi.ts run off the main thread.
  // pcap_t *pcap_create(const char *source, char *errbuf)
  pcap_create: { parameters: ["buffer", "buffer"], result: "pointer" },
  // int pcap_set_snaplen(pcap_t *p, int snaplen)
  pcap_set_snaplen: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_set_promisc(pcap_t *p, int promisc)
  pcap_set_promisc: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_set_timeout(pcap_t *p, int to_ms)
  pcap_set_timeout: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_set_immediate_mode(pcap_t *p, int immediate_mode)
  pcap_set_immediate_mode: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_set_buffer_size(pcap_t *p, int buffer_size)
  pcap_set_buffer_size: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_set_tstamp_precision(pcap_t *p, int tstamp_precision)
  pcap_set_tstamp_precision: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_activate(pcap_t *p)
  pcap_activate: { parameters: ["pointer"], result: "i32" },
  // int pcap_set_datalink(pcap_t *p, int dlt)
  pcap_set_datalink: { parameters: ["pointer", "i32"], result: "i32" },
  // int pcap_datalink(pcap_t *p)
  pcap_datalink: { parameters: ["pointer"], result: "i32" },
  // int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf)
  pcap_setnonblock: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  // int pcap_get_selectable_fd(pcap_t *p)
  pcap_get_selectable_fd: { parameters: ["pointer"], result: "i32" },
  // int pcap_setfilter(pcap_t *p, struct bpf_program *fp)
  pcap_setfilter: { parameters: ["pointer", "buffer"], result: "i32" },
  // int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data)
  pcap_next_ex: { parameters: ["pointer", "buffer", "buffer"], result: "i32" },
  // int pcap_stats(pcap_t *p, struct pcap_stat *ps)
  pcap_stats: { parameters: ["pointer", "buffer"], result: "i32" },
  // int pcap_findalldevs(pcap_if_t **alldevsp, char *errbuf)
  pcap_findalldevs: { parameters: ["buffer", "buffer"], result: "i32" },
  // void pcap_freealldevs(pcap_if_t *alldevs)
  pcap_freealldevs: { parameters: ["pointer"], result: "void" },
  // Batches are copied out in C (src/capture/_capture_batch.ts): pcap_dispatch hands each packet to pcap_dump, which
  // appends it to a memory stream over a buffer of ours, so no JS function runs per packet.
  // int pcap_dispatch(pcap_t *p, int cnt, pcap_handler callback, u_char *user)
  pcap_dispatch: { parameters: ["pointer", "i32", "pointer", "pointer"], result: "i32" },
  // pcap_dumper_t *pcap_dump_fopen(pcap_t *p, FILE *fp)
  pcap_dump_fopen: { parameters: ["pointer", "pointer"], result: "pointer" },
  // int pcap_dump_flush(pcap_dumper_t *p)
  pcap_dump_flush: { parameters: ["pointer"], result: "i32" },
  // long pcap_dump_ftell(pcap_dumper_t *p)
  pcap_dump_ftell: { parameters: ["pointer"], result: "i64" },
  // void pcap_dump_close(pcap_dumper_t *p)
  pcap_dump_close: { parameters: ["pointer"], result: "void" },
  // void pcap_dump(u_char *user, const struct pcap_pkthdr *h, const u_char *sp): its address, as pcap_dispatch's
  // callback (a "pointer" static is the symbol's address).
  pcap_dump: { type: "pointer" },
  // const char *pcap_statustostr(int error)
  pcap_statustostr: { parameters: ["i32"], result: "pointer" },
  // const char *pcap_lib_version(void)
  pcap_lib_version: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

export type Libpcap = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let library: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;

/** The libpcap symbols, opening the library on first use. Throws a CaptureError naming what to install. */
export function libpcap(): Libpcap {
  if (library !== null) return library.symbols;
  const opened = dlopenFirst(LIBRARY_NAMES, SYMBOLS);
  if (!("failure" in opened)) return (library = opened).symbols;
  throw new CaptureError(
    `Cannot load libpcap (tried ${LIBRARY_NAMES.join(", ")}): install it (Debian/Ubuntu: apt install libpcap0.8; ` +
      "Fedora/RHEL: dnf install libpcap; Alpine: apk add libpcap; macOS ships it); " +
      opened.failure,
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

/** The text of a C error buffer filled by libpcap (up to its NUL). */
export function errbufText(errbuf: Uint8Array): string {
  const end = errbuf.indexOf(0);
  return new TextDecoder().decode(errbuf.subarray(0, end < 0 ? errbuf.length : end));
}

/** libpcap's text for a status code (`pcap_statustostr`), e.g. "That device doesn't exist". */
export function statusText(pcap: Libpcap, status: number): string {
  const text = pcap.pcap_statustostr(status);
  return text === null ? `libpcap status ${status}` : Deno.UnsafePointerView.getCString(text);
}
