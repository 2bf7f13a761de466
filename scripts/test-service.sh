#!/usr/bin/env bash
# The service's test under a real systemd, run by scripts/test.sh after scripts/test-package.sh:
# installs the Debian package with dpkg in a minimal Debian booted with systemd-nspawn
# (scripts/service-container.sh), configures the daemon on a TAP inside the container's private
# network with the metrics endpoint on, enables and starts exokerneld.service, and checks what
# only systemd can show: Type=notify readiness and STATUS=, journald priorities, the unit's user
# and capabilities as the kernel sees them, the metrics endpoint, the watchdog restarting a
# stopped daemon, systemctl reload (a valid change taken, a broken file refused), systemctl
# restart under an ExOS application (clients/udp-echo), a clean systemctl stop, and the
# sandbox's systemd-analyze security exposure (at most 2.5). One "ok"/"not ok" line per check,
# then "N passed, N failed"; exits 1 on a failure. docs/RELIABILITY.md, "The service under
# systemd", lists the checks.
#
# usage: scripts/test-service.sh [PATH.deb]
#   Without PATH.deb, builds one from the debug build (scripts/package-deb.sh --configuration
#   debug, as scripts/test-package.sh does). udp-echo is the debug build's (swift build
#   --product udp-echo); the container sees the toolchain read-only for its runtime. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Outside the container: the package and udp-echo, then this script again beside a booted one.
if [ -z "${CONTAINER_PID:-}" ]; then
    if [ $# -gt 0 ]; then
        deb=$(readlink -f "$1")
    else
        deb=$(bash scripts/package-deb.sh --configuration debug | tail -n 1)
        deb=$(readlink -f "$deb")
    fi
    [ -s "$deb" ] || { echo "test-service: no package at $deb" >&2; exit 1; }
    swift build --product udp-echo >&2
    echo=$(swift build --show-bin-path)/udp-echo
    started=$(date +%s)
    status=0
    EXOKERNEL_SERVICE_DEB=$deb EXOKERNEL_SERVICE_ECHO=$echo bash scripts/service-container.sh bash "$0" || status=$?
    echo "test-service: $(($(date +%s) - started)) s with the container's boot and teardown"
    exit "$status"
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1" >&2; }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# quiet COMMAND...: COMMAND without its output (on a failure, its output goes to stderr).
quiet() { local out; if out=$("$@" 2>&1); then return 0; else printf '%s\n' "$out" >&2; return 1; fi; }
# Runs a command inside the container (every namespace of its PID 1).
inside() { nsenter -t "$CONTAINER_PID" -a "$@"; }
# Runs a host command in the container's network namespace only (its curl and python3).
inside_net() { nsenter -t "$CONTAINER_PID" -n "$@"; }
# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds or time runs out.
wait_for() {
    local deadline=$(($(date +%s) + $1)); shift
    until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.2; done
}
prop() { inside systemctl show -p "$1" --value exokerneld.service; }

# The package, as an operator installs it; udp-echo beside it.
cp "$EXOKERNEL_SERVICE_DEB" "$CONTAINER_ROOT/var/tmp/exokernel.deb"
install -m 0755 "$EXOKERNEL_SERVICE_ECHO" "$CONTAINER_ROOT/usr/local/bin/udp-echo"
out=$(inside dpkg -i /var/tmp/exokernel.deb 2>&1) && status=0 || status=$?
check "dpkg -i installs $(basename "$EXOKERNEL_SERVICE_DEB") (exit $status)" [ "$status" -eq 0 ]
[ "$status" -eq 0 ] || printf '%s\n' "$out" >&2
check "the package's postinst created the exokerneld user" quiet inside getent passwd exokerneld
# No udev in the container: the TAP device node gets the mode Debian's udev gives it (0666, the
# README's requirement); it is the container's own copy of the node, not the host's.
inside chmod 0666 /dev/net/tun

# The configuration: a TAP with alice's address behind it, metrics on loopback, and one harmless
# warning (2 tenant uids x 32 connections reach max_connections 64) to find in the journal.
config=$CONTAINER_ROOT/etc/exokernel/exokerneld.toml
write_config() { # FRAME-QUOTA-OF-BOB FRAMES-COUNT
    cat >"$config" <<TOML
[daemon]
socket = "/run/exokernel/exokerneld.sock"
operator_group = "exokernel"
max_connections = 64
max_connections_per_uid = 32

[frames]
count = $2
size = 4096

[nic]
backend = "tap"
name = "exo0"
mtu = 1500
host_address = "10.77.0.1/24"

[metrics]
listen = "127.0.0.1:9464"

[[tenant]]
name = "alice"
uids = [60001]
frame_quota = 256
addresses = ["10.77.0.2"]

[[tenant]]
name = "bob"
uids = [60002]
frame_quota = $1
TOML
}
write_config 256 1024
check "exokerneld --check-config accepts the test configuration" quiet inside exokerneld --check-config /etc/exokernel/exokerneld.toml

# Enabled and started: systemctl start returns once the daemon sent READY=1 (Type=notify).
inside systemctl enable exokerneld.service >/dev/null 2>&1 || true
check "systemctl enable exokerneld.service enables it" sh -c '[ "$(nsenter -t "$1" -a systemctl is-enabled exokerneld.service)" = enabled ]' _ "$CONTAINER_PID"
out=$(inside timeout 60 systemctl start exokerneld.service 2>&1) && status=0 || status=$?
check "systemctl start exokerneld.service returns 0 (exit $status${out:+: $out})" [ "$status" -eq 0 ]
if [ "$status" -ne 0 ]; then inside journalctl -u exokerneld.service --no-pager -n 30 >&2 || true; fi
check "Type=notify and active (running) after the start: $(prop Type) $(prop ActiveState) ($(prop SubState))" \
    [ "$(prop Type) $(prop ActiveState) $(prop SubState)" = "notify active running" ]
status_text=$(prop StatusText)
check "STATUS= says what the daemon serves: '$status_text'" [ "$status_text" = "serving /run/exokernel/exokerneld.sock" ]

check "the configuration warning is in the journal at priority 4 (warning)" \
    sh -c 'nsenter -t "$1" -a journalctl -u exokerneld.service --no-pager -o cat -p 4..4 | grep -q "max_connections_per_uid"' _ "$CONTAINER_PID"
check "the start-up line 'exokerneld VERSION serving' is at priority 6 (info), not more severe" \
    sh -c 'nsenter -t "$1" -a journalctl -u exokerneld.service --no-pager -o cat -p 6..6 | grep -q "^exokerneld .* serving /run" \
        && ! nsenter -t "$1" -a journalctl -u exokerneld.service --no-pager -o cat -p 0..5 | grep -q "^exokerneld .* serving /run"' _ "$CONTAINER_PID"

# The main process as the kernel sees it.
pid=$(prop MainPID)
daemon_uid=$(inside id -u exokerneld)
status_file=$(inside cat "/proc/$pid/status")
field() { printf '%s\n' "$status_file" | awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print }'; }
check "the main process runs as exokerneld (uid $daemon_uid) with real, effective, saved and fs uid: $(field Uid)" \
    [ "$(field Uid | tr -s '\t ' ' ')" = "$daemon_uid $daemon_uid $daemon_uid $daemon_uid" ]
# CAP_NET_ADMIN is 12 and CAP_NET_RAW 13: exactly bits 12 and 13, 0x3000.
check "effective capabilities are exactly CAP_NET_ADMIN,CAP_NET_RAW (CapEff $(field CapEff))" [ "$(field CapEff)" = 0000000000003000 ]
check "ambient capabilities are exactly CAP_NET_ADMIN,CAP_NET_RAW (CapAmb $(field CapAmb))" [ "$(field CapAmb)" = 0000000000003000 ]
check "the bounding set is exactly CAP_NET_ADMIN,CAP_NET_RAW (CapBnd $(field CapBnd))" [ "$(field CapBnd)" = 0000000000003000 ]
check "no new privileges (NoNewPrivs $(field NoNewPrivs))" [ "$(field NoNewPrivs)" = 1 ]
check "the daemon made its TAP exo0 in the container's network" quiet inside ip link show exo0

# The metrics endpoint, scraped from the container's own loopback.
# The metrics endpoint, scraped from the container's own loopback by the host's curl.
scrape=$(mktemp)
headers=$(mktemp)
inside_net curl -s --max-time 5 -D "$headers" -o "$scrape" http://127.0.0.1:9464/metrics || true
check "GET /metrics answers 200 with the Prometheus or OpenMetrics text format: $(grep -i '^content-type:' "$headers" | tr -d '\r')" \
    sh -c 'head -n 1 "$1" | grep -q "^HTTP/1.1 200" \
        && grep -qi -e "^content-type: text/plain; version=0.0.4" -e "^content-type: application/openmetrics-text" "$1"' _ "$headers"
check "the metrics show this configuration: a pool of 1024 frames, alice's quota of 256" \
    sh -c 'grep -qE "^exokernel_pool_frames 1024(\.0)?$" "$1" && grep -qE "^exokernel_tenant_frame_quota\{tenant=\"alice\"\} 256(\.0)?$" "$1"' _ "$scrape"
if command -v promtool >/dev/null; then
    check "promtool check metrics accepts the scrape" sh -c 'promtool check metrics <"$1" >/dev/null' _ "$scrape"
fi
rm -f "$scrape" "$headers"

# An ExOS application: udp-echo as alice (uid 60001) on 10.77.0.2, under systemd-run.
start_echo() { # UNIT
    inside systemd-run --quiet --unit="$1" --property=Restart=no /usr/local/bin/udp-echo --tenant alice \
        --address 10.77.0.2 --port 7 --as-uid 60001 --quiet
}
# Answers when one datagram to 10.77.0.2:7 comes back whole, within 3 tries of a second each.
echo_answers() {
    inside_net python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
payload = sys.argv[1].encode()
for _ in range(3):
    s.sendto(payload, ("10.77.0.2", 7))
    try:
        if s.recvfrom(2048)[0] == payload:
            sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
PY
}
start_echo exo-echo-1
check "udp-echo (tenant alice) answers through the daemon's TAP" wait_for 10 echo_answers before-restart

# systemctl restart under the application.
old_pid=$(prop MainPID)
echo_pid=$(inside systemctl show -p MainPID --value exo-echo-1)
out=$(inside timeout 60 systemctl restart exokerneld.service 2>&1) && status=0 || status=$?
check "systemctl restart returns 0 (exit $status${out:+: $out})" [ "$status" -eq 0 ]
check "after the restart the daemon is active again with a new main process ($old_pid -> $(prop MainPID))" \
    sh -c '[ "$1" = active ] && [ "$2" != "$3" ]' _ "$(prop ActiveState)" "$old_pid" "$(prop MainPID)"
# ExOS reattaches (docs/EXOS.md §10): the same udp-echo process answers again, not restarted.
check "the same udp-echo keeps answering across the restart, not restarted (reattached)" \
    sh -c 'nsenter -t "$1" -a systemctl is-active --quiet exo-echo-1 && \
        [ "$(nsenter -t "$1" -a systemctl show -p MainPID --value exo-echo-1)" = "$2" ]' _ "$CONTAINER_PID" "$echo_pid"
check "udp-echo answers after the daemon's restart" wait_for 10 echo_answers after-restart
echo_unit=exo-echo-1

# systemctl reload: a valid change is taken without a restart; a broken file is refused and the
# daemon keeps serving the configuration it had.
pid=$(prop MainPID)
write_config 200 1024
out=$(inside timeout 30 systemctl reload exokerneld.service 2>&1) && status=0 || status=$?
check "systemctl reload with a valid change (bob's frame_quota 256 -> 200) returns 0 (exit $status${out:+: $out})" [ "$status" -eq 0 ]
check "the reload changed bob's quota in the running daemon (exoctl tenants)" \
    sh -c 'nsenter -t "$1" -a exoctl --socket /run/exokernel/exokerneld.sock tenants | awk "\$2 == \"bob\" && \$3 == 200 { found = 1 } END { exit !found }"' _ "$CONTAINER_PID"
check "the reload kept the main process ($pid) and the state active" \
    [ "$(prop MainPID) $(prop ActiveState)" = "$pid active" ]
write_config 200 0
out=$(inside timeout 30 systemctl reload exokerneld.service 2>&1) && status=0 || status=$?
check "systemctl reload with frames.count = 0 fails (exit $status)" [ "$status" -ne 0 ]
check "the refused reload's error names frames.count in the journal at priority 3 or more severe" \
    sh -c 'nsenter -t "$1" -a journalctl -u exokerneld.service --no-pager -o cat -p 0..3 | grep -q "frames.count"' _ "$CONTAINER_PID"
check "after the refused reload the daemon keeps running ($pid, $(prop ActiveState)) and serving" \
    sh -c '[ "$1" = "$2 active" ] && nsenter -t "$3" -a exoctl --socket /run/exokernel/exokerneld.sock status >/dev/null' \
    _ "$(prop MainPID) $(prop ActiveState)" "$pid" "$CONTAINER_PID"
check "udp-echo still answers after both reloads" echo_answers after-reload
write_config 200 1024

# The watchdog: a stopped daemon stops pinging; after WatchdogSec systemd kills it and
# Restart=on-failure brings it back.
pid=$(prop MainPID)
restarts=$(prop NRestarts)
watchdog=$(prop WatchdogUSec)
check "the unit has a watchdog (WatchdogUSec $watchdog)" sh -c '[ -n "$1" ] && [ "$1" != 0 ] && [ "$1" != infinity ]' _ "$watchdog"
# (The container's minimal Debian has no kill program; its sh has the builtin.)
inside sh -c 'kill -STOP "$1"' _ "$pid"
restarted() { [ "$(prop NRestarts)" -gt "$restarts" ] && [ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" != "$pid" ]; }
wait_for 40 restarted || true
check "SIGSTOP: the watchdog ends the daemon and systemd restarts it, active again (NRestarts $restarts -> $(prop NRestarts), main process $pid -> $(prop MainPID))" restarted
check "the journal says the watchdog fired" sh -c 'nsenter -t "$1" -a journalctl -u exokerneld.service --no-pager -o cat | grep -qi "watchdog timeout"' _ "$CONTAINER_PID"

# systemctl stop: clean, nothing left.
inside systemctl stop "$echo_unit" >/dev/null 2>&1 || true
stop_started=$(inside date +%s)
out=$(inside timeout 60 systemctl stop exokerneld.service 2>&1) && status=0 || status=$?
check "systemctl stop returns 0 (exit $status${out:+: $out})" [ "$status" -eq 0 ]
check "stopped cleanly: inactive, Result=success, main process exited 0 ($(prop ActiveState) $(prop Result) $(prop ExecMainCode)/$(prop ExecMainStatus))" \
    [ "$(prop ActiveState) $(prop Result) $(prop ExecMainStatus)" = "inactive success 0" ]
check "the stop needed no SIGKILL" sh -c '! nsenter -t "$1" -a journalctl -u exokerneld.service --no-pager -o cat --since "@$2" | grep -qi "sigkill"' \
    _ "$CONTAINER_PID" "$stop_started"
check "the TAP and the runtime directory are gone" sh -c '! nsenter -t "$1" -a ip link show exo0 >/dev/null 2>&1 && ! [ -e "$2/run/exokernel" ]' \
    _ "$CONTAINER_PID" "$CONTAINER_ROOT"

# The sandbox, as the running systemd rates it.
exposure=$(inside systemd-analyze security --no-pager exokerneld.service 2>&1 | sed -n 's/.*Overall exposure level for exokerneld.service: \([0-9.]*\).*/\1/p')
echo "test-service: systemd-analyze security exokerneld.service: exposure ${exposure:-?}"
check "systemd-analyze security exokerneld.service exposure ${exposure:-?} is at most 2.5" \
    awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.5) }'

echo "service: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
