#!/usr/bin/env bash
# The Debian package's test, run by scripts/test.sh: builds the package (scripts/package-deb.sh),
# unpacks it into a temporary root with dpkg-deb, and checks it as an operator would meet it:
# the packaged exokerneld validates the packaged configuration and exoctl prints its version
# with the Swift toolchain hidden (an empty tmpfs over it, in a private mount namespace), the
# binaries have no run path into the toolchain, every file is in its Debian place, the units
# run /usr/sbin/exokerneld, sysusers.d creates the group and the user, the manual pages render
# without warnings and the completions complete. Ends with "N passed, N failed"; exits 1 on a
# failure.
#
# usage: scripts/test-package.sh [debug|release|PATH.deb]
#   debug (the default): packages the debug build CI has already made, relinked with the static
#   Swift runtime (seconds); a release build costs many minutes more on two cores and the checks
#   here do not depend on optimization. release: the package as shipped. PATH.deb: checks that
#   package, already built (scripts/test.sh builds one for this test and scripts/test-service.sh).
# Needs root (unshare and mount for the hidden toolchain).
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${1:-debug}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1" >&2; }
# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

case "$configuration" in
    *.deb) deb=$configuration ;;
    *) deb=$(bash scripts/package-deb.sh --configuration "$configuration" --output "$work/out" | tail -n 1) ;;
esac
root=$work/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$root/DEBIAN"
echo "test-package: $deb unpacked into a temporary root"

version=$(sed -n 's/.*static let number = "\(.*\)".*/\1/p' Sources/ExoVersion/ExoVersion.swift)
field() { dpkg-deb -f "$deb" "$1"; }
check "package name is exokernel" [ "$(field Package)" = exokernel ]
check "package version $(field Version) is ExoVersion.number $version" [ "$(field Version)" = "$version" ]
check "CHANGELOG.md has an entry for $version" grep -q "^## $version " CHANGELOG.md
check "Depends names libnl-route-3-200 and no Swift package: $(field Depends)" \
    sh -c '! printf "%s" "$1" | grep -qi swift && printf "%s" "$1" | grep -q libnl-route-3-200' _ "$(field Depends)"
check "the example configuration is a conffile" grep -qx /etc/exokernel/exokerneld.toml "$root/DEBIAN/conffiles"
check "the md5sums match the files" sh -c 'cd "$1" && md5sum --quiet -c DEBIAN/md5sums' _ "$root"
for script in postinst prerm postrm; do
    check "maintainer script $script parses" sh -n "$root/DEBIAN/$script"
done

for path in usr/sbin/exokerneld usr/bin/exoctl lib/systemd/system/exokerneld.service \
    lib/systemd/system/exokerneld@.service etc/exokernel/exokerneld.toml usr/lib/sysusers.d/exokernel.conf \
    usr/share/man/man8/exokerneld.8.gz usr/share/man/man8/exoctl.8.gz usr/share/man/man5/exokerneld.toml.5.gz \
    usr/share/bash-completion/completions/exoctl usr/share/bash-completion/completions/exokerneld \
    usr/share/zsh/vendor-completions/_exoctl usr/share/zsh/vendor-completions/_exokerneld \
    usr/share/fish/vendor_completions.d/exoctl.fish usr/share/fish/vendor_completions.d/exokerneld.fish \
    usr/share/doc/exokernel/copyright usr/share/doc/exokernel/changelog.gz \
    usr/share/doc/exokernel/examples/exokerneld.toml; do
    check "/$path is packaged" [ -s "$root/$path" ]
done

# No run path into the toolchain, no Swift runtime library needed.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
for binary in usr/sbin/exokerneld usr/bin/exoctl; do
    dynamic=$(readelf -d "$root/$binary")
    check "/$binary has no RPATH or RUNPATH into $toolchain" \
        sh -c '! printf "%s\n" "$1" | grep -E "RPATH|RUNPATH" | grep -q -e "$2" -e /opt/swift' _ "$dynamic" "$toolchain"
    check "/$binary needs no Swift runtime library" \
        sh -c '! printf "%s\n" "$1" | grep NEEDED | grep -q -E "libswift|libFoundation|libdispatch|libBlocksRuntime"' _ "$dynamic"
done

# Runs a packaged command with the toolchain's directory hidden under an empty tmpfs, and with
# none of the caller's environment but PATH: what it needs must come from the package and libc.
without_toolchain() {
    unshare --mount --propagation private sh -c 'mount -t tmpfs none "$1" && shift && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
        _ "$toolchain" "$@"
}
check "the toolchain can be hidden (swift fails there)" sh -c '! unshare --mount --propagation private sh -c "mount -t tmpfs none \"\$1\" && exec \"\$2\" --version" _ "$1" "$2" >/dev/null 2>&1' \
    _ "$toolchain" "$(command -v swift)"
out=$(without_toolchain "$root/usr/bin/exoctl" --version 2>&1) || true
check "packaged exoctl --version prints 'exoctl $version' without the toolchain (got: $out)" [ "$out" = "exoctl $version" ]
out=$(without_toolchain "$root/usr/sbin/exokerneld" --version 2>&1) || true
check "packaged exokerneld --version prints 'exokerneld $version' (got: $out)" [ "$out" = "exokerneld $version" ]
config=$root/etc/exokernel/exokerneld.toml
out=$(without_toolchain "$root/usr/sbin/exokerneld" --config "$config" --check-config 2>&1) && status=0 || status=$?
check "packaged exokerneld --check-config accepts the packaged configuration (exit $status: $out)" \
    sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -q "configuration is valid"' _ "$status" "$out"
sed 's/^count = 4096$/count = 0/' "$config" >"$work/broken.toml"
out=$(without_toolchain "$root/usr/sbin/exokerneld" --check-config "$work/broken.toml" 2>&1) && status=0 || status=$?
check "packaged exokerneld --check-config refuses frames.count = 0 with exit 1 (exit $status: $out)" \
    sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -q "frames.count"' _ "$status" "$out"

for unit in exokerneld.service exokerneld@.service; do
    check "$unit starts /usr/sbin/exokerneld" grep -q '^ExecStart=/usr/sbin/exokerneld --config /etc/exokernel/' \
        "$root/lib/systemd/system/$unit"
    check "$unit names no /usr/local path" sh -c '! grep -q /usr/local "$1"' _ "$root/lib/systemd/system/$unit"
    check "$unit runs the daemon as the exokerneld user with only CAP_NET_ADMIN and CAP_NET_RAW" \
        sh -c 'grep -qx "User=exokerneld" "$1" && ! grep -q "^User=root" "$1" \
            && grep -qx "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW" "$1" \
            && grep -qx "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW" "$1"' _ "$root/lib/systemd/system/$unit"
    if command -v systemd-analyze >/dev/null; then
        # A template is analysed through an instance of it.
        instance=$work/$(printf '%s' "$unit" | sed 's/@\./@eth0./')
        cp "$root/lib/systemd/system/$unit" "$instance"
        exposure=$(systemd-analyze security --offline=true --no-pager "$instance" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        check "$unit's systemd-analyze security exposure ${exposure:-?} is at most 2.5" \
            awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 2.5) }'
    fi
done

sysroot=$work/sysroot
mkdir -p "$sysroot/etc"
check "systemd-sysusers creates the exokernel group and the exokerneld user (the units' User=) from the packaged entry" \
    sh -c 'systemd-sysusers --root="$1" "$2" >/dev/null 2>&1 && grep -q "^exokernel:" "$1/etc/group" \
        && grep -q "^exokerneld:.*:/usr/sbin/nologin$" "$1/etc/passwd" && grep -q "^exokerneld:" "$1/etc/group"' \
    _ "$sysroot" "$root/usr/lib/sysusers.d/exokernel.conf"

for page in man8/exokerneld.8 man8/exoctl.8 man5/exokerneld.toml.5; do
    warnings=$(man --warnings -l "$root/usr/share/man/$page.gz" 2>&1 >/dev/null)
    check "man page $page renders without warnings${warnings:+: $warnings}" [ -z "$warnings" ]
done
check "exokerneld(8) documents --check-config and no subcommand" \
    sh -c 'page=$(zcat "$1"); printf "%s" "$page" | grep -q "check-config" && ! printf "%s" "$page" | grep -q subcommand' \
    _ "$root/usr/share/man/man8/exokerneld.8.gz"
check "exoctl(8) documents every subcommand" sh -c 'page=$(zcat "$1"); for c in status tenants frames caps bindings stats nic filters capture impair reload revoke kick; do
    printf "%s" "$page" | grep -q "$c" || exit 1; done' _ "$root/usr/share/man/man8/exoctl.8.gz"

completion=$root/usr/share/bash-completion/completions/exoctl
check "the bash completion of 'exoctl sta' offers stats and status" bash -c '
    source "$1"; COMP_WORDS=(exoctl sta); COMP_CWORD=1; COMP_LINE="exoctl sta"; COMP_POINT=${#COMP_LINE}
    _exoctl exoctl sta exoctl >/dev/null 2>&1; reply=" ${COMPREPLY[*]} "
    [[ $reply == *" stats "* && $reply == *" status "* ]]' _ "$completion"
# zsh and fish read their scripts without running them (-n), where they are installed.
if command -v zsh >/dev/null; then
    for file in "$root"/usr/share/zsh/vendor-completions/_*; do check "$(basename "$file") parses in zsh" zsh -n "$file"; done
fi
if command -v fish >/dev/null; then
    for file in "$root"/usr/share/fish/vendor_completions.d/*.fish; do check "$(basename "$file") parses in fish" fish -n "$file"; done
fi

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
