#!/bin/bash
# The personal install: install-user puts the plugin where tshark looks for the running user's
# plugins, tshark loads it from there, and uninstall-user takes it away again.
#   test_user_install.sh BUILD_DIR
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
build=$(cd "$1" && pwd)
home=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-home.XXXXXX")
trap 'rm -rf "$home"' EXIT
fail() { echo "test_user_install: $*" >&2; exit 1; }
version=$(sed -n 's/^CMSEDGE_WS_MAJOR_MINOR:[A-Z]*=//p' "$build/CMakeCache.txt")
plugin=$home/.local/lib/wireshark/plugins/$version/epan/cmsedge.so

plugins() { # tshark -G plugins as the owner of $home (not root: root ignores personal plugins)
  local run=(env HOME="$home" tshark -G plugins)
  [[ $(id -u) -eq 0 ]] && run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}")
  "${run[@]}" 2>&1
}

HOME=$home cmake --build "$build" --target install-user >/dev/null
[[ -f $plugin ]] || fail "install-user did not write $plugin"
[[ $(id -u) -eq 0 ]] && chown -R 65534:65534 "$home"
plugins | grep -qF "$plugin" || fail "tshark does not load $plugin: $(plugins)"
echo "test_user_install: tshark loads $plugin"

HOME=$home cmake --build "$build" --target uninstall-user >/dev/null
[[ ! -e $plugin ]] || fail "uninstall-user left $plugin"
if plugins | grep -q cmsedge; then fail "tshark still lists cmsedge after uninstall-user"; fi
echo "test_user_install: uninstall-user removed it"
