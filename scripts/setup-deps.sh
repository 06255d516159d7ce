#!/bin/bash
# Installs what building and testing cmsedge needs on Debian 12, from Debian's packages.
# Run as root (or with sudo). Safe to run again: apt-get skips what is installed.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config python3        # build, and the table generator
  libglib2.0-dev libwireshark-dev wireshark-dev    # the Wireshark 4.0 plugin API
  tshark                                           # end-to-end tests and annotation
  libcmocka-dev                                    # unit tests
  clang libclang-rt-14-dev                         # libFuzzer harnesses
  valgrind                                         # memcheck of tshark with the plugin
  util-linux                                       # setpriv: tshark as an unprivileged user
  ca-certificates                                  # apt over https mirrors
  coturn openssh-server openssh-client socat openssl iproute2  # the training lab (tests/lab)
)

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then exec sudo "$0" "$@"; fi
  echo "setup-deps.sh: run as root to install: ${PACKAGES[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter for reading files.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
