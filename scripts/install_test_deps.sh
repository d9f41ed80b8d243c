#!/usr/bin/env bash
# Installs the Debian packages the test suites need (CI runs this as root on a fresh Debian 12).
#
#   tshark        cross-checks our DNS decoder against Wireshark's dissector (tests/tshark_dissect.ts)
#   tcpdump       records the captures in testdata/real/ (scripts/capture_real_traffic.sh)
#   unbound       recursive resolver for the resolver<->authority capture and integration tests
#   knot          knotd, the authoritative server for the zone in scripts/real_traffic/
#   dnsutils      dig
#   knot-dnsutils kdig (TCP pipelining with +keepopen)
#   dnsperf       bulk UDP query load
#   libpcap0.8    libpcap.so.0.8 for the live-capture FFI source
#   rsyslog       a real syslog receiver for the syslog sink tests
#   kcat          a real Kafka consumer (librdkafka) reading back what the Kafka sink sent (tests/kafka_sink_test.ts)
#   default-jre-headless, maven
#                 run and fetch the Apache Kafka broker those tests start: its jars come from Maven Central
#                 (scripts/kafka/pom.xml) into $KAFKA_JARS_DIR, default ~/.cache/denopassivedns/kafka-4.4.0,
#                 outside the repository and kept between runs (fetched once: 45 jars, 43 MB, ~30 s)
#   openssl       the test CA and the broker certificate of the Kafka TLS test
#   python3       Debian's /usr/bin/python3, which runs scripts/gen_dns_pcap.py in tests/format_consistency_test.ts
#                 and tests/hardening_cli_test.ts
#                 (a test never uses the python3 first on PATH, which may be another interpreter)
#   prometheus    promtool, which checks the /metrics exposition in tests/metrics_test.ts
#   tcpreplay     sends the bundled and generated captures onto veth pairs (live capture tests, deno task bench:live)
#   iproute2      ip netns / ip link for the network namespaces and veth pairs of the live capture tests
#   util-linux    setpriv, to run the sensor as an unprivileged user in the live capture tests (always there on Debian);
#                 the package test runs the installed launcher with it as the service user
#   dpkg-dev      dpkg-deb builds the Debian package (deno task package, tests/package_test.ts)
#   systemd       systemd-analyze verify checks the packaged unit (no booted systemd needed)
#   adduser       the package's postinst creates the service user with it
#   systemd-container, debootstrap
#                 systemd-nspawn boots a minimal Debian 12 (built once by debootstrap from the Debian mirror, kept in
#                 ~/.cache/denopassivedns/nspawn-bookworm) with the package installed, so that the unit runs under a
#                 booted systemd (tests/systemd_boot_test.ts)
#   qemu-user-static, libc6-arm64-cross, libgcc-s1-arm64-cross
#                 run the arm64 package's Deno runtime (an aarch64 ELF) on this amd64 machine, emulated, with the
#                 aarch64 C library it links against (tests/arm64_package_test.ts)
#
# Also the Etsy statsd daemon (npm statsd 0.9.0, run under the machine's Node by tests/_statsd.ts), installed into
# $STATSD_DIR (default /opt/denopassivedns-test/statsd), a test tool, not a project dependency. Needs node and npm.
#
# Idempotent and quiet: packages already installed (dpkg -s) are skipped without touching apt; apt output goes to a
# log file and one summary line is printed. Exit status is non-zero when a package could not be installed.
set -euo pipefail

PACKAGES=(tshark tcpdump unbound knot dnsutils knot-dnsutils dnsperf libpcap0.8 rsyslog kcat default-jre-headless maven openssl python3 prometheus tcpreplay iproute2 util-linux
  dpkg-dev systemd adduser systemd-container debootstrap qemu-user-static libc6-arm64-cross libgcc-s1-arm64-cross)
STATSD_DIR="${STATSD_DIR:-/opt/denopassivedns-test/statsd}"
STATSD_VERSION="0.9.0"

# statsd for the metrics tests: skipped when the wanted version is already there.
install_statsd() {
  local installed
  installed=$(node -p "require('$STATSD_DIR/node_modules/statsd/package.json').version" 2>/dev/null || true)
  if [ "$installed" = "$STATSD_VERSION" ]; then
    return 0
  fi
  if ! npm install --no-audit --no-fund --prefix "$STATSD_DIR" "statsd@$STATSD_VERSION" >>"$LOG" 2>&1; then
    echo "install_test_deps: FAILED installing npm statsd@$STATSD_VERSION into $STATSD_DIR; see $LOG" >&2
    return 1
  fi
  echo "install_test_deps: installed npm statsd@$STATSD_VERSION into $STATSD_DIR"
}
LOG="${INSTALL_TEST_DEPS_LOG:-/tmp/install_test_deps.log}"

missing=()
for pkg in "${PACKAGES[@]}"; do
  # "install ok installed" is the only status that means the package is fully configured.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

# The Kafka broker's jars (after the packages, which bring java and mvn). Skipped when already there.
fetch_kafka_jars() {
  local dir="${KAFKA_JARS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/denopassivedns/kafka-4.4.0}"
  local pom
  pom="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/kafka/pom.xml"
  if [ -f "$dir/kafka_2.13-4.4.0.jar" ] && [ -f "$dir/log4j-slf4j-impl-2.24.3.jar" ]; then
    echo "install_test_deps: Kafka jars already in $dir"
    return 0
  fi
  mkdir -p "$dir"
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir" >>"$LOG" 2>&1; then
    echo "install_test_deps: FAILED fetching the Kafka jars with mvn; see $LOG" >&2
    tail -n 20 "$LOG" >&2
    return 1
  fi
  echo "install_test_deps: Kafka jars fetched into $dir ($(ls "$dir" | wc -l) jars)"
}

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install_test_deps: all ${#PACKAGES[@]} packages already installed"
  fetch_kafka_jars && install_statsd
  exit $?
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
: >"$LOG"

# wireshark-common asks whether non-root users may capture; answer "no" ahead of time so no prompt can appear.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections >>"$LOG" 2>&1

# Keep postinst scripts from starting unbound/knot/rsyslog daemons: the tests start their own instances on their own
# ports, and a packaged unbound grabbing port 53 would clash with them. Only add the guard when none exists, and only
# remove the one we added.
added_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  added_policy="yes"
fi
cleanup() {
  if [ -n "$added_policy" ]; then
    $SUDO rm -f /usr/sbin/policy-rc.d
  fi
}
trap cleanup EXIT

status=0
{
  $SUDO apt-get update -q &&
    $SUDO apt-get install -y -q --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
} >>"$LOG" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
  echo "install_test_deps: FAILED installing ${missing[*]} (exit $status); see $LOG" >&2
  tail -n 20 "$LOG" >&2
  exit "$status"
fi
echo "install_test_deps: installed ${missing[*]} (log: $LOG)"
fetch_kafka_jars && install_statsd
