#!/usr/bin/env bash
# The main job: builds, starts exokerneld on a self-contained setup (a private socket, and a
# TAP device of its own with the host side at 10.77.0.1/24), and shows both halves of what it
# multiplexes among tenants that run as distinct non-root uids:
#   1. frames: alice allocates, maps and writes frames and offers one to bob, who reads it;
#   2. the NIC: udp-echo (a library-OS app) serves alice's address 10.77.0.2 and bob's share
#      of 10.77.0.10, and the host reaches both with netcat through the TAP, while
#      `exoctl capture --tenant alice` records alice's frames for tcpdump; bob's tcp-echo and
#      httpd (on his library OS's own TCP) answer the host's nc and curl.
# exoctl shows the daemon's bookkeeping along the way. Run as root.
#   scripts/run.sh            the whole demo, then stop and remove everything
#   scripts/run.sh --serve    leave the daemon, the echo servers and httpd running (Ctrl-C stops)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
for product in exokerneld exoctl frames-demo udp-echo tcp-echo httpd; do swift build --product "$product"; done
bin=$(swift build --show-bin-path)

dir=$(mktemp -d /tmp/exokernel-demo.XXXXXX)
chmod 0755 "$dir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$dir"
}
trap cleanup EXIT

export EXOKERNEL_SOCKET="$dir/exokerneld.sock"
export EXOKERNEL_TAP="exodemo$(( $$ % 10000 ))"
cat > "$dir/exokerneld.toml" <<TOML
[daemon]
socket = "$EXOKERNEL_SOCKET"

[frames]
count = 4096
size = 4096

[nic]
backend = "tap"
name = "exo0"                 # EXOKERNEL_TAP overrides it
mtu = 1500
host_address = "10.77.0.1/24"

[[tenant]]
name = "alice"
uids = [60001]
frame_quota = 1024
addresses = ["10.77.0.2"]

[[tenant]]
name = "bob"
uids = [60002]
frame_quota = 1024
ports = ["udp 10.77.0.10 5000-5099", "tcp 10.77.0.10 5000-5099"]
TOML
"$bin/exokerneld" --check-config "$dir/exokerneld.toml"

"$bin/exokerneld" --config "$dir/exokerneld.toml" 2> "$dir/daemon.log" &
pids+=($!)
for _ in $(seq 100); do [ -S "$EXOKERNEL_SOCKET" ] && break; sleep 0.05; done

start_echo() {  # tenant uid address port
  "$bin/udp-echo" --tenant "$1" --as-uid "$2" --address "$3" --port "$4" > "$dir/$1-echo.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q " serving " "$dir/$1-echo.out" && break; sleep 0.05; done
  cat "$dir/$1-echo.out"
}

start_tcp_echo() {  # tenant uid address port
  "$bin/tcp-echo" --tenant "$1" --as-uid "$2" --address "$3" --port "$4" > "$dir/$1-tcp-echo.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "listening on" "$dir/$1-tcp-echo.out" && break; sleep 0.05; done
  cat "$dir/$1-tcp-echo.out"
}

start_httpd() {  # tenant uid address port: serves $dir/www (an index page and 1 MB of random bytes)
  mkdir -p "$dir/www"
  printf '<h1>Served by %s'"'"'s library OS, on its own TCP</h1>\n' "$1" > "$dir/www/index.html"
  head -c 1048576 /dev/urandom > "$dir/www/random.bin"
  chmod -R a+rX "$dir/www"
  "$bin/httpd" --tenant "$1" --as-uid "$2" --address "$3" --port "$4" --root "$dir/www" > "$dir/$1-httpd.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "serving" "$dir/$1-httpd.out" && break; sleep 0.05; done
  cat "$dir/$1-httpd.out"
}

if [ "${1:-}" = "--serve" ]; then
  start_echo alice 60001 10.77.0.2 7
  start_echo bob 60002 10.77.0.10 5000
  start_tcp_echo bob 60002 10.77.0.10 5001
  start_httpd bob 60002 10.77.0.10 5080
  echo "exokerneld serving $EXOKERNEL_SOCKET with TAP $EXOKERNEL_TAP; try, in another shell:"
  echo "  EXOKERNEL_SOCKET=$EXOKERNEL_SOCKET $bin/exoctl status"
  echo "  echo hi | nc -u -w1 10.77.0.2 7;  echo hi | nc -u -w1 10.77.0.10 5000"
  echo "  echo hi | nc -N 10.77.0.10 5001     # TCP: bob's library OS's own TCP"
  echo "  curl http://10.77.0.10:5080/         # bob's httpd, on the same TCP"
  echo "Ctrl-C stops everything."
  wait "${pids[0]}"
  exit 0
fi

echo "== exoctl status"
"$bin/exoctl" status
echo
echo "== 1. frames: alice (uid 60001) allocates and maps 4 frames, writes them, offers frame 0 to bob"
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
echo "== 2. the NIC: udp-echo as alice (10.77.0.2:7, her own address) and bob (10.77.0.10:5000, a port share)"
start_echo alice 60001 10.77.0.2 7
start_echo bob 60002 10.77.0.10 5000
echo
echo "== the host (Linux, through TAP $EXOKERNEL_TAP) talks to both with netcat,"
echo "   while exoctl captures what alice receives and sends (a pcap for tcpdump)"
timeout 10 "$bin/exoctl" capture --tenant alice --count 4 > "$dir/alice.pcap" 2> "$dir/capture.err" &
capture_pid=$!
sleep 0.5
printf 'hello alice' | nc -u -w 1 10.77.0.2 7; echo "   <- echoed by alice's library OS"
printf 'hello bob' | nc -u -w 1 10.77.0.10 5000; echo "   <- echoed by bob's library OS"
wait "$capture_pid" || true
echo
echo "== the host pings alice's address: her library OS's own stack answers (bob's shared .10: the daemon)"
ping -c 2 -i 0.2 -W 1 10.77.0.2 | grep -E "bytes from|packet loss" || true
ping -c 1 -W 1 10.77.0.10 | grep -E "bytes from|packet loss" || true
echo
echo "== TCP: tcp-echo as bob (10.77.0.10:5001, a port share) on his library OS's own TCP;"
echo "   the host sends 1 MB of random bytes with nc and compares what comes back"
start_tcp_echo bob 60002 10.77.0.10 5001
head -c 1048576 /dev/urandom > "$dir/megabyte"
timeout 20 nc -N 10.77.0.10 5001 < "$dir/megabyte" > "$dir/megabyte.back" || true
if cmp -s "$dir/megabyte" "$dir/megabyte.back"; then echo "   1 MB echoed byte-identical"; else echo "   TCP echo FAILED"; exit 1; fi
echo
echo "== HTTP: httpd as bob (10.77.0.10:5080); the host's curl gets a page and 1 MB"
start_httpd bob 60002 10.77.0.10 5080
timeout 10 curl -sS --max-time 5 "http://10.77.0.10:5080/"
timeout 20 curl -sS --max-time 15 -o "$dir/random.back" "http://10.77.0.10:5080/random.bin" || true
if cmp -s "$dir/www/random.bin" "$dir/random.back"; then echo "   1 MB downloaded byte-identical"; else echo "   HTTP download FAILED"; exit 1; fi
echo
echo "== tcpdump -r alice.pcap: alice's first frames (ARP between the host and her stack, the datagram, her echo), none of bob's"
tcpdump -nn -r "$dir/alice.pcap" 2>/dev/null || cat "$dir/capture.err"
echo
echo "== exoctl nic / bindings / stats"
"$bin/exoctl" nic
"$bin/exoctl" bindings
"$bin/exoctl" stats
echo
echo "== what the echo servers saw"
cat "$dir/alice-echo.out" "$dir/bob-echo.out"
echo
echo "== the daemon's log"
cat "$dir/daemon.log"
