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
import re
import statistics
import subprocess
import sys
import tempfile
import time

PROFILE_FRAMES = 20000
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
    """callgrind instruction counts of a slice in fields and tree mode: totals with and
    without the plugin, the plugin's own functions by inclusive cost, and in tree mode the cost
    of printing the tree (what -V spends on the lines cmsedge adds)."""
    part = os.path.join(work, "slice.pcap")
    subprocess.run(["editcap", "-r", mix, part, f"1-{PROFILE_FRAMES}"], check=True)
    os.chmod(part, 0o644)
    out_dir = tempfile.mkdtemp(prefix="callgrind-", dir=work)
    os.chmod(out_dir, 0o777)  # tshark runs as an unprivileged user when we are root
    result = {}
    for mode in ("fields", "tree"):
        totals, ann = {}, {}
        for plugin in (False, True):
            cg = os.path.join(out_dir, f"callgrind.{mode}.{int(plugin)}")
            env = dict(os.environ,
                       CMSEDGE_TSHARK_WRAPPER=f"valgrind --tool=callgrind --callgrind-out-file={cg}")
            run(build, hosts, part, MODES[mode][int(plugin)], plugin, env)
            ann[plugin] = subprocess.run(["callgrind_annotate", "--inclusive=yes", cg],
                                         capture_output=True, text=True).stdout
            for line in ann[plugin].splitlines():
                if "PROGRAM TOTALS" in line:
                    totals[plugin] = int(line.split()[0].replace(",", ""))
        result[mode] = (totals, ann)
    return result


# a callgrind_annotate line: "  183,143,029 ( 3.58%)  /path/file.c:function [object]"
ANNOTATE_LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S+)")


def annotate_rows(ann):
    """(instructions, location) for each function line of a callgrind_annotate listing."""
    for line in ann.splitlines():
        m = ANNOTATE_LINE.match(line)
        if m:
            yield int(m.group(1).replace(",", "")), m.group(2)


def inclusive(ann, wanted):
    """The inclusive cost of the first function named `wanted`."""
    for cost, where in annotate_rows(ann):
        if where.split(":")[-1] == wanted:
            return cost
    return 0


def plugin_functions(ann):
    """The plugin's and the core's functions (those with source in the tree), costliest first."""
    rows, seen = [], set()
    for cost, where in annotate_rows(ann):
        name = where.split(":")[-1]
        if not any(k in where for k in ("/src/", "/plugin/")) or name in seen:
            continue
        seen.add(name)
        rows.append((cost, name))
    return rows[:12]


def tree_lines(build, hosts, capture, plugin, args):
    """Lines tshark -V prints for the capture."""
    cmd = [RUN, "--build", build]
    cmd += ["--hosts", hosts] if plugin else ["--no-plugin"]
    cmd += ["--", "-r", capture, "-V", *args]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    return out.count(b"\n")


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

    # memory: how much of the plugin's extra RSS is the stock RTP dissector's state for the
    # media cmsedge decodes on documented ports (cmsedge.media off: no RTP decoding)
    no_media = ["--disable-protocol", "cmsedge.media"]
    _, rss_nomedia = run(a.build, hosts, mix, MODES["fields"][1] + no_media, True)
    print(f"\nfields mode with `--disable-protocol cmsedge.media` (annotation kept, no RTP/RTCP "
          f"decoding on documented ports): peak RSS {rss_nomedia:.0f} MiB.")

    plain = max(run(a.build, hosts, distinct, MODES["fields"][0], False)[1] for _ in range(2))
    ours = max(run(a.build, hosts, distinct, MODES["fields"][1], True)[1] for _ in range(2))
    ours_nomedia = max(run(a.build, hosts, distinct, MODES["fields"][1] + no_media, True)[1]
                       for _ in range(2))
    per_flow = (ours - plain) * 1024 * 1024 / a.distinct
    per_flow_own = (ours_nomedia - plain) * 1024 * 1024 / a.distinct
    print(f"\nDistinct flows (`mkbench.py distinct {a.distinct}`, one UDP 5-tuple per frame, RTP "
          f"to the relay ports), fields mode: peak RSS {plain:.0f} MiB plain, {ours:.0f} MiB with "
          f"cmsedge ({per_flow:.0f} bytes more per flow), {ours_nomedia:.0f} MiB with cmsedge "
          f"and `--disable-protocol cmsedge.media` ({per_flow_own:.0f} bytes per flow).")

    if a.profile:
        result = profile(a.build, hosts, a.work, mix)
        for mode, (totals, ann) in result.items():
            print(f"\nProfile (callgrind, first {PROFILE_FRAMES:,} frames, {mode} mode): "
                  f"{totals[False]:,} instructions plain, {totals[True]:,} with cmsedge "
                  f"({totals[True] / totals[False]:.3f}x).\n")
            print("| function (inclusive) | plain | with cmsedge | per frame, with cmsedge |")
            print("|---|---|---|---|")
            for name in ("dissect_cmsedge", "proto_tree_add_string", "proto_tree_print", "print_packet",
                         "call_all_postdissectors", "epan_dissect_run_with_taps"):
                p, c = inclusive(ann[False], name), inclusive(ann[True], name)
                if p or c:
                    print(f"| `{name}` | {p:,} | {c:,} | {c // PROFILE_FRAMES:,} |")
            if mode == "fields":
                print("\n| plugin function (inclusive) | instructions | per frame |")
                print("|---|---|---|")
                for cost, name in plugin_functions(ann[True]):
                    print(f"| `{name}` | {cost:,} | {cost // PROFILE_FRAMES:,} |")
        part = os.path.join(a.work, "slice.pcap")
        lp = tree_lines(a.build, hosts, part, False, [])
        lc = tree_lines(a.build, hosts, part, True, [])
        print(f"\n`tshark -V` on the slice prints {lp:,} lines plain and {lc:,} with cmsedge "
              f"({lc / lp:.2f}x): tree mode's cost follows the lines printed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
