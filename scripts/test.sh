#!/bin/bash
# Builds everything from the tables and runs the whole test suite: cmocka unit tests, the
# generator's rejection tests, tshark end-to-end tests, and the compile check against the
# Wireshark 4.4 and 4.6 development packages. ctest prints the summary.
#
#   scripts/test.sh [BUILD_DIR]          (default: build)
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

if ! { command -v cmake && command -v tshark && pkg-config --exists wireshark cmocka; } >/dev/null 2>&1; then
  bash scripts/setup-deps.sh
fi

cmake -S . -B "$build" -DCMSEDGE_TEST_NEWER_WIRESHARK=ON
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure
