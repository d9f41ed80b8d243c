#!/usr/bin/env bash
# Records the kernel-made captures of testdata/tunnels/ (see README.md there): real DNS traffic between dig/kdig and
# knotd, carried by Linux VXLAN devices between two network namespaces this script creates (and deletes). Nothing
# leaves the namespaces: the underlay is a veth pair with addresses in 10.200.0.0/24 and fd20::/64.
#
#   vxlan.pcap        underlay capture: VXLAN VNI 42 on UDP 4789 over IPv4, inner IPv4 and IPv6, UDP and TCP
#   vxlan_8472.pcap   underlay capture: VXLAN VNI 7 on UDP 8472 (Linux's old default port) over IPv6
#   inner.pcap        the same exchanges as vxlan.pcap seen on the VXLAN device: the plain Ethernet frames that
#                     build_tunnels.py wraps in the tunnels this kernel cannot make
#   ipv6_fragments.pcap  a 3 kB TXT answer over IPv6 on a 1280-byte MTU path: the kernel fragments it
#
# Run as root: testdata/tunnels/make_captures.sh (needs knotd, dig, kdig, tcpdump, ip). The tests never run it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RUN="$(mktemp -d /tmp/make_tunnels.XXXXXX)"
NS_A="dnpd_tun_a_$$"
NS_B="dnpd_tun_b_$$"
DIG=(dig +tries=1 +time=2 +nocookie)
declare -a PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT

a() { ip netns exec "$NS_A" "$@"; }
b() { ip netns exec "$NS_B" "$@"; }

ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add ula type veth peer name ulb
ip link set ula netns "$NS_A"
ip link set ulb netns "$NS_B"
a ip link set lo up
b ip link set lo up
a ip addr add 10.200.0.1/24 dev ula
b ip addr add 10.200.0.2/24 dev ulb
a ip -6 addr add fd20::1/64 dev ula nodad
b ip -6 addr add fd20::2/64 dev ulb nodad
a ip link set ula up
b ip link set ulb up

# VXLAN VNI 42, IANA port, IPv4 underlay; inner 192.168.42.0/24 and fd42::/64.
a ip link add vx42 type vxlan id 42 dstport 4789 local 10.200.0.1 remote 10.200.0.2
b ip link add vx42 type vxlan id 42 dstport 4789 local 10.200.0.2 remote 10.200.0.1
# VXLAN VNI 7 on port 8472, IPv6 underlay; inner 192.168.7.0/24.
a ip link add vx7 type vxlan id 7 dstport 8472 local fd20::1 remote fd20::2
b ip link add vx7 type vxlan id 7 dstport 8472 local fd20::2 remote fd20::1
a ip addr add 192.168.42.1/24 dev vx42
b ip addr add 192.168.42.2/24 dev vx42
a ip -6 addr add fd42::1/64 dev vx42 nodad
b ip -6 addr add fd42::2/64 dev vx42 nodad
a ip addr add 192.168.7.1/24 dev vx7
b ip addr add 192.168.7.2/24 dev vx7
for dev in vx42 vx7; do
  a ip link set "$dev" up
  b ip link set "$dev" up
done

# knotd, authoritative for tunnel.test on the inner addresses (its answers have AA set and RA clear).
mkdir -p "$RUN/knot"
cat >"$RUN/knot.conf" <<EOF
server:
    rundir: "$RUN/knot"
    pidfile: "$RUN/knot/knot.pid"
    listen: [ 192.168.42.2@53, fd42::2@53, 192.168.7.2@53 ]
    udp-max-payload: 4096
database:
    storage: "$RUN/knot/db"
template:
  - id: default
    storage: "$RUN/knot"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: tunnel.test.
    file: "$HERE/tunnel.test.zone"
EOF
b knotd -c "$RUN/knot.conf" >"$RUN/knotd.out" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do
  a "${DIG[@]}" @192.168.42.2 tunnel.test SOA +short >/dev/null 2>&1 && break
  sleep 0.2
done

capture() { # capture NAMESPACE DEVICE FILE FILTER
  ip netns exec "$1" tcpdump -i "$2" -s 0 -U -w "$3" "$4" >/dev/null 2>&1 &
  PIDS+=("$!")
  sleep 1
}

capture "$NS_A" ula "$RUN/vxlan.pcap" "udp port 4789"
capture "$NS_A" vx42 "$RUN/inner.pcap" "port 53"
a "${DIG[@]}" @192.168.42.2 www.tunnel.test A
a "${DIG[@]}" @192.168.42.2 www.tunnel.test AAAA
a "${DIG[@]}" @192.168.42.2 mail.tunnel.test MX
a "${DIG[@]}" @192.168.42.2 alias.tunnel.test A +norecurse
a "${DIG[@]}" @192.168.42.2 nothere.tunnel.test A
a "${DIG[@]}" @192.168.42.2 txt.tunnel.test TXT +tcp
a "${DIG[@]}" -6 @fd42::2 www.tunnel.test AAAA
a "${DIG[@]}" -6 @fd42::2 txt.tunnel.test TXT
a kdig +retry=0 +time=2 +tcp @fd42::2 mx.tunnel.test A
sleep 1
kill "${PIDS[-1]}" "${PIDS[-2]}"
sleep 0.5

capture "$NS_A" ula "$RUN/vxlan_8472.pcap" "udp port 8472"
a "${DIG[@]}" @192.168.7.2 www.tunnel.test A
a "${DIG[@]}" @192.168.7.2 txt.tunnel.test TXT +tcp
sleep 1
kill "${PIDS[-1]}"
sleep 0.5

# A path MTU of 1280 from the server back to the client: the 3 kB UDP answer leaves knotd in IPv6 fragments.
b ip -6 route add fd42::1/128 dev vx42 mtu 1280
capture "$NS_A" vx42 "$RUN/ipv6_fragments.pcap" "ip6"
a "${DIG[@]}" -6 @fd42::2 big.tunnel.test TXT +bufsize=4096
a "${DIG[@]}" -6 @fd42::2 www.tunnel.test AAAA
sleep 1
kill "${PIDS[-1]}"
sleep 0.5

for f in vxlan vxlan_8472 inner ipv6_fragments; do cp "$RUN/$f.pcap" "$HERE/$f.pcap"; done
ls -l "$HERE"/*.pcap
