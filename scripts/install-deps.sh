#!/usr/bin/env bash
# Installs the Debian packages the build, the demo and the tests need. Idempotent; needs root.
set -euo pipefail
packages=(libnl-3-dev libnl-route-3-dev pkg-config iproute2 iputils-ping netcat-openbsd socat
          curl iperf3 tcpdump util-linux procps python3 python3-scapy vde2 wrk nginx-light
          # the Debian package and its test (scripts/package-deb.sh, scripts/test-package.sh):
          # dpkg-shlibdeps, strip and readelf, man --warnings, systemd-sysusers, and the shells
          # whose completions are checked
          dpkg-dev binutils man-db groff-base systemd zsh fish
          # the service's sandbox (DaemonUserTests: setpriv, prlimit and unshare are in
          # util-linux; strace lists the daemon's system calls) and the metrics endpoint
          # (curl scrapes it, prometheus's promtool checks the text format)
          strace prometheus
          # the service under a real systemd (scripts/service-container.sh, test-service.sh):
          # a Debian root made by debootstrap, booted with systemd-nspawn
          debootstrap systemd-container debian-archive-keyring)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  # nginx-light's install would start a system nginx on port 80; the HTTP benchmark starts its
  # own (private configuration, stopped by pid). Debian's policy-rc.d (exit 101: "action
  # forbidden") keeps package scripts from starting services, if the machine has none already.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift (6.1 or newer) must be on PATH" >&2; exit 1; }
