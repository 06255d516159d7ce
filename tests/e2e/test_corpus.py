# SPDX-License-Identifier: GPL-2.0-or-later
"""The not-an-edge corpus (tests/corpus/make-corpus.sh): captures of real Debian programs on
loopback, none of them a Cisco Meeting Server edge. With no roles configured, cmsedge must say
nothing false about them: no purpose, no off-spec verdict, no inferred role, no per-flow
finding, and the stock dissection must be what it is without the plugin.

Run by ctest as e2e.Corpus (as root: the script captures on lo). The corpus is built into
a private folder the unprivileged tshark can read; a scenario whose program is missing is skipped with its reason, and the
test fails when every one is.
"""

import os
import shutil
import subprocess
import unittest

import tsharkrun
from tsharkrun import ROOT

MAKE_CORPUS = os.path.join(ROOT, "tests", "corpus", "make-corpus.sh")
FIELDS = ["frame.number", "_ws.col.Protocol", "cmsedge.purpose", "cmsedge.judged",
          "cmsedge.rule", "cmsedge.offspec", "cmsedge.reason", "cmsedge.inferred_role",
          "cmsedge.check_kind", "cmsedge.check", "cmsedge.payload", "cmsedge.media.kind",
          "cmsedge.call"]


def show(rows, field, limit=5):
    """Frame numbers and values of the first frames that carry a field, for a message."""
    hits = [f"{r['frame.number'][0]}: {';'.join(r[field])}" for r in rows if r[field]]
    more = f" (and {len(hits) - limit} more)" if len(hits) > limit else ""
    return f"{len(hits)} frame(s): " + " | ".join(hits[:limit]) + more


class Corpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("make-corpus.sh captures on lo: run as root")
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-corpus-")
        # where the unprivileged tshark can read them (the build tree may be under /root)
        cls.out = os.path.join(cls.tmp, "corpus")
        shutil.rmtree(cls.out, ignore_errors=True)
        proc = subprocess.run(["bash", MAKE_CORPUS, cls.out], capture_output=True, text=True,
                              timeout=600)
        print(proc.stdout, end="", flush=True)
        if proc.returncode == 77:
            raise unittest.SkipTest(proc.stderr.strip())
        cls.make_rc, cls.make_output = proc.returncode, proc.stdout + proc.stderr
        os.chmod(cls.out, 0o755)
        names = sorted(f[:-5] for f in os.listdir(cls.out) if f.endswith(".pcap"))
        cls.skipped = {}
        for f in sorted(os.listdir(cls.out)):
            if f.endswith(".skipped"):
                with open(os.path.join(cls.out, f)) as fh:
                    cls.skipped[f[:-8]] = fh.read().strip()
        for name, why in cls.skipped.items():
            print(f"corpus: {name} SKIPPED: {why}", flush=True)
        cls.rows, cls.plain, cls.malformed = {}, {}, {}
        for name in names:
            cap = os.path.join(cls.out, name + ".pcap")
            cls.rows[name] = tsharkrun.fields(cls.tmp, cap, FIELDS)
            cls.plain[name] = tsharkrun.fields(cls.tmp, cap, ["frame.number", "_ws.col.Protocol"],
                                               plugin=False)
            cls.malformed[name] = (tsharkrun.frame_numbers(cls.tmp, cap, "_ws.malformed"),
                                   tsharkrun.frame_numbers(cls.tmp, cap, "_ws.malformed",
                                                           plugin=False))
            rows = cls.rows[name]
            touched = sum(1 for r in rows if any(v for k, v in r.items() if k.startswith("cmsedge")))
            print(f"corpus: {name}: {len(rows)} frames, {touched} with a cmsedge field, "
                  f"{sum(1 for r in rows if r['cmsedge.purpose'])} with a purpose, "
                  f"{sum(1 for r in rows if r['cmsedge.offspec'])} off-spec", flush=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    def captures(self):
        return sorted(self.rows)

    def assert_no_frame(self, field, what):
        """No frame of any capture carries FIELD; one subtest a capture."""
        for name in self.captures():
            with self.subTest(capture=name):
                rows = self.rows[name]
                if any(r[field] for r in rows):
                    self.fail(f"{name}: {what} on {show(rows, field)}")

    def test_corpus_was_made(self):
        self.assertEqual(self.make_rc, 0, f"make-corpus.sh failed:\n{self.make_output}")
        self.assertTrue(self.rows, f"no scenario could be made: {self.skipped}")
        for name, rows in self.rows.items():
            self.assertGreater(len(rows), 0, name)

    def test_no_offspec_verdict(self):
        self.assert_no_frame("cmsedge.offspec", "off-spec verdict")

    def test_no_offspec_reason(self):
        self.assert_no_frame("cmsedge.reason", "off-spec reason")

    def test_no_inferred_role(self):
        self.assert_no_frame("cmsedge.inferred_role", "inferred role")

    def test_no_cisco_purpose_between_strangers(self):
        self.assert_no_frame("cmsedge.purpose", "purpose")

    def test_no_flow_finding(self):
        self.assert_no_frame("cmsedge.check", "per-flow finding")

    def test_no_call(self):
        """baresip's SIP call with its RTP and GStreamer's RTP on 36000-59999 are no traversal
        call: nothing of them is an edge's hop."""
        self.assert_no_frame("cmsedge.call", "call")

    def test_protocol_column_as_without_the_plugin(self):
        for name in self.captures():
            with self.subTest(capture=name):
                ours = [(r["frame.number"], r["_ws.col.Protocol"]) for r in self.rows[name]]
                stock = [(r["frame.number"], r["_ws.col.Protocol"]) for r in self.plain[name]]
                self.assertEqual(len(ours), len(stock), name)
                diff = [f"{a[0][0]}: {''.join(a[1])} (stock {''.join(b[1])})"
                        for a, b in zip(ours, stock) if a != b]
                if diff:
                    self.fail(f"{name}: {len(diff)} frame(s) change protocol, e.g. "
                              + " | ".join(diff[:5]))

    def test_malformed_as_without_the_plugin(self):
        for name in self.captures():
            with self.subTest(capture=name):
                ours, stock = self.malformed[name]
                if ours != stock:
                    self.fail(f"{name}: malformed with the plugin: {len(ours)} frame(s) "
                              f"{ours[:10]}; without it: {len(stock)} {stock[:10]}")

if __name__ == "__main__":
    unittest.main()
