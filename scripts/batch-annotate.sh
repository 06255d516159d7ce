#!/bin/bash
# Annotates many captures with tshark and cmsedge, several at once.
#
#   scripts/batch-annotate.sh -o OUT [-j JOBS] [--hosts UAT-FILE] [--build DIR] \
#                             [-- TSHARK-OPTIONS...] < list of capture paths, one per line
#   scripts/batch-annotate.sh -o OUT [...] CAPTURE-OR-FOLDER...
#
# A folder stands for the captures under it: *.pcap, *.pcapng, *.cap, each also compressed
# (.gz, .zst, .lz4: tshark reads them as they are). For each capture NAME it writes
# OUT/NAME.frames.tsv (one line per frame read: rule, purpose, roles, verdict, check),
# OUT/NAME.audit.csv and OUT/NAME.audit.json (tshark -z cmsedge,audit) and OUT/NAME.log
# (tshark's messages), and prints what became of it: done, truncated (what was read before the
# cut is kept), empty, not-capture, missing, unreadable, not-a-file or failed. Then
# OUT/merged-audit.csv and OUT/merged-audit.json hold the audits of all captures together
# (scripts/merge-audits.py), whatever became of each.
# Exit status: 0 when every capture was read to its end and had frames, 1 when any was not
# (the merged audit is written all the same), 2 when nothing was run (a bad option, a hosts
# file that cannot be read or that tshark refuses, no plugin built).
# JOBS defaults to the number of cores; one tshark per capture, one pass over it.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CMSEDGE_SCRIPT=batch-annotate.sh # run-tshark.sh's messages carry this name

if [[ ${1:-} == --one ]]; then # worker: --one OUT CAPTURE [wrapper args] -- [tshark args]
  out=$2 capture=$3
  shift 3
  wrapper=()
  while [[ $# -gt 0 && $1 != -- ]]; do wrapper+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  name=$(basename "$capture")
  name=${name%.gz} name=${name%.zst} name=${name%.lz4}
  name=${name%.*}-$(printf '%s' "$capture" | cksum | cut -d' ' -f1)
  status="" message="" read_frames=0
  rm -f "$out/$name".*
  if [[ ! -e $capture ]]; then status=missing message="No such file or directory"
  elif [[ -d $capture ]]; then status=not-a-file message="Is a directory"
  elif [[ ! -r $capture ]] || ! head -c 0 "$capture" 2>/dev/null; then
    status=unreadable message="Permission denied"
  else
    rc=0
    # one pass gives the frame fields, then the audit in JSON (one line) and CSV
    "$here/run-tshark.sh" "${wrapper[@]}" --read "$capture" -- -n -T fields -E header=y \
        -E occurrence=f -e frame.number -e frame.time_relative -e _ws.col.Source \
        -e _ws.col.Destination -e _ws.col.Protocol -e udp.srcport -e tcp.srcport -e udp.dstport \
        -e tcp.dstport -e cmsedge.rule -e cmsedge.purpose -e cmsedge.src_role -e cmsedge.dst_role \
        -e cmsedge.offspec -e cmsedge.reason -e cmsedge.check \
        -z cmsedge,audit,csv -z cmsedge,audit,json "$@" >"$out/$name.raw" 2>"$out/$name.log" || rc=$?
    awk -v f="$out/$name.frames.tsv" -v c="$out/$name.audit.csv" -v j="$out/$name.audit.json" '
      /^\{"frames":/ { print > j; next }
      /^kind,table,rule,/ { csv = 1 }
      { print > (csv ? c : f) }' "$out/$name.raw"
    rm -f "$out/$name.raw"
    [[ -s $out/$name.frames.tsv ]] && read_frames=$(($(wc -l <"$out/$name.frames.tsv") - 1))
    said=$(head -c 300 "$out/$name.log" | tr '\n' ' ' | sed 's/ *$//')
    if grep -q "cut short" "$out/$name.log"; then
      status=truncated message="$read_frames frames read before the capture was cut short ($said)"
    elif grep -q "isn't a capture file" "$out/$name.log"; then
      status=not-capture message=$said
    elif [[ $rc -ne 0 || ! -s $out/$name.audit.json ]]; then
      status=failed message="${said:-no audit written} (exit $rc)"
    elif [[ $read_frames -eq 0 ]]; then
      status=empty message="no frames in the capture"
    else
      status=done
      annotated=$(sed -n '1s/^{"frames":\([0-9]*\),"judged":[0-9]*,"offspec_frames":\([0-9]*\).*/\1 \2/p' \
                  "$out/$name.audit.json")
      message="$read_frames frames read, ${annotated% *} annotated, ${annotated#* } off-spec"
      [[ -n $said ]] && message="$message; tshark said: $said"
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$capture" "$name" "$status" "$read_frames" "$message" >>"$out/.index"
  printf '%-11s %s: %s\n' "$status" "$capture" "$message"
  exit 0
fi

out="" jobs=$(nproc) wrapper=() inputs=() tshark_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -o|-j|--hosts|--build)
      [[ $# -ge 2 ]] || { echo "batch-annotate.sh: $1 needs a value (see --help)" >&2; exit 2; } ;;&
    -o) out=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --hosts|--build) wrapper+=("$1" "$2"); shift 2 ;;
    --) shift; tshark_args=("$@"); break ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) inputs+=("$1"); shift ;;
  esac
done
[[ -n $out ]] || { echo "batch-annotate.sh: -o OUT is required (see --help)" >&2; exit 2; }
# the hosts file (and the build) first: a table tshark refuses would spoil every capture
if ! "$here/run-tshark.sh" "${wrapper[@]}" --check-hosts; then
  echo "batch-annotate.sh: no capture was read" >&2
  exit 2
fi
mkdir -p "$out"
rm -f "$out/.index"

list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [[ ${#inputs[@]} -eq 0 ]]; then
  grep . >"$list" || true # paths on stdin
else
  patterns=(-false) # what a folder holds: captures tshark reads, compressed or not
  for e in pcap pcapng cap; do
    for z in "" .gz .zst .lz4; do patterns+=(-o -name "*.$e$z"); done
  done
  for i in "${inputs[@]}"; do
    if [[ -d $i ]]; then
      find "$i" -type f \( "${patterns[@]}" \) | sort
    else
      printf '%s\n' "$i"
    fi
  done >"$list"
fi
total=$(grep -c . "$list" || true)
echo "batch-annotate: $total capture(s), $jobs at a time, into $out"
n=0
# one worker per capture; each prints one line when it is done: that is the progress
tr '\n' '\0' <"$list" |
  xargs -0 -r -P "$jobs" -I{} "$0" --one "$out" {} "${wrapper[@]}" -- "${tshark_args[@]}" |
  while IFS= read -r line; do
    n=$((n + 1))
    printf '[%d/%d] %s\n' "$n" "$total" "$line"
  done || true
# a worker that died without a word still has its capture in the merged audit
touch "$out/.index"
awk -F'\t' 'NR == FNR { seen[$1]; next } !($0 in seen)' "$out/.index" "$list" |
  while IFS= read -r capture; do
    printf '%s\t%s\tfailed\t0\t%s\n' "$capture" "" "the worker stopped without a result" >>"$out/.index"
    echo "failed      $capture: the worker stopped without a result"
  done
exec python3 "$here/merge-audits.py" "$out"
