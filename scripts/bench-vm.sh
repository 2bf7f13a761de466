#!/usr/bin/env bash
# Table 10 on Linux, one command: builds release, starts a private exokerneld (its own
# temporary directory and socket, config/exokerneld.toml with root attached as tenant alice),
# runs `exobench vm` on frames held from it, and records /proc/loadavg around the run.
#   scripts/bench-vm.sh                     the default run (table, 11 rounds)
#   scripts/bench-vm.sh --json --rounds 21  any further arguments go to `exobench vm`
#   PERF=1 scripts/bench-vm.sh              instead: kernel events per operation, for every way
#                                           and benchmark, with `perf stat` (see count_per_operation)
# Run as root on a quiet machine. TEST ONLY set-up: allow_root_tenants lets uid 0 be a tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PERF:-0}" = 1 ] && ! command -v perf >/dev/null; then
  echo "bench-vm: PERF=1 needs perf: apt-get install linux-perf" >&2; exit 1
fi
source scripts/private-daemon.sh
build_release
start_private_daemon bench-vm

echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
status=0
# Kernel events per operation for one way and benchmark: two runs that differ only in the
# number of operations (512 and 2560; 10 and 50 100-page calls), counted by perf stat for the
# whole process (both threads); the difference divided by the extra operations cancels the
# set-up (attach, map, arm). Each operation carries its share of the untimed re-arming calls
# (one range call per 128 operations in prot1 and trap).
events=page-faults,context-switches,cpu-migrations,tlb:tlb_flush,signal:signal_deliver,raw_syscalls:sys_enter,sched:sched_wakeup
count_per_operation() {
  local way=$1 benchmark=$2 small big extra
  case $benchmark in
    dirty) extra=2048 ;;  # 2560/128*128 - 512/128*128 questions
    prot100|unprot100) extra=40 ;;
    appel2) extra=4000 ;;  # 40 batches of 100 pages
    *) extra=2048 ;;
  esac
  small=$(perf stat -x, -e "$events" "$bin/exobench" vm --socket "$socket" --tenant alice --rounds 1 \
    --iterations 512 --batches 10 --ways "$way" --benchmarks "$benchmark" 2>&1 >/dev/null | cut -d, -f1 | tr '\n' ' ')
  big=$(perf stat -x, -e "$events" "$bin/exobench" vm --socket "$socket" --tenant alice --rounds 1 \
    --iterations 2560 --batches 50 --ways "$way" --benchmarks "$benchmark" 2>&1 >/dev/null | cut -d, -f1 | tr '\n' ' ')
  awk -v way="$way" -v b="$benchmark" -v extra="$extra" -v small="$small" -v big="$big" 'BEGIN {
    n = split(small, s, " "); split(big, g, " ")
    printf "%-16s %-10s", way, b
    for (i = 1; i <= n; i++) printf " %9.2f", (g[i] - s[i]) / extra
    printf "\n" }'
}

status=0
if [ "${PERF:-0}" = 1 ]; then
  printf "%-16s %-10s %9s %9s %9s %9s %9s %9s %9s\n" WAY BENCHMARK faults ctxsw migr tlbflush signals syscalls wakeups
  for way in kernel exos-uffd exos-sigbus exos-mprotect wp-async exos-uffd-cross kernel-1map; do
    for benchmark in dirty prot1 prot100 unprot100 trap appel1 appel2; do
      if [ "$way" = wp-async ] && [[ $benchmark == trap || $benchmark == appel* ]]; then continue; fi
      count_per_operation "$way" "$benchmark" || status=$?
    done
  done
else
  "$bin/exobench" vm --socket "$socket" --tenant alice "$@" || status=$?
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
report_failure bench-vm "$status"
exit "$status"
