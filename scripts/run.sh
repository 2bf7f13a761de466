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

"$bin/exokerneld" --config "$dir/exokerneld.toml" 2> "$dir/daemon.log" &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$EXOKERNEL_SOCKET" ] && break; sleep 0.05; done

echo "== exoctl status"
"$bin/exoctl" status
echo
echo "== alice (uid 60001) allocates and maps 4 frames, writes them, and offers frame 0 to bob"
mkfifo "$dir/alice.in"
"$bin/frames-demo" --tenant alice --as-uid 60001 --count 4 --share-with bob --hold \
  < "$dir/alice.in" > "$dir/alice.out" &
alice_pid=$!
exec 7> "$dir/alice.in"   # alice holds her frames until this closes
token=""
for _ in $(seq 100); do
  token=$(sed -n 's/^token \([0-9a-f]*\) .*/\1/p' "$dir/alice.out" | head -1)
  [ -n "$token" ] && break
  sleep 0.05
done
cat "$dir/alice.out"
echo
echo "== bob (uid 60002) redeems alice's offer and reads her bytes"
"$bin/frames-demo" --tenant bob --as-uid 60002 --redeem "$token"
echo
echo "== exoctl tenants / frames / caps while alice holds her frames"
"$bin/exoctl" tenants
"$bin/exoctl" frames
"$bin/exoctl" caps
exec 7>&-                  # alice unrefs and exits
wait "$alice_pid"
echo
echo "== after alice is done: every frame is free again"
"$bin/exoctl" frames
"$bin/exoctl" status
echo
echo "== the daemon's log"
cat "$dir/daemon.log"
