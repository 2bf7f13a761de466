#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test target
# (unit tests of the pure modules and integration tests that run the real daemon and clients
# as distinct non-root uids). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
python3 scripts/check-module-graph.py
swift build --build-tests
exec swift test --skip-build "$@"
