#!/bin/bash
# One command from a fresh Debian 12 machine to an annotated capture: installs the build
# dependencies (as root, via apt), builds cmsedge, and annotates the bundled sample capture
# with the freshly built plugin. No install of the plugin is needed.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

# what building and annotating need, nothing that only the tests need (setup-deps.sh --test)
bash scripts/setup-deps.sh --check || bash scripts/setup-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "cmsedge: samples/edge-sample.pcap, host roles from samples/edge-sample.hosts"
exec scripts/annotate.sh samples/edge-sample.pcap --hosts samples/edge-sample.hosts --build build
