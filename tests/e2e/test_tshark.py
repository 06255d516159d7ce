# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end tests: tshark 4.0 with the freshly built plugin over captures the tests build.

Run by ctest (e2e.*) with CMSEDGE_BUILD set to the build tree. Field output is compared with
golden files in tests/e2e/golden; set CMSEDGE_UPDATE_GOLDEN=1 to rewrite them after a change
that is meant to alter the output (and review the diff).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("CMSEDGE_BUILD", os.path.join(ROOT, "build"))
GOLDEN = os.path.join(HERE, "golden")
RUN_TSHARK = os.path.join(ROOT, "scripts", "run-tshark.sh")
UPDATE = os.environ.get("CMSEDGE_UPDATE_GOLDEN") == "1"

import captures  # noqa: E402  (tests/e2e is on sys.path when run by ctest)
import tsharkrun  # noqa: E402

# One row per frame: what the README's table shows, plus everything scripts filter on.
ANNOTATION_FIELDS = [
    "frame.number", "_ws.col.Source", "_ws.col.Destination", "_ws.col.Protocol",
    "cmsedge.rule", "cmsedge.purpose", "cmsedge.zone", "cmsedge.reply", "cmsedge.src_role",
    "cmsedge.dst_role", "cmsedge.payload", "cmsedge.judged", "cmsedge.offspec",
    "cmsedge.reason", "cmsedge.expected_rule", "cmsedge.footnote", "cmsedge.finding",
]


def truthy(value):
    """tshark 4.0 prints booleans as 1/0 in -T fields, later releases as True/False."""
    return value in ("1", "True")


def fields_args(fields):
    args = ["-T", "fields", "-E", "header=y", "-E", "occurrence=a", "-E", "aggregator=;"]
    for f in fields:
        args += ["-e", f]
    return args


class TsharkCase(unittest.TestCase):
    """Builds the captures once into a directory the unprivileged tshark user can read."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-e2e-")
        cls.caps, cls.hosts = tsharkrun.write_test_captures(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tshark(self, *args, hosts=True, plugin=True, check=True):
        """Run tshark (as the unprivileged user when we are root); returns (stdout, stderr)."""
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        os.chmod(home, 0o755)
        if plugin:
            cmd = [RUN_TSHARK, "--build", BUILD, "--home", home]
            if hosts:
                cmd += ["--hosts", self.hosts]
            cmd += ["--", *args]
        else:  # the same tshark with no plugin: its private plugin folder lacks cmsedge.so
            cmd = [RUN_TSHARK, "--build", BUILD, "--home", home, "--no-plugin", "--", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if check:
            self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout, proc.stderr

    def assert_golden(self, name, text):
        path = os.path.join(GOLDEN, name)
        if UPDATE:
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(text, f.read(), f"output differs from {path}")

    def field_rows(self, capture, fields, *extra, **kw):
        """capture: a name in captures.CAPTURES, or a capture file's path."""
        out, _ = self.tshark("-r", self.caps.get(capture, capture), *fields_args(fields), *extra,
                             **kw)
        lines = out.rstrip("\n").split("\n")
        header = lines[0].split("\t")
        return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


class Loading(TsharkCase):
    def test_plugin_loads_with_empty_stderr(self):
        out, err = self.tshark("-G", "plugins")
        self.assertRegex(out, r"(?m)^cmsedge\.so\s+\S+\s+dissector\s+\S*cmsedge\.so$")
        self.assertEqual(err, "")

    def test_fields_are_registered(self):
        out, err = self.tshark("-G", "fields")
        ours = sorted("\t".join(l.split("\t")[1:4]) for l in out.splitlines()
                      if re.match(r"^[FP]\t[^\t]*\tcmsedge", l))
        self.assert_golden("fields.txt", "\n".join(ours) + "\n")
        self.assertEqual(err, "")

    def test_preferences_are_registered_with_defaults(self):
        out, _ = self.tshark("-G", "defaultprefs")
        prefs = "\n".join(l for l in out.splitlines() if l.startswith("#cmsedge."))
        self.assert_golden("defaultprefs.txt", prefs + "\n")


class Annotation(TsharkCase):
    def test_documented_flows_golden(self):
        out, err = self.tshark("-r", self.caps["documented"], *fields_args(ANNOTATION_FIELDS))
        self.assert_golden("documented.tsv", out)
        self.assertEqual(err, "")

    def test_shown_tree_joins_rules_roles_and_call(self):
        """In a tree somebody reads (-V), cmsedge's lines are few and joined: the best rule with
        the other matching rows after it, both roles with the hosts' names, the call with its
        leg, kind and hop; the top line says the purpose, or that the frame is off-spec."""
        sample = os.path.join(self.tmp, "sample-v.pcap")
        shutil.copy(os.path.join(ROOT, "samples", "edge-sample.pcap"), sample)
        os.chmod(sample, 0o644)
        out, _ = self.tshark("-r", sample, "-V")
        frames = {int(m.group(1)): m.group(0) for m in
                  re.finditer(r"(?ms)^Frame (\d+):.*?(?=^Frame \d+:|\Z)", out)}
        block = lambda n: frames[n][frames[n].index("[Cisco Meeting Server Edge"):]
        self.assertEqual(block(77).split("\n")[:5], [
            "[Cisco Meeting Server Edge: Assent RTP (traversed media)]",
            "    [Purpose: Assent RTP (traversed media)]",
            "    [Rule: T2-08 (also T3-07)]",
            "    [Roles: sip-endpoint (room-kit) -> expressway-e (edge-e-public)]",
            "    [Call: 4, leg 5 (media, endpoint-expressway-e)]"])
        self.assertEqual(block(112).split("\n")[:2], [
            "[Cisco Meeting Server Edge [off-spec]]",
            "    [Roles: meeting-server (cms1) -> expressway-e-public (edge-e-public)]"])
        self.assertIn("    [Rule: T1-06 (also T2-11, T3-10, T4-09)]\n", out)

    def test_calls_whatever_tshark_prints(self):
        """A frame's call is the same whether tshark prints it (-e), selects by it in one pass
        or two, with summary lines or fields, or shows it (-V): tshark follows the calls
        whenever anything reads them, and only then."""
        sample = os.path.join(self.tmp, "sample-c.pcap")
        shutil.copy(os.path.join(ROOT, "samples", "edge-sample.pcap"), sample)
        os.chmod(sample, 0o644)
        by_call = {}
        rows = self.field_rows(sample, ["frame.number", "cmsedge.call"])
        for row in rows:
            if row["cmsedge.call"]:
                by_call.setdefault(row["cmsedge.call"], []).append(row["frame.number"])
        self.assertGreaterEqual(len(by_call), 3, by_call)
        # two passes: the first builds no tree and cannot tell that the second prints calls
        self.assertEqual(self.field_rows(sample, ["frame.number", "cmsedge.call"], "-2"), rows)
        column = 'gui.column.format:"No","%m","Call","%Cus:cmsedge.call"'
        for passes in ([], ["-2"]):
            out, _ = self.tshark(*passes, "-r", sample, "-o", column)
            self.assertEqual([line.split()[1:] for line in out.splitlines()],
                             [[row["cmsedge.call"]] if row["cmsedge.call"] else []
                              for row in rows], passes)
        for call, frames in by_call.items():
            for passes in ([], ["-2"]):
                with self.subTest(call=call, passes=passes):
                    picked = ["-r", sample, "-Y", f"cmsedge.call == {call}"]
                    out, _ = self.tshark(*passes, *picked, "-T", "fields", "-e", "frame.number")
                    self.assertEqual(out.split(), frames)
                    out, _ = self.tshark(*passes, *picked)
                    self.assertEqual(len(out.splitlines()), len(frames))
        text, _ = self.tshark("-r", sample, "-V", "-Y", "frame.number == 77")
        self.assertIn("    [Call: 4, leg 5 (media, endpoint-expressway-e)]\n", text)

    def test_hidden_items_wherever_they_are_read(self):
        """The joined lines' hidden companions (the destination role, the other matching rules)
        are left out of tshark's text, which never prints them, and are there for everything
        that reads them: the display_hidden_proto_items preference, a filter, -T json."""
        sample = os.path.join(self.tmp, "sample-h.pcap")
        shutil.copy(os.path.join(ROOT, "samples", "edge-sample.pcap"), sample)
        os.chmod(sample, 0o644)
        frame77 = ["-r", sample, "-Y", "frame.number == 77"]
        text, _ = self.tshark(*frame77, "-V")
        self.assertIn("[Rule: T2-08 (also T3-07)]", text)
        self.assertNotIn("Destination role", text)
        shown, _ = self.tshark(*frame77, "-V", "-o", "protocols.display_hidden_proto_items:TRUE")
        self.assertIn("    [Destination role: expressway-e]\n", shown)
        self.assertIn("    [Rule: T3-07]\n", shown)
        picked, _ = self.tshark("-r", sample, "-V", "-Y",
                                'cmsedge.rule == "T3-07" && cmsedge.dst_role == "expressway-e"')
        self.assertIn("Frame 77:", picked)
        doc = json.loads(self.tshark(*frame77, "-T", "json", "--no-duplicate-keys")[0])
        layer = doc[0]["_source"]["layers"]["cmsedge"]
        self.assertEqual(layer["cmsedge.dst_role"], "expressway-e")
        self.assertEqual(layer["cmsedge.rule"], ["T2-08", "T3-07"])

    def test_offspec_golden(self):
        out, _ = self.tshark("-r", self.caps["offspec"], *fields_args(ANNOTATION_FIELDS))
        self.assert_golden("offspec.tsv", out)

    def test_every_documented_flow_is_documented(self):
        rows = self.field_rows("documented", ["frame.number", "cmsedge.rule", "cmsedge.offspec"])
        for r in rows:
            self.assertNotEqual(r["cmsedge.rule"], "", f"frame {r['frame.number']} unlabelled")
            self.assertEqual(r["cmsedge.offspec"], "", f"frame {r['frame.number']} off-spec")

    def test_offspec_filter_selects_each_case(self):
        """Near misses and footnote rules warn; an edge host's traffic that is no documented kind
        at all (SIP sent to a media port, a flow between roles the chapter never connects, DNS)
        is not covered by the chapter and stays silent."""
        rows = self.field_rows("offspec", ["frame.number", "_ws.col.Protocol", "udp.dstport",
                                           "tcp.dstport", "cmsedge.offspec", "cmsedge.reason",
                                           "cmsedge.finding", "cmsedge.expected_rule"])
        warned = {(r["cmsedge.expected_rule"], r["cmsedge.reason"] or r["cmsedge.finding"])
                  for r in rows if truthy(r["cmsedge.offspec"])}
        self.assertEqual(warned, {
            ("T1-13", "TURN relays (T1-13): Expressway-E public IP ports are 24000-29999; "
                      "seen 23000"),
            ("T1-05", "SIP signaling (T1-05): Expressway-C source ports are 25000-29999; seen "
                      "4401 (a translating firewall between Expressway-C and Expressway-E?)"),
            ("T1-05", "SIP signaling (T1-05): Expressway-E ports are 7001; seen 7002"),
            ("", "web administration on port 443: WebRTC clients use 443, so the administration "
                 "port must change (footnotes 1 and 2)"),
        })
        silent = [r for r in rows if r["udp.dstport"] in ("36010", "53") or
                  r["tcp.dstport"] == "5061" or r["_ws.col.Protocol"] == "DNS"]
        self.assertTrue(silent)
        self.assertFalse([r["frame.number"] for r in silent if r["cmsedge.offspec"]])

    def test_expert_infos_listed(self):
        out, _ = self.tshark("-r", self.caps["offspec"], "-q", "-z", "expert")
        self.assertRegex(out, r"Warns \(\d+\)\n=+\n(?:.*\n)*\s+2\s+Protocol\s+CMSEDGE\s+"
                              r"Off-spec: TURN relays \(T1-13\)")
        self.assertRegex(out, r"\s+5\s+Protocol\s+CMSEDGE\s+web administration on port 443")

    def test_info_column_and_its_preference(self):
        rows = self.field_rows("documented", ["frame.number", "_ws.col.Info", "cmsedge.rule"])
        assent = [r for r in rows if r["cmsedge.rule"].startswith("T2-08")]
        self.assertTrue(assent)
        self.assertIn("[Assent RTP (traversed media)]", assent[0]["_ws.col.Info"])
        zone = [r for r in rows if "T1-05" in r["cmsedge.rule"]]
        self.assertIn("[SIP signaling (traversal zone 1)]", zone[0]["_ws.col.Info"])
        rows = self.field_rows("documented", ["_ws.col.Info"], "-o", "cmsedge.info_column:FALSE")
        self.assertFalse(any("[" in r["_ws.col.Info"] and "Assent" in r["_ws.col.Info"]
                             for r in rows))

    def test_unrelated_traffic_is_left_alone(self):
        rows = self.field_rows("unrelated", ["frame.number", "cmsedge.purpose", "cmsedge.judged",
                                             "cmsedge.offspec", "frame.protocols"])
        labelled = [r for r in rows if r["cmsedge.purpose"]]
        # between strangers only Assent RTP to a demultiplexing port, and only once the payload
        # is RTP (the stream's second packet): not the first packet, not media on 36000-59999
        self.assertEqual([r["frame.number"] for r in labelled], [rows[-1]["frame.number"]])
        self.assertEqual(labelled[0]["cmsedge.purpose"], "Assent RTP (traversed media)")
        self.assertTrue(all(r["cmsedge.offspec"] == "" for r in rows))
        self.assertFalse(any(truthy(r["cmsedge.judged"]) for r in rows))

    def test_payload_refines_purpose_on_3478(self):
        rows = self.field_rows("documented", ["cmsedge.rule", "cmsedge.payload", "ip.src",
                                              "udp.dstport"])
        from_guest = [r for r in rows if r["ip.src"] == captures.GUEST and r["udp.dstport"] == "3478"]
        stun = [r for r in from_guest if r["cmsedge.payload"] == "stun"]
        data = [r for r in from_guest if r["cmsedge.payload"] == "turn-data"]
        self.assertTrue(stun and data)
        self.assertIn("T1-06", stun[0]["cmsedge.rule"])
        self.assertNotIn("T1-02", stun[0]["cmsedge.rule"])
        self.assertTrue(data[0]["cmsedge.rule"].startswith("T1-02"))

    def test_bundled_sample_is_current_and_annotates(self):
        """The README's first command annotates samples/edge-sample.pcap: it must be what
        captures.py writes today, and the frame table must show purposes and verdicts."""
        fresh = os.path.join(self.tmp, "sample.pcap")
        captures.sample().write(fresh)
        with open(fresh, "rb") as a, open(os.path.join(ROOT, "samples", "edge-sample.pcap"), "rb") as b:
            self.assertEqual(a.read(), b.read(), "run: python3 tests/e2e/captures.py --sample "
                             "samples/edge-sample.pcap --hosts samples/edge-sample.hosts")
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        os.chmod(home, 0o755)
        os.chmod(fresh, 0o644)
        proc = subprocess.run([os.path.join(ROOT, "scripts", "annotate.sh"), fresh, "--hosts",
                               os.path.join(ROOT, "samples", "edge-sample.hosts"), "--build", BUILD],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        frames = len(captures.documented().frames) + len(captures.offspec().frames) + \
            len(captures.flowchecks().frames)
        self.assertEqual(len(lines), 1 + frames)
        self.assertRegex(proc.stdout, r"\n\s+77\s+198\.51\.100\.21:40004 -> 203\.0\.113\.10:36010\s+RTP\s+"
                                      r"T2-08\s+Assent RTP \(traversed media\)\s+\[sip-endpoint -> expressway-e\]")
        self.assertRegex(proc.stdout, r"\n\s+20\s.*SIP signaling \(traversal zone 1\)")
        self.assertRegex(proc.stdout, r"\n\s+112\s.*OFF-SPEC: TURN relays \(T1-13\)")

    def test_two_pass_and_one_pass_agree(self):
        one, _ = self.tshark("-r", self.caps["documented"], *fields_args(ANNOTATION_FIELDS[4:]))
        two, _ = self.tshark("-2", "-r", self.caps["documented"],
                             *fields_args(ANNOTATION_FIELDS[4:]))
        self.assertEqual(one, two)


class Decoding(TsharkCase):
    def test_media_ssh_sip_on_documented_ports(self):
        rows = self.field_rows("documented", [
            "frame.number", "udp.dstport", "tcp.dstport", "rtp.seq", "rtcp.pt",
            "cmsedge.media.mux_id", "ssh.protocol", "sip.Method", "stun.type", "dtls.record.content_type"])
        by_port = {}
        for r in rows:
            by_port.setdefault(r["udp.dstport"] or r["tcp.dstport"], []).append(r)
        # RTP from the second packet of a stream on: one packet alone proves nothing
        self.assertEqual([r["rtp.seq"] for r in by_port["36010"]], ["", "2"])  # traversal media
        self.assertNotEqual(by_port["2777"][0]["rtcp.pt"], "")          # demux RTCP
        self.assertEqual([r["rtp.seq"] for r in by_port["24002"]], ["", "2"])  # relay
        mux = [r for r in by_port["2776"] if r["cmsedge.media.mux_id"]]
        self.assertEqual(len(mux), 1)                                    # once it repeats
        self.assertEqual(mux[0]["cmsedge.media.mux_id"], "0x00000102")
        self.assertEqual(mux[0]["rtp.seq"], "2")
        self.assertTrue(any(r["ssh.protocol"].startswith("SSH-2.0") for r in by_port["2222"]))
        self.assertIn("OPTIONS", [r["sip.Method"] for r in by_port["7001"]])
        self.assertNotEqual(by_port["24012"][0]["dtls.record.content_type"], "")
        # RTP inside ChannelData sent to 3478: the stock STUN dissector's, ours when enabled
        self.assertNotIn("1", [r["rtp.seq"] for r in by_port["3478"]])
        rows = self.field_rows("documented", ["udp.dstport", "rtp.seq"],
                               "--enable-heuristic", "cmsedge_rtp_stun")
        self.assertIn("2", [r["rtp.seq"] for r in rows if r["udp.dstport"] == "3478"])

    def test_large_turn_ports_and_demux_pairs(self):
        rows = self.field_rows("large", ["udp.dstport", "stun.type", "rtp.seq", "cmsedge.rule",
                                         "cmsedge.offspec"],
                               "-o", "cmsedge.deployment_size:large")
        by_port = {r["udp.dstport"]: r for r in rows}
        self.assertNotEqual(by_port["3481"]["stun.type"], "")
        self.assertIn("T2-06", by_port["36004"]["cmsedge.rule"])
        self.assertIn("T2-07", by_port["36005"]["cmsedge.rule"])
        self.assertTrue(truthy(by_port["2776"]["cmsedge.offspec"]))
        rows = self.field_rows("large", ["udp.dstport", "cmsedge.offspec"])
        by_port = {r["udp.dstport"]: r for r in rows}
        self.assertEqual(by_port["2776"]["cmsedge.offspec"], "")          # Small: documented
        self.assertTrue(truthy(by_port["36004"]["cmsedge.offspec"]))      # Small: not

    def test_stock_dissection_unchanged_on_their_ports(self):
        fields = ["frame.number", "frame.protocols", "stun.type", "stun.att.type", "sip.Method",
                  "sip.Status-Code", "tls.handshake.type", "tls.handshake.extensions_server_name",
                  "_ws.col.Protocol", "_ws.expert.message"]
        with_plugin, _ = self.tshark("-r", self.caps["stock-ports"], *fields_args(fields), "-n")
        without, _ = self.tshark("-r", self.caps["stock-ports"], *fields_args(fields), "-n",
                                 plugin=False)
        # our layers end the list; our expert infos come last: strip both, the rest is equal
        stripped = re.sub(r":cmsedge(\.media)?", "", with_plugin)
        stripped = re.sub(r"(;?Off-spec[^\t\n]*|;?[^\t\n;]*footnote[^\t\n;]*)", "", stripped)
        self.assertEqual(stripped, without)


class Configuration(TsharkCase):
    def test_uat_rows_on_the_command_line(self):
        rows = self.field_rows("documented", ["cmsedge.src_host", "cmsedge.src_role_origin"],
                               *captures.uat_options(), hosts=False)
        self.assertIn("edge-c", {r["cmsedge.src_host"] for r in rows})
        self.assertIn("configured", {r["cmsedge.src_role_origin"] for r in rows})

    def test_bad_uat_rows_are_refused_clearly(self):
        for row, message in [
            ('"10.0.0.300","expressway-e",""', "'10.0.0.300': not an IPv4 or IPv6 address"),
            ('"10.0.0.1/40","expressway-e",""', "prefix length must be 0-32 for IPv4"),
            ('"10.0.0.1","expressway",""', "'expressway': unknown role; expected one of"),
        ]:
            out, err = self.tshark("-r", self.caps["documented"], "-c", "1",
                                   "-o", f"uat:cmsedge_hosts:{row}", check=False)
            self.assertIn(message, err, row)

    def test_bad_preferences_are_refused_clearly(self):
        _, err = self.tshark("-r", self.caps["documented"], "-c", "1",
                             "-o", "cmsedge.expressway_version:banana", check=False)
        self.assertIn("'banana': not an Expressway version", err)
        _, err = self.tshark("-r", self.caps["documented"], "-c", "1",
                             "-o", "cmsedge.relay_ports:24000-25000,26000-27000", check=False)
        self.assertIn("relay_ports: give one port range", err)
        _, err = self.tshark("-r", self.caps["documented"], "-c", "1",
                             "-o", "cmsedge.deployment_size:huge", check=False)
        self.assertIn("cmsedge.deployment_size: 'huge' is not small, medium or large", err)

    def test_preferences_change_the_verdicts(self):
        # traversal zones: 7002 is documented once there are two zones
        rows = self.field_rows("offspec", ["tcp.dstport", "cmsedge.zone", "cmsedge.offspec"],
                               "-o", "cmsedge.traversal_zones:2")
        zone2 = [r for r in rows if r["tcp.dstport"] == "7002"]
        self.assertTrue(zone2 and all(r["cmsedge.offspec"] == "" for r in zone2))
        self.assertTrue(zone2[0]["cmsedge.zone"].startswith("2"))
        # relay range moved
        rows = self.field_rows("offspec", ["udp.dstport", "cmsedge.offspec"],
                               "-o", "cmsedge.relay_ports:23000-23999")
        self.assertEqual([r["cmsedge.offspec"] for r in rows if r["udp.dstport"] == "23000"],
                         ["", ""])
        # footnote 3: administration on 8443 while coexisting with MRA
        rows = self.field_rows("documented", ["tcp.dstport", "cmsedge.offspec", "cmsedge.footnote"],
                               "-o", "cmsedge.mra:TRUE")
        admin = [r for r in rows if r["tcp.dstport"] == "8443"]
        self.assertTrue(admin and all(truthy(r["cmsedge.offspec"]) for r in admin))


CHECK_FIELDS = ["frame.number", "cmsedge.check_kind", "cmsedge.check_rule", "cmsedge.check",
                "cmsedge.offspec", "cmsedge.translated_source"]
ROLE_FIELDS = ["frame.number", "ip.src", "ip.dst", "cmsedge.src_role", "cmsedge.dst_role",
               "cmsedge.src_role_origin", "cmsedge.dst_role_origin", "cmsedge.offspec",
               "cmsedge.inferred_role", "cmsedge.evidence_frame"]


def first(value):
    """The first occurrence of an aggregated field."""
    return value.split(";")[0]


class Analysis(TsharkCase):
    """Zero-config roles, per-flow checks and the edge audit (tshark -z cmsedge,audit)."""

    def test_each_check_fires_on_its_flow(self):
        rows = self.field_rows("flowchecks", CHECK_FIELDS)
        found = {int(r["frame.number"]): (r["cmsedge.check_kind"], r["cmsedge.check_rule"])
                 for r in rows if r["cmsedge.check_kind"]}
        self.assertEqual(found, {
            1: ("relays-idle", "T1-10"),     # fn 6, no relay port used yet (a note)
            2: ("public-turn", "T1-06"),     # Meeting Server to the public TURN address (a note)
            3: ("latching", "T2-10"),        # media before any came from it: started mid-call?
            5: ("latching", "T2-10"),        # media to another port than it came from
            7: ("blocked", "T2-05"),         # retransmitted SYN
            10: ("blocked", "T1-04"),        # RST to the SSH tunnel's SYN
            12: ("blocked", "T2-15"),        # ICMP port unreachable for relay media
            14: ("turn", "T1-06"),           # relayed port 30000
            20: ("turn", "T1-06"),           # third 401 without success
        })
        offspec = {int(r["frame.number"]) for r in rows if truthy(r["cmsedge.offspec"])}
        self.assertEqual(offspec, {5, 7, 10, 12, 14, 20})  # the notes (1, 2, 3) are no warnings
        self.assert_golden("flowchecks.tsv", "\n".join(
            f"{r['frame.number']}\t{r['cmsedge.check']}" for r in rows if r["cmsedge.check"])
            + "\n")

    def info_column(self, capture):
        """Each frame's Info column in summary mode, where tshark builds no protocol tree (no -V,
        no -T fields, no -Y), checked against the same column from a tree (-T fields); and the
        frames whose tree has a flow check."""
        out, err = self.tshark("-r", self.caps.get(capture, capture), "-o",
                               'gui.column.format:"Info","%i"')
        self.assertEqual(err, "")
        summary = out.splitlines()
        rows = self.field_rows(capture, ["frame.number", "cmsedge.check", "_ws.col.Info"])
        self.assertEqual(summary, [r["_ws.col.Info"] for r in rows])
        return summary, {int(r["frame.number"]) for r in rows if r["cmsedge.check"]}

    def test_summary_mode_shows_the_checks(self):
        """The facts the checks need (TCP flags, ICMP errors, STUN) come from the frame's bytes,
        not from a protocol tree: summary mode shows the findings that -V shows."""
        info, checked = self.info_column("flowchecks")
        self.assertEqual(checked, {1, 2, 3, 5, 7, 10, 12, 14, 20})
        self.assertIn("[off-spec: blocked? TCP SYN to 203.0.113.10:5061 retransmitted with no "
                      "answer", info[7 - 1])
        self.assertIn("[off-spec: blocked? connection to 192.0.2.10:2222 refused (RST)",
                      info[10 - 1])
        self.assertIn("[off-spec: blocked? ICMP port unreachable for UDP to 192.0.2.10:24030",
                      info[12 - 1])
        self.assertIn("[off-spec: TURN relayed port 30000 is outside", info[14 - 1])
        self.assertIn("[off-spec: TURN Allocate refused 3 times", info[20 - 1])

    def test_facts_from_the_bytes(self):
        """captures.facts(): a SYN retransmitted in an IPv4-in-IPv4 tunnel, an ICMPv6 error
        quoting media after IPv6 extension headers, SYNs cut inside the TCP header (and one
        inside the IP header) by the snapshot length, which must give no fact and no crash, and
        a TURN Allocate answered over TCP."""
        path = os.path.join(self.tmp, "facts.pcap")
        captures.facts().write(path)
        os.chmod(path, 0o644)
        info, checked = self.info_column(path)
        self.assertEqual(len(info), 13)
        self.assertEqual(checked, {3, 5, 13})
        self.assertIn("[off-spec: blocked? TCP SYN to 203.0.113.10:5061 retransmitted with no "
                      "answer", info[3 - 1])
        self.assertIn("[off-spec: blocked? ICMP port unreachable for UDP to [2001:db8::10]:36020",
                      info[5 - 1])
        for n in (6, 7):  # annotated, but no flags to read: no SYN, so no retransmission
            self.assertIn("[SSH tunnels for firewall traversal]", info[n - 1])
            self.assertNotIn("off-spec", info[n - 1])
        self.assertNotIn("[", info[8 - 1].replace("[Packet size limited during capture]", ""))
        self.assertIn("[off-spec: TURN relayed port 30000 is outside the Expressway-E relay "
                      "range 24000-29999 (T1-07", info[13 - 1])

    def test_checks_are_silent_on_clean_captures(self):
        for capture in ("documented", "stock-ports", "large", "unrelated"):
            rows = self.field_rows(capture, CHECK_FIELDS)
            for r in rows:
                self.assertEqual(r["cmsedge.check"], "", f"{capture} frame {r['frame.number']}")

    def test_expert_infos_of_the_checks(self):
        out, _ = self.tshark("-r", self.caps["flowchecks"], "-q", "-z", "expert,note")
        self.assertEqual(out.count("blocked? "), 3, out)
        self.assertIn("Assent latching", out)
        self.assertIn("Meeting Server sends TURN to the Expressway-E public address", out)
        out, _ = self.tshark("-r", self.caps["flowchecks"], "-Y", "cmsedge.expert.blocked")
        self.assertEqual(len(out.splitlines()), 3)

    def test_translated_source_port(self):
        rows = self.field_rows("offspec", CHECK_FIELDS + ["tcp.srcport", "tcp.dstport"])
        translated = [(r["tcp.srcport"], r["tcp.dstport"]) for r in rows
                      if truthy(r["cmsedge.translated_source"])]
        # the whole TLS session from 4401 (handshake, hello, answer), both directions
        self.assertEqual(sorted(set(translated)), [("4401", "7001"), ("7001", "4401")])
        self.assertEqual(len(translated), 5)
        out, _ = self.tshark("-r", self.caps["offspec"], "-Y", "cmsedge.expert.translated_source")
        self.assertEqual(len(out.splitlines()), 5)

    def inferred(self, capture, *extra):
        """({address: (role, first frame it applies to)}, field rows) from a run with no roles
        configured; the roles come from the audit's list of inferred hosts."""
        import json
        out, _ = self.tshark("-r", self.caps[capture], "-q", "-z", "cmsedge,audit,json", *extra,
                             hosts=False)
        seen = {h["address"]: (h["role"], h["from_frame"]) for h in json.loads(out)["inferred"]}
        rows = self.field_rows(capture, ROLE_FIELDS, *extra, hosts=False)
        # frames show a host as inferred exactly from the frame after its evidence
        for r in rows:
            for end in ("src", "dst"):
                address = r[f"ip.{end}"]
                inferred = first(r[f"cmsedge.{end}_role_origin"]) == "inferred"
                if address in seen:
                    self.assertEqual(inferred, int(r["frame.number"]) >= seen[address][1],
                                     f"{capture} frame {r['frame.number']} {end}")
                else:
                    self.assertFalse(inferred, f"{capture} frame {r['frame.number']} {end}")
        return seen, rows

    def test_inference_labels_the_deployment(self):
        seen, rows = self.inferred("inference")
        truth = captures.INFER_TRUTH
        # accuracy on a capture whose truth is known: every edge host found, none wrong
        self.assertEqual({a: r for a, (r, _) in seen.items()}, truth)
        notes = [r for r in rows if r["cmsedge.inferred_role"] and r["cmsedge.evidence_frame"]]
        self.assertTrue(notes)
        out, _ = self.tshark("-r", self.caps["inference"], "-q", "-z", "expert,note", hosts=False)
        self.assertEqual(out.count("Inferred role: "), len(truth), out)
        # configured roles win over inferred ones
        seen, _ = self.inferred("inference", "-o",
                                f'uat:cmsedge_hosts:"{captures.E_PRIV}","expressway-e","lab-e"')
        self.assertNotIn(captures.E_PRIV, seen)

    def test_inference_preference_turns_it_off(self):
        seen, _ = self.inferred("inference", "-o", "cmsedge.infer_roles:FALSE")
        self.assertEqual(seen, {})

    def test_inference_on_the_bundled_sample(self):
        """Accuracy on the README's sample, read with no roles: every inferred role is the one
        its hosts file gives, and the Expressway-E, Expressway-C and Meeting Server are found."""
        sample = os.path.join(self.tmp, "sample.pcap")
        captures.sample().write(sample)
        os.chmod(sample, 0o644)
        self.caps["sample"] = sample
        seen, _ = self.inferred("sample")
        truth = {address: role for address, role, _ in captures.HOSTS}
        for address, (role, _) in seen.items():
            self.assertEqual(role, truth[address], address)
        self.assertEqual(seen[captures.E_PRIV][0], "expressway-e-private")  # both interfaces
        self.assertEqual(seen[captures.E_PUB][0], "expressway-e-public")    # told apart
        for host in (captures.E_PUB, captures.E_PRIV, captures.EXP_C, captures.CMS):
            self.assertIn(host, seen)

    def test_no_expressway_in_other_deployments(self):
        seen, rows = self.inferred("not-cisco")
        self.assertEqual(seen, {})
        self.assertFalse([r["frame.number"] for r in rows if truthy(r["cmsedge.offspec"])])
        # nor in the unrelated capture
        seen, _ = self.inferred("unrelated")
        self.assertEqual(seen, {})

    def test_one_pass_two_passes_and_redissection_agree(self):
        fields = fields_args(ROLE_FIELDS + CHECK_FIELDS[1:])
        for capture, hosts in (("inference", False), ("flowchecks", True)):
            one, _ = self.tshark("-r", self.caps[capture], *fields, hosts=hosts)
            two, _ = self.tshark("-r", self.caps[capture], "-2", *fields, hosts=hosts)
            self.assertEqual(one, two, capture)
            # a filter that looks at late frames first still sees frame order's roles
            lines = one.splitlines()[1:]
            cut = len(lines) // 2
            late, _ = self.tshark("-r", self.caps[capture], "-2", "-Y", f"frame.number > {cut}",
                                  *fields, hosts=hosts)
            self.assertEqual(lines[cut:], late.splitlines()[1:], capture)
            self.assertGreater(len(lines) - cut, 5, capture)

    def test_audit_text_golden(self):
        out, err = self.tshark("-r", self.caps["flowchecks"], "-q", "-z", "cmsedge,audit")
        self.assert_golden("audit-flowchecks.txt", out)
        self.assertEqual(err, "")
        out, _ = self.tshark("-r", self.caps["inference"], "-q", "-z", "cmsedge,audit",
                             hosts=False)
        self.assert_golden("audit-inference.txt", out)

    def test_audit_csv_and_json_agree(self):
        import csv
        import io
        import json
        out, _ = self.tshark("-r", self.caps["flowchecks"], "-q", "-z", "cmsedge,audit,csv")
        table = list(csv.reader(io.StringIO(out)))
        self.assertEqual(len(table[0]), 19)
        self.assertEqual([len(r) for r in table if len(r) != 19], [])  # no short or long row
        rows = list(csv.DictReader(io.StringIO(out)))
        out, _ = self.tshark("-r", self.caps["flowchecks"], "-q", "-z", "cmsedge,audit,json")
        doc = json.loads(out)
        flows = [(r["rule"], f["src"], f["sport"], f["dst"], f["dport"], f["frames"])
                 for r in doc["rows"] for f in r["flows"]]
        self.assertEqual(sorted(flows), sorted(
            (r["rule"], r["src"], int(r["sport"]), r["dst"], int(r["dport"]), int(r["frames"]))
            for r in rows if r["kind"] == "flow"))
        self.assertEqual(len(doc["checks"]), sum(r["kind"] == "check" for r in rows))
        self.assertEqual(sorted(doc["rows_without_traffic"]),
                         sorted(r["rule"] for r in rows if r["kind"] == "no_traffic"))
        self.assertEqual(len(doc["rows"]), 53)
        # every blocked attempt names its rule
        blocked = [c for c in doc["checks"] if c["check"] == "blocked"]
        self.assertEqual(sorted(c["rule"] for c in blocked), ["T1-04", "T2-05", "T2-15"])

    def test_audit_takes_a_filter_and_refuses_bad_arguments(self):
        out, _ = self.tshark("-r", self.caps["flowchecks"], "-q", "-z",
                             "cmsedge,audit,json,tcp")
        import json
        doc = json.loads(out)
        self.assertTrue(all(f["transport"] == "tcp" for r in doc["rows"] for f in r["flows"]))
        self.assertEqual(doc["frames"], 5)
        _, err = self.tshark("-r", self.caps["flowchecks"], "-q", "-z", "cmsedge,audit,json,((",
                             check=False)
        self.assertIn("couldn't register the cmsedge audit", err)

    def test_statistics_tree(self):
        out, _ = self.tshark("-r", self.caps["flowchecks"], "-q", "-z", "cmsedge_audit,tree")
        self.assertRegex(out, r"(?m)^ Flow checks\s+9\s")
        self.assertRegex(out, r"(?m)^  blocked\s+3\s")
        self.assertRegex(out, r"(?m)^  T1-04 SSH tunnels for firewall traversal\s+2\s")


class Batch(TsharkCase):
    """scripts/batch-annotate.sh over a folder of captures, a broken one and a non-capture."""

    def test_folder_with_broken_captures(self):
        import json
        folder = os.path.join(self.tmp, "batch-in")
        out = os.path.join(self.tmp, "batch-out")
        os.makedirs(folder)
        for name, path in self.caps.items():
            shutil.copy(path, os.path.join(folder, name + ".pcap"))
        with open(self.caps["documented"], "rb") as f:
            head = f.read(5000)
        with open(os.path.join(folder, "cut-short.pcap"), "wb") as f:
            f.write(head)
        with open(os.path.join(folder, "notes.pcap"), "w") as f:
            f.write("not a capture\n")
        proc = subprocess.run([os.path.join(ROOT, "scripts", "batch-annotate.sh"), "-o", out,
                               "-j", "2", "--hosts", self.hosts, "--build", BUILD, folder],
                              capture_output=True, text=True, timeout=600)
        # not every capture could be read to its end: exit 1, the merged audit written
        self.assertEqual(proc.returncode, 1, proc.stderr)
        total = len(self.caps) + 2
        progress = [l for l in proc.stdout.splitlines() if l.startswith("[")]
        self.assertEqual(len(progress), total, proc.stdout)
        self.assertEqual(progress[-1].split("]")[0], f"[{total}/{total}")
        incomplete = sorted((os.path.basename(l.split()[2]).rstrip(":"), l.split()[1])
                            for l in progress if l.split()[1] != "done")
        self.assertEqual(incomplete, [("cut-short.pcap", "truncated"), ("notes.pcap", "not-capture")])

        with open(os.path.join(out, "merged-audit.json")) as f:
            merged = json.load(f)
        self.assertEqual(len(merged["captures"]), total)
        per_capture = {}
        for c in merged["captures"]:
            if c.get("audit"):
                with open(os.path.join(out, c["name"] + ".audit.json")) as f:
                    per_capture[c["capture"]] = json.load(f)
        # the non-capture has no audit; the cut-short one keeps what was read
        self.assertEqual(len(per_capture), total - 1)
        frames = {r["rule"]: r["frames"] for r in merged["rows"]}
        for rule in ("T1-04", "T2-06", "T2-15"):
            self.assertEqual(frames[rule], sum(f["frames"] for d in per_capture.values()
                                               for r in d["rows"] if r["rule"] == rule
                                               for f in r["flows"]))
        self.assertEqual(len(merged["checks"]),
                         sum(len(d["checks"]) for d in per_capture.values()))
        # the frame table of one capture: a header and a line per frame
        name = next(c["name"] for c in merged["captures"]
                    if c["capture"].endswith("/flowchecks.pcap"))
        with open(os.path.join(out, name + ".frames.tsv")) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 1 + 20)
        self.assertIn("blocked? TCP SYN", "\n".join(lines))
        with open(os.path.join(out, "merged-audit.csv")) as f:
            self.assertTrue(f.readline().startswith("capture,kind,table,rule,"))

    def test_list_on_stdin(self):
        out = os.path.join(self.tmp, "batch-list")
        listing = "\n".join([self.caps["documented"], self.caps["large"]]) + "\n"
        proc = subprocess.run([os.path.join(ROOT, "scripts", "batch-annotate.sh"), "-o", out,
                               "--hosts", self.hosts, "--build", BUILD],
                              input=listing, capture_output=True, text=True, timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("merged: 2 capture(s): 2 done; ", proc.stdout)


class Lab(TsharkCase):
    """The training lab (tests/lab/lab.sh): captures of real programs on loopback, checked
    against their answer keys."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lab = os.path.join(cls.tmp, "lab")
        why_not = tsharkrun.run_lab(cls.lab)
        if why_not:
            raise unittest.SkipTest(why_not)

    def check_scenario(self, name):
        import json
        with open(os.path.join(self.lab, name + ".key.json")) as f:
            key = json.load(f)
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        os.chmod(home, 0o755)
        proc = subprocess.run(
            [RUN_TSHARK, "--build", BUILD, "--home", home, "--hosts",
             os.path.join(self.lab, "lab.hosts"), "--", "-r",
             os.path.join(self.lab, name + ".pcap"),
             *fields_args(["frame.number", "cmsedge.rule", "cmsedge.offspec", "cmsedge.check_kind",
                           "cmsedge.check_rule", "cmsedge.translated_source", "cmsedge.reason",
                           "cmsedge.finding"])],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.rstrip("\n").split("\n")
        header = lines[0].split("\t")
        rows = [dict(zip(header, l.split("\t"))) for l in lines[1:]]
        rules = {r for row in rows for r in row["cmsedge.rule"].split(";") if r}
        for rule in key["rules"]:
            self.assertIn(rule, rules, f"{name}: no frame of {rule}")
        offspec = [row["frame.number"] for row in rows if truthy(row["cmsedge.offspec"])]
        self.assertEqual(bool(offspec), key["offspec"], f"{name}: off-spec frames {offspec}")
        checks = sorted({(row["cmsedge.check_kind"], row["cmsedge.check_rule"]) for row in rows
                         if row["cmsedge.check_kind"]})
        self.assertEqual(checks, sorted(tuple(c) for c in key["checks"]), name)
        self.assertEqual(any(truthy(row["cmsedge.translated_source"]) for row in rows),
                         key["translated_source"], name)
        reasons = "\n".join(row["cmsedge.reason"] for row in rows)
        for reason in key["reasons"]:
            self.assertIn(reason, reasons, name)
        findings = "\n".join(row["cmsedge.finding"] for row in rows)
        for finding in key["findings"]:
            self.assertIn(finding, findings, name)
        # the audit agrees; on a clean scenario it finds nothing either, not even a TURN relay
        # that carried media one way only
        proc = subprocess.run(
            [RUN_TSHARK, "--build", BUILD, "--home", home, "--hosts",
             os.path.join(self.lab, "lab.hosts"), "--", "-r",
             os.path.join(self.lab, name + ".pcap"), "-q", "-z", "cmsedge,audit,json"],
            capture_output=True, text=True, timeout=300)
        audit = json.loads(proc.stdout)
        if not key["offspec"]:
            self.assertEqual((audit["offspec"], audit["checks"]), ([], []), name)
        self.assertEqual(sorted({(c["check"], c.get("rule")) for c in audit["checks"]
                                 if c["check"] == "blocked"}),
                         sorted(tuple(c) for c in key["checks"] if c[0] == "blocked"), name)
        # the calls' verdicts say what the key says they must, and a clean scenario's no note
        proc = subprocess.run(
            [RUN_TSHARK, "--build", BUILD, "--home", home, "--hosts",
             os.path.join(self.lab, "lab.hosts"), "--", "-r",
             os.path.join(self.lab, name + ".pcap"), "-q", "-z", "cmsedge,calls,json"],
            capture_output=True, text=True, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""), name)
        verdicts = [c["verdict"] for c in json.loads(proc.stdout)["calls"]]
        for words in key.get("calls_verdicts_contain", []):
            self.assertTrue(any(words in v for v in verdicts), f"{name}: {words} in {verdicts}")
        if not key["offspec"]:
            self.assertFalse([v for v in verdicts if "note:" in v], name)

    def test_web_proxy(self):
        self.check_scenario("web-proxy")

    def test_sip_edge(self):
        self.check_scenario("sip-edge")

    def test_misconfigurations(self):
        self.check_scenario("misconfig")

    def test_traversal(self):
        self.check_scenario("traversal")

    def run_in_lab(self, name, *args, plugin=True):
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        os.chmod(home, 0o755)
        cmd = [RUN_TSHARK, "--build", BUILD, "--home", home]
        cmd += ["--hosts", os.path.join(self.lab, "lab.hosts")] if plugin else ["--no-plugin"]
        proc = subprocess.run([*cmd, "--", "-r", os.path.join(self.lab, name + ".pcap"), *args],
                              capture_output=True, text=True, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""), name)
        return proc.stdout

    def streams(self, text):
        """The (source, destination) of each stream -z rtp,streams lists."""
        return sorted((f"{c[2]}:{c[3]}", f"{c[4]}:{c[5]}") for c in
                      (line.split() for line in text.splitlines()[2:]) if len(c) > 8)

    def test_every_rtp_stream_in_rtp_streams_with_its_purpose(self):
        """Every RTP stream of the lab's captures (what plain tshark finds with its RTP
        heuristic on) is in -z rtp,streams with the plugin and no Decode As, and each of its
        frames says what it is for: a row's purpose, or the call leg it is part of."""
        for name in ("web-proxy", "sip-edge", "misconfig", "traversal"):
            with self.subTest(capture=name):
                plain = self.streams(self.run_in_lab(name, "-o", "rtp.heuristic_rtp:TRUE", "-q",
                                                     "-z", "rtp,streams", plugin=False))
                ours = self.streams(self.run_in_lab(name, "-q", "-z", "rtp,streams"))
                self.assertEqual(ours, plain)
                rows = self.run_in_lab(name, "-Y", "rtp", *fields_args(
                    ["ip.src", "udp.srcport", "ip.dst", "udp.dstport", "cmsedge.purpose",
                     "cmsedge.leg"])).splitlines()[1:]
                said = {}
                for row in rows:
                    src, sport, dst, dport, purpose, leg = row.split("\t")
                    said.setdefault((f"{src}:{sport}", f"{dst}:{dport}"), set()).add(
                        bool(purpose or leg))
                for stream in ours:
                    self.assertEqual(said.get(stream), {True}, f"{name}: {stream}")
        self.assertTrue(ours, "the traversal capture has RTP streams")

    def test_traversal_calls_as_the_key_says(self):
        """Each call of the key is one traversal call: its media and RTCP legs on their hops,
        no leg in another call, tied as the key says, with the key's verdict."""
        import json
        with open(os.path.join(self.lab, "traversal.key.json")) as f:
            key = json.load(f)["traversal_calls"]
        home = tempfile.mkdtemp(prefix="home-", dir=self.tmp)
        os.chmod(home, 0o755)
        proc = subprocess.run(
            [RUN_TSHARK, "--build", BUILD, "--home", home, "--hosts",
             os.path.join(self.lab, "lab.hosts"), "--", "-r",
             os.path.join(self.lab, "traversal.pcap"), "-q", "-z", "cmsedge,calls,json"],
            capture_output=True, text=True, timeout=300)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        calls = json.loads(proc.stdout)["calls"]
        self.assertEqual(len(calls), len(key), [c["verdict"] for c in calls])
        for want, call in zip(key, calls):
            with self.subTest(call=call["id"]):
                self.assertEqual(call["kind"], "traversal")
                legs = {(leg["hop"], frozenset((leg["a"], leg["b"]))): leg for leg in call["legs"]
                        if leg["kind"] == "media"}
                for part in ("media", "rtcp"):
                    for hop, pairs in want.get(part, {}).items():
                        for a, b in pairs:
                            self.assertIn((hop, frozenset((a, b))), legs, f"{part} {a} {b}")
                hops = {d["hop"] for d in call["dialogs"]} | {leg["hop"] for leg in call["legs"]}
                self.assertEqual(hops, set(want["hops"]))
                if want["tied_by"] == "call-id":
                    self.assertIn("call-id", call["tied_by"])
                    self.assertEqual(call["confidence"], "high")
                    self.assertEqual({d["call_id"] for d in call["dialogs"]}, {want["call_id"]})
                else:
                    self.assertEqual(call["dialogs"], [])
                    self.assertIn("timing", call["tied_by"])
                    self.assertEqual(call["confidence"], "low")
                if want["verdict"] == "complete":
                    self.assertTrue(call["verdict"].startswith("complete: 3 hops"),
                                    call["verdict"])
                else:
                    a, b = want["one_way"]
                    self.assertRegex(call["verdict"], rf"^one-way: leg \d+ \(media, "
                                     rf"expressway-c-meeting-server\) {re.escape(a)} -> "
                                     rf"{re.escape(b)}, nothing back$")


if __name__ == "__main__":
    unittest.main()
