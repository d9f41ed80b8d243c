#!/usr/bin/python3
"""Wraps the real DNS frames of inner.pcap (dig/kdig and knotd over a VXLAN device, made by make_captures.sh) in the
tunnels this machine's kernel cannot make, one capture per kind (see README.md). Deterministic: the same inner.pcap
gives the same files. Run with Debian's python3 (python3-scapy): /usr/bin/python3 testdata/tunnels/build_tunnels.py

Outer addresses are documentation ranges (203.0.113.0/24, 2001:db8::/32): these files are data, nothing is sent.
"""
import os
import struct

from scapy.all import Ether, IP, IPv6, UDP, Raw, rdpcap, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
OUT4 = ("203.0.113.1", "203.0.113.2")
OUT6 = ("2001:db8:1::1", "2001:db8:1::2")
MAC = ("02:00:00:00:00:01", "02:00:00:00:00:02")


def frames():
    """The inner Ethernet frames, each with its capture time."""
    return [(bytes(p), p.time) for p in rdpcap(os.path.join(HERE, "inner.pcap")) if Ether in p]


def ip_of(frame):
    """The IP packet of an Ethernet frame and its version (4 or 6)."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    return frame[14:], 4 if ethertype == 0x0800 else 6


def outer_ip(version, proto_payload, proto):
    if version == 4:
        return bytes(IP(src=OUT4[0], dst=OUT4[1], proto=proto, id=1, flags="DF") / Raw(proto_payload))
    return bytes(IPv6(src=OUT6[0], dst=OUT6[1], nh=proto) / Raw(proto_payload))


def udp_outer(version, sport, dport, payload):
    ip = IP(src=OUT4[0], dst=OUT4[1], id=1, flags="DF") if version == 4 else IPv6(src=OUT6[0], dst=OUT6[1])
    return bytes(ip / UDP(sport=sport, dport=dport) / Raw(payload))


def eth(ethertype, payload):
    return struct.pack("!6s6sH", bytes.fromhex(MAC[1].replace(":", "")), bytes.fromhex(MAC[0].replace(":", "")),
                       ethertype) + payload


def eth_ip(outer_version, packet):
    return eth(0x0800 if outer_version == 4 else 0x86DD, packet)


def gre_header(protocol, key=None, seq=None, checksum=False):
    flags = (0x8000 if checksum else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    header = struct.pack("!HH", flags, protocol)
    if checksum:
        header += b"\0\0\0\0"  # the checksum is not checked by either side; its presence moves the key
    if key is not None:
        header += struct.pack("!I", key)
    if seq is not None:
        header += struct.pack("!I", seq)
    return header


def build():
    inner = frames()
    made = {}

    # GRE over IPv4 with key and sequence: inner IPv4 (0x0800), IPv6 (0x86dd); then a checksum, key and transparent
    # Ethernet (0x6558) carrying the whole frame.
    gre = []
    for i, (frame, t) in enumerate(inner):
        packet, version = ip_of(frame)
        g = gre_header(0x0800 if version == 4 else 0x86DD, key=1001, seq=i)
        gre.append((eth_ip(4, outer_ip(4, g + packet, 47)), t))
        g = gre_header(0x6558, key=1002, checksum=True)
        gre.append((eth_ip(4, outer_ip(4, g + frame, 47)), t))
    made["gre.pcap"] = gre

    # ip6gre: GRE over IPv6, key only.
    made["ip6gre.pcap"] = [
        (eth_ip(6, outer_ip(6, gre_header(0x0800 if ip_of(f)[1] == 4 else 0x86DD, key=1003) + ip_of(f)[0], 47)), t)
        for f, t in inner
    ]

    # ERSPAN: type I (GRE 0x88be, no sequence, no header), type II (sequence, 8-byte header, version 1, session 12),
    # type III (0x22eb, 12-byte header, version 2, session 13; every other one with the 8-byte platform sub-header).
    erspan1, erspan2, erspan3 = [], [], []
    for i, (frame, t) in enumerate(inner):
        erspan1.append((eth_ip(4, outer_ip(4, gre_header(0x88BE) + frame, 47)), t))
        hdr2 = struct.pack("!HHI", 0x1000 | 0x0005, (0 << 10) | 12, 0)  # ver 1, VLAN 5; COS/En/T 0; session 12
        erspan2.append((eth_ip(4, outer_ip(4, gre_header(0x88BE, seq=i) + hdr2 + frame, 47)), t))
        with_sub = i % 2 == 1
        hdr3 = struct.pack("!HHIHH", 0x2000 | 0x0005, 13, 0x00001234, 0, 0x0001 if with_sub else 0)
        sub = struct.pack("!II", 0x18000000, 0x12345678) if with_sub else b""
        erspan3.append((eth_ip(4, outer_ip(4, gre_header(0x22EB, seq=i) + hdr3 + sub + frame, 47)), t))
    made["erspan_1.pcap"] = erspan1
    made["erspan_2.pcap"] = erspan2
    made["erspan_3.pcap"] = erspan3

    # GRE-in-UDP (RFC 8086) on port 4754, key 1004.
    made["gre_udp.pcap"] = [
        (eth_ip(4, udp_outer(4, 50000 + i, 4754,
                             gre_header(0x0800 if ip_of(f)[1] == 4 else 0x86DD, key=1004) + ip_of(f)[0])), t)
        for i, (f, t) in enumerate(inner)
    ]

    # PPTP: enhanced GRE (version 1, key = payload length + call id 0x2a, sequence, every other one an ack) with PPP;
    # IPv4 frames with address/control and a 2-byte protocol, IPv6 ones compressed (no address/control).
    pptp = []
    for i, (frame, t) in enumerate(inner):
        packet, version = ip_of(frame)
        ppp = (b"\xff\x03\x00\x21" if version == 4 else b"\x00\x57") + packet
        ack = i % 2 == 1
        flags = 0x2000 | 0x1000 | (0x0080 if ack else 0) | 0x0001
        g = struct.pack("!HHHHI", flags, 0x880B, len(ppp), 42, i) + (struct.pack("!I", i) if ack else b"")
        pptp.append((eth_ip(4, outer_ip(4, g + ppp, 47)), t))
    made["pptp.pcap"] = pptp

    # GTP-U G-PDUs (TEID 0x1000 + i % 3); every other one with a PDU session container extension header (0x85).
    gtpu = []
    for i, (frame, t) in enumerate(inner):
        packet, _ = ip_of(frame)
        teid = 0x1000 + i % 3
        if i % 2 == 0:
            g = struct.pack("!BBHI", 0x30, 0xFF, len(packet), teid)
        else:
            ext = bytes([1, 0x10, 9, 0])  # length 1 (4 bytes): PDU type 1 (UL), QFI 9, no next extension
            g = struct.pack("!BBHIHBB", 0x34, 0xFF, len(packet) + 4 + len(ext), teid, 0, 0, 0x85) + ext
        gtpu.append((eth_ip(4, udp_outer(4, 2152, 2152, g + packet)), t))
    made["gtpu.pcap"] = gtpu

    # IP in IP: 4in4 (protocol 4), 6in4 / SIT (41) over IPv4; 4in6 and 6in6 over IPv6.
    ipip = []
    for frame, t in inner:
        packet, version = ip_of(frame)
        proto = 4 if version == 4 else 41
        ipip.append((eth_ip(4, outer_ip(4, packet, proto)), t))
        ipip.append((eth_ip(6, outer_ip(6, packet, proto)), t))
    made["ip_in_ip.pcap"] = ipip

    # MPLS: a two-label stack over IP, and Ethernet over MPLS with a control word (RFC 4448).
    mpls = []
    for frame, t in inner:
        packet, _ = ip_of(frame)
        stack = struct.pack("!II", (16001 << 12) | 64, (17002 << 12) | 0x100 | 64)
        mpls.append((eth(0x8847, stack + packet), t))
        stack = struct.pack("!II", (16001 << 12) | 64, (299 << 12) | 0x100 | 64)
        mpls.append((eth(0x8847, stack + b"\0\0\0\0" + frame), t))
    made["mpls.pcap"] = mpls

    # PPPoE session stage, session 0x0101, PPP protocol 0x0021 / 0x0057.
    pppoe = []
    for frame, t in inner:
        packet, version = ip_of(frame)
        ppp = struct.pack("!H", 0x0021 if version == 4 else 0x0057) + packet
        pppoe.append((eth(0x8864, struct.pack("!BBHH", 0x11, 0, 0x0101, len(ppp)) + ppp), t))
    made["pppoe.pcap"] = pppoe

    # Teredo: the IPv6 frames in UDP to/from port 3544, every other one with an origin indicator.
    teredo = []
    for i, (frame, t) in enumerate(inner):
        packet, version = ip_of(frame)
        if version != 6:
            continue
        origin = struct.pack("!HH4s", 0, 0xFFFF ^ 40000, bytes(b ^ 0xFF for b in (198, 51, 100, 7))) if i % 2 else b""
        teredo.append((eth_ip(4, udp_outer(4, 3544, 40000, origin + packet)), t))
    made["teredo.pcap"] = teredo

    # Geneve VNI 77, carrying Ethernet, with one 8-byte option (class 0x0102, type 0x80).
    geneve = []
    for i, (frame, t) in enumerate(inner):
        option = struct.pack("!HBBI", 0x0102, 0x80, 1, 0xC0FFEE00)
        header = struct.pack("!BBHI", len(option) // 4, 0, 0x6558, 77 << 8)
        geneve.append((eth_ip(4, udp_outer(4, 40000 + i, 6081, header + option + frame)), t))
    made["geneve.pcap"] = geneve

    # Four levels: MPLS, then GRE (key 1005) over IPv4, then VXLAN VNI 9 over IPv6 (outer addresses inside the GRE), then
    # the inner frame; the limit is four, so all of it is decoded.
    nested = []
    for frame, t in inner:
        vxlan = struct.pack("!BBBBI", 0x08, 0, 0, 0, 9 << 8) + frame
        over6 = udp_outer(6, 40001, 4789, vxlan)
        g = gre_header(0x86DD, key=1005)
        over4 = outer_ip(4, g + over6, 47)
        stack = struct.pack("!I", (16001 << 12) | 0x100 | 64)
        nested.append((eth(0x8847, stack + over4), t))
    made["nested.pcap"] = nested

    for name, packets in made.items():
        out = []
        for raw, t in packets:
            pkt = Ether(raw)
            pkt.time = t
            out.append(pkt)
        wrpcap(os.path.join(HERE, name), out, linktype=1)
        print(name, len(out))


if __name__ == "__main__":
    build()
