#!/usr/bin/env bash
# Builds exo-fuzz with libFuzzer (release, the fuzzer sanitizer, -DEXO_LIBFUZZER; a build
# directory of its own, .build/fuzz, so the normal build is untouched) and runs one target for
# SECONDS in one process at the lowest priority, growing Fuzz/corpus/TARGET and writing any crash
# input to Fuzz/crashes/TARGET. See docs/RELIABILITY.md.
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer options...]
#   scripts/fuzz.sh --build-only
set -euo pipefail
cd "$(dirname "$0")/.."
targets="control-message ring-descriptors packet-parser filter-compiler config-loading"
usage() { echo "usage: $0 TARGET SECONDS [libFuzzer options...] | --build-only (TARGET: ${targets// /, })" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
nice -n 19 swift build -c release --scratch-path .build/fuzz --sanitize fuzzer -Xswiftc -DEXO_LIBFUZZER \
    --product exo-fuzz
[[ "$1" == "--build-only" ]] && exit 0
[[ $# -ge 2 && " $targets " == *" $1 "* && "$2" =~ ^[0-9]+$ ]] || usage
target=$1 seconds=$2
shift 2
corpus=Fuzz/corpus/$target crashes=Fuzz/crashes/$target
mkdir -p "$crashes"
# New inputs go to a scratch directory first: only `-merge` keeps those that add coverage,
# so the committed corpus stays small.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# SWIFT_BACKTRACE: the Swift runtime's crash backtracer otherwise holds a crashing fuzzer
# open (seen here); libFuzzer prints its own report.
status=0
SWIFT_BACKTRACE=enable=no EXO_FUZZ_TARGET=$target nice -n 19 .build/fuzz/release/exo-fuzz \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "$@" "$scratch" "$corpus" || status=$?
SWIFT_BACKTRACE=enable=no EXO_FUZZ_TARGET=$target nice -n 19 .build/fuzz/release/exo-fuzz \
    -merge=1 "$corpus" "$scratch" >/dev/null 2>&1 || true
exit $status
