# SPDX-License-Identifier: GPL-2.0-or-later
"""Wireshark's own tools on cmsedge's media, and the ready profile (ctest e2e.Telephony).

- -z rtp,streams lists each media stream of the documented flows with no Decode As, set up by
  cmsedge (rtp.setup-method) at the packet that proved the stream; goldens
  golden/rtp-streams-*.txt (CMSEDGE_UPDATE_GOLDEN=1 rewrites them);
- one pass and -2 agree, frame by frame;
- RTP between strangers on high ports gets no stream from cmsedge;
- -z cmsedge,calls[,text|csv|json]: the joins and calls, goldens golden/calls-*.txt,
  .csv.txt and .json.txt, the three forms agreeing, and a word that is no format refused;
- the profile "Cisco Meeting Server Edge" loads with empty stderr from the personal profiles
  folder (as install-user puts it) and from the global one (as the Debian package puts it).
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

import captures
import pcapwriter as pg
import tsharkrun

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
UPDATE = os.environ.get("CMSEDGE_UPDATE_GOLDEN") == "1"
PROFILE = "Cisco Meeting Server Edge"
PROFILE_FILES = ("preferences", "colorfilters", "dfilter_buttons")
IS_ROOT = os.geteuid() == 0
BUNDLED = os.path.join(tsharkrun.ROOT, "samples", "edge-sample.pcap")

# per frame: how it was dissected and what the RTP dissector knows of its setup
FRAME_FIELDS = ["frame.number", "frame.protocols", "rtp.ssrc", "rtp.seq", "rtp.setup-frame",
                "rtp.setup-method", "cmsedge.media.kind"]


def long_streams():
    """Edge media with ten packets each way: a stream's first packet stays UDP, and the other
    direction, set up with it, is RTP from its first packet on."""
    cap = pg.Capture()
    for a, aport, b, bport, ssrc in (
            (captures.ENDPOINT, 40004, captures.E_PUB, 36010, 0x5100),     # traversal media
            (captures.E_PRIV, 24000, captures.E_PUB, 24002, 0x5200),       # relay to relay
            (captures.CMS, 50000, captures.E_PRIV, 24014, 0x5300)):        # TURN media
        captures.rtp_stream(cap, a, aport, b, bport, ssrc, packets=10)
        captures.rtp_stream(cap, b, bport, a, aport, ssrc + 1, packets=10, first_seq=100)
    captures.rtp_stream(cap, captures.EXP_C, 36004, captures.E_PRIV, 2776, 0x5400, packets=6,
                        mux_id=0x0102)                                    # Assent, multiplex id
    return cap


def strangers():
    """RTP between hosts nobody configured, on the wide media ranges: anybody's ports."""
    a, b, c = "198.51.100.70", "198.51.100.71", "198.51.100.72"
    cap = pg.Capture()
    for i, (p, q) in enumerate(((24000, 24002), (50000, 50002), (40000, 59000), (36020, 45000))):
        captures.rtp_stream(cap, a, p, b, q, 0x7000 + i, packets=6)
        captures.rtp_stream(cap, b, q, a, p, 0x7100 + i, packets=6, first_seq=50)
        captures.rtp_stream(cap, c, p + 1, b, q + 1, 0x7200 + i, packets=6)
    return cap


def readable(folder, name, write):
    """A file write(path) makes in folder, readable by the unprivileged tshark."""
    path = os.path.join(folder, name)
    write(path)
    os.chmod(path, 0o644)
    return path


def streams_table(text):
    """The rows of -z rtp,streams, without its frame lines."""
    return [l for l in text.splitlines() if l and not l.startswith("=") and "Start time" not in l]


class CaptureCase(unittest.TestCase):
    """BUILDS written once into a folder the unprivileged tshark can read, with the bundled
    sample and the hosts file of the captures."""
    BUILDS = {}

    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-telephony-")
        cls.caps = {name: readable(cls.tmp, name + ".pcap", build().write)
                    for name, build in cls.BUILDS.items()}
        cls.caps["sample"] = readable(cls.tmp, "sample.pcap",
                                      lambda path: shutil.copyfile(BUNDLED, path))
        cls.hosts = readable(cls.tmp, "cmsedge_hosts", captures.write_hosts)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


class Telephony(CaptureCase):
    BUILDS = dict(captures.CAPTURES, long=long_streams, strangers=strangers)

    def tshark(self, *args, hosts=True, plugin=True):
        proc = tsharkrun.tshark(self.tmp, *args, hosts=self.hosts if hosts else None,
                                plugin=plugin)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        return proc.stdout

    def streams(self, capture, *extra, **kw):
        return self.tshark("-r", self.caps[capture], "-q", "-z", "rtp,streams", *extra, **kw)

    def frames(self, capture, *extra):
        return tsharkrun.fields(self.tmp, self.caps[capture], FRAME_FIELDS, *extra,
                                hosts=self.hosts)

    def assert_golden(self, name, text):
        path = os.path.join(GOLDEN, name)
        if UPDATE:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(text, f.read(), f"output differs from {path}")

    # ---- -z rtp,streams ------------------------------------------------------------------

    def test_streams_golden(self):
        for capture in ("sample", "documented", "long"):
            with self.subTest(capture=capture):
                self.assert_golden(f"rtp-streams-{capture}.txt", self.streams(capture))

    def test_every_media_stream_of_the_sample_is_listed(self):
        """Each SSRC the demultiplexer decodes as RTP is a stream of -z rtp,streams, and every
        RTP frame names cmsedge and the frame that set its stream up."""
        rows = self.frames("sample")
        decoded = {r["rtp.ssrc"][0] for r in rows if r["rtp.ssrc"]}
        listed = {m.group(1) for m in re.finditer(r" (0x[0-9a-f]{8}) ", self.streams("sample"))}
        self.assertTrue(decoded)
        self.assertEqual({int(s, 16) for s in decoded}, {int(s, 16) for s in listed})
        by_number = {r["frame.number"][0]: r for r in rows}
        for r in rows:
            if not r["rtp.ssrc"] or "stun" in r["frame.protocols"][0]:
                continue
            self.assertEqual(r["rtp.setup-method"], ["cmsedge"], r)
            setup = by_number[r["rtp.setup-frame"][0]]
            # the frame that set it up is RTP the demultiplexer proved, of the same flow
            self.assertEqual(setup["cmsedge.media.kind"], ["RTP"], setup)
            self.assertLessEqual(int(setup["frame.number"][0]), int(r["frame.number"][0]))

    def test_stream_analysis_counts_every_packet_after_the_first(self):
        table = streams_table(self.streams("long"))
        pkts = {}
        for line in table:
            cols = line.split()
            pkts[int(cols[6], 16)] = (int(cols[8]), cols[9])  # SSRC: packets, lost
        # the proving direction loses its first packet, the other is RTP's from the start
        for ssrc in (0x5100, 0x5200, 0x5300):
            self.assertEqual(pkts[ssrc], (9, "0"), hex(ssrc))
            self.assertEqual(pkts[ssrc + 1], (10, "0"), hex(ssrc + 1))
        self.assertEqual(pkts[0x5400], (5, "0"))  # behind a multiplex id, through cmsedge

    def test_rtp_inside_turn_where_the_relayed_heuristics_reach_it(self):
        """ChannelData to 3478 stays the stock STUN dissector's unless cmsedge_rtp_stun is on;
        then its RTP is a stream under the outer addresses."""
        self.assertNotIn(" 3478 ", self.streams("sample"))
        text = self.streams("sample", "--enable-heuristic", "cmsedge_rtp_stun")
        self.assertRegex(text, r"198\.51\.100\.31 50001\s+203\.0\.113\.10\s+3478 0x00001111")

    def test_no_decode_as_needed_and_none_without_the_plugin(self):
        self.assertEqual(streams_table(self.streams("long", plugin=False)), [])
        self.assertNotEqual(streams_table(self.streams("long")), [])

    def test_one_pass_and_two_passes_agree(self):
        for capture in ("sample", "documented", "long", "not-cisco"):
            with self.subTest(capture=capture):
                self.assertEqual(self.frames(capture), self.frames(capture, "-2"))
                self.assertEqual(self.streams(capture), self.streams(capture, "-2"))

    def test_multiplexed_stream_stays_with_the_demultiplexer(self):
        rows = [r for r in self.frames("long") if r["rtp.ssrc"] == ["0x00005400"]]
        self.assertEqual(len(rows), 5)
        for r in rows:
            self.assertIn("cmsedge.media:rtp", r["frame.protocols"][0])
            self.assertEqual(r["rtp.setup-method"], ["cmsedge"])

    # ---- strangers -----------------------------------------------------------------------

    def test_strangers_on_high_ports_get_no_streams(self):
        for hosts in (True, False):
            with self.subTest(hosts=hosts):
                self.assertEqual(streams_table(self.streams("strangers", hosts=hosts)), [])
        # and the Protocol column is the stock one
        cols = ["-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol"]
        self.assertEqual(self.tshark("-r", self.caps["strangers"], *cols),
                         self.tshark("-r", self.caps["strangers"], *cols, plugin=False))

    def test_not_cisco_streams_only_on_the_demultiplexing_ports(self):
        """The corpus-style capture: cmsedge adds streams only where it already decoded media
        before, Assent RTP to the demultiplexing ports (36000-36011)."""
        text = self.streams("not-cisco")
        self.assert_golden("rtp-streams-not-cisco.txt", text)
        for line in streams_table(text):
            cols = line.split()
            ports = {int(cols[3]), int(cols[5])}
            self.assertTrue(any(36000 <= p <= 36011 for p in ports), line)


def web_app_join(cap, guest_port, web_relay, ms_port, ms_relay, back=True):
    """A web-app join at the edge: the browser allocates on the Expressway-E's public TURN port,
    the Meeting Server on the private side; the browser's permission and channel name the
    Meeting Server's relayed address; media as ChannelData, between the relays (back: both
    ways) and as Send/Data indications."""
    g, e_pub, e_priv, cms = captures.GUEST, captures.E_PUB, captures.E_PRIV, captures.CMS
    cap.add(pg.udp(g, guest_port, e_pub, 3478, pg.stun_allocate_request()))
    cap.add(pg.udp(e_pub, 3478, g, guest_port,
                   pg.stun_allocate_success(e_pub, web_relay, g, guest_port)))
    cap.add(pg.udp(cms, ms_port, e_priv, 3478, pg.stun_allocate_request()))
    cap.add(pg.udp(e_priv, 3478, cms, ms_port,
                   pg.stun_allocate_success(e_priv, ms_relay, cms, ms_port)))
    cap.add(pg.udp(g, guest_port, e_pub, 3478,
                   pg._stun(0x0008, pg._xor_address(0x0012, e_priv, ms_relay))))  # permission
    cap.add(pg.udp(g, guest_port, e_pub, 3478,                                    # channel
                   pg._stun(0x0009, pg._attr(0x000C, b"\x40\x00\x00\x00") +
                            pg._xor_address(0x0012, e_priv, ms_relay))))
    for seq in range(1, 4):
        media = pg.rtp(seq=seq, ts=seq * 160, ssrc=guest_port)
        cap.add(pg.udp(g, guest_port, e_pub, 3478, pg.channel_data(0x4000, media)))
        cap.add(pg.udp(e_pub, web_relay, e_priv, ms_relay, media))
        cap.add(pg.udp(e_priv, 3478, cms, ms_port, pg.stun_data_indication(e_pub, web_relay, media)))
        answer = pg.rtp(seq=seq, ts=seq * 160, ssrc=ms_port)
        cap.add(pg.udp(cms, ms_port, e_priv, 3478, pg.stun_send_indication(e_pub, web_relay, answer)))
        if back:
            cap.add(pg.udp(e_priv, ms_relay, e_pub, web_relay, answer))
        cap.add(pg.udp(e_pub, 3478, g, guest_port, pg.channel_data(0x4000, answer)))


def joins():
    cap = pg.Capture()
    web_app_join(cap, 50100, 24100, 40100, 24200)              # complete
    web_app_join(cap, 50102, 24102, 40102, 24202, back=False)  # media one way between relays
    g, e_pub = captures.GUEST, captures.E_PUB                  # the web app alone
    cap.add(pg.udp(g, 50104, e_pub, 3478, pg.stun_allocate_request()))
    cap.add(pg.udp(e_pub, 3478, g, 50104, pg.stun_allocate_success(e_pub, 24104, g, 50104)))
    return cap


class Calls(CaptureCase):
    """-z cmsedge,calls[,text|csv|json] and the cmsedge.call / cmsedge.leg fields."""
    BUILDS = {"joins": joins, "not-cisco": captures.not_cisco, "traversal": captures.traversal}

    def report(self, capture, *extra, hosts=True, form=None):
        arg = "cmsedge,calls" + (f",{form}" if form else "")
        proc = tsharkrun.tshark(self.tmp, "-r", self.caps[capture], "-q", "-z", arg,
                                *extra, hosts=self.hosts if hosts else None)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        return proc.stdout

    def test_joins_golden(self):
        """calls-CAPTURE.txt, .csv.txt and .json.txt (CMSEDGE_UPDATE_GOLDEN=1 rewrites)."""
        for capture in ("joins", "sample", "traversal"):
            for form, ext in ((None, "txt"), ("csv", "csv.txt"), ("json", "json.txt")):
                with self.subTest(capture=capture, form=form):
                    text = self.report(capture, form=form)
                    if form == "json":
                        json.loads(text)
                    path = os.path.join(GOLDEN, f"calls-{capture}.{ext}")
                    if UPDATE:
                        with open(path, "w", encoding="utf-8") as f:
                            f.write(text)
                    with open(path, encoding="utf-8") as f:
                        self.assertEqual(text, f.read(), path)
        self.assertEqual(self.report("joins", form="text"), self.report("joins"))

    def test_csv_and_json_say_what_the_text_says(self):
        text = self.report("joins")
        rows = list(csv.DictReader(io.StringIO(self.report("joins", form="csv"))))
        calls = json.loads(self.report("joins", form="json"))["calls"]
        verdicts = re.findall(r"(?m)^  Verdict: (.*)$", text)
        self.assertEqual([c["verdict"] for c in calls], verdicts)
        self.assertEqual([c["kind"] for c in calls], ["join", "join", "call"])
        self.assertEqual(calls[0]["joined_by"], [{"call": 2, "frame": 5}])
        for call in calls:
            mine = [r for r in rows if r["call"] == str(call["id"])]
            self.assertEqual({r["verdict"] for r in mine}, {call["verdict"]})
            self.assertEqual([int(r["id"]) for r in mine if r["record"] == "allocation"],
                             [a["id"] for a in call["allocations"]])
            self.assertEqual([int(r["id"]) for r in mine if r["record"] == "leg"],
                             [leg["id"] for leg in call["legs"]])
        for leg in (leg for call in calls for leg in call["legs"]):
            rule = f", {leg['rule']}" if leg["rule"] else ""
            self.assertIn(f"  Leg {leg['id']} ({leg['kind']}, allocation {leg['allocation']}{rule}): "
                          f"{leg['a']} -> {leg['b']}: {leg['packets']} packets {leg['bytes']} "
                          f"bytes; back: {leg['packets_back']} packets {leg['bytes_back']} "
                          f"bytes; frames {leg['first_frame']}-{leg['last_frame']}\n", text)
        first = calls[0]["allocations"][0]
        self.assertEqual((first["relayed"], first["lifetime"], first["permissions"],
                          first["channels"]),
                         ("203.0.113.10:24100", 600, ["192.0.2.10:24200"],
                          [{"number": 0x4000, "peer": "192.0.2.10:24200"}]))

    def test_unknown_format(self):
        """A word that is no format stops tshark as the audit's does; calls take no filter."""
        for arg, message in (
                ("cmsedge,calls,xml", "'xml' is not a calls format; expected text, csv or json"),
                ("cmsedge,calls,csv,tcp", "expected -z cmsedge,calls[,text|csv|json]")):
            with self.subTest(arg=arg):
                proc = tsharkrun.tshark(self.tmp, "-r", self.caps["joins"], "-q", "-z", arg,
                                        hosts=self.hosts)
                self.assertEqual((proc.returncode, proc.stdout), (1, ""))
                self.assertEqual(proc.stderr, f'tshark: invalid "-z {arg}": {message}\n')

    def test_a_join_is_one_call_with_its_verdict(self):
        calls = self.report("joins").split("\nCall ")[1:]
        self.assertEqual(len(calls), 3, calls)
        complete, one_way, alone = calls
        self.assertIn("joined by call 2", complete)
        self.assertIn("relayed 203.0.113.10:24100, lifetime 600 s", complete)
        self.assertIn("permissions: 192.0.2.10:24200; channels: 0x4000 -> 192.0.2.10:24200", complete)
        self.assertIn("Verdict: complete", complete)
        self.assertRegex(one_way, r"Verdict: one-way: leg \d+ \(relay-relay, T1-11\) "
                                  r"203\.0\.113\.10:24102 -> 192\.0\.2\.10:24202, nothing back")
        self.assertIn("Verdict: missing: the Meeting Server's allocation", alone)
        # the legs, counted each way: 3 packets of media each way through the relays
        self.assertRegex(complete, r"\(relay-relay, allocation 1, T1-11\): 203\.0\.113\.10:24100 -> "
                                   r"192\.0\.2\.10:24200: 3 packets \d+ bytes; back: 3 packets")

    def test_frames_carry_call_and_leg(self):
        rows = tsharkrun.fields(self.tmp, self.caps["joins"],
                                ["frame.number", "cmsedge.call", "cmsedge.leg", "cmsedge.leg_kind"],
                                hosts=self.hosts)
        # the Meeting Server's allocation starts call 2 and joins call 1 at the permission
        by_frame = {int(r["frame.number"][0]): r for r in rows}
        self.assertEqual(by_frame[1]["cmsedge.call"], ["1"])
        self.assertEqual(by_frame[3]["cmsedge.call"], ["2"])
        self.assertEqual(by_frame[8]["cmsedge.call"], ["1"])        # relay to relay
        self.assertEqual(by_frame[8]["cmsedge.leg_kind"], ["relay-relay"])
        self.assertEqual(by_frame[9]["cmsedge.call"], ["1"])        # the Meeting Server's side
        self.assertTrue(all(r["cmsedge.call"] for r in rows))
        # one pass and two passes agree
        names = ["frame.number", "cmsedge.call", "cmsedge.leg", "cmsedge.leg_kind"]
        self.assertEqual(rows, tsharkrun.fields(self.tmp, self.caps["joins"], names, "-2",
                                                hosts=self.hosts))

    def test_no_calls_without_an_expressway(self):
        """A TURN server nobody knows as an Expressway-E makes no call (coturn, Teams-like
        TURN); nor do allocations before the Expressway-E's role is inferred."""
        for hosts in (True, False):
            with self.subTest(hosts=hosts):
                self.assertIn("No TURN allocation at a known Expressway-E, and no traversal call.",
                              self.report("not-cisco", hosts=hosts))
        inferred = self.report("joins", hosts=False)
        self.assertNotIn("(frame 1)", inferred)


class TraversalCalls(CaptureCase):
    """Traversal calls (captures.traversal): each hop's dialog and media, what tied them, and the
    first failed, missing or one-way part."""
    BUILDS = {"traversal": captures.traversal}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        proc = tsharkrun.tshark(cls.tmp, "-r", cls.caps["traversal"], "-q", "-z",
                                "cmsedge,calls,json", hosts=cls.hosts)
        assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
        cls.calls = json.loads(proc.stdout)["calls"]

    def media(self, call):
        return {(leg["hop"], leg["a"], leg["b"]): leg for leg in call["legs"]
                if leg["kind"] == "media"}

    def test_clear_text_call_tied_by_call_id_and_sdp(self):
        call = self.calls[0]
        self.assertEqual(call["kind"], "traversal")
        self.assertEqual([d["hop"] for d in call["dialogs"]],
                         ["endpoint-expressway-e", "traversal-zone", "expressway-c-meeting-server"])
        self.assertEqual([d["tied_by"] for d in call["dialogs"]], ["started", "call-id", "call-id"])
        self.assertEqual(call["confidence"], "high")
        media = self.media(call)
        self.assertEqual(set(media), {
            ("endpoint-expressway-e", "198.51.100.21:40010", "203.0.113.10:36100"),
            ("traversal-zone", "192.0.2.20:36200", "192.0.2.10:2776"),
            ("expressway-c-meeting-server", "192.0.2.20:36300", "192.0.2.30:50100"),
            ("endpoint-expressway-e", "198.51.100.21:40011", "203.0.113.10:36101")})
        rtp = media[("traversal-zone", "192.0.2.20:36200", "192.0.2.10:2776")]
        self.assertEqual((rtp["tied_by"], rtp["rule"], rtp["packets"], rtp["packets_back"]),
                         ("sdp", "T2-06", 12, 12))
        self.assertTrue(call["verdict"].startswith("complete: 3 hops"), call["verdict"])

    def test_meeting_server_silent_is_one_way(self):
        call = self.calls[1]
        self.assertEqual([d["tied_by"] for d in call["dialogs"]], ["started", "call-id", "timing"])
        self.assertEqual(call["confidence"], "low")
        leg = self.media(call)[("expressway-c-meeting-server", "192.0.2.20:36400",
                                "192.0.2.30:50200")]
        self.assertEqual((leg["packets"], leg["packets_back"]), (12, 0))
        self.assertEqual(call["verdict"],
                         f"one-way: leg {leg['id']} (media, expressway-c-meeting-server) "
                         "192.0.2.20:36400 -> 192.0.2.30:50200, nothing back")

    def test_tls_call_tied_by_timing_and_port_pairing(self):
        call = self.calls[2]
        self.assertEqual(call["dialogs"], [])
        self.assertEqual(call["tied_by"], ["timing", "port-pair"])
        self.assertEqual(call["confidence"], "low")
        self.assertEqual(sorted((leg["hop"], leg["tied_by"]) for leg in call["legs"]),
                         [("endpoint-expressway-e", "started"), ("traversal-zone", "port-pair"),
                          ("traversal-zone", "timing")])
        # an end a finished call's SDP named (the demultiplexing port 2776) ties nothing to it
        for earlier in self.calls[:2]:
            self.assertNotIn("192.0.2.20:36230", str(earlier))

    def test_refused_invite(self):
        self.assertRegex(self.calls[3]["verdict"], r"^failed: the INVITE on the "
                         r"endpoint-expressway-e \(frame \d+\) was answered 486 at frame \d+$")

    def test_two_calls_at_once_tie_nothing(self):
        """Two endpoints' media then one Assent leg inside the window: no call takes it."""
        alone = [c for c in self.calls[4:] if len(c["legs"]) == 1]
        self.assertEqual(len(alone), 3, self.calls[4:])
        self.assertTrue(all(c["confidence"] is None for c in alone))
        self.assertEqual(len(self.calls), 7)

    def test_statistics_tree_counts_each_leg(self):
        """Statistics > Cisco Meeting Server Edge joins and calls (-z cmsedge_calls,tree): each
        call's frames, by leg, as many as the report counts."""
        proc = tsharkrun.tshark(self.tmp, "-r", self.caps["traversal"], "-q", "-z",
                                "cmsedge_calls,tree", hosts=self.hosts)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        tree = dict(re.findall(r"(?m)^  (Leg \d+: [a-z-]+, [a-z-]+)\s+(\d+)\s", proc.stdout))
        want = {f"Leg {leg['id']}: {leg['kind']}, {leg['hop']}":
                str(leg["packets"] + leg["packets_back"])
                for call in self.calls for leg in call["legs"]}
        self.assertEqual(tree, want)
        for call in self.calls:
            total = sum(leg["packets"] + leg["packets_back"] for leg in call["legs"])
            self.assertRegex(proc.stdout, rf"(?m)^ Call {call['id']} \(traversal call\)\s+"
                                          rf"{total}\s")

    def test_frames_carry_call_leg_and_hop(self):
        names = ["frame.number", "cmsedge.call", "cmsedge.leg", "cmsedge.leg_kind", "cmsedge.hop"]
        rows = tsharkrun.fields(self.tmp, self.caps["traversal"], names, hosts=self.hosts)
        by_leg = {}
        for r in rows:
            if r["cmsedge.leg"]:
                by_leg.setdefault(int(r["cmsedge.leg"][0]), set()).add(
                    (r["cmsedge.call"][0], r["cmsedge.leg_kind"][0], r["cmsedge.hop"][0]))
        legs = {leg["id"]: (str(call["id"]), leg["kind"], leg["hop"])
                for call in self.calls for leg in call["legs"]}
        self.assertEqual(by_leg, {k: {v} for k, v in legs.items()})
        # and a second pass says the same (the calls are decided on the first)
        self.assertEqual(rows, tsharkrun.fields(self.tmp, self.caps["traversal"], names, "-2",
                                                hosts=self.hosts))


class Profile(unittest.TestCase):
    """The profile loads with empty stderr, from the personal and from the global folder."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-profile-")
        cls.sample = readable(cls.tmp, "sample.pcap", lambda path: shutil.copyfile(BUNDLED, path))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_tshark(self, home, *args, wrap=()):
        cmd = [*wrap, tsharkrun.RUN_TSHARK, "--build", tsharkrun.BUILD, "--home", home, "--",
               *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300)

    def assert_profile_columns(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        # the profile's columns: roles, purpose, rule and verdict beside the stock ones
        lines = {l.split()[0]: l for l in proc.stdout.splitlines() if l.strip()}
        self.assertRegex(lines.get("77", ""), r"198\.51\.100\.21\s+sip-endpoint\s+"
                         r"203\.0\.113\.10\s+expressway-e\S*\s+RTP\s+\d+\s+"
                         r"Assent RTP \(traversed media\)\s+T2-08")
        self.assertRegex(lines.get("147", ""), r"ICMP.*blocked\? ICMP port unreachable")

    def fields(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        return proc.stdout

    def test_personal_profile_from_install_user(self):
        home = tsharkrun.readable_tmpdir("home-", self.tmp)
        env = dict(os.environ, HOME=home)
        env.pop("XDG_CONFIG_HOME", None)
        env.pop("WIRESHARK_CONFIG_DIR", None)
        subprocess.run(["cmake", "--build", tsharkrun.BUILD, "--target", "install-user"],
                       env=env, check=True, capture_output=True)
        folder = os.path.join(home, ".config", "wireshark", "profiles", PROFILE)
        for name in PROFILE_FILES:
            self.assertTrue(os.path.isfile(os.path.join(folder, name)), name)
        # the profile has its own hosts table
        captures.write_hosts(os.path.join(folder, "cmsedge_hosts"))
        # the personal plugin copy would clash with run-tshark.sh's private global copy
        shutil.rmtree(os.path.join(home, ".local"))
        subprocess.run(["chmod", "-R", "a+rwX", home], check=True)
        self.assert_profile_columns(self.run_tshark(home, "-C", PROFILE, "-r", self.sample))
        out = self.fields(self.run_tshark(home, "-C", PROFILE, "-r", self.sample, "-T", "fields",
                                          "-e", "frame.number", "-e", "cmsedge.purpose",
                                          "-Y", "cmsedge.offspec"))
        self.assertIn("140\tAssent RTP (traversed media)", out)
        # a profile that does not exist is refused: -C really chose ours
        proc = self.run_tshark(home, "-C", PROFILE + " nonexistent", "-r", self.sample)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("does not exist", proc.stderr)
        subprocess.run(["cmake", "--build", tsharkrun.BUILD, "--target", "uninstall-user"],
                       env=env, check=True, capture_output=True)
        self.assertFalse(os.path.exists(os.path.join(folder, "preferences")))

    @unittest.skipUnless(shutil.which("cpack"), "needs cpack (to build the package)")
    @unittest.skipIf(tsharkrun.mount_namespaces(),
                     f"the package's profile is mounted over /usr/share/wireshark/profiles in a "
                     f"private mount namespace: {tsharkrun.mount_namespaces()}")
    def test_global_profile_from_the_package(self):
        work = tsharkrun.readable_tmpdir("deb-", self.tmp)
        subprocess.run(["cpack", "--config", os.path.join(tsharkrun.BUILD, "CPackConfig.cmake"),
                        "-B", os.path.join(work, "out")], cwd=work, check=True,
                       capture_output=True)
        out = os.path.join(work, "out")
        deb = [f for f in os.listdir(out) if f.endswith(".deb")][0]
        listing = subprocess.run(["dpkg-deb", "-c", os.path.join(out, deb)], check=True,
                                 capture_output=True, text=True).stdout
        for name in PROFILE_FILES:
            self.assertIn(f"./usr/share/wireshark/profiles/{PROFILE}/{name}", listing)
        root = os.path.join(work, "root")
        subprocess.run(["dpkg-deb", "-x", os.path.join(out, deb), root], check=True)
        subprocess.run(["chmod", "-R", "a+rX", work], check=True)
        profiles = os.path.join(root, "usr", "share", "wireshark", "profiles")
        # Wireshark's global profiles folder, as the package would fill it, for this process only
        wrap = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" /usr/share/wireshark/profiles && exec "$@"', profiles]
        home = tsharkrun.readable_tmpdir("home-", self.tmp)
        os.chmod(home, 0o777)
        proc = self.run_tshark(home, "-C", PROFILE, "-r", self.sample,
                               *captures.uat_options(), wrap=wrap)
        self.assert_profile_columns(proc)
        # tshark copied the global profile into the personal folder on first use
        copied = os.path.join(home, ".config", "wireshark", "profiles", PROFILE, "preferences")
        self.assertTrue(os.path.isfile(copied))


GUI_TOOLS = ("wireshark", "xvfb-run", "xdotool")
GUI_MISSING = [t for t in GUI_TOOLS if not shutil.which(t)]

# Wireshark (Qt) under Xvfb: open the capture, wait for its window, quit with Ctrl+Q, and keep
# Wireshark's own exit status and standard error apart from xvfb-run's. Ctrl+Q is pressed again
# every few seconds, ten times at most (a loaded machine's window may not listen yet); a
# Wireshark that still runs then is reported as such, not left to the test's timeout. (ctest
# runs this class as e2e.Gui, never beside the lab: see tests/e2e/CMakeLists.txt.)
DRIVE = """#!/bin/bash
wireshark "$@" 2>"$WS_ERR" &
pid=$!
win=$(timeout 60 xdotool search --sync --name "$WS_TITLE" | head -n 1)
if [[ -z $win ]]; then kill "$pid"; echo "no window" > "$WS_RC"; exit 0; fi
for press in 1 2 3 4 5 6 7 8 9 10; do
  sleep 3
  kill -0 "$pid" 2>/dev/null || break
  timeout 10 xdotool windowfocus --sync "$win" key ctrl+q 2>/dev/null
done
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"; wait "$pid"; echo "still running after 10 presses of Ctrl+Q" > "$WS_RC"; exit 0
fi
wait "$pid"
echo $? > "$WS_RC"
"""


def write_drive(path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(DRIVE)


@unittest.skipIf(GUI_MISSING, f"needs {', '.join(GUI_TOOLS)}; missing: {', '.join(GUI_MISSING)}")
class Gui(unittest.TestCase):
    """Wireshark opens the sample with the plugin and the profile and quits cleanly."""

    def run_wireshark(self, plugin, *args):
        home = tsharkrun.readable_tmpdir("gui-")
        self.addCleanup(shutil.rmtree, home, True)
        # the private plugin folders run-tshark.sh makes (the fresh plugin, or none)
        setup = [tsharkrun.RUN_TSHARK, "--build", tsharkrun.BUILD, "--home", home]
        setup += [] if plugin else ["--no-plugin"]
        subprocess.run(setup + ["--", "-v"], check=True, capture_output=True)
        folder = os.path.join(home, ".config", "wireshark", "profiles", PROFILE)
        os.makedirs(folder)
        for name in PROFILE_FILES:
            shutil.copyfile(os.path.join(tsharkrun.ROOT, "profile", name),
                            os.path.join(folder, name))
        captures.write_hosts(os.path.join(folder, "cmsedge_hosts"))
        sample = readable(home, "edge-sample.pcap", lambda path: shutil.copyfile(BUNDLED, path))
        drive = readable(home, "drive.sh", write_drive)
        os.chmod(drive, 0o755)
        os.makedirs(os.path.join(home, "run"), mode=0o700)
        err, rc = os.path.join(home, "ws.err"), os.path.join(home, "ws.rc")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "XDG_RUNTIME_DIR": os.path.join(home, "run"), "TZ": "UTC",
               "WIRESHARK_PLUGIN_DIR": os.path.join(home, "plugins"),
               "WS_ERR": err, "WS_RC": rc, "WS_TITLE": "edge-sample.pcap",
               **tsharkrun.sanitizer_env()}
        cmd = ["xvfb-run", "-a", "-s", "-nolisten tcp", drive, *args, "-r", sample]
        if IS_ROOT:  # Wireshark loads no personal or private plugins for root
            subprocess.run(["chown", "-R", "65534:65534", home], check=True)
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        subprocess.run(cmd, env=env, capture_output=True, timeout=180, cwd=home)
        with open(rc) as f, open(err) as g:
            return f.read().strip(), g.read().splitlines(), folder

    def test_wireshark_opens_the_sample_with_plugin_and_profile(self):
        # -o cmsedge.*: an unknown preference would be refused, so the plugin is loaded
        rc, err, folder = self.run_wireshark(True, "-C", PROFILE,
                                             "-o", "cmsedge.deployment_size:small")
        self.assertEqual(rc, "0", err)
        # the same Wireshark without the plugin and the profile, for what this machine's
        # environment makes it print whatever it opens (a container without nl80211 does)
        base_rc, baseline, _ = self.run_wireshark(False)
        self.assertEqual(base_rc, "0", baseline)
        self.assertEqual([l for l in err if l not in baseline], [])
        print(f"\nGUI: Wireshark's stderr with the plugin and profile: {err}; without: "
              f"{baseline}", file=sys.stderr)
        # the profile was the one in use: Wireshark keeps its recent settings there
        self.assertTrue(os.path.isfile(os.path.join(folder, "recent")))


if __name__ == "__main__":
    unittest.main()
