# SPDX-License-Identifier: GPL-2.0-or-later
"""Slices of the training lab's captures (tests/lab/lab.sh): a capture that starts mid-call,
one that ends early, one that holds one side's frames only. A capture's boundaries are not
faults: every warning cmsedge raises on a slice, for a flow, must also be raised for that flow
on the full capture (with the lab's hosts file, as e2e.Lab reads them).

A warning is an expert info of severity warning that the plugin adds (those tshark raises
without the plugin, such as TCP's "previous segment not captured", are taken away frame by
frame), keyed by its flow (transport and both endpoints, either direction; for an ICMP error
the flow it quotes) and its message: the off-spec reason, the footnote, the translated source,
the per-flow check (blocked, latching, turn, relays-idle). The calls' verdicts likewise: a
slice's one-way leg, refused INVITE or missing media must be the full capture's too.

Run by ctest as e2e.Slices (as root: lab.sh captures on lo).
"""

import collections
import json
import os
import re
import shutil
import subprocess
import unittest

import tsharkrun
from tsharkrun import ROOT

WARN = "6291456"  # PI_WARN in _ws.expert.severity
LAB_CAPTURES = ["web-proxy", "sip-edge", "misconfig", "traversal"]
FIELDS = ["frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.proto",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "_ws.expert.severity", "_ws.expert.message"]


def flow_of(row):
    """(transport, endpoint, endpoint) with the endpoints sorted; the innermost header wins, so
    an ICMP error stands for the flow it quotes."""
    src = (row["ip.src"] or row["ipv6.src"] or ["?"])[-1]
    dst = (row["ip.dst"] or row["ipv6.dst"] or ["?"])[-1]
    for proto in ("udp", "tcp"):
        if row[f"{proto}.srcport"]:
            a, b = (src, row[f"{proto}.srcport"][-1]), (dst, row[f"{proto}.dstport"][-1])
            return (proto,) + tuple(sorted([a, b]))
    return ("ip",) + tuple(sorted([(src, ""), (dst, "")]))


def call_faults(tmp, capture, hosts):
    """What the calls' verdicts fault, as (what, where): a leg one way ("one-way", "A -> B"), a
    refused INVITE or media missing on a hop ("failed" / "missing", the words after them)."""
    proc = tsharkrun.tshark(tmp, "-r", capture, "-q", "-z", "cmsedge,calls,json", hosts=hosts)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    out = set()
    for call in json.loads(proc.stdout)["calls"]:
        verdict = call["verdict"].split("; note:")[0]
        one_way = re.match(r"one-way: leg \d+ \([^)]*\) (\S+ -> \S+), nothing back$", verdict)
        if one_way:
            out.add(("one-way", one_way.group(1)))
        elif verdict.startswith(("failed:", "missing: media on the")):
            out.add((verdict.split(":")[0], re.sub(r"frame \d+", "frame N", verdict)))
    return out


def warnings(tmp, capture, hosts):
    """{(flow, message): first frame} for the warnings the plugin adds."""
    def warns(plugin):
        found = collections.Counter()
        rows = tsharkrun.fields(tmp, capture, FIELDS, hosts=hosts, plugin=plugin)
        flows = {}
        for r in rows:
            n = r["frame.number"][0]
            flows[n] = flow_of(r)
            for sev, msg in zip(r["_ws.expert.severity"], r["_ws.expert.message"]):
                if sev == WARN:
                    found[(n, msg)] += 1
        return found, flows
    ours, flows = warns(True)
    stock, _ = warns(False)
    out = {}
    for (n, msg) in sorted(ours - stock, key=lambda k: int(k[0])):
        out.setdefault((flows[n], msg), int(n))
    return out


class Slices(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("lab.sh captures on lo: run as root")
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-slices-")
        cls.lab = os.path.join(cls.tmp, "lab")
        why_not = tsharkrun.run_lab(cls.lab)
        if why_not:
            raise unittest.SkipTest(why_not)
        cls.hosts = os.path.join(cls.lab, "lab.hosts")
        cls.slices = os.path.join(cls.tmp, "slices")
        os.makedirs(cls.slices)
        os.chmod(cls.slices, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    def cut(self, name):
        """The slices of one lab capture: [(label, path)]."""
        full = os.path.join(self.lab, name + ".pcap")
        n = int(subprocess.run(["capinfos", "-c", "-M", "-T", "-r", full], capture_output=True,
                               text=True, check=True).stdout.split()[-1])
        out = []

        def path(label):
            p = os.path.join(self.slices, f"{name}.{label}.pcap")
            out.append((label, p))
            return p
        for label, first, last in [("from-third", n // 3 + 1, n), ("from-half", n // 2 + 1, n),
                                   ("until-half", 1, n // 2), ("until-two-thirds", 1, 2 * n // 3)]:
            subprocess.run(["editcap", "-r", full, path(label), f"{first}-{last}"], check=True,
                           capture_output=True)
        sources = subprocess.run(["tshark", "-r", full, "-T", "fields", "-e", "ip.src"],
                                 capture_output=True, text=True, check=True).stdout.split()
        for src in sorted({s.split(",")[0] for s in sources}):
            subprocess.run(["tshark", "-r", full, "-Y", f"ip.src=={src}", "-w",
                            path(f"only-from-{src}"), "-F", "pcap"], check=True,
                           capture_output=True)
        for _, p in out:
            os.chmod(p, 0o644)
        return full, out

    def check(self, name):
        full, slices = self.cut(name)
        whole = warnings(self.tmp, full, self.hosts)
        whole_keys = set(whole)
        whole_faults = call_faults(self.tmp, full, self.hosts)
        print(f"slices: {name}: {len(whole)} warning(s) on the full capture, "
              f"{len(slices)} slices", flush=True)
        for label, path in slices:
            with self.subTest(capture=name, slice=label):
                extra = {k: f for k, f in warnings(self.tmp, path, self.hosts).items()
                         if k not in whole_keys}
                if extra:
                    lines = [f"  slice frame {f}: {k[0][0]} {k[0][1][0]}:{k[0][1][1]} <-> "
                             f"{k[0][2][0]}:{k[0][2][1]}: {k[1]}"
                             for k, f in sorted(extra.items(), key=lambda kv: kv[1])]
                    self.fail(f"{name} {label}: {len(extra)} warning(s) the full capture does "
                              "not raise for that flow:\n" + "\n".join(lines))
                # nor does a call's verdict fault a leg or hop the whole capture's does not
                faults = call_faults(self.tmp, path, self.hosts) - whole_faults
                self.assertFalse(faults, f"{name} {label}: call verdicts the full capture does "
                                         f"not give: {sorted(faults)}")

    def test_web_proxy(self):
        self.check("web-proxy")

    def test_sip_edge(self):
        self.check("sip-edge")

    def test_misconfigurations(self):
        self.check("misconfig")

    def test_traversal(self):
        self.check("traversal")

    def test_full_captures_do_warn(self):
        """The comparison sees warnings at all: the misconfig capture has its seven faults."""
        whole = warnings(self.tmp, os.path.join(self.lab, "misconfig.pcap"), self.hosts)
        messages = "\n".join(m for (_, m) in whole)
        for expected in ["blocked?", "Expressway-E ports are 7001; seen 7002",
                         "web administration on port 443", "translating firewall"]:
            self.assertIn(expected, messages)


if __name__ == "__main__":
    unittest.main()
