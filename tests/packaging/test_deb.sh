#!/bin/bash
# Builds the Debian package from the build tree, checks what it holds and depends on, unpacks it
# into a throwaway root and loads the plugin from there with tshark.
#   test_deb.sh BUILD_DIR
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/out" >/dev/null)
deb=$(ls "$work"/out/*.deb)
fail() { echo "test_deb: $*" >&2; exit 1; }

plugdir=$(sed -n 's/^set(Wireshark_PLUGIN_LIBDIR "\(.*\)")/\1/p' \
          "$(sed -n 's/^Wireshark_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")/WiresharkConfig.cmake")
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for want in "./usr/$plugdir/epan/cmsedge.so" ./usr/share/doc/wireshark-cmsedge/changelog.gz \
            ./usr/share/doc/wireshark-cmsedge/copyright ./usr/share/doc/wireshark-cmsedge/README.md; do
  grep -qxF "$want" <<<"$contents" || fail "$want missing from $(basename "$deb")"
done
depends=$(dpkg-deb -f "$deb" Depends)
owner=$(dpkg-query -S "$(readlink -f /usr/lib/*/libwireshark.so.*[0-9] | head -n 1)" | cut -d: -f1)
grep -q "^$owner (>= " <<<"$depends" || fail "Depends '$depends' does not name $owner"
echo "test_deb: $(basename "$deb"): plugin in /usr/$plugdir/epan, Depends: $depends"

# load it from the unpacked tree: WIRESHARK_PLUGIN_DIR replaces the system folder (non-root only)
dpkg-deb -x "$deb" "$work/root"
chmod -R a+rX "$work"
run=(env HOME="$work" WIRESHARK_PLUGIN_DIR="$(dirname "$work/root/usr/$plugdir")" tshark -G plugins)
[[ $(id -u) -eq 0 ]] && run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}")
out=$("${run[@]}" 2>"$work/stderr")
grep -q "$work/root/usr/$plugdir/epan/cmsedge.so" <<<"$out" || fail "tshark did not load the packaged plugin: $(cat "$work/stderr")"
[[ ! -s $work/stderr ]] || fail "tshark wrote to stderr: $(cat "$work/stderr")"
echo "test_deb: tshark loads cmsedge.so from the unpacked package"
