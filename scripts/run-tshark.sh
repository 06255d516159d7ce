#!/bin/bash
# Runs tshark with the freshly built cmsedge plugin, no install needed.
#
#   scripts/run-tshark.sh [--build DIR] [--hosts FILE] [--home DIR] [--no-plugin] -- TSHARK-ARGS...
#
# The plugin is copied into a private HOME's per-user plugin folder
# (~/.local/lib/wireshark/plugins/<major.minor>/epan). Wireshark ignores that folder for root,
# so as root tshark runs as the unprivileged user "nobody" (setpriv); the files it reads must
# be readable by that user. --hosts copies a cmsedge_hosts UAT file (CSV rows
# "address","role","name") into the private profile. --no-plugin runs the same tshark the same
# way without the plugin, for comparisons.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${CMSEDGE_BUILD:-$here/build}
hosts=""
home=""
with_plugin=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --home) home=$2; shift 2 ;;
    --no-plugin) with_plugin=0; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done

plugin=$build/plugin/cmsedge.so
if [[ ! -f $plugin ]]; then
  echo "run-tshark.sh: $plugin not found; build first (cmake -S . -B build && cmake --build build)" >&2
  exit 2
fi
ws_version=$(sed -n 's/^CMSEDGE_WS_MAJOR_MINOR:[A-Z]*=//p' "$build/CMakeCache.txt")
[[ -n $ws_version ]] || ws_version=$(tshark -v 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')

home=${home:-$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-home.XXXXXX")}
mkdir -p "$home/.local/lib/wireshark/plugins/$ws_version/epan" "$home/.config/wireshark"
if [[ $with_plugin -eq 1 ]]; then
  cp "$plugin" "$home/.local/lib/wireshark/plugins/$ws_version/epan/"
fi
if [[ -n $hosts ]]; then
  cp "$hosts" "$home/.config/wireshark/cmsedge_hosts"
fi

# CMSEDGE_TSHARK_WRAPPER runs tshark under another program, e.g. "valgrind --tool=callgrind"
read -r -a wrapper <<<"${CMSEDGE_TSHARK_WRAPPER:-}"
run=(env -u XDG_CONFIG_HOME HOME="$home" TZ=UTC LC_ALL=C.UTF-8 "${wrapper[@]}" tshark "$@")
if [[ $(id -u) -eq 0 ]]; then
  chmod -R a+rX "$home"
  chown -R 65534:65534 "$home"
  exec setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}"
fi
exec "${run[@]}"
