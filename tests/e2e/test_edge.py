# SPDX-License-Identifier: GPL-2.0-or-later
"""Edge cases of the verdict: every documented service labelled and never off-spec, other
traffic of edge hosts left alone, near misses still warned with the right row, and roles
inferred without configuration from real programs' traffic (the training lab).

Run by ctest as e2e.Edge. The synthetic captures come from edge_services.py (derived from
tables/services.tsv); the lab part runs tests/lab/lab.sh (as root: it captures on lo) and is
skipped when it cannot run.
"""

import ipaddress
import os
import shutil
import struct
import unittest

import edge_services as es
import tsharkrun

FIELDS = ["frame.number", "cmsedge.purpose", "cmsedge.rule", "cmsedge.service",
          "cmsedge.service_id", "cmsedge.offspec", "cmsedge.reason", "cmsedge.expected_rule"]


def describe(row):
    keep = {k[len("cmsedge."):]: ";".join(v) for k, v in row.items()
            if k.startswith("cmsedge.") and v}
    return f"frame {row['frame.number'][0]} {keep or '(no cmsedge field)'}"


class Synthetic(unittest.TestCase):
    """The captures of edge_services.py, read with the deployment's hosts file."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-edge-")
        cls.hosts = os.path.join(cls.tmp, "edge.hosts")
        es.write_hosts(cls.hosts)
        cls.flows = es.edge_services(os.path.join(cls.tmp, "edge-services.pcap"))
        cls.others = es.other_traffic(os.path.join(cls.tmp, "edge-other.pcap"))
        cls.misses = es.near_misses(os.path.join(cls.tmp, "edge-near-misses.pcap"))
        for f in os.listdir(cls.tmp):
            os.chmod(os.path.join(cls.tmp, f), 0o644 if f.endswith((".pcap", ".hosts")) else 0o755)
        cls.rows = {}
        for name in ("edge-services", "edge-other", "edge-near-misses"):
            cls.rows[name] = tsharkrun.fields(cls.tmp, os.path.join(cls.tmp, name + ".pcap"),
                                              FIELDS, hosts=cls.hosts)
        print(f"edge-services: {len(cls.flows)} flows from "
              f"{len({f.id for f in cls.flows})} rows of services.tsv, "
              f"{len(cls.rows['edge-services'])} frames", flush=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    def frames(self, name, first, last):
        rows = self.rows[name][first - 1:last]
        self.assertEqual([int(r["frame.number"][0]) for r in rows], list(range(first, last + 1)))
        return rows

    # ---- 1. every service row labelled, never off-spec ---------------------------------------

    def test_every_row_has_a_flow(self):
        ids = [r["id"] for r in es.parse_services()]
        self.assertEqual(sorted({f.id for f in self.flows}), sorted(ids))

    def check_service_frames(self, wrong, what):
        """Fails listing every frame of the service flows for which wrong(flow, row) holds."""
        bad = [f"{flow}\n      {describe(r)}" for flow in self.flows
               for r in self.frames("edge-services", flow.first, flow.last) if wrong(flow, r)]
        if bad:
            self.fail(f"{len(bad)} service frame(s) {what}:\n  " + "\n  ".join(bad))

    def test_services_never_offspec(self):
        self.check_service_frames(lambda f, r: r["cmsedge.offspec"] or r["cmsedge.reason"],
                                  "off-spec")

    def test_services_labelled(self):
        """Every frame names the row's service, or a chapter row documents the same flow (the
        chapter wins)."""
        self.check_service_frames(
            lambda f, r: not r["cmsedge.purpose"] and r["cmsedge.service"] != [f.service],
            "without the row's service")

    def test_service_row_ids(self):
        """Where a service is shown, it is the row the flow was made from, or a row of the same
        service that reads the same frames the other way round (H.323 RAS from 1719 to 1719 is
        a request of one row and the reply of its mirror: the frame cannot tell which)."""
        same_name = {}
        for row in es.parse_services():
            same_name.setdefault(row["service"], set()).add(row["id"])
        self.check_service_frames(
            lambda f, r: r["cmsedge.service"] and not (
                len(r["cmsedge.service_id"]) == 1 and
                r["cmsedge.service_id"][0] in same_name.get(f.service, {f.id})),
            "naming another service row")

    def test_other_traffic_left_alone(self):
        bad = []
        for flow in self.others:
            for r in self.frames("edge-other", flow.first, flow.last):
                if r["cmsedge.offspec"] or r["cmsedge.purpose"] or r["cmsedge.service"]:
                    bad.append(f"{flow.what}: {describe(r)}")
        if bad:
            self.fail(f"{len(bad)} frame(s) of undocumented traffic labelled or warned:\n  "
                      + "\n  ".join(bad))

    # ---- 2. near misses still warned, with the right row ---------------------------------------

    def test_near_misses_warned(self):
        """Every frame of each near miss is off-spec and names the row it misses; for RTP, from
        the second packet on (a stream is RTP once two packets agree)."""
        for miss in self.misses:
            with self.subTest(miss=miss.what):
                rows = self.frames("edge-near-misses", miss.first, miss.last)
                if miss.rule.startswith("T2-06"):
                    rows = rows[1:]
                bad = [describe(r) for r in rows
                       if not r["cmsedge.offspec"] or r["cmsedge.expected_rule"] != [miss.rule]]
                if bad:
                    self.fail(f"{miss.what}: expected off-spec, expected_rule {miss.rule}:\n  "
                              + "\n  ".join(bad))

    def test_near_misses_not_called_documented(self):
        """No frame of a near miss, not even the first RTP packet, says the flow is a
        documented service or purpose."""
        bad = []
        for miss in self.misses:
            for r in self.frames("edge-near-misses", miss.first, miss.last):
                if r["cmsedge.service"] or r["cmsedge.purpose"]:
                    bad.append(f"{miss.what}: {describe(r)}")
        if bad:
            self.fail("near-miss frames labelled as documented:\n  " + "\n  ".join(bad))


# ---- 3. zero-config inference on the lab's captures ---------------------------------------------

FAMILY = {"expressway-e": "expressway-e", "expressway-e-public": "expressway-e",
          "expressway-e-private": "expressway-e", "expressway-c": "expressway-c",
          "meeting-server": "meeting-server"}
RELAY = (24000, 29999)
MS_MEDIA = (50000, 51000)
ZONE_PORTS = {7001}  # one traversal zone, the default


def read_pcap(path):
    """(frame number, transport, src, sport, dst, dport, payload) of each IPv4/IPv6 UDP or TCP
    frame of a classic pcap (Ethernet or Linux cooked), read without Wireshark."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off, n, out = 24, 0, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
        if linktype == 1:
            ethertype, ip = struct.unpack("!H", pkt[12:14])[0], pkt[14:]
        elif linktype == 113:
            ethertype, ip = struct.unpack("!H", pkt[14:16])[0], pkt[16:]
        else:
            continue
        if ethertype == 0x0800 and len(ip) >= 20:
            ihl = (ip[0] & 0x0F) * 4
            total = struct.unpack("!H", ip[2:4])[0]
            proto, src, dst = ip[9], ipaddress.ip_address(ip[12:16]), \
                ipaddress.ip_address(ip[16:20])
            seg = ip[ihl:total]
        elif ethertype == 0x86DD and len(ip) >= 40:
            proto, src, dst = ip[6], ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
            seg = ip[40:40 + struct.unpack("!H", ip[4:6])[0]]
        else:
            continue
        if proto == 17 and len(seg) >= 8:
            sport, dport = struct.unpack("!HH", seg[:4])
            out.append((n, "udp", str(src), sport, str(dst), dport, seg[8:]))
        elif proto == 6 and len(seg) >= 20:
            sport, dport = struct.unpack("!HH", seg[:4])
            out.append((n, "tcp", str(src), sport, str(dst), dport, seg[(seg[12] >> 4) * 4:]))
    return out


def stun_relayed_port(payload):
    """The XOR-RELAYED-ADDRESS port of a STUN Allocate success response, or None."""
    if len(payload) < 20 or payload[4:8] != b"\x21\x12\xa4\x42":
        return None
    if struct.unpack("!H", payload[:2])[0] != 0x0103:
        return None
    off = 20
    while off + 4 <= len(payload):
        kind, length = struct.unpack("!HH", payload[off:off + 4])
        if kind == 0x0016 and length >= 8:
            return struct.unpack("!H", payload[off + 6:off + 8])[0] ^ 0x2112
        off += 4 + length + (-length % 4)
    return None


def is_rtp(p):
    return len(p) >= 12 and p[0] >> 6 == 2 and not 192 <= p[1] <= 223


def is_rtcp(p):
    return len(p) >= 8 and p[0] >> 6 == 2 and 200 <= p[1] <= 204


def is_sip(p):
    head = p[:16]
    return head.startswith(b"SIP/2.0") or any(
        head.startswith(m + b" ") for m in (b"OPTIONS", b"INVITE", b"REGISTER", b"ACK", b"BYE",
                                             b"CANCEL", b"SUBSCRIBE", b"NOTIFY", b"INFO",
                                             b"UPDATE", b"PRACK", b"REFER", b"MESSAGE"))


def is_tls(p):
    return len(p) >= 5 and p[0] in (0x14, 0x15, 0x16, 0x17) and p[1] == 3


def lab_evidence(frames):
    """Expressway-specific evidence in a capture, as the contract (include/cmsedge/infer.h)
    describes it, computed from the bytes alone: {host: {family: set of flows}}."""
    ev = {}

    def add(host, family, flow):
        ev.setdefault(host, {}).setdefault(family, set()).add(flow)

    streams = {}  # UDP 5-tuple -> [(ssrc, seq)] of RTP packets
    allocations = {}  # (server, relayed port) -> frame of the Allocate success
    used = set()
    for n, t, src, sp, dst, dp, p in frames:
        key = (t, src, sp, dst, dp)
        rev = (t, dst, dp, src, sp)
        if t == "tcp" and p:
            # the SSH tunnel: a banner on 2222, Expressway-C's port 30000-35999
            if p.startswith(b"SSH-") and ((dp == 2222 and 30000 <= sp <= 35999) or
                                          (sp == 2222 and 30000 <= dp <= 35999)):
                c, e = (src, dst) if dp == 2222 else (dst, src)
                flow = key if dp == 2222 else rev
                add(c, "expressway-c", flow)
                add(e, "expressway-e", flow)
            # the traversal zone: SIP or TLS to the zone port from 25000-29999
            if (is_sip(p) or is_tls(p)) and ((dp in ZONE_PORTS and 25000 <= sp <= 29999) or
                                             (sp in ZONE_PORTS and 25000 <= dp <= 29999)):
                c, e = (src, dst) if dp in ZONE_PORTS else (dst, src)
                flow = key if dp in ZONE_PORTS else rev
                add(c, "expressway-c", flow)
                add(e, "expressway-e", flow)
        if t == "udp":
            port = stun_relayed_port(p)
            if port is not None and RELAY[0] <= port <= RELAY[1]:
                allocations.setdefault((src, port), n)
                continue
            for end in ((src, sp), (dst, dp)):
                if end in allocations and end not in used and p:
                    used.add(end)
                    add(end[0], "expressway-e", ("relay",) + end)
            if is_rtp(p) or is_rtcp(p):
                ssrc = struct.unpack("!I", p[8:12])[0] if is_rtp(p) else -1
                streams.setdefault(key, []).append(ssrc)
    for (t, src, sp, dst, dp), ssrcs in streams.items():
        # two consistent packets make a stream
        if len(ssrcs) < 2 or len(set(ssrcs)) != 1:
            continue
        flow = (t, src, sp, dst, dp)
        # Assent media to the demultiplexing ports, from 36000-59999
        if dp in (2776, 2777) and 36000 <= sp <= 59999:
            add(src, "expressway-c", flow)
            add(dst, "expressway-e", flow)
        # Meeting Server media into the relays
        if MS_MEDIA[0] <= sp <= MS_MEDIA[1] and RELAY[0] <= dp <= RELAY[1]:
            add(src, "meeting-server", flow)
            add(dst, "expressway-e", flow)
        # relay to relay on one address
        if src == dst and RELAY[0] <= sp <= RELAY[1] and RELAY[0] <= dp <= RELAY[1]:
            add(src, "expressway-e", flow)
    return ev


def read_lab_hosts(path):
    roles = {}
    with open(path) as f:
        for line in f:
            cells = [c.strip('"') for c in line.strip().split('","')]
            if len(cells) >= 2:
                roles[cells[0]] = cells[1]
    return roles


class Lab(unittest.TestCase):
    """Roles inferred with no hosts file from the lab's captures of real programs."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tsharkrun.readable_tmpdir("cmsedge-edge-lab-")
        cls.lab = os.path.join(cls.tmp, "lab")
        why_not = tsharkrun.run_lab(cls.lab)
        if why_not:
            raise unittest.SkipTest(why_not)
        cls.key = read_lab_hosts(os.path.join(cls.lab, "lab.hosts"))
        cls.scenarios = sorted(f[:-len(".key.json")] for f in os.listdir(cls.lab)
                               if f.endswith(".key.json"))
        cls.results = {}
        table = [("capture", "host", "answer key", "evidence flows", "expected", "inferred")]
        for name in cls.scenarios:
            cap = os.path.join(cls.lab, name + ".pcap")
            ev = lab_evidence(read_pcap(cap))
            inferred, notes = cls.inferred(cap)
            expected = {}
            for host, fams in ev.items():
                fam = FAMILY.get(cls.key.get(host, ""))
                if fam and len(fams.get(fam, ())) >= 2:
                    expected[host] = fam
            cls.results[name] = (ev, expected, inferred, notes)
            for host in sorted(set(ev) | set(inferred) | set(expected)):
                counts = ", ".join(f"{f} x{len(s)}" for f, s in sorted(ev.get(host, {}).items()))
                table.append((name, host, cls.key.get(host, "-"), counts or "-",
                              expected.get(host, "-"), ",".join(sorted(inferred.get(host, [])))
                              or "-"))
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        print("\n" + "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in table),
              flush=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    @classmethod
    def inferred(cls, cap):
        """{host: roles} from the expert notes and from the per-frame roles whose origin is
        inference; and the notes' text."""
        proc = tsharkrun.tshark(cls.tmp, "-r", cap, "-q", "-z", "expert,note")
        if proc.returncode != 0:
            raise AssertionError(f"tshark -z expert,note {cap}: {proc.stderr}")
        roles, notes = {}, []
        for line in proc.stdout.splitlines():
            if "Inferred role:" in line:
                text = line[line.index("Inferred role:"):]
                notes.append(text)
                addr, _, rest = text[len("Inferred role: "):].partition(" is ")
                roles.setdefault(addr, set()).add(rest.split(",")[0])
        for r in tsharkrun.fields(cls.tmp, cap, ["ip.src", "ip.dst", "cmsedge.src_role",
                                                 "cmsedge.src_role_origin", "cmsedge.dst_role",
                                                 "cmsedge.dst_role_origin",
                                                 "cmsedge.inferred_role", "frame.number"]):
            # the field's value is the role alone: a role no note names is another host
            for role in r["cmsedge.inferred_role"]:
                if not any(role in rs for rs in roles.values()):
                    roles.setdefault(f"(cmsedge.inferred_role, frame {r['frame.number'][0]})",
                                     set()).add(role)
            for end in ("src", "dst"):
                if r[f"cmsedge.{end}_role_origin"] == ["inferred"] and r[f"ip.{end}"]:
                    roles.setdefault(r[f"ip.{end}"][-1], set()).update(r[f"cmsedge.{end}_role"])
        return roles, notes

    def test_lab_ran(self):
        self.assertEqual(self.scenarios, ["misconfig", "sip-edge", "traversal", "web-proxy"])

    def test_evidence_agrees_with_the_answer_key(self):
        """The evidence found in the bytes names each host as the answer key does (a check of
        this test's own reading of the captures)."""
        for name, (ev, _, _, _) in self.results.items():
            for host, fams in ev.items():
                with self.subTest(capture=name, host=host):
                    self.assertEqual(set(fams), {FAMILY.get(self.key.get(host, ""), "?")},
                                     f"{name}: {host} is {self.key.get(host)}")

    def test_hosts_with_evidence_inferred(self):
        for name, (_, expected, inferred, notes) in self.results.items():
            for host, fam in expected.items():
                with self.subTest(capture=name, host=host):
                    got = {FAMILY.get(r, r) for r in inferred.get(host, set())}
                    self.assertEqual(got, {fam}, f"{name}: {host} ({self.key.get(host)}) "
                                     f"inferred as {sorted(inferred.get(host, []))}; notes: {notes}")

    def test_no_other_host_inferred(self):
        for name, (_, expected, inferred, notes) in self.results.items():
            with self.subTest(capture=name):
                extra = {h: sorted(r) for h, r in inferred.items() if h not in expected}
                self.assertEqual(extra, {}, f"{name}: inferred without enough evidence; "
                                 f"notes: {notes}")

    def test_some_inference_happened(self):
        """The lab gives enough evidence for at least Expressway-C and Expressway-E."""
        found = {fam for _, exp, _, _ in self.results.values() for fam in exp.values()}
        self.assertTrue({"expressway-c", "expressway-e"} <= found, found)


if __name__ == "__main__":
    unittest.main()
