"""
Two lookups in flight under one ID, as a stub resolver makes them (issue 12 section 1): for each of knotd's addresses
(127.0.1.1 and ::1), A and AAAA for www.example.test sent with ONE ID from ONE UDP socket before either answer is
read, then the same two queries with one ID written in ONE TCP segment on one connection. Run by
scripts/capture_same_id.sh under /usr/bin/python3 (Debian's python3-dnspython).
"""
import socket
import struct

import dns.message
import dns.rdatatype

NAME = "www.example.test"


def query(rdtype, ident):
    message = dns.message.make_query(NAME, rdtype)
    message.id = ident
    return message.to_wire()


def read_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise SystemExit("connection closed early")
        data += chunk
    return data


for family, server, ident in ((socket.AF_INET, "127.0.1.1", 0x5151), (socket.AF_INET6, "::1", 0x6262)):
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.settimeout(3)
    udp.sendto(query(dns.rdatatype.A, ident), (server, 53))
    udp.sendto(query(dns.rdatatype.AAAA, ident), (server, 53))
    for _ in range(2):
        answer = dns.message.from_wire(udp.recv(65535))
        print("udp", server, hex(answer.id), answer.question[0].rdtype, len(answer.answer))
    udp.close()

    tcp = socket.create_connection((server, 53), timeout=3)
    both = b"".join(struct.pack("!H", len(q)) + q for q in (query(dns.rdatatype.A, ident + 1),
                                                            query(dns.rdatatype.AAAA, ident + 1)))
    tcp.sendall(both)  # one write: one segment on loopback
    for _ in range(2):
        length = struct.unpack("!H", read_exactly(tcp, 2))[0]
        answer = dns.message.from_wire(read_exactly(tcp, length))
        print("tcp", server, hex(answer.id), answer.question[0].rdtype, len(answer.answer))
    tcp.close()
