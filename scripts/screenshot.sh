#!/bin/bash
# Screenshots of Wireshark's GUI with the freshly built plugin, taken under Xvfb, for the docs:
#   docs/wireshark-tree.png     the sample's frame 140: Info column and the annotated tree
#   docs/wireshark-expert.png   Analyze > Expert Information over the sample
#
#   scripts/screenshot.sh [OUT_DIR]     (default docs/; needs wireshark-qt xvfb xdotool imagemagick)
#
# Wireshark runs as an ordinary user (root ignores personal plugins) with the plugin and the
# sample's host roles in a private HOME. The clicks are placed for the 1600x1000 screen and
# the stacked layout this script configures; keys do the rest.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$root/docs}" && cd "${1:-$root/docs}" && pwd)
build=${CMSEDGE_BUILD:-$root/build}
for tool in wireshark Xvfb xdotool import; do
  command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool missing (apt-get install wireshark-qt xvfb xdotool imagemagick)" >&2; exit 77; }
done
version=$(sed -n 's/^CMSEDGE_WS_MAJOR_MINOR:[A-Z]*=//p' "$build/CMakeCache.txt")
work=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-shot.XXXXXX")
display=:$((90 + RANDOM % 100))
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/$version/epan" "$home/.config/wireshark" "$work/run"
cp "$build/plugin/cmsedge.so" "$home/.local/lib/wireshark/plugins/$version/epan/"
cp "$root/samples/edge-sample.hosts" "$home/.config/wireshark/cmsedge_hosts"
cp "$root/samples/edge-sample.pcap" "$home/sample.pcap"
printf '%s\n' 'gui.layout_type: 1' 'gui.layout_content_1: PLIST' 'gui.layout_content_2: PDETAILS' \
  'gui.layout_content_3: NONE' >"$home/.config/wireshark/preferences"
as_user=()
if [[ $(id -u) -eq 0 ]]; then
  chown -R 65534:65534 "$home" "$work/run"
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
chmod 700 "$work/run"
chmod 755 "$work"

Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=$display
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
"${as_user[@]}" env HOME="$home" XDG_RUNTIME_DIR="$work/run" WIRESHARK_EXTCAP_DIR=/nonexistent \
  timeout 120 wireshark -r "$home/sample.pcap" -g 140 >"$work/wireshark.log" 2>&1 &
pids+=($!)
win=""
for _ in $(seq 100); do
  win=$(xdotool search --name "sample.pcap" 2>/dev/null | head -1 || true)
  [[ -n $win ]] && break
  sleep 0.2
done
[[ -n $win ]] || { echo "screenshot.sh: Wireshark did not open: $(cat "$work/wireshark.log")" >&2; exit 1; }
sleep 2
xdotool windowmove "$win" 0 0 windowsize "$win" 1600 1000
sleep 1.5
xdotool mousemove 300 560 click 1   # into the packet details
sleep 0.5
xdotool key ctrl+Left End           # all collapsed, then the last line: cmsedge
sleep 0.5
xdotool key shift+Right             # expand its subtrees
sleep 0.5
xdotool key End                     # down to the per-flow check and its expert info
sleep 1
import -window root "$out/wireshark-tree.png"
xdotool key alt+a                   # Analyze
sleep 0.7
xdotool key Up Return               # its last item: Expert Information
dialog=""
for _ in $(seq 50); do
  dialog=$(xdotool search --name "Expert Information" 2>/dev/null | head -1 || true)
  [[ -n $dialog ]] && break
  sleep 0.2
done
[[ -n $dialog ]] || { echo "screenshot.sh: the Expert Information dialog did not open" >&2; exit 1; }
sleep 2
xdotool windowmove "$dialog" 100 60 windowsize "$dialog" 1400 800
sleep 1.5
import -window root "$out/wireshark-expert.png"
echo "screenshot.sh: $out/wireshark-tree.png $out/wireshark-expert.png"
