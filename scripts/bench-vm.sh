#!/usr/bin/env bash
# Table 10 on Linux, one command: builds release, starts a private exokerneld (its own
# temporary directory and socket, config/exokerneld.toml with root attached as tenant alice),
# runs `exobench vm` on frames held from it, and records /proc/loadavg around the run.
#   scripts/bench-vm.sh                     the default run (table, 11 rounds)
#   scripts/bench-vm.sh --json --rounds 21  any further arguments go to `exobench vm`
#   PERF=1 scripts/bench-vm.sh --smoke      also counts faults, TLB flushes, signals and
#                                           context switches per way with `perf stat`
# Run as root on a quiet machine. TEST ONLY set-up: allow_root_tenants lets uid 0 be a tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product exokerneld
swift build -c release --product exobench
bin=$(swift build -c release --show-bin-path)

dir=$(mktemp -d /tmp/exokernel-bench-vm.XXXXXX)
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
  echo "bench-vm: exokerneld did not create $socket; its log:" >&2
  cat "$dir/daemon.log" >&2
  exit 1
fi

echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
status=0
if [ "${PERF:-0}" = 1 ]; then
  # One perf stat per way's mechanism is not possible inside one process; instead the whole
  # run is counted, and docs/VM.md explains the per-operation counts from separate runs.
  perf stat -e page-faults,context-switches,cpu-migrations,tlb:tlb_flush,signal:signal_deliver,raw_syscalls:sys_enter \
    "$bin/exobench" vm --socket "$socket" --tenant alice "$@" || status=$?
else
  "$bin/exobench" vm --socket "$socket" --tenant alice "$@" || status=$?
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ "$status" -ne 0 ]; then
  echo "bench-vm: exobench exited $status; the daemon's log:" >&2
  cat "$dir/daemon.log" >&2
fi
exit "$status"
