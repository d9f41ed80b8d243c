#!/usr/bin/env bash
# Build the benchmark peers into bench-out/peers/ (gitignored):
#   pcap_read_loop  - libpcap read loop in C, the "floor for reading"
#   gopassivedns    - github.com/Phillipmartin/gopassivedns at HEAD c640783 (Go + cgo/libpcap)
#
# Idempotent: installs only what is missing and rebuilds a peer only when its
# sources are newer than its binary. A peer that cannot be built is reported
# with "SKIP <peer>: <why>" and the script still exits 0, so the benchmark can
# simply leave that peer out (it checks for the binary).
#
# Usage: scripts/peers/build_peers.sh [--check]
#   --check  also replay testdata/gopassivedns/100_udp_lookups.pcap with each
#            built peer (gopassivedns takes ~6 s: it idles 6 s after EOF).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/bench-out/peers"
mkdir -p "$OUT"

# gopassivedns HEAD. The Go module proxy currently answers 403 for this module
# (any version), so we also accept a source tree laid down by hand (see
# scripts/peers/README.md). GOPASSIVEDNS_SRC overrides where that tree is.
GPD_MODULE="github.com/Phillipmartin/gopassivedns"
GPD_COMMIT="c640783f4d96f845ab1ba2570059c04391de7ec7"
GPD_SRC="${GOPASSIVEDNS_SRC:-$OUT/src/gopassivedns}"

log() { echo "build_peers: $*"; }
skip() { echo "SKIP $1: $2"; }

# True when $1 is missing or older than any of the other paths.
stale() {
    local bin="$1"; shift
    [ -x "$bin" ] || return 0
    [ -n "$(find "$@" -newer "$bin" -print -quit 2>/dev/null)" ]
}

# --- 1. system packages: libpcap headers (both peers link libpcap) and gcc ---
# apt-get update only when something is actually missing, so reruns stay fast.
need_pkgs=()
[ -f /usr/include/pcap/pcap.h ] || need_pkgs+=(libpcap-dev)
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}"; } >/dev/null; then
        log "apt-get install ${need_pkgs[*]} failed; peers needing them will be skipped"
    fi
fi
have_pcap=false; [ -f /usr/include/pcap/pcap.h ] && have_pcap=true
have_gcc=false; command -v gcc >/dev/null 2>&1 && have_gcc=true

# --- 2. pcap_read_loop (C) ---
build_read_loop() {
    local src="$ROOT/scripts/peers/pcap_read_loop.c" bin="$OUT/pcap_read_loop"
    if ! $have_gcc || ! $have_pcap; then skip pcap_read_loop "gcc or libpcap-dev missing"; return; fi
    if ! stale "$bin" "$src"; then log "pcap_read_loop up to date"; return; fi
    # -O2 as a normal release build would be; nothing else to tune in a read loop.
    if gcc -O2 -Wall -Wextra -o "$bin" "$src" -lpcap; then
        log "built $bin"
    else
        rm -f "$bin"; skip pcap_read_loop "gcc failed"
    fi
}

# --- 3. gopassivedns (Go, cgo) ---
# Find a source tree: the module proxy first (the normal way to fetch a Go
# module), then a local tree. Prints the directory, or nothing.
gpd_source() {
    local dir
    # The module cache is read-only, so a proxy download is copied to $OUT/src.
    if dir=$(GOFLAGS=-mod=mod go mod download -json "$GPD_MODULE@$GPD_COMMIT" 2>/dev/null \
             | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') && [ -n "$dir" ]; then
        rm -rf "$OUT/src/gopassivedns-proxy"; mkdir -p "$OUT/src"
        cp -r "$dir" "$OUT/src/gopassivedns-proxy" && chmod -R u+w "$OUT/src/gopassivedns-proxy"
        echo "$OUT/src/gopassivedns-proxy"; return
    fi
    if [ -f "$GPD_SRC/main.go" ] && [ -f "$GPD_SRC/go.mod" ]; then
        echo "$GPD_SRC"; return
    fi
}

build_gopassivedns() {
    local bin="$OUT/gopassivedns" src
    if ! command -v go >/dev/null 2>&1; then skip gopassivedns "no Go toolchain"; return; fi
    if ! $have_gcc || ! $have_pcap; then skip gopassivedns "cgo needs gcc and libpcap-dev"; return; fi
    # A local tree that is older than the binary means nothing to do (no network).
    if [ -x "$bin" ] && [ -f "$GPD_SRC/main.go" ] && ! stale "$bin" "$GPD_SRC"; then
        log "gopassivedns up to date"; return
    fi
    src=$(gpd_source)
    if [ -z "$src" ]; then
        skip gopassivedns "module proxy refuses $GPD_MODULE and no source tree at $GPD_SRC (see scripts/peers/README.md)"
        return
    fi
    log "building gopassivedns from $src"
    # HEAD's go.mod has a 'replace' (Sirupsen -> sirupsen/logrus), which rules
    # out 'go install module@version'; build inside the tree instead.
    # -mod=mod lets go fill in go.sum from the proxy (checked against sum.golang.org).
    if (cd "$src" && CGO_ENABLED=1 go build -mod=mod -buildvcs=false -trimpath -o "$bin" .); then
        log "built $bin"
    else
        rm -f "$bin"; skip gopassivedns "go build failed"
    fi
}

build_read_loop
build_gopassivedns

# --- 4. optional sanity check on the small file ---
if [ "${1:-}" = "--check" ]; then
    pcap="$ROOT/testdata/gopassivedns/100_udp_lookups.pcap"
    [ -x "$OUT/pcap_read_loop" ] && log "pcap_read_loop: $("$OUT/pcap_read_loop" "$pcap")"
    if [ -x "$OUT/gopassivedns" ]; then
        # Records go to stdout (one JSON object a line) unless -quiet; expect 50.
        log "gopassivedns: $("$OUT/gopassivedns" -pcap "$pcap" | wc -l) records (expect 50)"
    fi
fi
exit 0
