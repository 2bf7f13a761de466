#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs every test target
# (unit tests of the pure modules and integration tests that run the real daemon and clients
# as distinct non-root uids), after checking the module graph and the daemon's type sizes
# (scripts/check-module-graph.py, check-type-sizes.py), that ExOS's DocC documentation builds without
# warnings (scripts/check-docs.sh) and that the Debian package builds and works unpacked
# (scripts/test-package.sh) and runs under systemd (scripts/test-service.sh); then, alone, the
# fairness flood. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
python3 scripts/check-module-graph.py
python3 scripts/check-type-sizes.py
swift build --build-tests
bash scripts/check-docs.sh
# The Debian package from the debug build just made (about a minute; scripts/test-package.sh says
# why debug), built once for two tests: unpacked into a temporary root, its binaries run there
# without the toolchain; then installed in a Debian booted with systemd-nspawn, where a real
# systemd runs the unit (scripts/test-service.sh; under a minute once its root is cached).
deb_dir=$(mktemp -d)
trap 'rm -rf "$deb_dir"' EXIT
deb=$(bash scripts/package-deb.sh --configuration debug --output "$deb_dir" | tail -n 1)
bash scripts/test-package.sh "$deb"
bash scripts/test-service.sh "$deb"
swift test --skip-build "$@"
# The fairness flood (issue 13) times round trips against each other, so it runs alone, after
# the suite, on an otherwise idle machine: under the suite's parallel load its medians measure
# the load, not the daemon (DataPathFairnessTests says what it checks and why alone).
if [ "$#" -eq 0 ]; then
    EXOKERNEL_FAIRNESS=1 swift test --skip-build --filter DataPathFairnessTests
fi
