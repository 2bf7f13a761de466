#!/usr/bin/env bash
# Builds release and runs both network benchmarks: `exobench demux` (no daemon) and
# `exobench udp-rate` (its own namespaces, veth, vde_switch and exokerneld; needs root).
#   scripts/bench-net.sh                       table output, 3 rounds of each
#   scripts/bench-net.sh --json                JSON from both
#   UDP_RATE_ARGS="--backend packet" scripts/bench-net.sh   extra arguments for udp-rate
set -euo pipefail
cd "$(dirname "$0")/.."
for product in exokerneld exobench udp-sink exoctl; do swift build -c release --product "$product"; done
bin=$(swift build -c release --show-bin-path)
command -v vde_switch >/dev/null || { echo "bench-net: vde_switch missing: run scripts/install-deps.sh" >&2; exit 1; }

echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== exobench demux"
"$bin/exobench" demux --rounds 3 "$@"
echo "== exobench udp-rate"
# shellcheck disable=SC2086
"$bin/exobench" udp-rate --rounds 3 --bin-dir "$bin" ${UDP_RATE_ARGS:-} "$@"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
