#!/usr/bin/env bash
# Runs COMMAND beside a minimal Debian bookworm booted with systemd-nspawn: a real systemd as
# PID 1, which this machine's own PID 1 is not (docs/RELIABILITY.md, "Reliability: the service
# under systemd"). The root comes from a cached tarball (/var/cache/exokernel-test), made once with
# debootstrap from the Debian mirror in /etc/apt/sources.list*; each run unpacks a fresh copy,
# boots it with its own machine name and a private network, waits for
# `systemctl is-system-running` to say running or degraded, runs COMMAND with
# CONTAINER_PID (its PID 1 on this host: `nsenter -t "$CONTAINER_PID" -a CMD` runs CMD inside)
# and CONTAINER_ROOT (its root directory) in the environment, then powers it off and removes
# the root, also when COMMAND fails or the script is interrupted. Exits with COMMAND's status.
#
# usage: scripts/service-container.sh COMMAND [ARG...]
#   EXOKERNEL_DEBIAN_MIRROR overrides the mirror; deleting the tarball makes the next run build
#   it again (40 s to a few minutes). Needs root, debootstrap and systemd-container.
set -euo pipefail
[ $# -gt 0 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
for tool in debootstrap systemd-nspawn nsenter unshare flock; do
    command -v "$tool" >/dev/null || { echo "service-container: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

# nspawn wants a tmpfs on /run/systemd/nspawn (it refuses to clean a directory on the root
# disk); one in a private mount namespace leaves the host's mounts and other runs alone.
if [ -z "${EXOKERNEL_CONTAINER_NS:-}" ]; then
    exec env EXOKERNEL_CONTAINER_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi
mkdir -p /run/systemd/nspawn
mount -t tmpfs -o mode=0755 none /run/systemd/nspawn

# The root's packages: systemd and what the daemon's package depends on; iproute2 for the test.
include=systemd,systemd-sysv,dbus,iproute2,libnl-3-200,libnl-route-3-200
suite=bookworm
cache=/var/cache/exokernel-test
tarball=$cache/$suite-minbase-$(printf '%s' "$include" | sha256sum | cut -c1-12).tar

mirror() {
    if [ -n "${EXOKERNEL_DEBIAN_MIRROR:-}" ]; then echo "$EXOKERNEL_DEBIAN_MIRROR"; return; fi
    # deb822 (URIs:) or one-line (deb URI SUITE ...) sources; the first main archive, not -security.
    local file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] && cat "$file"
    done |
        sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]*\).*/\2/p' |
        tr ' ' '\n' | grep -E '/debian/?$' | head -n 1 || true
}

build_tarball() {
    local url staging
    url=$(mirror)
    [ -n "$url" ] || { echo "service-container: no Debian mirror in /etc/apt/sources.list*; set EXOKERNEL_DEBIAN_MIRROR" >&2; return 1; }
    staging=$(mktemp -d /var/tmp/exo-debootstrap.XXXXXX)
    echo "service-container: debootstrap $suite from $url into the cache (once)" >&2
    if ! debootstrap --variant=minbase --include="$include" "$suite" "$staging" "$url" >"$staging.log" 2>&1; then
        tail -n 20 "$staging.log" >&2; rm -rf --one-file-system "$staging" "$staging.log"; return 1
    fi
    # Ready to boot: no root password prompt matters (nothing logs in), a machine id per boot.
    rm -f "$staging/etc/machine-id"
    chmod 0755 "$staging"
    tar -C "$staging" --numeric-owner -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf --one-file-system "$staging" "$staging.log"
}

mkdir -p "$cache"
# One builder at a time; the others wait and reuse its tarball.
exec 9>"$cache/.lock"
flock 9
[ -s "$tarball" ] || build_tarball
flock -u 9

root=$(mktemp -d /var/tmp/exo-service-root.XXXXXX)
machine=exo-svc-$$-$RANDOM
nspawn_pid=
container_pid=
command_pid=
log=$root.log

teardown() {
    local status=$?
    trap - EXIT
    trap '' INT TERM
    if [ -n "$command_pid" ]; then kill -TERM "$command_pid" 2>/dev/null || true; fi
    if [ -n "$container_pid" ] && kill -0 "$container_pid" 2>/dev/null; then
        nsenter -t "$container_pid" -a systemctl poweroff --no-block >/dev/null 2>&1 || true
    fi
    if [ -n "$nspawn_pid" ]; then
        for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
        # Not down in 10 s: killing its PID 1 ends every process of the container's PID namespace.
        if kill -0 "$nspawn_pid" 2>/dev/null; then
            [ -n "$container_pid" ] && kill -KILL "$container_pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$nspawn_pid" 2>/dev/null || true
        fi
        wait "$nspawn_pid" 2>/dev/null || true
    fi
    rm -rf --one-file-system "$root" "$log"
    exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM

tar -C "$root" --numeric-owner -xf "$tarball"
# mktemp makes directories 0700: the container's system users (messagebus, the daemon's) must
# enter its root.
chmod 0755 "$root"
echo "$machine" >"$root/etc/hostname"

systemd-nspawn -D "$root" --machine="$machine" --keep-unit --register=no --private-network \
    --bind-ro=/opt/swift --capability=CAP_NET_ADMIN,CAP_NET_RAW \
    -b >"$log" 2>&1 </dev/null &
nspawn_pid=$!

# The container's PID 1 is the child of nspawn that runs systemd (nspawn's short-lived
# intermediate child is one too, for a moment, under nspawn's own name).
for _ in $(seq 1 100); do
    container_pid=
    for child in $(cat "/proc/$nspawn_pid/task/$nspawn_pid/children" 2>/dev/null); do
        [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && container_pid=$child
    done
    [ -n "$container_pid" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || { echo "service-container: systemd-nspawn exited:" >&2; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$container_pid" ] || { echo "service-container: no container PID 1" >&2; exit 1; }

state=
for _ in $(seq 1 600); do
    state=$(nsenter -t "$container_pid" -a systemctl is-system-running 2>/dev/null) || true
    case "$state" in running | degraded) break ;; esac
    kill -0 "$nspawn_pid" 2>/dev/null || { echo "service-container: the container stopped while booting:" >&2; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.1
done
case "$state" in
    running | degraded) echo "service-container: $machine booted ($state), PID 1 is $container_pid on this host" >&2 ;;
    *)
        echo "service-container: $machine did not finish booting in 60 s (state: ${state:-none})" >&2
        nsenter -t "$container_pid" -a sh -c 'systemctl list-jobs --no-pager; systemctl --failed --no-pager
            journalctl -b -p warning --no-pager | tail -n 20' >&2 || true
        exit 1 ;;
esac

# In the background, so that an INT or TERM tears down at once rather than after COMMAND.
CONTAINER_PID=$container_pid CONTAINER_ROOT=$root "$@" &
command_pid=$!
wait "$command_pid"
