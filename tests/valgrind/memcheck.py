#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""valgrind memcheck of tshark with the plugin over the test captures.

Fails on any memcheck error, and on any definitely or indirectly lost block, whose stack
passes through the plugin (cmsedge.so); Wireshark's own findings are counted but not judged.

  memcheck.py BUILD_DIR
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import captures  # noqa: E402


def main():
    build = sys.argv[1]
    work = tempfile.mkdtemp(prefix="cmsedge-memcheck-")
    os.chmod(work, 0o777)
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/e2e/captures.py"), work,
                    "--hosts", os.path.join(work, "hosts")], check=True)
    ours = theirs = 0
    for name in sorted(captures.CAPTURES):
        cap = os.path.join(work, name + ".pcap")
        log = os.path.join(work, name + ".valgrind")
        for p in (cap, os.path.join(work, "hosts")):
            os.chmod(p, 0o644)
        env = dict(os.environ, CMSEDGE_TSHARK_WRAPPER=(
            "valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect "
            f"--show-leak-kinds=definite,indirect --num-callers=40 --log-file={log}"))
        subprocess.run([os.path.join(ROOT, "scripts/run-tshark.sh"), "--build", build, "--hosts",
                        os.path.join(work, "hosts"), "--", "-r", cap, "-V"],
                       env=env, stdout=subprocess.DEVNULL, check=True)
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        # each finding is a block of "==pid==" lines starting at a blank "==pid== " separator
        blocks = re.split(r"\n==\d+== \n", text)
        for b in blocks:
            if not re.search(r"(Invalid (read|write|free)|uninitialised|definitely lost|"
                             r"indirectly lost|Mismatched free|overlap)", b):
                continue
            if "cmsedge" in b:
                ours += 1
                print(f"{name}: plugin finding:\n{b}\n")
            else:
                theirs += 1
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        print(f"memcheck {name}: {summary.group(1) if summary else '?'} errors in all, "
              f"plugin findings so far {ours}")
    print(f"memcheck: {ours} findings in the plugin, {theirs} elsewhere (not judged)")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
