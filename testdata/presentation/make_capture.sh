#!/usr/bin/env bash
# Records testdata/presentation/dig.pcap and dig.txt: knotd serves presentation.test (this folder) on 127.0.0.77 port
# 53535 inside a network namespace this script creates, and dig asks for every record; dig.txt keeps dig's own text
# of each answer (`dig +short`), the independent source tests/presentation_dig_test.ts compares our records with.
# Run as root (knotd, dig, tcpdump, ip). The tests never run it.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RUN="$(mktemp -d /tmp/make_presentation.XXXXXX)"
NS="dnpd_pres_$$"
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
n ip addr add 127.0.0.77/8 dev lo 2>/dev/null || true
mkdir -p "$RUN/knot"
cat >"$RUN/knot.conf" <<CONF
server:
    rundir: "$RUN/knot"
    listen: [ 127.0.0.77@53535 ]
database:
    storage: "$RUN/knot/db"
template:
  - id: default
    storage: "$RUN/knot"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: presentation.test.
    file: "$HERE/presentation.test.zone"
CONF
n knotd -c "$RUN/knot.conf" >"$RUN/knotd.out" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do
  n dig +short -p 53535 @127.0.0.77 presentation.test SOA >/dev/null 2>&1 && break
  sleep 0.2
done
n tcpdump -i lo -s 0 -U -w "$RUN/dig.pcap" port 53535 >/dev/null 2>&1 &
PIDS+=("$!")
sleep 1
: >"$RUN/dig.txt"
while read -r name type; do
  n dig +tries=1 +time=2 +nocookie +short -p 53535 @127.0.0.77 "$name.presentation.test" "$type" |
    sed "s/^/$name $type /" >>"$RUN/dig.txt"
done <<LIST
loc1 LOC
loc2 LOC
loc3 LOC
svc1 SVCB
svc2 SVCB
svc3 SVCB
svc4 SVCB
web HTTPS
unknown TYPE65280
LIST
sleep 1
kill "${PIDS[-1]}"
sleep 0.5
cp "$RUN/dig.pcap" "$RUN/dig.txt" "$HERE/"
cat "$HERE/dig.txt"
