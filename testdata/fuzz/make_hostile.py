#!/usr/bin/env python3
"""Writes hostile.pcap: one frame per classic attack on a DNS sensor's decoders. Each must be counted as a decode
error or anomaly, never crash, and never pair with anything. Run: python3 make_hostile.py (writes beside itself)."""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
C, S = bytes([10, 9, 0, 1]), bytes([10, 9, 0, 53])


def ipv4(proto, payload, ihl=5, total=None, frag=0x4000):
    tot = total if total is not None else 20 + len(payload)
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 1, frag, 64, proto, 0, C, S) + payload


def udp(payload, length=None):
    return struct.pack("!HHHH", 40000, 53, length if length is not None else 8 + len(payload), 0) + payload


def eth(payload, ethertype=0x0800):
    return b"\x02\0\0\0\0\x53" + b"\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + payload


def header(qid, flags, qd, an, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


frames = [
    # Name pointing at itself (offset 12 -> 12).
    eth(ipv4(17, udp(header(1, 0x8180, 1, 0) + b"\xc0\x0c\x00\x01\x00\x01"))),
    # Two pointers pointing at each other.
    eth(ipv4(17, udp(header(2, 0x8180, 1, 1) + b"\x01a\x00\x00\x01\x00\x01" + b"\xc0\x1d\xc0\x1b" + b"\x00\x01\x00\x01\x00\x00\x00\x01\x00\x04\x01\x02\x03\x04"))),
    # Forward pointer.
    eth(ipv4(17, udp(header(3, 0x0100, 1, 0) + b"\xc0\x40\x00\x01\x00\x01"))),
    # All counts 0xffff with nothing behind them.
    eth(ipv4(17, udp(header(4, 0x8180, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF)))),
    # Label type 0x40 (extended label, RFC 6891 deprecated) and 0x80 (reserved).
    eth(ipv4(17, udp(header(5, 0x0100, 1, 0) + b"\x41abc\x00\x00\x01\x00\x01"))),
    eth(ipv4(17, udp(header(6, 0x0100, 1, 0) + b"\x81abc\x00\x00\x01\x00\x01"))),
    # A name of 300 octets (over the 255 budget) made of 63-octet labels.
    eth(ipv4(17, udp(header(7, 0x0100, 1, 0) + (b"\x3f" + b"x" * 63) * 5 + b"\x00\x00\x01\x00\x01"))),
    # RDLENGTH far past the end of the message.
    eth(ipv4(17, udp(header(8, 0x8180, 1, 1) + b"\x01b\x00\x00\x01\x00\x01" + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x01\xff\xff\x01\x02"))),
    # IPv4 header length 15 words on a short packet; total length larger than the frame; total length 0.
    eth(ipv4(17, udp(header(9, 0x0100, 0, 0)), ihl=15)),
    eth(ipv4(17, udp(header(10, 0x0100, 0, 0)), total=1500)),
    eth(ipv4(17, udp(header(11, 0x0100, 0, 0)), total=0)),
    # UDP length 0 and UDP length larger than the datagram.
    eth(ipv4(17, udp(header(12, 0x0100, 0, 0), length=0))),
    eth(ipv4(17, udp(header(13, 0x0100, 0, 0), length=4000))),
    # TCP with data offset 15 on a short segment, and with data offset 2 (below the minimum).
    eth(ipv4(6, struct.pack("!HHIIBBHHH", 40001, 53, 1, 0, 15 << 4, 0x18, 65535, 0, 0) + b"\x00\x0c" + b"\0" * 12)),
    eth(ipv4(6, struct.pack("!HHIIBBHHH", 40002, 53, 1, 0, 2 << 4, 0x18, 65535, 0, 0) + b"\x00\x0c" + b"\0" * 12)),
    # A fragment at the largest offset whose end passes 65535.
    eth(ipv4(17, b"\0" * 64, frag=0x1FFF)),
    # IPv6 with a hop-by-hop header claiming 2 KiB.
    eth(struct.pack("!IHBB16s16s", 6 << 28, 16, 0, 64, b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01", b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x53") + b"\x11\xff" + b"\0" * 14, 0x86DD),
    # 802.1Q tag with nothing after it, and a frame shorter than an Ethernet header.
    b"\x02\0\0\0\0\x53\x02\0\0\0\0\x01\x81\x00",
    b"\x02\0\0",
]

with open(os.path.join(HERE, "hostile.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for i, data in enumerate(frames):
        f.write(struct.pack("<IIII", 1500000000 + i, 0, len(data), len(data)))
        f.write(data)
print(len(frames), "frames written")
