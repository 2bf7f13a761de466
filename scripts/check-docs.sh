#!/usr/bin/env bash
# Builds ExOS's public API as DocC documentation and fails on any warning: a broken symbol
# link, a malformed doc comment or catalog page (docc's --warnings-as-errors), or a warning
# printed while ExOS is built for its symbol graph. Needs no network: swift-docc-plugin
# resolves like every other dependency. The archive lands in
# .build/plugins/Swift-DocC/outputs/ExOS.doccarchive (open its index.html through a web server,
# or `swift package --disable-sandbox preview-documentation --target ExOS` to browse it).
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$SECONDS
status=0
# Progress lines ("[12/40] Compiling ...") are left out of the terminal, not of the log.
swift package generate-documentation --target ExOS --warnings-as-errors >"$log" 2>&1 || status=$?
grep -v '^\[[0-9]*/[0-9]*\]' "$log" || true
# Third-party packages' own warnings (the plugin's snippet tool) are theirs; ours are not.
if grep 'warning:' "$log" | grep -v '/\.build/checkouts/'; then
    echo "check-docs: warnings above (documentation must build without any)" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "check-docs: documentation failed to build (exit $status)" >&2
    exit "$status"
fi
echo "check-docs: ExOS documentation built without warnings in $((SECONDS - started)) s"
