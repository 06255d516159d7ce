#!/bin/bash
# Annotates many captures with tshark and cmsedge, several at once.
#
#   scripts/batch-annotate.sh -o OUT [-j JOBS] [--hosts UAT-FILE] [--build DIR] \
#                             [-- TSHARK-OPTIONS...] < list of capture paths, one per line
#   scripts/batch-annotate.sh -o OUT [...] CAPTURE-OR-FOLDER...
#
# For each capture NAME it writes OUT/NAME.frames.tsv (one line per frame: rule, purpose,
# roles, verdict, check), OUT/NAME.audit.csv and OUT/NAME.audit.json (tshark -z cmsedge,audit),
# and OUT/NAME.log (tshark's messages). Then OUT/merged-audit.csv and OUT/merged-audit.json
# hold the audit of all captures together (scripts/merge-audits.py). A capture tshark cannot
# read to the end is reported as broken, keeps what was read, and the others go on.
# JOBS defaults to the number of cores; one tshark per capture, one pass over it.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [[ ${1:-} == --one ]]; then # worker: --one OUT CAPTURE [wrapper args] -- [tshark args]
  out=$2 capture=$3
  shift 3
  wrapper=()
  while [[ $# -gt 0 && $1 != -- ]]; do wrapper+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  name=$(basename "$capture")
  name=${name%.*}-$(printf '%s' "$capture" | cksum | cut -d' ' -f1)
  rc=0
  # the capture comes on stdin, so tshark (run unprivileged when we are root) need not be able
  # to open it; one pass gives the frame fields, then the audit in JSON (one line) and CSV
  "$here/run-tshark.sh" "${wrapper[@]}" -- -r - -n -T fields -E header=y -E occurrence=f \
      -e frame.number -e frame.time_relative -e _ws.col.Source -e _ws.col.Destination \
      -e _ws.col.Protocol -e udp.srcport -e tcp.srcport -e udp.dstport -e tcp.dstport \
      -e cmsedge.rule -e cmsedge.purpose -e cmsedge.src_role -e cmsedge.dst_role \
      -e cmsedge.offspec -e cmsedge.reason -e cmsedge.check \
      -z cmsedge,audit,csv -z cmsedge,audit,json "$@" <"$capture" >"$out/$name.raw" \
      2>"$out/$name.log" || rc=$?
  awk -v f="$out/$name.frames.tsv" -v c="$out/$name.audit.csv" -v j="$out/$name.audit.json" '
    /^\{"frames":/ { print > j; next }
    /^kind,table,rule,/ { csv = 1 }
    { print > (csv ? c : f) }' "$out/$name.raw"
  rm -f "$out/$name.raw"
  printf '%s\t%s\n' "$capture" "$name" >>"$out/.index"
  if [[ $rc -ne 0 || -s $out/$name.log || ! -s $out/$name.audit.json ]]; then
    echo "broken $capture: $(head -c 300 "$out/$name.log" | tr '\n' ' ')(exit $rc)"
    printf '%s\n' "$name" >>"$out/.broken"
  else
    echo "done   $capture: $(($(wc -l <"$out/$name.frames.tsv") - 1)) frames"
  fi
  exit 0
fi

out="" jobs=$(nproc) wrapper=() inputs=() tshark_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -o) out=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --hosts|--build) wrapper+=("$1" "$2"); shift 2 ;;
    --) shift; tshark_args=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) inputs+=("$1"); shift ;;
  esac
done
[[ -n $out ]] || { echo "batch-annotate.sh: -o OUT is required (see --help)" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out/.index" "$out/.broken"

list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [[ ${#inputs[@]} -eq 0 ]]; then
  cat >"$list" # paths on stdin
else
  for i in "${inputs[@]}"; do
    if [[ -d $i ]]; then
      find "$i" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort
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
  done
python3 "$here/merge-audits.py" "$out"
