#!/usr/bin/env python3
"""
gen_flood_pcap.py KIND N OUT - a classic pcap (Ethernet, IPv4/UDP) of N DNS messages that never pair, the floods a
sensor on a hostile network must survive with bounded memory (issue 7 section 2). Standard library only.

KIND
  queries    N queries (A? q<k>.flood.example, 50-70 bytes) that are never answered
  responses  N responses (one A record, ~80 bytes) whose queries were never seen
  big        N orphan responses of 64 KB, 4000 compressed A records each (the shape of
             ../shared/testdata/hostile/gen_orphan_big_oom.py, which killed -format transaction at 30 000)
  amplify    N orphan responses of 64 KB, ~4600 CNAME records each whose owner and target point at a 247-character
             question name (the shape of gen_orphan_amplify.py: a few bytes on the wire, ~500 characters rendered)

Every message has its own key (client 10.x.y.z, port and ID vary with k), and all N arrive within 10 s of packet time
(100 000 per second, or 10 000 per second for the 64 KB kinds), well inside -gc_age: nothing expires, so only the
table bounds (-max_pending, -max_pending_bytes) hold memory down. The same arguments give the same file.
"""

import struct
import sys


def qname(labels):
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def message(kind, k):
    ident = (k * 7919) & 0xFFFF
    if kind == "queries":
        name = qname([b"q%d" % k, b"flood", b"example"])
        return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1)
    if kind == "responses":
        name = qname([b"r%d" % k, b"flood", b"example"])
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, k & 255])
        return struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + name + struct.pack("!HH", 1, 1) + answer
    if kind == "big":
        count = 4000
        name = qname([b"big", b"example", b"com"])
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + b"\1\2\3\4"
        return struct.pack("!HHHHHH", ident, 0x8180, 1, count, 0, 0) + name + struct.pack("!HH", 1, 1) + answer * count
    if kind == "amplify":
        name = qname([b"a" * 61, b"b" * 61, b"c" * 61, b"d" * 61])
        count = (65000 - 12 - len(name) - 4) // 14
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 2) + b"\xc0\x0c"
        return struct.pack("!HHHHHH", ident, 0x8180, 1, count, 0, 0) + name + struct.pack("!HH", 1, 1) + answer * count
    raise SystemExit("unknown kind %r (queries, responses, big, amplify)" % kind)


def ip_checksum(header):
    total = sum(struct.unpack("!10H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def frame(kind, k):
    msg = message(kind, k)
    client = bytes([10, (k >> 16) & 255, (k >> 8) & 255, k & 255])
    server = bytes([10, 255, 0, 53])
    client_port = 1024 + (k % 60000)
    response = kind != "queries"
    sport, dport = (53, client_port) if response else (client_port, 53)
    src, dst = (server, client) if response else (client, server)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(msg), 0) + msg
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + udp


def main():
    if len(sys.argv) != 4:
        raise SystemExit("usage: gen_flood_pcap.py queries|responses|big|amplify N OUT")
    kind, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    per_second = 10_000 if kind in ("big", "amplify") else 100_000
    step_us = 1_000_000 // per_second
    with open(out, "wb", buffering=1 << 22) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for k in range(count):
            data = frame(kind, k)
            us = k * step_us
            f.write(struct.pack("<IIII", 1700000000 + us // 1_000_000, us % 1_000_000, len(data), len(data)) + data)


if __name__ == "__main__":
    main()
