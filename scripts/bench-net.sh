#!/usr/bin/env bash
# Builds release and runs the network benchmarks, each preceded and followed by the machine's
# load average (/proc/loadavg): `exobench demux` (no daemon), `exobench udp-rate` in both
# directions, `exobench udp-rtt`, `exobench tcp-bulk` (both directions) and `exobench tcp-rr`
# (their own namespaces, veth, vde_switch and exokerneld; need root), and `exobench http` (wrk
# against ExOS's httpd and against nginx on the kernel, same veth pair).
#   scripts/bench-net.sh                   all seven, table output, 3 rounds each
#   scripts/bench-net.sh udp-rtt [ARGS]    one of: demux, udp-rate, udp-rate-tx, udp-rtt,
#                                          tcp-bulk, tcp-rr, http;
#                                          ARGS go to that exobench command (e.g. --json)
#   UDP_RATE_ARGS="--backend tap" scripts/bench-net.sh   extra arguments for udp-rate (rx)
#   TCP_BULK_ARGS="--perf /tmp/tcp-bulk.perf" scripts/bench-net.sh tcp-bulk   profile the ExOS side
set -euo pipefail
cd "$(dirname "$0")/.."
for product in exokerneld exobench udp-sink udp-echo udp-blast exoctl httpd; do swift build -c release --product "$product"; done
bin=$(swift build -c release --show-bin-path)
command -v vde_switch >/dev/null || { echo "bench-net: vde_switch missing: run scripts/install-deps.sh" >&2; exit 1; }

only=""
case "${1:-}" in
demux | udp-rate | udp-rate-tx | udp-rtt | tcp-bulk | tcp-rr | http) only=$1; shift ;;
esac

run() {
    local name=$1
    shift
    [[ -n "$only" && "$only" != "$name" ]] && return 0
    echo "== $name: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    "$@"
    echo "== $name: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

run demux "$bin/exobench" demux --rounds 3 "$@"
# shellcheck disable=SC2086
run udp-rate "$bin/exobench" udp-rate --rounds 3 --bin-dir "$bin" ${UDP_RATE_ARGS:-} "$@"
run udp-rate-tx "$bin/exobench" udp-rate --direction tx --rounds 3 --bin-dir "$bin" "$@"
run udp-rtt "$bin/exobench" udp-rtt --rounds 3 --bin-dir "$bin" "$@"
# shellcheck disable=SC2086
run tcp-bulk "$bin/exobench" tcp-bulk --rounds 3 --bin-dir "$bin" ${TCP_BULK_ARGS:-} "$@"
run tcp-rr "$bin/exobench" tcp-rr --rounds 3 --bin-dir "$bin" "$@"
run http "$bin/exobench" http --rounds 3 --bin-dir "$bin" "$@"
