#!/bin/bash
# Installs what cmsedge needs on Debian 12, from Debian's packages.
#
#   scripts/setup-deps.sh           building the plugin and its default build tree, and the demo
#   scripts/setup-deps.sh --test    and what only the tests need: the fuzzing and memcheck tools,
#                                   the training lab's programs (coturn, sshd, socat), and every
#                                   list in tests/*/packages.txt (a package a line, # comments)
#   scripts/setup-deps.sh --list [--test]   prints the packages and installs nothing
#   scripts/setup-deps.sh --check [--test]  exits 0 when they are all installed, else 1
#
# Run as root (or with sudo). Safe to run again: apt-get skips what is installed. No service is
# started by the installation: while apt-get runs, /usr/sbin/policy-rc.d refuses every start
# (exit 101), and it is removed afterwards, whatever happened.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES=(
  build-essential cmake pkg-config python3        # build, and the table generator
  libglib2.0-dev libwireshark-dev wireshark-dev    # the Wireshark 4.0 plugin API
  tshark                                           # annotation (and end-to-end tests)
  libcmocka-dev                                    # the default build tree configures the unit tests
  util-linux                                       # setpriv: tshark as an unprivileged user
  ca-certificates                                  # apt over https mirrors
)
TEST_PACKAGES=(
  clang libclang-rt-14-dev                         # libFuzzer harnesses
  valgrind                                         # memcheck of tshark with the plugin
  coturn openssh-server openssh-client socat openssl iproute2  # the training lab (tests/lab)
)

test=0 list=0 check=0
for arg in "$@"; do
  case $arg in
    --test) test=1 ;;
    --list) list=1 ;;
    --check) check=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup-deps.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
wanted=("${PACKAGES[@]}")
if [[ $test -eq 1 ]]; then
  wanted+=("${TEST_PACKAGES[@]}")
  for f in "$root"/tests/*/packages.txt; do
    [[ -f $f ]] || continue
    while read -r pkg; do wanted+=("$pkg"); done < <(sed 's/#.*//' "$f" | tr -s ' \t' '\n\n' | grep .)
  done
fi
if [[ $list -eq 1 ]]; then printf '%s\n' "${wanted[@]}"; exit 0; fi
if [[ $check -eq 1 ]]; then
  installed=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' "${wanted[@]}" 2>/dev/null |
              awk '$1 == "ii" { print $2 }' | sort -u | wc -l)
  [[ $installed -eq $(printf '%s\n' "${wanted[@]}" | sort -u | wc -l) ]]
  exit
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then exec sudo "$0" "$@"; fi
  echo "setup-deps.sh: run as root to install: ${wanted[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the answer does not matter for reading files.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections

# Packages such as coturn and openssh-server start their service from their install scripts;
# a policy-rc.d that answers 101 ("action forbidden") stops that. An existing one is kept aside.
policy=/usr/sbin/policy-rc.d
saved=""
restore() {
  rm -f "$policy"
  if [[ -n $saved ]]; then mv "$saved" "$policy"; fi
}
if [[ -e $policy ]]; then saved=$(mktemp "$policy.cmsedge.XXXXXX") && mv "$policy" "$saved"; fi
trap restore EXIT
trap 'exit 130' INT TERM HUP
printf '#!/bin/sh\n# written by cmsedge scripts/setup-deps.sh while it installs\nexit 101\n' >"$policy"
chmod 755 "$policy"

apt-get update -q
apt-get install -y -q --no-install-recommends "${wanted[@]}"
