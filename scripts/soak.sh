#!/usr/bin/env bash
# The soak (issue 14; not in CI): a daemon kept busy for MINUTES (default 10) inside a private
# network namespace of its own, on a TAP it creates there (host side 10.78.0.1/24). Two
# udp-echo tenants (alice 10.78.0.2, bob 10.78.0.3) answer a stream of datagrams and are
# SIGKILLed every few seconds and started again; a third tenant (carol) allocates, maps,
# writes and shares frames in a loop, half of the runs killed while holding them; the daemon
# is restarted every --restart-every seconds under the live tenants. At each checkpoint the
# tenants are stopped and the daemon's frames, descriptors, mappings and memory must be back
# at its life's baseline. scripts/soak.py is the driver; docs/RELIABILITY.md has the figures.
#
#   scripts/soak.sh [MINUTES] [soak.py options...]    e.g. scripts/soak.sh 10 --seed 7
#
# Run as root. Builds the debug products it needs. The report is also written to
# .build/soak-report.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
shift || true
for product in exokerneld exoctl udp-echo frames-demo; do swift build --product "$product" >&2; done
bin=$(swift build --show-bin-path)

namespace="exosoak$$"
dir=$(mktemp -d /tmp/exokernel-soak.XXXXXX)
chmod 0755 "$dir"
cleanup() {
  ip netns delete "$namespace" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$namespace"
ip -n "$namespace" link set lo up

cat > "$dir/exokerneld.toml" <<TOML
[daemon]
socket = "$dir/exokerneld.sock"

[frames]
count = 2048
size = 4096

[nic]
backend = "tap"
name = "exosoak0"
mtu = 1500
host_address = "10.78.0.1/24"

[[tenant]]
name = "alice"
uids = [60001]
frame_quota = 512
addresses = ["10.78.0.2"]

[[tenant]]
name = "bob"
uids = [60002]
frame_quota = 512
addresses = ["10.78.0.3"]

[[tenant]]
name = "carol"
uids = [60003]
frame_quota = 512
TOML
"$bin/exokerneld" --check-config "$dir/exokerneld.toml" >/dev/null

# The driver, its daemons and tenants all live in the namespace (the control socket is a file,
# so namespaces do not matter to it); deleting the namespace removes the TAP with it.
ip netns exec "$namespace" python3 scripts/soak.py --bin "$bin" --dir "$dir" --config "$dir/exokerneld.toml" \
  --minutes "$minutes" --out .build/soak-report.txt "$@"
