#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs a command; writes its wall time in seconds, its peak RSS in KiB and the CPU seconds it
used (user and system, both from wait4) to OUT.

  timed.py OUT COMMAND [ARGS...]

bench.py puts this in front of tshark through run-tshark.sh's CMSEDGE_TSHARK_WRAPPER, so that
the figures are tshark's own, not those of the script's setup. Exits with the command's status.
"""

import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    out, cmd = sys.argv[1], sys.argv[2:]
    start = time.monotonic()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    with open(out, "w", encoding="ascii") as f:
        f.write(f"{seconds:.6f} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime:.6f}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
