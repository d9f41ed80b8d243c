#!/usr/bin/env bash
# Records testdata/links/nflog.pcap (LINKTYPE_NFLOG, 239) with the kernel: inside a network namespace this script
# creates (and deletes), an nftables rule logs every DNS packet leaving a socket to netlink group 5, and tcpdump reads
# that group (`-i nflog:5`). dig asks knotd (authoritative for tunnel.test, ../tunnels/tunnel.test.zone) over
# 127.0.0.1 and ::1, UDP and TCP. Run as root (needs nft, knotd, dig, tcpdump). The tests never run it.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
RUN="$(mktemp -d /tmp/make_nflog.XXXXXX)"
NS="dnpd_nflog_$$"
DIG=(dig +tries=1 +time=2 +nocookie)
declare -a PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT
n() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
n ip link set lo up
n nft add table inet dnpd
n nft add chain inet dnpd out '{ type filter hook output priority 0 ; }'
n nft add rule inet dnpd out udp sport 53 log group 5
n nft add rule inet dnpd out udp dport 53 log group 5
n nft add rule inet dnpd out tcp sport 53 log group 5
n nft add rule inet dnpd out tcp dport 53 log group 5

mkdir -p "$RUN/knot"
cat >"$RUN/knot.conf" <<CONF
server:
    rundir: "$RUN/knot"
    listen: [ 127.0.0.1@53, ::1@53 ]
database:
    storage: "$RUN/knot/db"
template:
  - id: default
    storage: "$RUN/knot"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: tunnel.test.
    file: "$HERE/../tunnels/tunnel.test.zone"
CONF
n knotd -c "$RUN/knot.conf" >"$RUN/knotd.out" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do
  n "${DIG[@]}" @127.0.0.1 tunnel.test SOA +short >/dev/null 2>&1 && break
  sleep 0.2
done

n tcpdump -i nflog:5 -s 0 -U -w "$RUN/nflog.pcap" >/dev/null 2>&1 &
PIDS+=("$!")
sleep 1
n "${DIG[@]}" @127.0.0.1 www.tunnel.test A
n "${DIG[@]}" @127.0.0.1 mail.tunnel.test MX
n "${DIG[@]}" @127.0.0.1 nothere.tunnel.test A
n "${DIG[@]}" @127.0.0.1 txt.tunnel.test TXT +tcp
n "${DIG[@]}" -6 @::1 www.tunnel.test AAAA
sleep 1
kill "${PIDS[-1]}"
sleep 0.5
cp "$RUN/nflog.pcap" "$HERE/nflog.pcap"
ls -l "$HERE/nflog.pcap"
