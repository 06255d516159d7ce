#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Speed and memory of tshark with cmsedge, as ratios against the same tshark without it.

  tests/bench/bench.py [--build build] [--frames 1000000] [--runs 3] [--work DIR] [--profile]

On one seeded capture of an edge mix (tests/bench/mkbench.py), plain tshark and tshark with the
plugin run alternately, --runs times each, in three modes:
  fields   -T fields -e frame.number (plain)  /  ... -e cmsedge.purpose (plugin)
  tree     -V, output to /dev/null
  filter   -Y "frame.number == 0" (plain)     /  -Y cmsedge.offspec (plugin)
Reported: median wall time of each, their ratio, and peak RSS (from wait4). Then, on a capture
of one distinct UDP flow per frame, the extra peak RSS per flow. --profile adds an instruction
count profile (valgrind callgrind) of a 20,000-frame slice: the plugin's share and where it goes.
Prints a Markdown report on stdout.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN = os.path.join(ROOT, "scripts", "run-tshark.sh")

MODES = {
    "fields": (["-T", "fields", "-e", "frame.number"],
               ["-T", "fields", "-e", "frame.number", "-e", "cmsedge.purpose"]),
    "tree": (["-V"], ["-V"]),
    "filter": (["-Y", "frame.number == 0"], ["-Y", "cmsedge.offspec"]),
}


def run(build, hosts, capture, args, plugin, env=None):
    """One tshark run; returns (seconds, peak RSS in MiB)."""
    cmd = [RUN, "--build", build]
    cmd += ["--hosts", hosts] if plugin else ["--no-plugin"]
    cmd += ["--", "-r", capture, *args]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    err = proc.stderr.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err}")
    return seconds, usage.ru_maxrss / 1024.0


def make_captures(work, frames, distinct_frames):
    mk = [sys.executable, os.path.join(HERE, "mkbench.py")]
    mix = os.path.join(work, f"mix-{frames}.pcap")
    distinct = os.path.join(work, f"distinct-{distinct_frames}.pcap")
    hosts = os.path.join(work, "hosts")
    if not os.path.exists(mix):
        subprocess.run(mk + ["mix", str(frames), mix], check=True)
    if not os.path.exists(distinct):
        subprocess.run(mk + ["distinct", str(distinct_frames), distinct], check=True)
    subprocess.run(mk + ["hosts", hosts], check=True)
    for p in (work, mix, distinct, hosts):
        os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)
    return mix, distinct, hosts


def profile(build, hosts, work, mix):
    """callgrind instruction counts of a slice: total with and without the plugin, and the
    plugin's own functions by inclusive cost."""
    part = os.path.join(work, "slice.pcap")
    subprocess.run(["editcap", "-r", mix, part, "1-20000"], check=True)
    os.chmod(part, 0o644)
    totals, out = {}, {}
    for plugin in (False, True):
        cg = os.path.join(work, f"callgrind.{int(plugin)}")
        env = dict(os.environ, CMSEDGE_TSHARK_WRAPPER=f"valgrind --tool=callgrind --callgrind-out-file={cg}")
        run(build, hosts, part, MODES["fields"][int(plugin)], plugin, env)
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", cg], capture_output=True,
                             text=True).stdout
        for line in ann.splitlines():
            if "PROGRAM TOTALS" in line:
                totals[plugin] = int(line.split()[0].replace(",", ""))
        out[plugin] = ann
    rows = []
    seen = set()
    for line in out[True].splitlines():
        parts = line.split()
        if len(parts) < 3 or not parts[0].replace(",", "").isdigit():
            continue
        where = parts[2]
        name = where.split(":")[-1]
        if not any(k in line for k in ("cmsedge", "/src/", "/plugin/")) or name in seen:
            continue
        if name.startswith("???"):
            continue
        seen.add(name)
        rows.append((int(parts[0].replace(",", "")), name))
    return totals, rows[:12]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--frames", type=int, default=1000000)
    ap.add_argument("--distinct", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "cmsedge-bench"))
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    mix, distinct, hosts = make_captures(a.work, a.frames, a.distinct)

    print(f"Capture: `tests/bench/mkbench.py mix {a.frames}` (seed 1), {a.runs} runs each, "
          f"alternating plain and plugin.\n")
    print("| mode | plain s (median) | cmsedge s (median) | time ratio | plain peak RSS MiB | "
          "cmsedge peak RSS MiB | RSS ratio |")
    print("|---|---|---|---|---|---|---|")
    for mode, (plain_args, plugin_args) in MODES.items():
        t = {False: [], True: []}
        rss = {False: [], True: []}
        for _ in range(a.runs):
            for plugin in (False, True):
                s, m = run(a.build, hosts, mix, plugin_args if plugin else plain_args, plugin)
                t[plugin].append(s)
                rss[plugin].append(m)
        tp, tc = statistics.median(t[False]), statistics.median(t[True])
        rp, rc = max(rss[False]), max(rss[True])
        print(f"| {mode} | {tp:.2f} | {tc:.2f} | {tc / tp:.3f} | {rp:.0f} | {rc:.0f} | "
              f"{rc / rp:.3f} |", flush=True)

    plain = max(run(a.build, hosts, distinct, MODES["fields"][0], False)[1] for _ in range(2))
    ours = max(run(a.build, hosts, distinct, MODES["fields"][1], True)[1] for _ in range(2))
    per_flow = (ours - plain) * 1024 * 1024 / a.distinct
    print(f"\nDistinct flows (`mkbench.py distinct {a.distinct}`, one UDP 5-tuple per frame), "
          f"fields mode: peak RSS {plain:.0f} MiB plain, {ours:.0f} MiB with cmsedge: "
          f"{per_flow:.0f} bytes more per flow.")

    if a.profile:
        totals, rows = profile(a.build, hosts, a.work, mix)
        print(f"\nProfile (callgrind, first 20,000 frames, fields mode): "
              f"{totals[False]:,} instructions plain, {totals[True]:,} with cmsedge "
              f"({totals[True] / totals[False]:.3f}x).\n")
        print("| plugin function (inclusive) | instructions | per frame |")
        print("|---|---|---|")
        for cost, name in rows:
            print(f"| `{name}` | {cost:,} | {cost // 20000:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
