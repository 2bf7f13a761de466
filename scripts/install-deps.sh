#!/usr/bin/env bash
# Installs the Debian packages the build, the demo and the tests need. Idempotent; needs root.
set -euo pipefail
packages=(libnl-3-dev libnl-route-3-dev pkg-config iproute2 iputils-ping netcat-openbsd socat
          curl iperf3 tcpdump util-linux procps python3 python3-scapy vde2)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift (6.1 or newer) must be on PATH" >&2; exit 1; }
