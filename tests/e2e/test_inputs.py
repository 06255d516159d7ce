# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad inputs get a message that names them, and every pass shows the same findings.

Each bad input (a hosts file row, -o values Wireshark 4.0 takes in silence, an unknown audit
format, a broken capture) with its exact message and exit status; then tshark's one-pass,
two-pass (-2) and GUI-like outputs compared frame by frame. The GUI-like pass is tshark -2's
plain summary and -2 -z expert: like Wireshark's packet list and Expert Information, they
dissect the frames again without the fields the postdissector asks for on the first pass.
"""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tsharkrun  # noqa: E402

BUNDLED = {"SAMPLE": os.path.join(tsharkrun.ROOT, "samples", "edge-sample.pcap"),
           "SAMPLE_HOSTS": os.path.join(tsharkrun.ROOT, "samples", "edge-sample.hosts")}
SAMPLE, SAMPLE_HOSTS = BUNDLED["SAMPLE"], BUNDLED["SAMPLE_HOSTS"]  # copied for each class


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-inputs-")
        cls.caps, cls.hosts = tsharkrun.write_test_captures(cls.tmp)
        # the bundled sample, where the unprivileged tshark can read it (a clone under /root
        # is not readable by it)
        for name, bundled in BUNDLED.items():
            copy = os.path.join(cls.tmp, os.path.basename(bundled))
            shutil.copyfile(bundled, copy)
            os.chmod(copy, 0o644)
            globals()[name] = copy

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def run_tshark(self, *args, hosts=None):
        return tsharkrun.tshark(self.tmp, *args, hosts=hosts)


class Inputs(Base):
    def roles(self, hosts_text):
        hosts = self.write("hosts-under-test", hosts_text)
        proc = self.run_tshark("-r", SAMPLE, "-T", "fields", "-e", "ip.src", "-e",
                               "cmsedge.src_role_origin", hosts=hosts)
        configured = {l.split("\t")[0] for l in proc.stdout.splitlines()
                      if l.split("\t")[1:2] == ["configured"]}
        return proc, configured

    def test_bad_row_refused_alone(self):
        proc, configured = self.roles('"203.0.113.10","expressway-e-public","e"\n'
                                      '"10.0.0.300","expressway-c","bad"\n'
                                      '"192.0.2.20","expressway-c","c"\n')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(configured, {"203.0.113.10", "192.0.2.20"})
        err = proc.stderr
        self.assertIn("tshark: Error loading table 'cmsedge_hosts': cmsedge_hosts: '10.0.0.300': "
                      "not an IPv4 or IPv6 address\n", err)  # Wireshark's own
        self.assertRegex(err, r"tshark: cmsedge_hosts: Wireshark's table loader stopped at line 2 "
                         r"of \S+/cmsedge_hosts and applied none of its rows \(\"Error loading "
                         r"table\"\); cmsedge read the file itself: 2 row\(s\) in force, 1 "
                         r"refused:\n\S+/cmsedge_hosts:2: '10.0.0.300': not an IPv4 or IPv6 "
                         r"address; this row is refused\n")
        self.assertNotIn("cmsedge_hosts row", err)

    def test_header_line_skipped(self):
        proc, configured = self.roles('address,role,name\n'
                                      '"203.0.113.10","expressway-e-public","e"\n')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(configured, {"203.0.113.10"})
        self.assertRegex(proc.stderr, r"\S+/cmsedge_hosts:1: a header line \(column names\), "
                         r"skipped; remove it: Wireshark's own loader refuses it\n")

    def test_unquoted_fields_read(self):
        proc, configured = self.roles('203.0.113.10, expressway-e-public, e\n'
                                      '# a comment\n\n192.0.2.20,expressway-c\n')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(configured, {"203.0.113.10", "192.0.2.20"})
        self.assertRegex(proc.stderr, r"1 row\(s\) in force|2 row\(s\) in force, 0 refused")
        self.assertRegex(proc.stderr, r"\S+/cmsedge_hosts:1: fields without quotes \(or no "
                         r"name\), read anyway; write \"203.0.113.10\",\"expressway-e-public\","
                         r"\"e\": Wireshark's own loader refuses it\n")

    def test_good_file_is_silent(self):
        with open(SAMPLE_HOSTS, encoding="utf-8") as f:
            proc, configured = self.roles(f.read())
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        self.assertIn("192.0.2.20", configured)

    def test_hosts_as_preference_is_reported(self):
        proc = self.run_tshark("-r", SAMPLE, "-c", "1", "-o",
                               'cmsedge.hosts:"192.0.2.99","expressway-c","x"')
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr,
                         "tshark: -o cmsedge.hosts:...: Wireshark 4.0 ignores a table given as a "
                         "preference; give each row as -o 'uat:cmsedge_hosts:\"ADDRESS\","
                         "\"ROLE\",\"NAME\"'\n")

    def test_bad_boolean_is_reported(self):
        proc = self.run_tshark("-r", SAMPLE, "-c", "1", "-o", "cmsedge.mra:maybe")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(proc.stderr, "tshark: cmsedge.mra: 'maybe' is not TRUE or FALSE; "
                         "Wireshark 4.0 took it as FALSE\n")
        ok = self.run_tshark("-r", SAMPLE, "-c", "1", "-o", "cmsedge.mra:true")
        self.assertEqual((ok.returncode, ok.stderr), (0, ""))

    def test_unknown_preference_refused_by_tshark(self):
        proc = self.run_tshark("-r", SAMPLE, "-c", "1", "-o", "cmsedge.nonexistent:1")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stderr, 'tshark: -o flag "cmsedge.nonexistent:1" specifies '
                         'unknown preference\n')

    def test_unknown_audit_format(self):
        proc = self.run_tshark("-r", SAMPLE, "-q", "-z", "cmsedge,audit,xml")
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertEqual(proc.stderr, "tshark: invalid \"-z cmsedge,audit,xml\": 'xml' is not "
                         "an audit format; expected text, csv or json (a display filter that is "
                         "one word goes after the format: -z cmsedge,audit,text,xml)\n")
        ok = self.run_tshark("-r", SAMPLE, "-q", "-z", "cmsedge,audit,text,xml")
        self.assertEqual((ok.returncode, ok.stderr), (0, ""))

    def test_truncated_capture(self):
        with open(SAMPLE, "rb") as f:
            data = f.read(9000)
        path = os.path.join(self.tmp, "cut.pcap")
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        proc = self.run_tshark("-r", path, "-q", "-z", "cmsedge,audit")
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(proc.stderr, f'tshark: The file "{path}" appears to have been cut '
                         'short in the middle of a packet.\n')


FIELDS = ["frame.number", "_ws.col.Info", "cmsedge.rule", "cmsedge.offspec", "cmsedge.reason",
          "cmsedge.finding", "cmsedge.check", "cmsedge.check_kind", "cmsedge.inferred_role",
          "_ws.expert.message"]


class Passes(Base):
    """Every finding of a frame is there in one pass, in two (-2), and in a GUI-like pass."""

    def cases(self):
        yield "sample", SAMPLE, SAMPLE_HOSTS
        for name, path in self.caps.items():
            yield name, path, self.hosts

    def summary(self, cap, hosts, *mode):
        proc = self.run_tshark("-r", cap, *mode, hosts=hosts)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # without the Protocol column: TLS names its version only once it has seen the answer
        return [" ".join(l.split()[:5] + l.split()[6:]) for l in proc.stdout.splitlines()]

    def expert(self, cap, hosts, *mode):
        proc = self.run_tshark("-r", cap, "-q", "-z", "expert,note", *mode, hosts=hosts)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return sorted(l for l in proc.stdout.splitlines() if "CMSEDGE" in l)

    def test_passes_agree(self):
        for name, cap, hosts in self.cases():
            with self.subTest(capture=name):
                one = tsharkrun.fields(self.tmp, cap, FIELDS, hosts=hosts)
                for mode in (["-2"], ["-2", "-R", "frame"]):
                    self.assertEqual(one, tsharkrun.fields(self.tmp, cap, FIELDS, *mode,
                                                           hosts=hosts), mode)
                # the packet list's columns: summary mode, where tshark builds no tree
                self.assertEqual(self.summary(cap, hosts), self.summary(cap, hosts, "-2"))
                experts = self.expert(cap, hosts)
                self.assertEqual(experts, self.expert(cap, hosts, "-2"))
                self.assertEqual(experts, self.expert(cap, hosts, "-2", "-R", "frame"))

    def test_sample_icmp_error_in_the_gui_like_pass(self):
        """The sample's ICMP port unreachable (quoting relay media to a closed port) carries its
        finding in the packet list of a second pass, as in Wireshark's."""
        lines = self.summary(SAMPLE, SAMPLE_HOSTS, "-2")
        icmp = [l for l in lines if " ICMP " in l]
        self.assertEqual(len(icmp), 1)
        self.assertIn("[off-spec: blocked? ICMP port unreachable for UDP to 192.0.2.10:24030: "
                      "the reference needs T2-15 (TURN media) open]", icmp[0])


if __name__ == "__main__":
    unittest.main()
