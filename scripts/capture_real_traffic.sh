#!/usr/bin/env bash
# Records the captures in testdata/real/ from REAL DNS software talking over loopback: knotd (authoritative, signed
# zones from scripts/real_traffic/), unbound (validating resolver with stub-zones to knotd) and the clients dig, kdig,
# knsupdate and dnsperf. One capture per scenario, written by tcpdump (pcap) or dumpcap (pcapng).
#
# The tests do NOT run this script: its output is committed. It documents how each file was made and lets anyone
# re-record them (answers stay the same; IDs, ports, timestamps and RRSIG validity times change).
#
# Usage: sudo scripts/capture_real_traffic.sh [OUTPUT_DIR]     (default: testdata/real)
# Needs: root (port 53, packet capture) and the packages of scripts/install_test_deps.sh.
#
# Addresses and ports, all loopback, all port 53 so the sensor's default port list sees everything:
#   knotd    127.0.1.1:53 and [::1]:53   (udp + tcp)
#   unbound  127.0.0.1:53                (udp + tcp; queries knotd from 127.0.0.1)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF="$HERE/real_traffic"
OUT="$(mkdir -p "${1:-$HERE/../testdata/real}" && cd "${1:-$HERE/../testdata/real}" && pwd)"
RUN="$(mktemp -d /tmp/capture_real_traffic.XXXXXX)"
AUTH4=127.0.1.1
AUTH6=::1
RESOLVER=127.0.0.1

# Every dig gives up quickly: a missing answer must not stall the script. +nocookie because knotd's cookie module
# answers a first client-only cookie with BADCOOKIE and dig then repeats the query, doubling every exchange; the
# scenarios that want cookies say +cookie (the later option wins).
DIG=(dig +tries=1 +time=2 +nocookie)
KDIG=(kdig +retry=0 +time=2)

declare -a DAEMON_PIDS=()
cleanup() {
  local pid
  for pid in "${DAEMON_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${DAEMON_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -z "${KEEP_RUN:-}" ]; then rm -rf "$RUN"; else echo "kept $RUN" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
  echo "capture_real_traffic: $*" >&2
  exit 1
}

for tool in knotd keymgr knotc unbound unbound-checkconf dig kdig knsupdate dnsperf tcpdump dumpcap editcap ss; do
  command -v "$tool" >/dev/null || die "$tool is missing; run scripts/install_test_deps.sh"
done
[ "$(id -u)" -eq 0 ] || die "must run as root (binds port 53 and captures packets)"

# Refuse to start when something already listens on one of our sockets (or on a wildcard address at port 53).
if ss -Hlntu | awk '{print $5}' | grep -Eq '^(127\.0\.0\.1|127\.0\.1\.1|\[::1\]|0\.0\.0\.0|\*|\[::\]|\[::ffff:0\.0\.0\.0\]):53$'; then
  ss -Hlntup | grep ':53 ' >&2 || true
  die "port 53 is already in use on loopback; stop that server first"
fi

# ---------------------------------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------------------------------
start_knot() {
  mkdir -p "$RUN/knot/keys" "$RUN/knot/db"
  sed -e "s|@RUN@|$RUN/knot|g" -e "s|@ZONES@|$CONF|g" "$CONF/knot.conf.in" >"$RUN/knot.conf"
  knotc -c "$RUN/knot.conf" conf-check >/dev/null
  # Committed Ed25519 keys, one CSK per signed zone: DNSKEY, DS and CDS stay the same across re-recordings.
  local zone
  for zone in example.test nsec3.test; do
    keymgr -c "$RUN/knot.conf" "$zone." import-pem "$CONF/keys/$zone.pem" algorithm=ed25519 ksk=yes zsk=yes >/dev/null
    keymgr -c "$RUN/knot.conf" "$zone." ds | awk '$5 == 2' >>"$RUN/trust_anchors.ds"
  done
  knotd -c "$RUN/knot.conf" >"$RUN/knotd.out" 2>&1 &
  DAEMON_PIDS+=("$!")
  wait_for_answer "$AUTH4" example.test SOA || die "knotd did not answer; see $RUN/knot/knot.log"
}

# prepare_unbound: writes unbound's configuration once; each start_unbound then runs a fresh process (cold cache).
prepare_unbound() {
  mkdir -p "$RUN/unbound"
  mv "$RUN/trust_anchors.ds" "$RUN/unbound/trust_anchors.ds"
  sed -e "s|@RUN@|$RUN/unbound|g" "$CONF/unbound.conf.in" >"$RUN/unbound.conf"
  unbound-checkconf "$RUN/unbound.conf" >/dev/null
}

UNBOUND_PID=""
start_unbound() {
  unbound -d -c "$RUN/unbound.conf" >>"$RUN/unbound.out" 2>&1 &
  UNBOUND_PID="$!"
  DAEMON_PIDS+=("$UNBOUND_PID")
  # Probe with a name outside the test zones (answered from unbound's built-in local zone for "invalid.") so the
  # test zones stay uncached.
  wait_for_answer "$RESOLVER" probe.invalid A || die "unbound did not answer; see $RUN/unbound/unbound.log"
}

stop_unbound() {
  kill "$UNBOUND_PID" 2>/dev/null || true
  wait "$UNBOUND_PID" 2>/dev/null || true
  # Forget the pid so the exit trap never signals a process that may have reused it.
  local pid kept=()
  for pid in "${DAEMON_PIDS[@]}"; do
    [ "$pid" = "$UNBOUND_PID" ] || kept+=("$pid")
  done
  DAEMON_PIDS=("${kept[@]}")
}

# wait_for_answer SERVER NAME TYPE: polls until the server answers at all (any rcode), up to 5 s.
wait_for_answer() {
  local i
  for i in $(seq 1 50); do
    if dig +tries=1 +time=1 +nocookie "@$1" "$2" "$3" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------------------------------------
# Capture helpers
# ---------------------------------------------------------------------------------------------------------------------
CAPTURE_PIDS=()

# begin_capture FILE [tcpdump options...]: starts tcpdump on lo (unless options choose another interface) for port 53
# and waits until it is listening, so no packet of the scenario is missed.
begin_capture() {
  local file="$1"
  shift
  local log="$RUN/$(basename "$file").log"
  # --immediate-mode: without it, packets sitting in a half-filled TPACKET_V3 block can be lost when tcpdump stops.
  # -B: a 16 MiB capture buffer, so a dnsperf burst is not dropped before tcpdump reads it.
  tcpdump -i lo -s 0 -U -n --immediate-mode -B 16384 "$@" -w "$file" port 53 >"$log" 2>&1 &
  CAPTURE_PIDS+=("$!")
  wait_for_listening "$log" "tcpdump for $file"
}

# begin_pcapng FILE: the same with dumpcap, which writes pcapng (tcpdump cannot).
begin_pcapng() {
  local file="$1"
  local log="$RUN/$(basename "$file").log"
  dumpcap -q -i lo -s 0 -B 16 -f "port 53" -w "$file" >"$log" 2>&1 &
  CAPTURE_PIDS+=("$!")
  # dumpcap -q prints nothing when it starts; give it the same settling time tcpdump needs.
  sleep 1
  kill -0 "${CAPTURE_PIDS[-1]}" 2>/dev/null || die "dumpcap failed: $(cat "$log")"
}

wait_for_listening() {
  local i
  for i in $(seq 1 50); do
    grep -q "listening on" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  die "$2 did not start: $(cat "$1")"
}

# end_capture: lets the last answers arrive, then stops the capture processes (SIGINT flushes their buffers).
end_capture() {
  sleep 0.5
  local pid
  for pid in "${CAPTURE_PIDS[@]}"; do
    kill -INT "$pid" 2>/dev/null || true
  done
  for pid in "${CAPTURE_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  CAPTURE_PIDS=()
}

# q SERVER NAME TYPE [dig options...]: one dig query; failures (timeouts) are logged, never fatal.
q() {
  local server="$1" name="$2" type="$3"
  shift 3
  "${DIG[@]}" "@$server" "$name" "$type" "$@" >>"$RUN/dig.log" 2>&1 || echo "dig $name $type failed" >>"$RUN/dig.log"
}

# ---------------------------------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------------------------------

# Every RR type of the zone over UDP/IPv4, plus the negative answers (NXDOMAIN, NODATA, REFUSED, referral).
scenario_udp_types() {
  local s=$AUTH4
  q $s www.example.test A
  q $s www.example.test AAAA
  q $s example.test NS
  q $s example.test SOA
  q $s example.test MX
  q $s example.test TXT
  q $s example.test CAA
  q $s alias.example.test A # CNAME chain of three
  q $s external.example.test A # CNAME out of zone
  q $s host.old.example.test A # DNAME + synthesized CNAME
  q $s ptr.example.test PTR
  q $s -x 192.0.2.1 # reverse lookup, PTR in 2.0.192.in-addr.arpa
  q $s txt.example.test TXT
  q $s txtlong.example.test TXT
  q $s _sip._udp.example.test SRV
  q $s naptr.example.test NAPTR
  q $s _443._tcp.www.example.test TLSA
  q $s www.example.test SSHFP
  q $s _8443._foo.api.example.test SVCB
  q $s www.example.test HTTPS
  q $s apex-alias.example.test HTTPS
  q $s hinfo.example.test HINFO
  q $s loc.example.test LOC
  q $s _ftp._tcp.example.test URI
  q $s child.example.test DS
  q $s example.test DNSKEY
  q $s example.test CDS
  q $s example.test CDNSKEY
  q $s unknown.example.test TYPE65280
  q $s anything.wild.example.test A
  q $s other.wild.example.test TXT
  q $s 'weird\.dot\032space.example.test' TXT
  q $s 'back\\slash.example.test' A
  q $s 'caf\195\169.example.test' A
  q $s 'nul\000byte.example.test' A
  q $s shortttl.example.test A
  q $s zerottl.example.test A
  q $s missing.example.test A # NXDOMAIN
  q $s nodata.example.test MX # NODATA
  q $s ent.example.test A # empty non-terminal: NODATA
  q $s www.notserved.test A # REFUSED: zone not served
  q $s foo.child.example.test A # referral (NS in authority, glue in additional)
  q $s example.test ANY # RFC 8482 minimal answer
  q $s version.server TXT -c CH # CHAOS class
  q $s www.example.test A +noedns +nocookie # plain RFC 1035 query without OPT
  q $s www.example.test A +norecurse
}

# Several DNS messages on one TCP connection: dig +tcp (one per connection), kdig +keepopen (sequential on one
# connection) and dnsperf in TCP mode (up to 10 queries in flight on one connection).
scenario_tcp_pipelining() {
  q $AUTH4 www.example.test A +tcp
  q $AUTH4 txt.example.test TXT +tcp
  q $AUTH4 missing.example.test A +tcp
  "${KDIG[@]}" "@$AUTH4" +tcp +keepopen www.example.test A mail.example.test A example.test MX txt.example.test TXT \
    missing.example.test A >>"$RUN/kdig.log" 2>&1 || true
  dnsperf -m tcp -s $AUTH4 -p 53 -c 1 -q 10 -n 1 -l 10 -d "$CONF/dnsperf_queries.txt" >"$RUN/dnsperf_tcp.log" 2>&1 || true
}

# DNSSEC records (RRSIG, NSEC, NSEC3, DNSKEY) and EDNS(0) options: client subnet, cookies, NSID, unknown option,
# EDNS version 1 (BADVERS, an extended RCODE), DO and CD bits.
scenario_dnssec_edns() {
  local s=$AUTH4
  q $s www.example.test A +dnssec
  q $s example.test DNSKEY +dnssec
  q $s missing.example.test A +dnssec # NXDOMAIN with NSEC proofs
  q $s nodata.example.test MX +dnssec # NODATA with NSEC
  q $s anything.wild.example.test A +dnssec # wildcard expansion with NSEC proof
  q $s child.example.test DS +dnssec
  q $s foo.child.example.test A +dnssec # signed referral: DS in authority
  q $s www.nsec3.test A +dnssec
  q $s missing.nsec3.test A +dnssec # NXDOMAIN with NSEC3 proofs
  q $s www.nsec3.test MX +dnssec # NODATA with NSEC3
  q $s www.example.test A +subnet=192.0.2.0/24
  q $s www.example.test AAAA +subnet=2001:db8::/48
  q $s www.example.test A +cookie
  q $s www.example.test A +nsid
  q $s www.example.test A +ednsopt=65001:cafe # unknown EDNS option code
  q $s www.example.test A +edns=1 +noednsnegotiation # BADVERS
  q $s www.example.test A +dnssec +cdflag +bufsize=4096
  q $s www.example.test A +dnssec +tcp +nsid +cookie
}

# A stub client asking the validating resolver: the capture has client<->unbound (AD answers) and unbound<->knotd
# (iterative queries with DO, DNSKEY/DS fetches for validation, RFC 8145 key-tag queries, QNAME minimisation).
scenario_resolver() {
  local s=$RESOLVER
  q $s www.example.test A
  q $s www.example.test A # second time: answered from cache, no upstream traffic
  q $s alias.example.test A
  q $s example.test MX
  q $s missing.example.test A
  q $s -x 192.0.2.25
  q $s anything.wild.example.test A
  q $s host.old.example.test A
  q $s www.nsec3.test A +dnssec
  q $s missing.nsec3.test A
  q $s txt.example.test TXT +tcp
  q $s www.notserved.test A # no such stub: unbound has no root hints reachable, answers SERVFAIL
}

# dnsperf over UDP: 320 queries (the 40-line query file 8 times), at most 200 per second.
scenario_dnsperf() {
  dnsperf -m udp -s $AUTH4 -p 53 -c 1 -Q 200 -n 8 -l 10 -d "$CONF/dnsperf_queries.txt" >"$RUN/dnsperf_udp.log" 2>&1 ||
    true
}

# IPv6 transport to knotd on [::1]:53, UDP and TCP.
scenario_ipv6() {
  local s=$AUTH6
  q $s www.example.test AAAA -6
  q $s www.example.test A -6
  q $s alias.example.test AAAA -6
  q $s txt.example.test TXT -6
  q $s missing.example.test A -6 +dnssec
  q $s www.notserved.test A -6
  q $s www.example.test AAAA -6 +tcp
  "${KDIG[@]}" -6 "@$AUTH6" +tcp +keepopen www.example.test AAAA example.test NS >>"$RUN/kdig.log" 2>&1 || true
}

# Truncation: a 1.6 kB TXT set over UDP with a small buffer comes back with TC set; dig then retries over TCP unless
# told to +ignore.
scenario_truncation() {
  local s=$AUTH4
  q $s big.example.test TXT +bufsize=512 +notcp +ignore # TC only
  q $s big.example.test TXT +noedns +nocookie +ignore # 512-octet classic limit, TC only
  q $s big.example.test TXT +bufsize=512 # TC, then the same query over TCP
  q $s big.example.test TXT +bufsize=1232 # still too big: TC, then TCP
  q $s big.example.test TXT +bufsize=4096 # fits: one 1.8 kB UDP answer
}

# A mix of transports for the pcapng file.
scenario_pcapng() {
  q $AUTH4 www.example.test A
  q $AUTH4 www.example.test AAAA +tcp
  q $AUTH6 txt.example.test TXT -6
  q $AUTH4 missing.example.test A +dnssec
  q $RESOLVER mail.example.test A
}

# The same kind of traffic captured on the "any" pseudo-interface (Linux cooked capture).
scenario_any() {
  q $AUTH4 www.example.test A
  q $AUTH4 www.example.test AAAA +tcp
  q $AUTH6 www.example.test AAAA -6
  q $AUTH4 missing.example.test A
}

# RFC 2136 UPDATE with knsupdate: an accepted add to example.test (ACL allows loopback) and a refused one to
# nsec3.test. Runs last because it changes example.test.
scenario_update() {
  knsupdate -t 2 -r 0 >>"$RUN/knsupdate.log" 2>&1 <<EOF || true
server $AUTH4 53
zone example.test.
origin example.test.
update add dyn 300 A 192.0.2.201
update add dyn 300 TXT "added by knsupdate"
send
zone nsec3.test.
origin nsec3.test.
update add dyn 300 A 192.0.2.202
send
quit
EOF
  q $AUTH4 dyn.example.test A
}

# ---------------------------------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------------------------------

# capture_is_complete FILE...: true when tshark (two passes, so queries know their answers) finds no lost TCP segment,
# no query without an answer and no answer without a query. Under load the capture socket can miss packets.
capture_is_complete() {
  local file problems
  for file in "$@"; do
    problems="$(tshark -n -2 -r "$file" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment ||
      (dns.flags.response == 0 && !dns.response_in) || (dns.flags.response == 1 && !dns.response_to)' 2>/dev/null |
      wc -l)"
    [ "$problems" -eq 0 ] || return 1
  done
}

# record FILE SCENARIO: runs SCENARIO under the capture(s) FILE needs and records it again (3 tries) when the capture
# came out incomplete. The resolver gets a fresh unbound each try so its cache starts cold.
record() {
  local name="$1" scenario="$2" attempt
  local files=("$OUT/$name")
  for attempt in 1 2 3; do
    case "$name" in
      resolver.pcap | mixed.pcapng) start_unbound ;;
    esac
    case "$name" in
      mixed.pcapng) begin_pcapng "$OUT/$name" ;;
      any_sll.pcap)
        # Both cooked-capture versions at once: tcpdump 4.99 writes SLL2 on "any"; -y LINUX_SLL asks for v1.
        files+=("$OUT/any_sll_v1.pcap")
        begin_capture "$OUT/any_sll.pcap" -i any
        begin_capture "$OUT/any_sll_v1.pcap" -i any -y LINUX_SLL
        ;;
      *) begin_capture "$OUT/$name" ;;
    esac
    "$scenario"
    end_capture
    case "$name" in
      resolver.pcap | mixed.pcapng) stop_unbound ;;
    esac
    if capture_is_complete "${files[@]}"; then
      return 0
    fi
    echo "capture_real_traffic: $name is incomplete (try $attempt), recording it again" >&2
    files=("$OUT/$name")
  done
  die "$name stayed incomplete after 3 tries"
}

start_knot
prepare_unbound

record resolver.pcap scenario_resolver
record udp_types.pcap scenario_udp_types
record tcp_pipelining.pcap scenario_tcp_pipelining
record dnssec_edns.pcap scenario_dnssec_edns
record dnsperf.pcap scenario_dnsperf
record ipv6.pcap scenario_ipv6
record truncation.pcap scenario_truncation
record mixed.pcapng scenario_pcapng
record any_sll.pcap scenario_any
# Last: it changes example.test.
record update.pcap scenario_update

{
  echo "# Recorded $(date -u +%Y-%m-%dT%H:%M:%SZ) by scripts/capture_real_traffic.sh"
  echo "# $(knotd --version 2>&1 | head -n1)"
  echo "# unbound $(unbound -V 2>&1 | sed -n 's/^Version //p')"
  echo "# $(dig -v 2>&1 | head -n1)"
  echo "# $(kdig --version 2>&1 | head -n1)"
  echo "# $(dnsperf -h 2>&1 | grep -m1 '^Version' | sed 's/^/dnsperf /')"
  echo "# $(tcpdump --version 2>&1 | head -n1), $(tcpdump --version 2>&1 | sed -n 2p)"
  echo "# $(dumpcap --version 2>&1 | head -n1)"
} >"$OUT/VERSIONS"

# tcpdump drops privileges to its own user and dumpcap writes mode 0600: hand the files to the folder's owner.
chown --reference="$OUT" "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT/VERSIONS"
chmod 644 "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT/VERSIONS"

for f in "$OUT"/*.pcap "$OUT"/*.pcapng; do
  printf '%-22s %6s packets %8s bytes\n' "$(basename "$f")" \
    "$(capinfos -M -c "$f" 2>/dev/null | awk '/Number of packets/ {print $NF}')" "$(stat -c %s "$f")"
done
