#!/bin/bash
# Compiles the plugin, warnings as errors, against Wireshark 4.4 (Debian trixie) and 4.6
# (Debian sid) development packages, leaving the system untouched: the packages are fetched
# with a private apt configuration that reuses this machine's Debian mirror, unpacked with
# dpkg-deb -x into a work folder, and CMake is pointed at the unpacked config. Their libraries
# need a newer glibc than Debian 12's, so nothing is run; compiling and linking is the check.
#
#   .ci/newer-wireshark.sh [--suites "trixie sid"]
# Exit status: 0 all compiled, 1 a compile failed, 77 the mirror could not be reached (skip).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

src=${CMSEDGE_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
work=${CMSEDGE_NEWER_WS_DIR:-/var/tmp/cmsedge-newer-ws}
suites="trixie sid"
[[ ${1:-} == --suites ]] && suites=$2

mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[[ -n $mirror ]] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
if [[ -z $mirror ]]; then
  echo "newer-wireshark: SKIP: no Debian mirror configured on this machine"
  exit 77
fi

# apt with its own sources, lists, cache and an empty dpkg status: the system's stay as they are.
# Signatures are checked; the Valid-Until date is not, because mirrors may serve a frozen
# snapshot whose sid Release has expired, and only headers are taken from these packages.
private_apt() {
  local tool=$1 dir=$2; shift 2
  "$tool" -q -o Acquire::Check-Valid-Until=false -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts="$dir/parts" \
    -o Dir::State="$dir/state" -o Dir::State::status="$dir/state/status" \
    -o Dir::Cache="$dir/cache" -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0 "$@"
}

fetch_suite() {
  local suite=$1 dir=$work/$suite
  if [[ -f $dir/root/.complete ]]; then return 0; fi
  rm -rf "$dir" && mkdir -p "$dir"/{parts,state/lists/partial,cache/archives/partial,debs,root}
  : >"$dir/state/status"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
    >"$dir/sources.list"
  if ! private_apt apt-get "$dir" update >"$dir/update.log" 2>&1; then
    echo "newer-wireshark: SKIP: cannot read $suite from $mirror ($(tail -n 1 "$dir/update.log"))"
    return 77
  fi
  # the -dev packages, and the versioned runtime libraries their .so links point at
  local dev="libwireshark-dev libwsutil-dev libwiretap-dev wireshark-dev"
  local libs
  libs=$(private_apt apt-cache "$dir" show $dev 2>/dev/null |
         sed -n 's/^Depends: //p' | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' |
         grep -E '^lib(wireshark|wsutil|wiretap)[0-9]+$' | sort -u | tr '\n' ' ')
  chmod 777 "$dir/debs" # apt downloads as its sandbox user _apt
  (cd "$dir/debs" && private_apt apt-get "$dir" download $dev $libs >"$dir/download.log" 2>&1) || {
    echo "newer-wireshark: $suite: download failed: $(tail -n 2 "$dir/download.log")"
    return 1
  }
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  touch "$dir/root/.complete"
}

status=0
for suite in $suites; do
  rc=0
  fetch_suite "$suite" || rc=$?
  if [[ $rc -eq 77 ]]; then exit 77; fi
  if [[ $rc -ne 0 ]]; then status=1; continue; fi
  config=$(dirname "$(find "$work/$suite/root" -name WiresharkConfig.cmake | head -n 1)")
  build=$work/$suite/build
  rm -rf "$build"
  # WiresharkTargets.cmake locates headers and libraries relative to its own folder, so the
  # unpacked tree's headers are used, not the system's 4.0 ones.
  if cmake -S "$src" -B "$build" -DWireshark_DIR="$config" -DCMSEDGE_BUILD_TESTS=OFF \
        -DCMSEDGE_WERROR=ON >"$build.configure.log" 2>&1 &&
     cmake --build "$build" --target cmsedge -j"$(nproc)" >"$build.log" 2>&1; then
    version=$(sed -n 's/^-- cmsedge: building against Wireshark //p' "$build.configure.log")
    echo "newer-wireshark: $suite: Wireshark $version: plugin compiled and linked with -Werror"
  else
    echo "newer-wireshark: $suite: FAILED"
    tail -n 30 "$build.configure.log" "$build.log" 2>/dev/null || true
    status=1
  fi
done
exit $status
