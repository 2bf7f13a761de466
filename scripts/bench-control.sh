#!/usr/bin/env bash
# Runs `exobench control` end to end in a release build: a private temp directory, a daemon
# started from config/exokerneld.toml with its socket there, root attached as tenant alice.
#   scripts/bench-control.sh                 the default run (table)
#   scripts/bench-control.sh --json --rounds 9   any further arguments go to `exobench control`
# Run as root. TEST ONLY set-up (scripts/private-daemon.sh): allow_root_tenants lets uid 0 attach
# as a tenant.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/private-daemon.sh
build_release
start_private_daemon bench-control

status=0
"$bin/exobench" control --socket "$socket" --tenant alice "$@" || status=$?
report_failure bench-control "$status"
exit "$status"
