#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Speed and memory of tshark with cmsedge, as ratios against the same tshark without it.

  tests/bench/bench.py [--build build] [--frames 1000000] [--pairs 5] [--captures mix,lab]
                       [--modes fields,tree,summary,filter,audit,media] [--distinct 1000000]
                       [--work DIR] [--profile]

In one run, on each capture, plain tshark and tshark with the plugin run alternately, --pairs
pairs (plain, then plugin) per mode:
  fields   -T fields -e frame.number          /  the same and -e cmsedge.purpose
  tree     -V, output to /dev/null
  summary  no output options (one summary line a frame), output to /dev/null
  filter   -Y "udp.length == 1"               /  -Y cmsedge.offspec
  audit    -q -z io,phs                       /  -q -z cmsedge,audit
  media    fields mode again, for the media cmsedge decodes that plain tshark leaves as bare
           UDP: plain with -o rtp.heuristic_rtp:TRUE (the stock way to decode it) against the
           plugin, and the plugin with --disable-protocol cmsedge.media (annotation alone)
           against plain.
For each: the median seconds of each side, their ratio against the issue's target, the spread
of the per-pair ratios, the ratio of each side's fastest run (against the same target), the
ratio of the median CPU seconds (user and system: the time tshark ran, not the time it waited
for a core; against the same target), and peak RSS (wait4) with its ratio. Seconds and RSS
are tshark's own (tests/bench/timed.py runs it), not those of scripts/run-tshark.sh's setup.

Captures (--captures):
  mix   tests/bench/mkbench.py mix FRAMES (seed 1), hosts from mkbench.py hosts;
  lab   the training lab's real programs (tests/lab/lab.sh, run once into WORK/lab; needs root,
        and is skipped with its reason when it cannot run), its scenarios back to back as one
        round, the round replicated with time-shifted copies (editcap -t, mergecap -a) to at
        least FRAMES frames, then cut to FRAMES; hosts from the lab's hosts files, merged.
Then peak RSS per flow on mkbench.py distinct DISTINCT (one UDP flow per frame, to the relays of
the Expressway-E the mix's hosts file names, so that every flow is judged and followed): plain,
plain decoding RTP heuristically, the plugin, the plugin without cmsedge.media (--distinct 0
skips).
Then the core micro-benchmark (build/tests/bench/cmsedge_core_bench, its 10x-rows sibling built
on demand): frames per second through the core alone, and through the call log alone.
--profile adds callgrind instruction counts and cache misses (its cache simulation) with a
cycle estimate from them, plain against plugin, on the first 20,000 frames of each capture in
fields, summary and tree modes (whole runs, and the frames alone: less the same run on the
first frame, which is tshark's start), the media baselines in fields and tree modes (plain with
rtp.heuristic_rtp, the plugin without cmsedge.media), and the plugin's costliest functions.

Prints a Markdown report on stdout, starting with the command line and the commit, to paste
into BENCHMARKS.md as it is; progress goes to stderr. Captures are kept in WORK and reused.
The full run (1,000,000 frames, 5 pairs, both captures, --profile) takes roughly an hour and a
half on two quiet cores (the profile alone about forty minutes, whatever --frames is): validate
changes on small inputs (--frames 20000 --distinct 20000 --pairs 2), which take ten minutes.
"""

import argparse
import glob
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile

PROFILE_FRAMES = 20000
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN = os.path.join(ROOT, "scripts", "run-tshark.sh")
LAB = os.path.join(ROOT, "tests", "lab", "lab.sh")
TIMED = os.path.join(HERE, "timed.py")
# the wrapper runs as "nobody" when we are root: the system's Python, not one under /root
WRAPPER_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
LAB_GAP = 1.0  # seconds between one round of the lab's scenarios and the next

FIELDS = ["-T", "fields", "-e", "frame.number"]
# mode: (plain tshark arguments, plugin tshark arguments, the target time ratio)
MODES = {
    "fields": (FIELDS, FIELDS + ["-e", "cmsedge.purpose"], 1.03),
    "tree": (["-V"], ["-V"], 1.05),
    "summary": ([], [], 1.05),
    # The plain side needs a filter as cheap as cmsedge.offspec and about as rarely true, so
    # that both runs dissect every frame, test one field and print (almost) nothing.
    # udp.length is filled on every UDP frame, most of both captures, by a dissector that runs
    # anyway, and "== 1" is never true (a UDP length counts its 8-byte header); cmsedge.offspec
    # is a boolean present only on the few off-spec frames. "frame.number == 0", used before,
    # tests a field tshark fills for every frame before any protocol is dissected: a protocol's
    # field, like cmsedge's, is the fairer match.
    "filter": (["-Y", "udp.length == 1"], ["-Y", "cmsedge.offspec"], 1.03),
    # io,phs is a stock statistic that, like the audit, dissects every frame and taps it.
    "audit": (["-q", "-z", "io,phs"], ["-q", "-z", "cmsedge,audit"], 1.10),
}
RSS_TARGET = 1.05
PER_FLOW_TARGET = 64
CALLGRIND_TARGET = 1.03  # fields mode
NO_MEDIA = ["--disable-protocol", "cmsedge.media"]
HEURISTIC_RTP = ["-o", "rtp.heuristic_rtp:TRUE"]
# the media section: (what is compared, baseline arguments (no plugin), plugin arguments)
MEDIA = [
    ("cmsedge (annotation and media) vs plain with `-o rtp.heuristic_rtp:TRUE`",
     FIELDS + HEURISTIC_RTP, MODES["fields"][1]),
    ("cmsedge with `--disable-protocol cmsedge.media` (annotation alone) vs plain",
     FIELDS, MODES["fields"][1] + NO_MEDIA),
]


def log(*args):
    print("bench:", *args, file=sys.stderr, flush=True)


def tshark_cmd(build, hosts, plugin, capture, args):
    cmd = [RUN, "--build", build]
    cmd += ["--hosts", hosts] if plugin else ["--no-plugin"]
    return cmd + ["--", "-r", capture, *args]


class Runner:
    """Runs tshark through scripts/run-tshark.sh, timed by timed.py."""

    def __init__(self, build, work):
        self.build = build
        self.out_dir = os.path.join(work, "timed")
        os.makedirs(self.out_dir, exist_ok=True)
        os.chmod(self.out_dir, 0o777)  # tshark runs as "nobody" when we are root
        self.out = os.path.join(self.out_dir, "last")
        for path in (TIMED, self.out):
            if " " in path:
                sys.exit(f"bench.py: {path}: run-tshark.sh's wrapper cannot hold spaces")

    def run(self, hosts, capture, args, plugin):
        """One tshark run; returns (seconds, peak RSS in MiB, CPU seconds)."""
        cmd = tshark_cmd(self.build, hosts, plugin, capture, args)
        env = dict(os.environ, CMSEDGE_TSHARK_WRAPPER=f"{WRAPPER_PYTHON} {TIMED} {self.out}")
        if os.path.exists(self.out):
            os.unlink(self.out)
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"{shlex.join(cmd)} failed: {proc.stderr.decode(errors='replace')}")
        with open(self.out, encoding="ascii") as f:
            seconds, kib, cpu = f.read().split()
        return float(seconds), int(kib) / 1024.0, float(cpu)

    def pairs(self, n, plain, ours):
        """n alternating pairs of runs; plain and ours are (hosts, capture, args, plugin).
        Returns {False: [(s, MiB, CPU s)...], True: [...]} (False: the baseline)."""
        got = {False: [], True: []}
        for _ in range(n):
            got[False].append(self.run(*plain))
            got[True].append(self.run(*ours))
        return got


def summarise(got):
    """(baseline median s, ours median s, ratio, min and max pair ratio, fastest-run ratio,
    baseline peak MiB, ours peak MiB, ratio of the median CPU seconds). A busy machine only
    ever adds time, so each side's fastest run is its least disturbed one; CPU seconds leave
    out the time tshark waited for a core (the scheduler, a neighbour of the virtual machine)."""
    tb = statistics.median(r[0] for r in got[False])
    to = statistics.median(r[0] for r in got[True])
    pair = [o[0] / b[0] for b, o in zip(got[False], got[True])]
    fastest = min(r[0] for r in got[True]) / min(r[0] for r in got[False])
    rb = max(r[1] for r in got[False])
    ro = max(r[1] for r in got[True])
    cpu = statistics.median(r[2] for r in got[True]) / statistics.median(r[2] for r in got[False])
    return tb, to, to / tb, min(pair), max(pair), fastest, rb, ro, cpu


def met(value, target):
    return "yes" if value <= target else "**no**"


def warm(path):
    """Read a capture once, so that the first timed run does not pay for the disk."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def readable(*paths):
    for p in paths:
        os.chmod(p, 0o755 if os.path.isdir(p) else 0o644)


# ---- captures ------------------------------------------------------------------------------

MKBENCH = [sys.executable, os.path.join(HERE, "mkbench.py")]


def mkbench(kind, n, path):
    """mkbench.py's capture, made once."""
    if not os.path.exists(path):
        log(f"making {path}")
        subprocess.run(MKBENCH + [kind, str(n), path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
    readable(path)
    return path


def mix_hosts(work):
    """The hosts file of mkbench.py's captures."""
    hosts = os.path.join(work, "mix.hosts")
    subprocess.run(MKBENCH + ["hosts", hosts], check=True)
    readable(hosts)
    return hosts


def capinfo(paths):
    """{path: (frames, first time, last time)} from capinfos."""
    out = subprocess.run(["capinfos", "-T", "-r", "-M", "-c", "-S", "-a", "-e", *paths],
                         capture_output=True, text=True, check=True).stdout
    info = {}
    for line in out.splitlines():
        name, count, first, last = line.split("\t")
        info[name] = (int(count), float(first), float(last))
    return info


def merge_hosts(files, out):
    """The lab's hosts files as one; returns notes on addresses given different roles."""
    rows, roles, notes = [], {}, []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                fields = [x.strip().strip('"') for x in line.split(",")]
                addr, role = fields[0], fields[1] if len(fields) > 1 else ""
                if addr in roles:
                    if roles[addr] != role:
                        notes.append(f"{addr} is {roles[addr]} in one hosts file and {role} in "
                                     f"{os.path.basename(path)}: the first is kept")
                    continue
                roles[addr] = role
                rows.append(line)
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    return notes


def make_lab(work, frames):
    """The lab's captures replicated to `frames` frames, or (None, None, why)."""
    lab_dir = os.path.join(work, "lab")
    out = os.path.join(work, f"lab-{frames}.pcap")
    hosts = os.path.join(work, "lab.hosts")
    if not glob.glob(os.path.join(lab_dir, "*.pcap")):
        log(f"running the training lab into {lab_dir}")
        proc = subprocess.run(["bash", LAB, lab_dir], capture_output=True, text=True)
        if proc.returncode != 0:
            why = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
            what = "cannot run" if proc.returncode == 77 else f"failed (exit {proc.returncode})"
            return None, None, f"the training lab {what}: {why[0]}"
    info = capinfo(sorted(glob.glob(os.path.join(lab_dir, "*.pcap"))))
    scenarios = [p for p in info if info[p][0] > 0]
    if not scenarios:
        return None, None, f"the training lab left no frames in {lab_dir}"
    scenarios.sort(key=lambda p: info[p][1])  # in the order the lab made them
    hosts_files = sorted(glob.glob(os.path.join(lab_dir, "*.hosts")))
    notes = merge_hosts(hosts_files, hosts)
    per_round = sum(info[p][0] for p in scenarios)
    first = min(info[p][1] for p in scenarios)
    period = max(info[p][2] for p in scenarios) - first + LAB_GAP
    rounds = 1
    if not os.path.exists(out):
        log(f"replicating the lab's {per_round} frames to {frames}")
        block = os.path.join(work, "lab-block.pcap")
        subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", block, *scenarios], check=True)
        shifted, bigger = block + ".shifted", block + ".bigger"
        while rounds * per_round < frames:  # double: the block, then a copy right after it
            subprocess.run(["editcap", "-F", "pcap", "-t", f"{rounds * period:.6f}", block,
                            shifted], check=True)
            subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", bigger, block, shifted],
                           check=True)
            os.replace(bigger, block)
            rounds *= 2
        if os.path.exists(shifted):
            os.unlink(shifted)
        subprocess.run(["editcap", "-F", "pcap", "-r", block, out + ".tmp", f"1-{frames}"],
                       check=True)
        os.replace(out + ".tmp", out)
        os.unlink(block)
    readable(work, lab_dir, out, hosts, *scenarios)
    parts = ", ".join(f"{os.path.basename(p)[:-5]} {info[p][0]}" for p in scenarios)
    how = (f"`tests/lab/lab.sh WORK/lab` once ({parts} frames; one round = the scenarios back "
           f"to back, {per_round} frames, `mergecap -a -F pcap`), doubled with time-shifted "
           f"copies (`editcap -t` by the rounds so far times {period:.3f} s, then `mergecap -a`) "
           f"to at least {frames:,} frames, cut with `editcap -r ... 1-{frames}`; hosts from "
           f"the lab's hosts files ({', '.join(os.path.basename(p) for p in hosts_files)})")
    if notes:
        how += "; " + "; ".join(notes)
    return out, hosts, how


# ---- the report's parts --------------------------------------------------------------------

def git(*args):
    return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True).stdout.strip()


def header(a):
    print("# cmsedge benchmark\n")
    print(f"- Command: `{shlex.join(['python3'] + sys.argv)}` (in `{os.getcwd()}`)")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    state = f"dirty ({len(dirty.splitlines())} tracked files changed)" if dirty else "clean"
    print(f"- Commit: `{git('rev-parse', '--short', 'HEAD') or 'unknown'}`, working tree {state}")
    so = os.path.join(a.build, "plugin", "cmsedge.so")
    version = subprocess.run(["tshark", "-v"], capture_output=True, text=True).stdout
    version = version.splitlines()[0].rstrip(".") if version else "tshark: unknown version"
    print(f"- Plugin: `{so}`; {version}; {os.cpu_count()} cores; load average at the start "
          f"{load()}")
    print(f"- {a.pairs} alternating pairs (plain, then cmsedge) per mode; seconds are medians, "
          f"peak RSS the largest of the runs, both of tshark alone (`tests/bench/timed.py`); "
          f"'pair ratios' is the spread of cmsedge/plain over the pairs; 'fastest ratio' is "
          f"cmsedge's fastest run over plain's fastest (a busy machine only ever adds time, so "
          f"the fastest runs are the least disturbed), judged against the same target; 'CPU s "
          f"ratio' is the ratio of the median CPU seconds (user and system, from wait4), which "
          f"leave out the time tshark waited for a core, also against the same target.")
    print("- Each run: `scripts/run-tshark.sh --build BUILD --no-plugin -- -r CAPTURE ARGS` "
          "(plain) or `scripts/run-tshark.sh --build BUILD --hosts HOSTS -- -r CAPTURE ARGS` "
          "(cmsedge), output to /dev/null.\n", flush=True)


def load():
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def quoted(args):
    return f"`{shlex.join(args)}`" if args else "(none)"


def commands_table(modes):
    print("| mode | plain ARGS | cmsedge ARGS |")
    print("|---|---|---|")
    for mode in modes:
        if mode in MODES:
            p, c, _ = MODES[mode]
            print(f"| {mode} | {quoted(p)} | {quoted(c)} |")
    if "media" in modes:
        for label, base, ours in MEDIA:
            print(f"| media: {label} | {quoted(base)} | {quoted(ours)} |")
    print(flush=True)


def capture_section(runner, a, name, capture, hosts, how, modes):
    print(f"## {name}: {capinfo([capture])[capture][0]:,} frames\n")
    print(f"{how}.\n")
    warm(capture)
    print("| mode | plain s | cmsedge s | time ratio | target | met | pair ratios | fastest "
          "ratio | met | CPU s ratio | met | plain peak RSS MiB | cmsedge peak RSS MiB | "
          "RSS ratio | RSS met |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for mode in modes:
        if mode not in MODES:
            continue
        plain, ours, target = MODES[mode]
        log(f"{name}: {mode}")
        got = runner.pairs(a.pairs, (hosts, capture, plain, False), (hosts, capture, ours, True))
        tb, to, r, lo, hi, fr, rb, ro, cpu = summarise(got)
        print(f"| {mode} | {tb:.2f} | {to:.2f} | **{r:.3f}** | {target:.2f} | {met(r, target)} | "
              f"{lo:.3f}-{hi:.3f} | **{fr:.3f}** | {met(fr, target)} | **{cpu:.3f}** | "
              f"{met(cpu, target)} | {rb:.0f} | {ro:.0f} | {ro / rb:.3f} | "
              f"{met(ro / rb, RSS_TARGET)} |", flush=True)
    if "media" in modes:
        print(f"\nMedia that plain tshark leaves as bare UDP, fields mode, {a.pairs} pairs each:\n")
        print("| comparison | baseline s | cmsedge s | time ratio | pair ratios | fastest ratio "
              "| CPU s ratio | baseline peak RSS MiB | cmsedge peak RSS MiB | RSS ratio |")
        print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
        for label, base, ours in MEDIA:
            log(f"{name}: media, {label}")
            got = runner.pairs(a.pairs, (hosts, capture, base, False),
                               (hosts, capture, ours, True))
            tb, to, r, lo, hi, fr, rb, ro, cpu = summarise(got)
            print(f"| {label} | {tb:.2f} | {to:.2f} | **{r:.3f}** | {lo:.3f}-{hi:.3f} | "
                  f"**{fr:.3f}** | **{cpu:.3f}** | {rb:.0f} | {ro:.0f} | {ro / rb:.3f} |",
                  flush=True)
    print()


def distinct_section(runner, a, hosts):
    distinct = mkbench("distinct", a.distinct, os.path.join(a.work, f"distinct-{a.distinct}.pcap"))
    warm(distinct)
    log("distinct flows")
    sides = [("plain", FIELDS, False),
             ("plain, `-o rtp.heuristic_rtp:TRUE`", FIELDS + HEURISTIC_RTP, False),
             ("cmsedge (annotation and media)", MODES["fields"][1], True),
             ("cmsedge, `--disable-protocol cmsedge.media` (annotation alone)",
              MODES["fields"][1] + NO_MEDIA, True)]
    rss = {label: 0.0 for label, _, _ in sides}
    for _ in range(2):
        for label, args, plugin in sides:
            rss[label] = max(rss[label], runner.run(hosts, distinct, args, plugin)[1])

    def per_flow(label):
        return (rss[label] - rss[plain]) * 1024 * 1024 / a.distinct

    plain, heur, ours, own = (label for label, _, _ in sides)
    print(f"## Distinct flows: `mkbench.py distinct {a.distinct}`\n")
    print(f"One UDP 5-tuple per frame (RTP from a new endpoint address to the relay ports of "
          f"the Expressway-E that `mkbench.py hosts` configures, so that every flow is judged "
          f"and followed), fields mode, peak RSS the largest of 2 runs each; bytes per flow = RSS more than plain tshark's / "
          f"{a.distinct:,} flows. Plain tshark decoding RTP heuristically shows what the stock "
          f"RTP dissector keeps per flow when it decodes such media.\n")
    print("| run | peak RSS MiB | bytes per flow | target | met |")
    print("|---|---|---|---|---|")
    print(f"| {plain} | {rss[plain]:.0f} | | | |")
    print(f"| {heur} | {rss[heur]:.0f} | {per_flow(heur):.0f} | | |")
    for label in (ours, own):
        print(f"| {label} | {rss[label]:.0f} | **{per_flow(label):.0f}** | {PER_FLOW_TARGET} | "
              f"{met(per_flow(label), PER_FLOW_TARGET)} |")
    print(flush=True)


def core_section(a):
    bench = os.path.join(a.build, "tests", "bench", "cmsedge_core_bench")
    sibling = bench + "_x10"
    print("## Core micro-benchmark: `cmsedge_capture_annotate()` and the call log alone\n")
    if not os.path.exists(sibling) or not os.path.exists(bench):
        log("building the core micro-benchmark")
        cmd = ["cmake", "--build", a.build, "--target", "cmsedge_core_bench",
               "cmsedge_core_bench_x10"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
            print(f"Not run: `{shlex.join(cmd)}` failed: {' / '.join(tail)}\n")
            return
        print(f"(built for this run: `{shlex.join(cmd)}`)\n")
    log("core micro-benchmark")
    proc = subprocess.run([bench], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"Not run: `{bench}` failed: {proc.stderr.strip()}\n")
        return
    print(f"`{bench}`: frames per second through the core's per-frame entry point, best of three "
          f"short rounds each, no tshark. rows: an edge mix among 10 configured hosts, with the "
          f"reference's rows and with ten copies of them (`cmsedge_core_bench_x10`, ports "
          f"shifted); hosts: the same mix with 10 and 100,000 configured hosts; flows: Assent "
          f"media over 10 and 100,000 distinct flows; calls: the call log alone "
          f"(`cmsedge_calls_feed`), TURN traffic of 10 and 4,000 web-app clients. Time ratio: "
          f"ns per frame against the first of each case.\n")
    print(proc.stdout, flush=True)


# ---- profile -------------------------------------------------------------------------------

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


def callgrind(build, hosts, capture, args, plugin, out):
    """One run under callgrind with its cache simulation: ({event: total}, inclusive listing of
    instructions)."""
    env = dict(os.environ, CMSEDGE_TSHARK_WRAPPER=f"valgrind --tool=callgrind --cache-sim=yes "
                                                  f"--callgrind-out-file={out}")
    cmd = tshark_cmd(build, hosts, plugin, capture, args)
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed: {proc.stderr.decode(errors='replace')}")
    events, totals = [], []
    with open(out, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("totals:") or (line.startswith("summary:") and not totals):
                totals = [int(x) for x in line.split()[1:]]
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--show=Ir", out],
                         capture_output=True, text=True).stdout
    return dict(zip(events, totals)), ann


# KCachegrind's cycle estimate: an instruction a cycle, 10 more for a miss in the first-level
# caches, 100 for one in the last level. A model, not a measurement; what it adds to the
# instruction count is what the cache misses the plugin causes cost, which seconds on a busy
# machine cannot resolve.
def misses(ev):
    """(first-level misses, last-level misses) of one run's callgrind events."""
    return (ev.get("I1mr", 0) + ev.get("D1mr", 0) + ev.get("D1mw", 0),
            ev.get("ILmr", 0) + ev.get("DLmr", 0) + ev.get("DLmw", 0))


def estimated_cycles(ev):
    l1, ll = misses(ev)
    return ev.get("Ir", 0) + 10 * l1 + 100 * ll


def beyond_start(run, start):
    """(instructions, estimated cycles) of a run less those of the same run on the capture's
    first frame alone: what the frames cost, without tshark's start (registering every
    dissector, reading preferences), which is the same however long the capture."""
    return (run.get("Ir", 0) - start.get("Ir", 0), estimated_cycles(run) - estimated_cycles(start))


def frames_ratio(base, base_start, ours, ours_start):
    """'instructions ratio | estimated cycles ratio' of the frames alone (beyond_start)."""
    (ib, cb), (io, co) = beyond_start(base, base_start), beyond_start(ours, ours_start)
    return io / ib, co / cb


def tree_lines(build, hosts, capture, plugin):
    """Lines tshark -V prints for the capture."""
    out = subprocess.run(tshark_cmd(build, hosts, plugin, capture, ["-V"]), capture_output=True,
                         check=True).stdout
    return out.count(b"\n")


def media_profile(a, hosts, part, first, out_dir, runs, starts):
    """The media baselines under callgrind, in fields mode and with -V: the plugin against plain
    tshark decoding the same RTP, and the plugin with its media decoding off against plain.
    With -V, plain prints what it leaves as bare UDP as a data dump, line after line, and RTP
    costs fewer lines: the ratio against plain alone would credit the annotation with that."""
    print("\nThe media baselines (item 4), under callgrind:\n")
    print("| mode | comparison | baseline instructions | cmsedge instructions | ratio | "
          "estimated cycles ratio | frames alone: instructions ratio | estimated cycles ratio |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for mode in ("fields", "tree"):
        plain, ours, _ = MODES[mode]
        ep, ec = runs[mode]
        ep1, ec1 = starts[mode]
        log(f"callgrind, {mode}, media baselines")
        eh, _ = callgrind(a.build, hosts, part, plain + HEURISTIC_RTP, False,
                          os.path.join(out_dir, f"callgrind.{mode}.heuristic"))
        en, _ = callgrind(a.build, hosts, part, ours + NO_MEDIA, True,
                          os.path.join(out_dir, f"callgrind.{mode}.nomedia"))
        eh1, _ = callgrind(a.build, hosts, first, plain + HEURISTIC_RTP, False,
                           os.path.join(out_dir, f"callgrind.{mode}.heuristic.first"))
        en1, _ = callgrind(a.build, hosts, first, ours + NO_MEDIA, True,
                           os.path.join(out_dir, f"callgrind.{mode}.nomedia.first"))
        for label, base, base1, with_plugin, with_plugin1 in (
                (MEDIA[0][0], eh, eh1, ec, ec1), (MEDIA[1][0], ep, ep1, en, en1)):
            tb, tc = base.get("Ir", 0), with_plugin.get("Ir", 0)
            fi, fc = frames_ratio(base, base1, with_plugin, with_plugin1)
            print(f"| {mode} | {label} | {tb:,} | {tc:,} | **{tc / tb:.3f}** | "
                  f"**{estimated_cycles(with_plugin) / estimated_cycles(base):.3f}** | "
                  f"**{fi:.3f}** | **{fc:.3f}** |", flush=True)


def profile_section(a, name, capture, hosts):
    part = os.path.join(a.work, f"slice-{name}.pcap")
    subprocess.run(["editcap", "-F", "pcap", "-r", capture, part, f"1-{PROFILE_FRAMES}"],
                   check=True)
    first = os.path.join(a.work, f"slice-{name}-first.pcap")
    subprocess.run(["editcap", "-F", "pcap", "-r", capture, first, "1"], check=True)
    readable(part, first)
    n = capinfo([part])[part][0]
    out_dir = os.path.join(a.work, f"callgrind-{name}")  # kept, for callgrind_annotate
    os.makedirs(out_dir, exist_ok=True)
    os.chmod(out_dir, 0o777)
    print(f"## Profile, {name}: callgrind, the first {n:,} frames\n")
    print("`valgrind --tool=callgrind --cache-sim=yes` (Valgrind's model of this machine's "
          "caches). L1 misses: instruction and data misses in the first-level caches; "
          "estimated cycles: instructions + 10 x L1 misses + 100 x last-level misses "
          "(KCachegrind's estimate: a model, which the seconds above cannot check to 3%). "
          "Frames alone: each count less that of the same run on the slice's first frame "
          "alone, which is tshark's start (registering every dissector, reading preferences), "
          "the same however long the capture: the ratios of the whole runs dilute what the "
          "frames cost by it, those of the frames alone do not.\n")
    print("| mode | plain instructions | cmsedge instructions | ratio | target | met | L1 misses "
          "more a frame | last-level misses more a frame | estimated cycles ratio | tshark's "
          "start, plain / cmsedge instructions | frames alone: instructions ratio | met | "
          "estimated cycles ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    anns, runs, starts = {}, {}, {}
    for mode in ("fields", "summary", "tree"):
        log(f"{name}: callgrind, {mode}")
        plain, ours, _ = MODES[mode]
        ep, ap = callgrind(a.build, hosts, part, plain, False,
                           os.path.join(out_dir, f"callgrind.{mode}.0"))
        ec, ac = callgrind(a.build, hosts, part, ours, True,
                           os.path.join(out_dir, f"callgrind.{mode}.1"))
        ep1, _ = callgrind(a.build, hosts, first, plain, False,
                           os.path.join(out_dir, f"callgrind.{mode}.0.first"))
        ec1, _ = callgrind(a.build, hosts, first, ours, True,
                           os.path.join(out_dir, f"callgrind.{mode}.1.first"))
        anns[mode] = (ap, ac)
        runs[mode] = (ep, ec)
        starts[mode] = (ep1, ec1)
        tp, tc = ep.get("Ir", 0), ec.get("Ir", 0)
        (l1p, llp), (l1c, llc) = misses(ep), misses(ec)
        fi, fc = frames_ratio(ep, ep1, ec, ec1)
        fields_mode = mode == "fields"
        target = f"{CALLGRIND_TARGET:.2f} | {met(tc / tp, CALLGRIND_TARGET)}" \
            if fields_mode else " | "
        print(f"| {mode} | {tp:,} | {tc:,} | **{tc / tp:.3f}** | {target} | "
              f"{(l1c - l1p) / n:.0f} | {(llc - llp) / n:.1f} | "
              f"**{estimated_cycles(ec) / estimated_cycles(ep):.3f}** | "
              f"{ep1.get('Ir', 0):,} / {ec1.get('Ir', 0):,} | **{fi:.3f}** | "
              f"{met(fi, CALLGRIND_TARGET) if fields_mode else ''} | **{fc:.3f}** |", flush=True)
    media_profile(a, hosts, part, first, out_dir, runs, starts)
    print("\n| function (inclusive) | mode | plain | with cmsedge | per frame, with cmsedge |")
    print("|---|---|---|---|---|")
    for mode, (ap, ac) in anns.items():
        for fn in ("dissect_cmsedge", "proto_tree_add_string", "proto_tree_print",
                   "print_packet", "call_all_postdissectors", "epan_dissect_run_with_taps"):
            p, c = inclusive(ap, fn), inclusive(ac, fn)
            if p or c:
                print(f"| `{fn}` | {mode} | {p:,} | {c:,} | {c // n:,} |")
    print("\n| plugin function, fields mode (inclusive) | instructions | per frame |")
    print("|---|---|---|")
    for cost, fn in plugin_functions(anns["fields"][1]):
        print(f"| `{fn}` | {cost:,} | {cost // n:,} |")
    lp = tree_lines(a.build, hosts, part, False)
    lc = tree_lines(a.build, hosts, part, True)
    print(f"\n`tshark -V` on the slice prints {lp:,} lines plain and {lc:,} with cmsedge "
          f"({lc / lp:.2f}x).\n", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build folder with plugin/cmsedge.so (default: %(default)s)")
    ap.add_argument("--frames", type=int, default=1000000,
                    help="frames of each capture (default: %(default)s)")
    ap.add_argument("--distinct", type=int, default=1000000,
                    help="distinct UDP flows for bytes per flow; 0 skips (default: %(default)s)")
    ap.add_argument("--pairs", type=int, default=5,
                    help="alternating plain/plugin pairs per mode (default: %(default)s)")
    ap.add_argument("--captures", default="mix,lab",
                    help="comma-separated: mix, lab (default: %(default)s)")
    ap.add_argument("--modes", default=",".join(list(MODES) + ["media"]),
                    help="comma-separated, of the modes above (default: %(default)s)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "cmsedge-bench"),
                    help="folder for captures and the lab, kept and reused (default: %(default)s)")
    ap.add_argument("--profile", action="store_true",
                    help=f"add callgrind instruction counts and cache misses on "
                         f"{PROFILE_FRAMES:,}-frame slices")
    a = ap.parse_args()
    captures = [c for c in a.captures.split(",") if c]
    modes = [m for m in a.modes.split(",") if m]
    for bad in [c for c in captures if c not in ("mix", "lab")]:
        ap.error(f"unknown capture '{bad}' (expected mix, lab)")
    for bad in [m for m in modes if m not in MODES and m != "media"]:
        ap.error(f"unknown mode '{bad}' (expected {', '.join(MODES)}, media)")
    if a.pairs < 1:
        ap.error("--pairs must be at least 1")
    a.build = os.path.abspath(a.build)
    a.work = os.path.abspath(a.work)
    os.makedirs(a.work, exist_ok=True)
    readable(a.work)

    header(a)
    made = {}
    hosts = mix_hosts(a.work)
    if "mix" in captures:
        mix = mkbench("mix", a.frames, os.path.join(a.work, f"mix-{a.frames}.pcap"))
        made["mix"] = (mix, hosts, f"`python3 tests/bench/mkbench.py mix {a.frames} OUT` "
                                   f"(seed 1), hosts from `mkbench.py hosts`")
    if "lab" in captures:
        lab, lab_hosts, how = make_lab(a.work, a.frames)
        if lab:
            made["lab"] = (lab, lab_hosts, how)
        else:
            log(how)
            print(f"**No lab capture**: {how}. The mix only.\n")
    commands_table(modes)

    runner = Runner(a.build, a.work)
    for name, (capture, capture_hosts, how) in made.items():
        capture_section(runner, a, name, capture, capture_hosts, how, modes)
    if a.distinct:  # the mix's hosts: they name the Expressway-E whose relays the flows reach
        distinct_section(runner, a, hosts)
    core_section(a)
    if a.profile:
        for name, (capture, capture_hosts, _) in made.items():
            profile_section(a, name, capture, capture_hosts)
    print(f"Load average at the end: {load()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
