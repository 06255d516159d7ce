# SPDX-License-Identifier: GPL-2.0-or-later
"""The firewall verdict (tshark -z cmsedge,firewall): goldens on deterministic synthetic
captures (captures.py's flowchecks and documented), nft -c on the generated ruleset, and the
training lab's scenarios against their answer keys, whole and sliced from the middle.

Run by ctest as e2e.Firewall (the lab part as root: lab.sh captures on lo).
"""

import json
import os
import shutil
import subprocess
import unittest

import captures
import tsharkrun

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
UPDATE = os.environ.get("CMSEDGE_UPDATE_GOLDEN") == "1"


def firewall(tmp, capture, fmt, hosts):
    proc = tsharkrun.tshark(tmp, "-r", capture, "-q", "-z", f"cmsedge,firewall,{fmt}",
                            hosts=hosts)
    if proc.returncode != 0:
        raise AssertionError(f"tshark failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


class Synthetic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-fw-")
        cls.hosts = os.path.join(cls.tmp, "hosts")
        captures.write_hosts(cls.hosts)
        os.chmod(cls.hosts, 0o644)
        cls.caps = {}
        builds = {name: getattr(captures, name) for name in
                  ("flowchecks", "documented", "nat_reflection", "nat_reflected")}
        builds["relay_unanswered"] = captures.relay_unanswered
        builds["relay_answered"] = lambda: captures.relay_unanswered(another_peer_answers=True)
        builds["relay_one_direction"] = lambda: captures.relay_unanswered(one_direction=True)
        builds["nat_one_direction"] = lambda: captures.nat_reflection(one_direction=True)
        for name, build in builds.items():
            path = os.path.join(cls.tmp, name + ".pcap")
            build().write(path)
            os.chmod(path, 0o644)
            cls.caps[name] = path

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def golden(self, name, text):
        path = os.path.join(GOLDEN, name)
        if UPDATE:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(text, f.read(), f"{name} differs (CMSEDGE_UPDATE_GOLDEN=1 rewrites)")

    def test_goldens(self):
        for cap in ("flowchecks", "documented"):
            for fmt, ext in (("text", "txt"), ("csv", "csv.txt"), ("json", "json.txt")):
                out = firewall(self.tmp, self.caps[cap], fmt, self.hosts)
                if fmt == "json":
                    json.loads(out)
                self.golden(f"firewall-{cap}.{ext}", out)

    def test_flowchecks_verdicts(self):
        doc = json.loads(firewall(self.tmp, self.caps["flowchecks"], "json", self.hosts))
        blocked = {r for rule in doc["rules"] if rule["verdict"] == "blocked"
                   for r in rule["rows"]}
        for row in ("T1-04", "T2-05", "T2-15"):
            self.assertIn(row, blocked)

    def nat_rules(self, capture):
        doc = json.loads(firewall(self.tmp, self.caps[capture], "json", self.hosts))
        return [rule for rule in doc["rules"] if rule["rows"] == ["T1-11"] and
                rule["transport"] == "udp"]

    def test_nat_reflection_missing_is_translated(self):
        # footnote 5: twelve datagrams to the Expressway-E's own public address, none back
        nat = self.nat_rules("nat_reflection")
        self.assertEqual([r["verdict"] for r in nat], ["translated"], nat)
        self.assertIn("NAT reflection missing: 12 frame(s)", nat[0]["evidence"])
        self.assertEqual(nat[0]["frames"], [1, 2, 3, 4, 5, 6])

    def test_reflected_relay_media_is_not_translated(self):
        # the same media, and as much coming back: nothing is missing
        for capture in ("nat_reflected", "documented"):
            nat = self.nat_rules(capture)
            self.assertEqual(len(nat), 1, capture)
            self.assertNotEqual(nat[0]["verdict"], "translated", nat)

    def test_unanswered_relay_blocks_the_inbound_rule(self):
        doc = json.loads(firewall(self.tmp, self.caps["relay_unanswered"], "json", self.hosts))
        blocked = [r for r in doc["rules"] if r["verdict"] == "blocked"]
        self.assertEqual([(r["rows"][0], r["transport"]) for r in blocked], [("T2-14", "udp")])
        self.assertEqual(blocked[0]["frames"], [1, 4, 26])  # allocation, first, last datagram
        self.assertIn("TURN relay 203.0.113.10:24300 (allocated at frame 1) sent 12 datagram(s) "
                      "to 198.51.100.200:40000 and no peer sent it anything",
                      blocked[0]["evidence"])

    def test_relay_answered_by_another_peer_blocks_nothing(self):
        for capture in ("relay_answered", "relay_one_direction"):
            doc = json.loads(firewall(self.tmp, self.caps[capture], "json", self.hosts))
            self.assertEqual([r for r in doc["rules"] if r["verdict"] == "blocked"], [], capture)

    def test_one_direction_is_no_missing_reflection(self):
        nat = self.nat_rules("nat_one_direction")
        self.assertEqual([r["verdict"] for r in nat], ["one-way"], nat)

    def test_nft_accepts_the_ruleset(self):
        nft = shutil.which("nft") or (os.path.exists("/usr/sbin/nft") and "/usr/sbin/nft")
        if not nft:
            self.skipTest("nft is not installed (apt-get install nftables: tests/firewall/"
                          "packages.txt)")
        for cap in ("flowchecks", "documented"):
            path = os.path.join(self.tmp, cap + ".nft")
            with open(path, "w", encoding="utf-8") as f:
                f.write(firewall(self.tmp, self.caps[cap], "nft", self.hosts))
            proc = subprocess.run([nft, "-c", "-f", path], capture_output=True, text=True)
            if proc.returncode != 0 and "Operation not permitted" in proc.stderr:
                self.skipTest(f"nft -c needs CAP_NET_ADMIN here: {proc.stderr.strip()}")
            self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_asa_has_a_remark_per_rule(self):
        doc = json.loads(firewall(self.tmp, self.caps["documented"], "json", self.hosts))
        asa = firewall(self.tmp, self.caps["documented"], "asa", self.hosts)
        for rule in doc["rules"]:
            self.assertIn(f" remark {rule['rule']}: {', '.join(rule['rows'])} ", asa)

    def test_bad_format(self):
        proc = tsharkrun.tshark(self.tmp, "-r", self.caps["documented"], "-q", "-z",
                                "cmsedge,firewall,xml")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("text|csv|json|nft|asa", proc.stderr)


class Lab(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-fw-lab-")
        cls.lab = os.path.join(cls.tmp, "lab")
        why_not = tsharkrun.run_lab(cls.lab)
        if why_not:
            raise unittest.SkipTest(why_not)
        cls.hosts = os.path.join(cls.lab, "lab.hosts")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def verdicts(self, capture):
        return json.loads(firewall(self.tmp, capture, "json", self.hosts))["rules"]

    def blocked_frames(self, capture):
        """{row: frames} of the blocked attempts the per-flow checks found on the frames."""
        rows = tsharkrun.fields(self.tmp, capture, ["frame.number", "cmsedge.check_kind",
                                                    "cmsedge.check_rule"], hosts=self.hosts)
        out = {}
        for r in rows:
            for kind, rule in zip(r["cmsedge.check_kind"], r["cmsedge.check_rule"]):
                if kind == "blocked":
                    out.setdefault(rule, set()).add(int(r["frame.number"][0]))
        return out

    def check(self, name):
        with open(os.path.join(self.lab, name + ".key.json")) as f:
            key = json.load(f)
        capture = os.path.join(self.lab, name + ".pcap")
        rules = self.verdicts(capture)
        by_row = {}  # a row over UDP and TCP has two rules
        for rule in rules:
            for row in rule["rows"]:
                by_row.setdefault(row, []).append(rule)

        def verdicts(row):
            return [r["verdict"] for r in by_row[row]]
        blocked_rows = {row for kind, row in key["checks"] if kind == "blocked"}
        blocked_rows |= set(key.get("firewall_blocked", []))  # proved by the relays
        for row in blocked_rows:
            self.assertIn("blocked", verdicts(row), f"{name}: {by_row[row]}")
        for row, frames in self.blocked_frames(capture).items():
            proved = {f for r in by_row[row] if r["verdict"] == "blocked" for f in r["frames"]}
            self.assertTrue(frames <= proved, f"{name}: {row} {frames}")
        for row in key["rules"]:
            self.assertIn("works", verdicts(row), f"{name}: {by_row[row]}")
        for rule in rules:
            if rule["verdict"] == "blocked":
                self.assertTrue(set(rule["rows"]) & blocked_rows, f"{name}: {rule}")
        if key["translated_source"]:
            self.assertIn("translated", verdicts("T1-05"), name)
        for rule in rules:  # the answer key's translating firewall, and nothing else
            if rule["verdict"] == "translated":
                self.assertTrue(key["translated_source"] and "T1-05" in rule["rows"],
                                f"{name}: {rule}")
        return rules

    def test_web_proxy(self):
        self.check("web-proxy")

    def test_sip_edge(self):
        self.check("sip-edge")

    def test_misconfig(self):
        self.check("misconfig")

    def test_traversal(self):
        self.check("traversal")

    def test_slices_never_turn_works_into_blocked(self):
        for name in ("web-proxy", "sip-edge", "misconfig", "traversal"):
            capture = os.path.join(self.lab, name + ".pcap")
            full = {r["rule"]: r["verdict"] for r in self.verdicts(capture)}
            count = int(subprocess.run(["capinfos", "-c", "-M", capture], capture_output=True,
                                       text=True).stdout.split()[-1])
            for start in (count // 3, count // 2):
                part = os.path.join(self.tmp, f"{name}-{start}.pcap")
                subprocess.run(["editcap", "-r", capture, part, f"{start}-{count}"], check=True)
                os.chmod(part, 0o644)
                for r in self.verdicts(part):
                    if full[r["rule"]] == "works":
                        self.assertIn(r["verdict"], ("works", "one-way", "not-exercised"),
                                      f"{name} from frame {start}: {r}")
                    if r["verdict"] == "blocked":
                        self.assertEqual(full[r["rule"]], "blocked", f"{name} {start}: {r}")


if __name__ == "__main__":
    unittest.main()
