#!/usr/bin/env bash
# The main job: builds, starts exokerneld on a self-contained default setup (its own socket
# in a private directory, two tenants as non-root uids), runs the frames demo as both tenants,
# shows the daemon's bookkeeping with exoctl, and stops the daemon. Run as root.
#   scripts/run.sh            the whole demo, then stop
#   scripts/run.sh --serve    leave the daemon running in the foreground (Ctrl-C stops it)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --product exokerneld && swift build --product exoctl && swift build --product frames-demo
bin=$(swift build --show-bin-path)

dir=$(mktemp -d /tmp/exokernel-demo.XXXXXX)
chmod 0755 "$dir"
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

sed -e "s|^socket = .*|socket = \"$dir/exokerneld.sock\"|" config/exokerneld.toml > "$dir/exokerneld.toml"
export EXOKERNEL_SOCKET="$dir/exokerneld.sock"
"$bin/exokerneld" --check-config "$dir/exokerneld.toml"

if [ "${1:-}" = "--serve" ]; then
  echo "exokerneld serving $EXOKERNEL_SOCKET; in another shell:"
  echo "  EXOKERNEL_SOCKET=$EXOKERNEL_SOCKET $bin/exoctl status"
  echo "  EXOKERNEL_SOCKET=$EXOKERNEL_SOCKET $bin/frames-demo --tenant alice --as-uid 60001"
  trap - EXIT
  exec "$bin/exokerneld" --config "$dir/exokerneld.toml"
fi

"$bin/exokerneld" --config "$dir/exokerneld.toml" &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$EXOKERNEL_SOCKET" ] && break; sleep 0.05; done

echo "== exoctl status"
"$bin/exoctl" status
echo "== alice (uid 60001) allocates and maps frames, and offers one to bob"
token=$("$bin/frames-demo" --tenant alice --as-uid 60001 --count 4 --share-with bob --hold 2 | tee /dev/stderr | sed -n 's/^token: //p')
echo "== bob (uid 60002) redeems alice's offer and reads her bytes"
"$bin/frames-demo" --tenant bob --as-uid 60002 --redeem "$token"
echo "== exoctl frames, tenants, caps"
"$bin/exoctl" tenants
"$bin/exoctl" frames
"$bin/exoctl" caps
echo "== exoctl status"
"$bin/exoctl" status
