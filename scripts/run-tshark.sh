#!/bin/bash
# Runs tshark with the freshly built cmsedge plugin, no install needed, whatever copy of the
# plugin is installed elsewhere.
#
#   scripts/run-tshark.sh [--build DIR] [--hosts FILE] [--home DIR] [--no-plugin]
#                         [--read CAPTURE] [--check-hosts] -- TSHARK-ARGS...
#
# Wireshark 4.0 loads binary plugins from two folders: the global one (WIRESHARK_PLUGIN_DIR
# when that is set and the user is not privileged, else the system folder,
# /usr/lib/<arch>/wireshark/plugins/<major.minor>/<type>/) and then the personal one
# (~/.local/lib/wireshark/plugins/<major.minor>/<type>/). A name found twice is refused the
# second time ("found in multiple directories"), so the global copy wins. This script makes a
# private global folder in a private HOME: symbolic links to every system plugin except
# cmsedge.so, and the fresh build's cmsedge.so; tshark gets it as WIRESHARK_PLUGIN_DIR, and the
# private HOME's personal folder stays empty. Wireshark honours neither WIRESHARK_PLUGIN_DIR
# nor the personal folder for root, so as root tshark runs as the unprivileged user "nobody"
# (setpriv).
#
# --hosts copies a cmsedge_hosts UAT file (CSV rows "address","role","name") into the private
# profile; --check-hosts only reads an empty capture with it and fails, with tshark's words,
# when tshark refuses a row. --read CAPTURE reads a capture that the caller can read, even one
# that "nobody" cannot (it then comes on standard input, or as a private copy with -2), and
# tshark's messages name CAPTURE. --no-plugin runs the same tshark the same way without the
# plugin, for comparisons. --home keeps the private HOME (else a temporary one is removed at
# the end).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

me=${CMSEDGE_SCRIPT:-run-tshark.sh}
here=$(cd "$(dirname "$0")/.." && pwd)
build=${CMSEDGE_BUILD:-$here/build}
hosts="" home="" capture="" with_plugin=1 check_hosts=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --hosts) hosts=$2; shift 2 ;;
    --home) home=$2; shift 2 ;;
    --read) capture=$2; shift 2 ;;
    --no-plugin) with_plugin=0; shift ;;
    --check-hosts) check_hosts=1; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done

# why FILE cannot be read by the caller, or nothing when it can
unreadable() {
  if [[ ! -e $1 ]]; then echo "No such file or directory"
  elif [[ -d $1 ]]; then echo "Is a directory"
  elif [[ ! -r $1 ]]; then echo "Permission denied"
  elif ! head -c 0 "$1" 2>/dev/null; then echo "cannot be read"
  fi
}

plugin=$build/plugin/cmsedge.so
if [[ $with_plugin -eq 1 && ! -f $plugin ]]; then
  echo "$me: $plugin not found; build first (cmake -S . -B build && cmake --build build)" >&2
  exit 2
fi
if [[ -n $hosts ]]; then
  why=$(unreadable "$hosts")
  if [[ -n $why ]]; then echo "$me: hosts file '$hosts': $why" >&2; exit 2; fi
fi
if [[ -n $capture ]]; then
  why=$(unreadable "$capture")
  if [[ -n $why ]]; then echo "$me: capture '$capture': $why" >&2; exit 2; fi
fi
ws_version=$(sed -n 's/^CMSEDGE_WS_MAJOR_MINOR:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
[[ -n $ws_version ]] || ws_version=$(tshark -v 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')

if [[ -z $home ]]; then
  home=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-home.XXXXXX")
  trap 'rm -rf "$home"' EXIT
fi
personal=$home/.local/lib/wireshark/plugins/$ws_version
if [[ -e $personal/epan/cmsedge.so ]]; then
  echo "$me: $personal/epan/cmsedge.so is a personal copy of the plugin in the HOME given with" \
       "--home; tshark would find cmsedge.so twice: remove it or give another --home" >&2
  exit 2
fi

# CMSEDGE_TSHARK_WRAPPER runs tshark under another program, e.g. "valgrind --tool=callgrind"
read -r -a wrapper <<<"${CMSEDGE_TSHARK_WRAPPER:-}"

# The private global plugin folder: the system's plugins, by symbolic link, but cmsedge.so.
# Asking tshark where they are loads them: when one of them cannot be loaded without the
# wrapper (an ASan build of the plugin installed, say), ask again through the wrapper, and
# when tshark cannot start at all, say so rather than run without the system's plugins.
mkdir -p "$home"
folders() { env -u WIRESHARK_PLUGIN_DIR "$@" tshark -G folders 2>"$home/folders.err"; }
if ! listing=$(folders) && ! listing=$(folders "${wrapper[@]}"); then
  echo "$me: tshark -G folders failed:" >&2
  sed 's/^/  /' "$home/folders.err" >&2
  exit 2
fi
rm -f "$home/folders.err"
system=$(sed -n 's/^Global Plugins:[[:space:]]*//p' <<<"$listing")
plugins=$home/plugins
rm -rf "$plugins"
mkdir -p "$plugins/$ws_version/epan" "$personal" "$home/.config/wireshark"
if [[ -n $system && -d $system ]]; then
  base=$(dirname "$system")
  for entry in "$base"/*; do # Lua plugins and their folders sit at the top
    [[ -e $entry && $entry != "$system" && ! $(basename "$entry") =~ ^[0-9]+\.[0-9]+$ ]] &&
      ln -s "$entry" "$plugins/"
  done
  for dir in "$system"/*/; do
    type=$(basename "$dir")
    mkdir -p "$plugins/$ws_version/$type"
    for so in "$dir"*; do
      [[ -e $so && $(basename "$so") != cmsedge.so ]] && ln -s "$so" "$plugins/$ws_version/$type/"
    done
  done
fi
if [[ $with_plugin -eq 1 ]]; then
  cp "$plugin" "$plugins/$ws_version/epan/cmsedge.so"
fi
rm -f "$home/.config/wireshark/cmsedge_hosts"
if [[ -n $hosts ]]; then
  cp "$hosts" "$home/.config/wireshark/cmsedge_hosts"
fi

as_user=()
if [[ $(id -u) -eq 0 ]]; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

# Where tshark reads the capture from; "shown" is what its messages call it instead.
input="" shown=""
if [[ $check_hosts -eq 1 ]]; then
  # an empty pcap (global header only): enough for tshark to load the profile's tables
  printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' \
    >"$home/empty.pcap"
  input=$home/empty.pcap
  set -- -r - -q
elif [[ -n $capture ]]; then
  if [[ ${#as_user[@]} -eq 0 ]] || "${as_user[@]}" test -r "$capture"; then
    set -- -r "$capture" "$@"
  else
    two_pass=0
    for a in "$@"; do [[ $a == -2 ]] && two_pass=1; done
    if [[ $two_pass -eq 1 ]]; then # two passes need a file, not a pipe
      mkdir -p "$home/input"
      cp "$capture" "$home/input/"
      set -- -r "$home/input/$(basename "$capture")" "$@"
      shown=$home/input/$(basename "$capture")
    else
      input=$capture shown="The standard input"
      set -- -r - "$@"
    fi
  fi
fi

if [[ ${#as_user[@]} -gt 0 ]]; then
  chmod -R a+rX "$home"
  chown -R 65534:65534 "$home"
fi
run=("${as_user[@]}" env -u XDG_CONFIG_HOME HOME="$home" WIRESHARK_PLUGIN_DIR="$plugins" TZ=UTC
     LC_ALL=C.UTF-8 "${wrapper[@]}" tshark "$@")

if [[ $check_hosts -eq 1 ]]; then
  errors=$("${run[@]}" <"$input" 2>&1 >/dev/null) || true
  if [[ -n $errors ]]; then
    # tshark read the private copy: its messages name the caller's file instead
    private=$home/.config/wireshark/cmsedge_hosts
    echo "$me: hosts file '$hosts' refused (fix it, or leave --hosts out to infer roles):" >&2
    while IFS= read -r line; do
      echo "  ${line//"$private"/$hosts}" >&2
    done <<<"$errors"
    exit 1
  fi
  exit 0
fi
rc=0
if [[ -z $shown ]]; then
  if [[ -z $input ]]; then "${run[@]}" || rc=$?; else "${run[@]}" <"$input" || rc=$?; fi
  exit $rc
fi
# tshark's messages about the standard input or the private copy name the capture instead
{ { if [[ -z $input ]]; then "${run[@]}"; else "${run[@]}" <"$input"; fi 2>&1 1>&3 3>&- ||
      echo "$?" >"$home/rc"; } |
    FROM="$shown" TO="$capture" awk '{
      i = index($0, ENVIRON["FROM"])
      if (i > 0) {
        to = ENVIRON["FROM"] == "The standard input" ? "The file \"" ENVIRON["TO"] "\"" : ENVIRON["TO"]
        $0 = substr($0, 1, i - 1) to substr($0, i + length(ENVIRON["FROM"]))
      }
      print; fflush() }' >&2; } 3>&1
if [[ -f $home/rc ]]; then rc=$(cat "$home/rc"); rm -f "$home/rc"; fi
exit "$rc"
