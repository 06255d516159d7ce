#!/bin/bash
# Fuzzing cmsedge.
#
#   scripts/fuzz.sh libfuzzer [RUNS]            each core harness (classify, parse, payload, flows)
#                                               for RUNS inputs (default 10000000), clang build
#   scripts/fuzz.sh tshark [FRAMES] [SECONDS]   the project's test captures mutated with
#                                               editcap -E, read by tshark with an ASan+UBSan
#                                               build of the plugin, until FRAMES mutated frames
#                                               (default 1000000) or SECONDS (default 86400)
#
# Inputs that crash are kept in fuzz-crashes/ (libFuzzer: crash-*; tshark: the mutated pcap and
# tshark's stderr); turn them into regression tests under tests/fuzz/regressions/.
# Environment: CMSEDGE_FUZZ_BUILD (default build-fuzz), CMSEDGE_ASAN_BUILD (build-asan).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:?usage: fuzz.sh libfuzzer [RUNS] | tshark [FRAMES] [SECONDS]}
crashes=$root/fuzz-crashes
mkdir -p "$crashes"

libfuzzer() {
  local runs=${1:-10000000} build=${CMSEDGE_FUZZ_BUILD:-build-fuzz}
  CC=clang cmake -S . -B "$build" -DCMSEDGE_FUZZ=ON -DCMSEDGE_BUILD_PLUGIN=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target fuzz_classify fuzz_parse fuzz_payload fuzz_flows >/dev/null
  for h in classify parse payload flows; do
    local corpus=$build/campaign/$h
    mkdir -p "$corpus" && cp tests/fuzz/seeds/$h/* "$corpus/"
    echo "fuzz: $h, $runs runs"
    (cd "$crashes" && "$root/$build/tests/fuzz/fuzz_$h" -runs="$runs" -seed=1 -print_final_stats=1 \
        "$root/$corpus" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done|==.*ERROR)")
  done
}

tshark_loop() {
  local want_frames=${1:-1000000} seconds=${2:-86400} build=${CMSEDGE_ASAN_BUILD:-build-asan}
  if [[ ! -f $build/CMakeCache.txt ]]; then
    cmake -S . -B "$build" -DCMSEDGE_SANITIZE=address,undefined >/dev/null
  fi
  cmake --build "$build" -j"$(nproc)" --target cmsedge >/dev/null
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/cmsedge-fuzz.XXXXXX")
  chmod 755 "$work"
  # one input of a few thousand frames: every test capture, repeated, so each tshark start
  # carries many frames
  python3 tests/e2e/captures.py "$work/caps" --sample "$work/caps/sample.pcap" --hosts "$work/hosts"
  local parts=()
  for i in 1 2 3 4 5 6 7 8; do parts+=("$work"/caps/*.pcap); done
  mergecap -a -F pcap -w "$work/input.pcap" "${parts[@]}"
  local per_run
  per_run=$(capinfos -c -M "$work/input.pcap" | awk '/Number of packets/{print $NF}')
  local asan_rt
  asan_rt=$(gcc -print-file-name=libasan.so)
  export CMSEDGE_TSHARK_WRAPPER="env LD_PRELOAD=$asan_rt ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 WIRESHARK_DEBUG_WMEM_OVERRIDE=strict WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 WIRESHARK_EXTCAP_DIR=/nonexistent"
  # a plugin that failed to load would make every run pass: check it annotates first
  chmod 644 "$work/input.pcap"
  if ! scripts/run-tshark.sh --build "$build" --hosts "$work/hosts" --home "$work/home" -- \
      -r "$work/input.pcap" -c 20 -T fields -e cmsedge.purpose 2>/dev/null | grep -q .; then
    echo "fuzz: the sanitizer build of the plugin did not annotate anything; not fuzzing" >&2
    return 1
  fi
  local frames=0 runs=0 found=0 start=$SECONDS seed
  while (( frames < want_frames && SECONDS - start < seconds )); do
    seed=$((runs + 1))
    editcap -E 0.02 --seed "$seed" "$work/input.pcap" "$work/mutated.pcap" >/dev/null 2>&1
    chmod 644 "$work/mutated.pcap"
    local rc=0
    scripts/run-tshark.sh --build "$build" --hosts "$work/hosts" --home "$work/home" -- \
      -nVxr "$work/mutated.pcap" >/dev/null 2>"$work/stderr" || rc=$?
    if (( rc > 2 )) || grep -qE "ERROR: AddressSanitizer|runtime error:|DISSECTOR_BUG" "$work/stderr"; then
      found=$((found + 1))
      cp "$work/mutated.pcap" "$crashes/tshark-seed$seed.pcap"
      cp "$work/stderr" "$crashes/tshark-seed$seed.stderr"
      echo "fuzz: tshark exit $rc on seed $seed: kept in fuzz-crashes/"
    fi
    runs=$((runs + 1))
    frames=$((frames + per_run))
  done
  rm -rf "$work"
  echo "fuzz: tshark: $runs runs, $frames mutated frames, $found crashing inputs, $((SECONDS - start)) s"
  (( found == 0 ))
}

case $mode in
  libfuzzer) libfuzzer "${2:-}" ;;
  tshark) tshark_loop "${2:-}" "${3:-}" ;;
  *) echo "fuzz.sh: unknown mode $mode" >&2; exit 2 ;;
esac
