#!/bin/sh
# Runs `systemd-analyze verify` on exokerneld.service and exokerneld@.service. verify needs
# ExecStart's and ExecReload's binaries to exist, so it checks copies (in a temporary directory)
# whose ExecStart and ExecReload run /bin/true with the same arguments. Fails when verify fails or says anything about our
# units; warnings about other units on this machine are printed but ignored.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
command -v systemd-analyze >/dev/null 2>&1 || { echo "verify-units: systemd-analyze not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

for unit in exokerneld.service exokerneld@.service; do
    [ -f "$here/$unit" ] || { echo "verify-units: $here/$unit is missing" >&2; exit 1; }
    sed -e 's|^ExecStart=/usr/local/bin/exokerneld |ExecStart=/bin/true |' \
        -e 's|^ExecReload=/usr/local/bin/exoctl |ExecReload=/bin/true |' "$here/$unit" > "$work/$unit"
    if ! grep -q '^ExecStart=/bin/true ' "$work/$unit"; then
        echo "verify-units: $unit has no 'ExecStart=/usr/local/bin/exokerneld ...' line" >&2
        exit 1
    fi
done
# A template is verified through an instance of it; the instance file is a copy of the template.
cp "$work/exokerneld@.service" "$work/exokerneld@verify0.service"

status=0
output=$(cd "$work" && systemd-analyze verify --man=no \
    "$work/exokerneld.service" "$work/exokerneld@verify0.service" 2>&1) || status=$?

ours=$(printf '%s\n' "$output" | grep -e 'exokerneld' -e "$work" || true)
if [ "$status" -ne 0 ] || [ -n "$ours" ]; then
    echo "verify-units: systemd-analyze verify (exit $status) reported:" >&2
    printf '%s\n' "$output" >&2
    exit 1
fi
[ -z "$output" ] || printf 'verify-units: ignored (not about our units):\n%s\n' "$output" >&2
echo "verify-units: exokerneld.service and exokerneld@.service verified"
