#!/bin/bash
# Builds everything from the tables and runs the whole test suite, in three builds, each with
# its own ctest summary:
#   build/        cmocka unit tests, the generator's rejection tests, tshark end-to-end tests,
#                 valgrind memcheck of tshark with the plugin, and the compile check against the
#                 Wireshark 4.4 and 4.6 development packages;
#   build-asan/   the unit and end-to-end tests again with ASan+UBSan, and a bounded smoke of
#                 mutated captures through tshark (scripts/fuzz.sh tshark);
#   build-fuzz/   clang: the unit tests under its sanitizers and a libFuzzer smoke per harness.
#
# ctest runs each build's tests in parallel, one per core (tests that share lo or the build
# tree take turns: RESOURCE_LOCK in tests/); each phase says how long the script has run.
#
#   scripts/test.sh [BUILD_DIR]          (default: build; the others are BUILD_DIR-asan, -fuzz)
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

# building needs the default packages; the tests also the fuzzing, memcheck and lab tools
bash scripts/setup-deps.sh --check --test || bash scripts/setup-deps.sh --test

echo "== ${SECONDS}s: $build: unit, generator, end-to-end, valgrind, Wireshark 4.4/4.6 compile"
cmake -S . -B "$build" -DCMSEDGE_TEST_NEWER_WIRESHARK=ON
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"

echo "== ${SECONDS}s: $build-asan: unit and end-to-end under ASan+UBSan, tshark fuzz smoke"
cmake -S . -B "$build-asan" -DCMSEDGE_SANITIZE=address,undefined
cmake --build "$build-asan" -j"$(nproc)"
ctest --test-dir "$build-asan" --output-on-failure -j"$(nproc)"

echo "== ${SECONDS}s: $build-fuzz: libFuzzer smoke of the core (clang)"
CC=clang cmake -S . -B "$build-fuzz" -DCMSEDGE_FUZZ=ON -DCMSEDGE_BUILD_PLUGIN=OFF
cmake --build "$build-fuzz" -j"$(nproc)"
ctest --test-dir "$build-fuzz" --output-on-failure -j"$(nproc)"
echo "== ${SECONDS}s: all three builds passed"
