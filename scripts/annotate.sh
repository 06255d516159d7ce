#!/bin/bash
# Prints a capture frame by frame with what cmsedge says of each frame, using the freshly built
# plugin (scripts/run-tshark.sh).
#
#   scripts/annotate.sh CAPTURE [--hosts UAT-FILE] [--build DIR] [TSHARK-OPTIONS...]
#
# Columns: frame, source -> destination, protocol, reference row, and the purpose with the
# roles both hosts play, or OFF-SPEC and what the reference expected.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: annotate.sh CAPTURE [--hosts FILE] [--build DIR] [tshark options]"
if [[ $# -eq 0 || $1 == -h || $1 == --help ]]; then echo "$usage" >&2; exit 2; fi
capture=$1
shift
wrapper=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --hosts|--build)
      [[ $# -ge 2 ]] || { echo "annotate.sh: $1 needs a value; $usage" >&2; exit 2; }
      wrapper+=("$1" "$2"); shift 2 ;;
    *) break ;;
  esac
done
export CMSEDGE_SCRIPT=annotate.sh # run-tshark.sh's messages carry this name
# A hosts file tshark refuses a row of is an error here, not a warning above a table of
# wrong roles; a capture only root can read is handed to tshark by run-tshark.sh --read.
if [[ " ${wrapper[*]} " == *" --hosts "* ]]; then
  "$here/run-tshark.sh" "${wrapper[@]}" --check-hosts
fi

"$here/run-tshark.sh" "${wrapper[@]}" --read "$capture" -- -n -T fields -E occurrence=a \
  -E aggregator=$'\x1f' \
  -e frame.number -e _ws.col.Source -e udp.srcport -e tcp.srcport -e _ws.col.Destination \
  -e udp.dstport -e tcp.dstport -e _ws.col.Protocol -e cmsedge.rule -e cmsedge.purpose \
  -e cmsedge.zone -e cmsedge.src_role -e cmsedge.dst_role -e cmsedge.offspec -e cmsedge.reason \
  -e cmsedge.finding -e cmsedge.check -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
  -e icmp.type -e icmpv6.type -e cmsedge.service "$@" |
awk -F'\t' '
  # fields repeat (a quoted header, several matching rows) joined by the unit separator
  function one(v) { sub(/\x1f.*/, "", v); return v }
  function second(v) { return (sub(/^[^\x1f]*\x1f/, "", v) ? one(v) : "") }
  function endpoint(host, port) { return (host ~ /:/ ? "[" host "]" : host) ":" port }
  NR == 1 { printf "%5s  %-44s %-8s %-6s %s\n", "frame", "source -> destination", "proto", "rule", "purpose (roles) / verdict" }
  {
    for (i = 1; i <= NF; i++) if (i != 18 && i != 19 && i != 20 && i != 21) $i = one($i)
    sport = $3 $4; dport = $6 $7
    if ($22 != "" || $23 != "") {
      # an ICMP error: its own hosts, and the packet it quotes (whose ports tshark shows)
      qsrc = second($18) second($20); qdst = second($19) second($21)
      pair = $2 " -> " $5
      about = "about " (sport != "" ? endpoint(qsrc, sport) " -> " endpoint(qdst, dport) : "a quoted packet") ": "
    } else {
      pair = endpoint($2, sport) " -> " endpoint($5, dport)
      about = ""
    }
    what = $10
    if ($11 != "") what = what " (traversal zone " $11 ")"
    if (what != "") what = what "  [" $12 " -> " $13 "]"
    if ($14 == "1" || $14 == "True") {
      why = ($15 != "") ? $15 : ($17 != "") ? $17 : $16
      what = (what != "" ? what "  " : "") "OFF-SPEC: " why
    }
    if (what == "" && $24 != "") what = "service: " $24
    if (what == "") what = "-"
    printf "%5s  %-44s %-8s %-6s %s%s\n", $1, pair, $8, ($9 == "" ? "-" : $9), about, what
  }'
