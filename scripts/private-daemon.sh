# Sourced, not run, by the benchmark scripts that need a daemon (bench-control.sh,
# bench-vm.sh): builds exokerneld and exobench in release and starts a private exokerneld in a
# temporary directory of its own, from config/exokerneld.toml with its socket there and root
# attached as tenant alice (TEST ONLY: allow_root_tenants). Run as root, from the repository.
#
#   build_release                  release build of exokerneld and exobench (output on stderr); sets $bin
#   start_private_daemon NAME      sets $dir, $socket, $daemon_pid; an EXIT trap stops the daemon
#                                  and removes $dir, whatever way the script ends
#   report_failure NAME STATUS     if STATUS is not 0, says so with the daemon's log (on stderr)

build_release() {
  swift build -c release --product exokerneld >&2
  swift build -c release --product exobench >&2
  bin=$(swift build -c release --show-bin-path)
}

stop_private_daemon() {
  if [ -n "${daemon_pid:-}" ] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
  fi
  if [ -n "${dir:-}" ]; then rm -rf "$dir"; fi
}

start_private_daemon() {
  local name=$1
  daemon_pid=""
  dir=$(mktemp -d "/tmp/exokernel-$name.XXXXXX")
  chmod 0755 "$dir"
  trap stop_private_daemon EXIT
  socket="$dir/exokerneld.sock"
  # alice becomes uid 0 (root runs the benchmark); bob keeps his uid.
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
    echo "$name: exokerneld did not create $socket; its log:" >&2
    cat "$dir/daemon.log" >&2
    exit 1
  fi
}

report_failure() {
  local name=$1 status=$2
  if [ "$status" -ne 0 ]; then
    echo "$name: exobench exited $status; the daemon's log:" >&2
    cat "$dir/daemon.log" >&2
  fi
}
