#!/usr/bin/env bash
# Records testdata/real/same_id.pcap: real knotd answering a real client that keeps two lookups in flight under one
# ID (scripts/real_traffic/same_id_client.py: A and AAAA with one ID on one UDP socket, and two queries with one ID
# in one TCP segment; over IPv4 and IPv6). Everything runs in a private network namespace (unshare -n), so port 53 of
# the machine and other tests are never touched. The tests do not run this script: its output is committed.
#
# Usage: sudo scripts/capture_same_id.sh [OUTPUT_FILE]   (default: testdata/real/same_id.pcap)
# Needs: root, knotd, tcpdump, /usr/bin/python3 with python3-dnspython (scripts/install_test_deps.sh).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(realpath -m "${1:-$HERE/../testdata/real/same_id.pcap}")"
if [ -z "${IN_NETNS:-}" ]; then
  exec unshare -n env IN_NETNS=1 bash "$0" "$OUT"
fi
ip link set lo up
RUN="$(mktemp -d /tmp/capture_same_id.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$RUN"' EXIT
# The zone without its DNSSEC keys: this capture is about pairing, not signatures.
cat >"$RUN/knot.conf" <<CONF
server:
    rundir: "$RUN"
    listen: [ 127.0.1.1@53, ::1@53 ]
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$RUN/db"
template:
  - id: default
    storage: "$RUN"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: example.test.
    file: "$HERE/real_traffic/example.test.zone"
CONF
ip addr add 127.0.1.1/8 dev lo 2>/dev/null || true
knotd -c "$RUN/knot.conf" >"$RUN/knotd.out" 2>&1 &
for _ in $(seq 50); do kdig +retry=0 +time=1 @127.0.1.1 example.test SOA >/dev/null 2>&1 && break; sleep 0.1; done
tcpdump -Z root -i lo -s 0 -U -n --immediate-mode -w "$OUT" port 53 2>"$RUN/tcpdump.err" &
TCPDUMP=$!
for _ in $(seq 50); do grep -q listening "$RUN/tcpdump.err" && break; sleep 0.1; done
/usr/bin/python3 "$HERE/real_traffic/same_id_client.py"
sleep 0.5
kill -INT "$TCPDUMP"
wait "$TCPDUMP" || true

echo "wrote $OUT" >&2
