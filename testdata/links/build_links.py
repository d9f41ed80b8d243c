#!/usr/bin/python3
"""Builds the link-type captures of testdata/links/ (see README.md) from the real DNS frames of
../tunnels/inner.pcap (dig/kdig and knotd, recorded by ../tunnels/make_captures.sh): each frame's IP packet, byte for
byte, under the link header of each type, with the frame's capture time. Deterministic. Run with Debian's python3
(python3-scapy): /usr/bin/python3 testdata/links/build_links.py
"""
import os
import struct

from scapy.all import Ether, rdpcap, raw
from scapy.layers.dot11 import Dot11, Dot11FCS, Dot11QoS, RadioTap, PrismHeader
from scapy.layers.l2 import LLC, SNAP

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_MAC = "02:00:00:00:00:01"
SERVER_MAC = "02:00:00:00:00:02"
AP_MAC = "02:00:00:00:00:0a"


def inner():
    """(IP packet, version, is_query, time) of each inner frame."""
    out = []
    for p in rdpcap(os.path.join(HERE, "..", "tunnels", "inner.pcap")):
        frame = bytes(p)
        ethertype = struct.unpack("!H", frame[12:14])[0]
        version = 4 if ethertype == 0x0800 else 6
        packet = frame[14:]
        # Queries come from the client, 192.168.42.1 / fd42::1.
        src = packet[12:16] if version == 4 else packet[8:24]
        is_query = src in (bytes([192, 168, 42, 1]), bytes.fromhex("fd42" + "00" * 13 + "01"))
        out.append((packet, version, is_query, p.time))
    return out


def ethertype(version):
    return 0x0800 if version == 4 else 0x86DD


def dot11(packet, version, is_query, i, fcs=False):
    """An 802.11 data frame: queries to the AP (To DS), answers from it (From DS); every other one a QoS data frame,
    every fifth a four-address (WDS) frame."""
    cls = Dot11FCS if fcs else Dot11
    snap = LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=ethertype(version))
    if i % 5 == 4:
        header = cls(type=2, subtype=0, FCfield="to-DS+from-DS", addr1=AP_MAC, addr2=AP_MAC, addr3=SERVER_MAC,
                     addr4=CLIENT_MAC, SC=i << 4)
    elif is_query:
        header = cls(type=2, subtype=8 if i % 2 else 0, FCfield="to-DS", addr1=AP_MAC, addr2=CLIENT_MAC,
                     addr3=SERVER_MAC, SC=i << 4)
    else:
        header = cls(type=2, subtype=8 if i % 2 else 0, FCfield="from-DS", addr1=CLIENT_MAC, addr2=AP_MAC,
                     addr3=SERVER_MAC, SC=i << 4)
    if i % 2 and i % 5 != 4:
        header = header / Dot11QoS(TID=5)
    return header / snap / packet


def write(name, linktype, frames):
    """A classic little-endian pcap file, microsecond timestamps."""
    with open(os.path.join(HERE, name), "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for data, t in frames:
            usec = int(round(t * 1_000_000))
            out.write(struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(data), len(data)) + data)
    print(name, len(frames))


def build():
    frames = inner()

    write("ieee802_11.pcap", 105, [(raw(dot11(p, v, q, i)), t) for i, (p, v, q, t) in enumerate(frames)])
    write("radiotap.pcap", 127, [
        (raw(RadioTap(present="Flags+Rate+Channel+dBm_AntSignal", Flags="FCS", Rate=24, ChannelFrequency=2437,
                      ChannelFlags="2GHz+OFDM", dBm_AntSignal=-40) / dot11(p, v, q, i, fcs=True)), t)
        for i, (p, v, q, t) in enumerate(frames)
    ])
    # PPI: version 0, flags 0, header length 8, link type 105 (no fields).
    write("ppi.pcap", 192, [
        (struct.pack("<BBHI", 0, 0, 8, 105) + raw(dot11(p, v, q, i)), t) for i, (p, v, q, t) in enumerate(frames)
    ])
    write("prism.pcap", 119, [
        (raw(PrismHeader(dev=b"wlan0", channel=6, rssi=40) / dot11(p, v, q, i)), t)
        for i, (p, v, q, t) in enumerate(frames)
    ])
    # AVS (wlan-ng capture header version 2): 64 bytes, big-endian.
    avs = struct.pack("!IIQQIIIIiiIII", 0x80211001, 64, 0, 0, 1, 6, 24, 0, -40, -95, 1, 0, 0)
    avs += b"\0" * (64 - len(avs))
    write("avs.pcap", 163, [(avs + raw(dot11(p, v, q, i)), t) for i, (p, v, q, t) in enumerate(frames)])

    # PKTAP (macOS): the 108-byte version-1 header, little-endian, naming Ethernet (1) and interface en0.
    pktap = []
    for p, v, q, t in frames:
        header = struct.pack("<IIII24sIII", 108, 1, 1, 0, b"en0", 0, 0, 1234)
        header += b"\0" * (108 - len(header))
        ether = raw(Ether(src=CLIENT_MAC if q else SERVER_MAC, dst=SERVER_MAC if q else CLIENT_MAC,
                          type=ethertype(v))) + p
        pktap.append((header + ether, t))
    write("pktap.pcap", 258, pktap)

    # FDDI: frame control 0x50 (LLC, asynchronous), destination, source, then LLC/SNAP.
    mac = lambda m: bytes.fromhex(m.replace(":", ""))  # noqa: E731
    write("fddi.pcap", 10, [
        (b"\x50" + mac(SERVER_MAC if q else CLIENT_MAC) + mac(CLIENT_MAC if q else SERVER_MAC)
         + b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ethertype(v)) + p, t)
        for p, v, q, t in frames
    ])

    # ARCNET (Linux): source, destination, offset 0, protocol; IPv4 as RFC 1201 (0xd4, split flag 0, sequence) for
    # even frames and RFC 1051 (0xf0) for odd ones, IPv6 as RFC 2497 (0xc4, split flag, sequence).
    arcnet = []
    for i, (p, v, q, t) in enumerate(frames):
        hdr = struct.pack("!BBH", 1 if q else 2, 2 if q else 1, 0)
        if v == 6:
            hdr += struct.pack("!BBH", 0xC4, 0, i)
        elif i % 2:
            hdr += b"\xf0"
        else:
            hdr += struct.pack("!BBH", 0xD4, 0, i)
        arcnet.append((hdr + p, t))
    write("arcnet_linux.pcap", 129, arcnet)

    # PPP: RFC 1662 address/control then the protocol; every other frame without address/control.
    write("ppp.pcap", 9, [
        ((b"\xff\x03" if i % 2 == 0 else b"") + struct.pack("!H", 0x21 if v == 4 else 0x57) + p, t)
        for i, (p, v, q, t) in enumerate(frames)
    ])
    # PPP in HDLC framing: PPP (0xff 0x03) for even frames, Cisco PPP with HDLC framing (0x0f 0x00 EtherType) for odd.
    write("ppp_hdlc.pcap", 50, [
        ((b"\xff\x03" + struct.pack("!H", 0x21 if v == 4 else 0x57) if i % 2 == 0
          else b"\x0f\x00" + struct.pack("!H", ethertype(v))) + p, t)
        for i, (p, v, q, t) in enumerate(frames)
    ])
    # Cisco HDLC: unicast address 0x0f (queries) or broadcast 0x8f (answers), control 0, EtherType.
    write("c_hdlc.pcap", 104, [
        (bytes([0x0F if q else 0x8F, 0]) + struct.pack("!H", ethertype(v)) + p, t) for p, v, q, t in frames
    ])
    # IP over InfiniBand as Linux captures it: a 40-byte pseudo header (20 zero bytes: no GRH; then the destination
    # hardware address, QPN and GID), then RFC 4391 §6 (EtherType, two reserved bytes).
    def ib_address(q):
        return struct.pack("!I", 0x48) + bytes.fromhex("fe800000000000000002c903000" + ("0000a" if q else "0000b"))

    write("ipoib.pcap", 242, [
        (b"\0" * 20 + ib_address(q) + struct.pack("!HH", ethertype(v), 0) + p, t) for p, v, q, t in frames
    ])


if __name__ == "__main__":
    build()
