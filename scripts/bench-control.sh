#!/usr/bin/env bash
# Runs `exobench control` end to end in a release build: a private temp directory, a daemon
# started from config/exokerneld.toml with its socket there, root attached as tenant alice.
#   scripts/bench-control.sh                 the default run (table)
#   scripts/bench-control.sh --json --rounds 9   any further arguments go to `exobench control`
# Run as root. TEST ONLY set-up: allow_root_tenants lets uid 0 attach as a tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product exokerneld
swift build -c release --product exobench
bin=$(swift build -c release --show-bin-path)

dir=$(mktemp -d /tmp/exokernel-bench.XXXXXX)
chmod 0755 "$dir"
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

socket="$dir/exokerneld.sock"
# alice becomes uid 0 (root runs the benchmark); bob keeps his uid.
sed -e "s|^socket = .*|socket = \"$socket\"|" \
    -e "s|^allow_root_tenants = .*|allow_root_tenants = true|" \
    -e "s|^uids = \[60001\]|uids = [0]|" \
    config/exokerneld.toml > "$dir/exokerneld.toml"
grep -q '^allow_root_tenants = true' "$dir/exokerneld.toml"
grep -q '^uids = \[0\]' "$dir/exokerneld.toml"
"$bin/exokerneld" --check-config "$dir/exokerneld.toml" >/dev/null

"$bin/exokerneld" --config "$dir/exokerneld.toml" 2> "$dir/daemon.log" &
daemon_pid=$!
for _ in $(seq 200); do [ -S "$socket" ] && break; sleep 0.05; done
if [ ! -S "$socket" ]; then
  echo "bench-control: exokerneld did not create $socket; its log:" >&2
  cat "$dir/daemon.log" >&2
  exit 1
fi

status=0
"$bin/exobench" control --socket "$socket" --tenant alice "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "bench-control: exobench exited $status; the daemon's log:" >&2
  cat "$dir/daemon.log" >&2
fi
exit "$status"
