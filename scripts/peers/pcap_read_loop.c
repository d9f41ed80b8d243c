/*
 * pcap_read_loop.c - the "floor for reading" peer of the benchmark.
 *
 * Reads a capture file with libpcap and does nothing with the packets except
 * count them and add up their captured and original lengths. This is the
 * least work any libpcap-based logger has to do per packet, so its time is
 * the lower bound for "reading the file" on this machine.
 *
 * Build:  gcc -O2 -o pcap_read_loop pcap_read_loop.c -lpcap
 * Usage:  pcap_read_loop FILE     (pcap or pcapng; "-" reads stdin)
 * Output: one line on stdout: packets=N caplen_bytes=N wire_bytes=N
 * Exit:   0 on success, 1 on a usage/open error, 2 on a read error.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 1;
    }

    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap_open_offline: %s\n", errbuf);
        return 1;
    }

    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t packets = 0, caplen_bytes = 0, wire_bytes = 0;
    int rc;

    /* pcap_next_ex returns 1 per packet, PCAP_ERROR_BREAK (-2) at the end of
     * the file and PCAP_ERROR (-1) on a damaged file. The packet bytes are
     * not touched: only the record header is read. */
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        caplen_bytes += hdr->caplen;
        wire_bytes += hdr->len;
    }
    (void)data;

    int status = 0;
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_next_ex: %s\n", pcap_geterr(p));
        status = 2;
    }
    pcap_close(p);

    printf("packets=%" PRIu64 " caplen_bytes=%" PRIu64 " wire_bytes=%" PRIu64 "\n",
           packets, caplen_bytes, wire_bytes);
    return status;
}
