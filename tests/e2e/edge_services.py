#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Captures for test_edge.py: the services of tables/services.tsv, other traffic of edge hosts,
and near misses of the CMS chapter, all between configured hosts of one deployment.

The edge-services capture is derived from tables/services.tsv itself: for every row it picks
a host for each end (every role the row names, every address form of the dual-NIC
Expressway-E), a concrete port for each cell, each transport, and a payload that fits the row's
`app` column (or, where the row leaves the payload unchecked, what the service really sends).
A row added to the table is exercised without touching this file.

  python3 tests/e2e/edge_services.py OUT_DIR      writes the captures and edge.hosts into OUT_DIR
"""

import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVICES_TSV = os.path.join(ROOT, "tables", "services.tsv")
sys.path.insert(0, HERE)
import pcapwriter as pg  # noqa: E402

# The deployment: a dual-NIC Expressway-E, its Expressway-C, a Meeting Server, a Unified CM,
# and the cluster peers that the clustering rows need on their other end.
E_PUB = "203.0.113.10"
E_PRIV = "192.0.2.10"
E_PRIV_PEER = "192.0.2.11"
E_PUB_PEER = "203.0.113.11"
EXP_C = "192.0.2.20"
EXP_C_PEER = "192.0.2.21"
CMS = "192.0.2.30"
CMS_PEER = "192.0.2.31"
CUCM = "192.0.2.40"
# hosts nobody configured: an "any" end, inside or outside
ANY_INSIDE = "192.0.2.77"
ANY_OUTSIDE = "198.51.100.77"

HOSTS = [
    (E_PUB, "expressway-e-public", "edge-e-public"),
    (E_PRIV, "expressway-e-private", "edge-e-private"),
    (E_PUB_PEER, "expressway-e-public", "edge-e2-public"),
    (E_PRIV_PEER, "expressway-e-private", "edge-e2-private"),
    (EXP_C, "expressway-c", "edge-c"),
    (EXP_C_PEER, "expressway-c", "edge-c2"),
    (CMS, "meeting-server", "cms1"),
    (CMS_PEER, "meeting-server", "cms2"),
    (CUCM, "unified-cm", "cucm1"),
]

ROLE_SHORTHANDS = {
    "expressway": ["expressway-c", "expressway-e"],
    "edge": ["expressway-c", "expressway-e", "meeting-server", "unified-cm"],
}
INTERNAL_ROLES = {"expressway-c", "meeting-server", "unified-cm"}


def write_hosts(path):
    """HOSTS as a cmsedge_hosts UAT file."""
    with open(path, "w", encoding="utf-8") as f:
        for address, role, name in HOSTS:
            f.write(f'"{address}","{role}","{name}"\n')


# ---- services.tsv ---------------------------------------------------------------------------

def parse_services(path=SERVICES_TSV):
    """The rows of services.tsv as dicts keyed by its header."""
    rows, header = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                continue
            rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)))))
    return rows


def expand_roles(cell):
    out = []
    for r in cell.split(","):
        r = r.strip()
        for x in ROLE_SHORTHANDS.get(r, [r]):
            if x not in out:
                out.append(x)
    return out


def cell_alternatives(cell, size="small", demux=True):
    """The alternatives of a port cell that apply to the default settings (small deployment,
    demultiplexing ports), as (kind, lo, hi, parity) with kind 'port' or 'wide'; 'never' for
    !N; the TURN TCP override port (unset by default) is left out."""
    alts = []
    for alt in cell.split("|"):
        alt = alt.strip()
        if alt.startswith("["):
            cond, alt = alt[1:].split("]", 1)
            conds = set(c.strip() for c in cond.split(","))
            sizes = conds & {"small", "medium", "large"}
            if sizes and size not in sizes:
                continue
            if ("demux" in conds and not demux) or ("nodemux" in conds and demux):
                continue
            alt = alt.strip()
        parity = None
        if alt in (">=1024", "ephemeral"):
            alts.append(("wide", 1024, 65535, None))
            continue
        if alt == "turn-tcp":
            continue
        if alt.startswith("!"):
            alts.append(("never", int(alt[1:]), int(alt[1:]), None))
            continue
        if "(" in alt:  # zone(7001), relay(24000-29999), msmedia(...), admin(8443): the default
            alt = alt[alt.index("(") + 1:alt.rindex(")")]
        if "/" in alt:
            alt, parity = alt.split("/")
        lo, _, hi = alt.partition("-")
        alts.append(("port", int(lo), int(hi or lo), parity))
    return alts


def pick_in(lo, hi, parity, k):
    """A port of lo-hi (with parity) a little way into the range, different for each k."""
    p = lo + (k % max(1, (hi - lo + 1)))
    if parity == "even" and p % 2:
        p = p + 1 if p < hi else p - 1
    if parity == "odd" and not p % 2:
        p = p + 1 if p < hi else p - 1
    return p


# Ephemeral ports: the top of the range that Windows and BSD use, outside every range the CMS
# chapter names (relays 24000-29999, Expressway-C 25000-35999, media 36000-59999), so a frame
# is labelled by the service row and not by a chapter row that happens to contain its port.
EPHEMERAL_BASE = 61000


def source_port(cell, k):
    for kind, lo, hi, parity in cell_alternatives(cell):
        if kind == "wide":
            return EPHEMERAL_BASE + k
        if kind == "port":
            return pick_in(lo, hi, parity, k) if hi > lo else lo
    raise ValueError(f"no source port in {cell!r}")


def listener_ports(cell, app, transport, k):
    """One port per alternative the listener offers (443 | 445 | 8443 gives three flows)."""
    ports = []
    for kind, lo, hi, parity in cell_alternatives(cell):
        if kind == "never":
            continue
        if kind == "wide":  # a peer listening anywhere: SIP where SIP listens, media high
            if "sip" in app:
                ports.append(5061 if "tls" in app and transport == "tcp" else 5060)
            else:
                ports.append(16384 + 2 * k)
        elif hi > lo:
            ports.append(pick_in(lo, hi, parity, 0))
        else:
            ports.append(lo)
    return ports


class Flow:
    """One flow of the capture, with the frames (1-based, inclusive) it occupies."""

    def __init__(self, row, transport, client, client_role, cport, server, server_role, sport):
        self.row, self.transport = row, transport
        self.client, self.client_role, self.cport = client, client_role, cport
        self.server, self.server_role, self.sport = server, server_role, sport
        self.first = self.last = 0
        self.payload = ""

    @property
    def id(self):
        return self.row["id"]

    @property
    def service(self):
        return self.row["service"]

    def __str__(self):
        return (f"{self.id} {self.service!r} {self.transport} {self.client}:{self.cport} "
                f"({self.client_role}) -> {self.server}:{self.sport} ({self.server_role}) "
                f"[{self.payload}] frames {self.first}-{self.last}")


def hosts_for(role, other_role, serving):
    """Addresses that play `role` against an end playing `other_role`: both interfaces of the
    dual-NIC Expressway-E towards a host nobody configured, its private interface towards the
    inside, a cluster peer when both ends have the same role."""
    peers = {"expressway-c": (EXP_C, EXP_C_PEER), "meeting-server": (CMS, CMS_PEER)}
    if role in peers:
        own, peer = peers[role]
        return [peer if serving and other_role == role else own]
    if role == "unified-cm":
        return [CUCM]
    if role in ("expressway-e", "expressway-e-private", "expressway-e-public"):
        if other_role == role or (other_role.startswith("expressway-e") and
                                  role.startswith("expressway-e")):
            if role == "expressway-e-public":
                return [E_PUB_PEER if serving else E_PUB]
            return [E_PRIV_PEER if serving else E_PRIV]
        if role == "expressway-e-public":
            return [E_PUB]
        if role == "expressway-e-private" or other_role in INTERNAL_ROLES:
            return [E_PRIV]
        return [E_PUB, E_PRIV]
    if role == "any":
        return [ANY_OUTSIDE if other_role.startswith("expressway-e") else ANY_INSIDE]
    raise ValueError(f"no host for role {role!r}")


def plan(rows):
    """Every flow of the edge-services capture, in table order."""
    flows, k = [], 0
    for row in rows:
        apps = set(a for a in row["app"].split("|") if a)
        for transport in row["transport"].split(","):
            for crole in expand_roles(row["src"]):
                for srole in expand_roles(row["dst"]):
                    for client in hosts_for(crole, srole, serving=False):
                        for server in hosts_for(srole, crole, serving=True):
                            # the "any" end sits on the far side of the other end's interface
                            if crole == "any" and server in (E_PRIV, E_PRIV_PEER):
                                client = ANY_INSIDE
                            if srole == "any" and client in (E_PRIV, E_PRIV_PEER):
                                server = ANY_INSIDE
                            for dport in listener_ports(row["dst_ports"], apps, transport, k):
                                sport = source_port(row["src_ports"], k)
                                flows.append(Flow(row, transport, client, crole, sport, server,
                                                  srole, dport))
                                k += 1
    return flows


# ---- payloads -------------------------------------------------------------------------------

def _ber(tag, body):
    return bytes([tag, len(body)]) + body


def _snmp(pdu_tag):
    varbind = _ber(0x30, _ber(0x30, _ber(0x06, b"\x2b\x06\x01\x02\x01\x01\x03\x00") + b"\x05\x00"))
    pdu = _ber(pdu_tag, _ber(0x02, b"\x01") + _ber(0x02, b"\x00") + _ber(0x02, b"\x00") + varbind)
    return _ber(0x30, _ber(0x02, b"\x01") + _ber(0x04, b"public") + pdu)


def _tpkt(body):
    return struct.pack("!BBH", 3, 0, 4 + len(body)) + body


def _q931(message_type):
    return _tpkt(b"\x08\x02\x00\x01" + bytes([message_type]) + b"\x04\x03\x80\x90\xa2")


def _xmpp(to):
    return (f"<?xml version='1.0'?><stream:stream to='{to}' version='1.0' "
            "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>").encode()


def _http_request(host, path="/"):
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: edge-test\r\n\r\n".encode()


def _http_response(code=200, reason="OK"):
    return f"HTTP/1.1 {code} {reason}\r\nContent-Length: 0\r\n\r\n".encode()


def unchecked_payload(dport, transport):
    """(request, answer) that the service on dport really exchanges, for rows whose `app` is
    empty (payload unchecked): DNS, NTP, SNMP, syslog, LDAP, Kerberos, H.323, ISAKMP, Erlang
    port mapper, XMPP, PostgreSQL, TFTP."""
    if dport == 53:
        q = pg.dns_query("cms.example.com")
        a = bytearray(q)
        a[2:4] = b"\x81\x80"
        if transport == "tcp":
            return struct.pack("!H", len(q)) + q, struct.pack("!H", len(a)) + bytes(a)
        return q, bytes(a)
    if dport == 123:
        return b"\x23" + b"\0" * 47, b"\x24\x02" + b"\0" * 46
    if dport in (161, 162):
        return _snmp(0xA0 if dport == 161 else 0xA7), _snmp(0xA2)
    if dport in (514,):
        return b"<134>1 2024-01-01T00:00:00Z edge tvcs - - - test message", b"<134>ack"
    if dport == 389:
        bind = _ber(0x30, _ber(0x02, b"\x01") + _ber(0x60, _ber(0x02, b"\x03") +
                                                      _ber(0x04, b"") + b"\x80\x00"))
        done = _ber(0x30, _ber(0x02, b"\x01") + _ber(0x61, b"\x0a\x01\x00\x04\x00\x04\x00"))
        return bind, done
    if dport == 88:
        return b"\x6a\x10" + b"\x30\x0e" + bytes(14), b"\x7e\x10" + b"\x30\x0e" + bytes(14)
    if dport == 500:
        cookie = bytes.fromhex("1122334455667788")
        hdr = cookie + bytes(8) + b"\x01\x10\x02\x00" + struct.pack("!II", 0, 28)
        return hdr, cookie + bytes.fromhex("99aabbccddeeff00") + hdr[16:]
    if dport in (1719, 6001, 6002):  # H.225 RAS: GatekeeperRequest, GatekeeperConfirm
        return b"\x00\xc0\x06\x00\x08\x91\x4a\x00\x05", b"\x04\x80\x06\x00\x08\x91\x4a\x00\x05"
    if dport in (1720, 2776, 2777) or 15000 <= dport <= 19999 or dport >= 1024 and \
            transport == "tcp" and dport not in range(4369, 4381) and dport not in \
            (5222, 5269, 7400, 5432, 7080):
        return _q931(0x05), _q931(0x02)  # SETUP, CALL PROCEEDING
    if 4369 <= dport <= 4380:
        return b"\x00\x01\x6e", b"\x00\x00\x11\x1d" if transport == "tcp" else b"\x00\x01\x6e"
    if dport in (5222, 5269, 7400):
        return _xmpp("example.com"), _xmpp("client.example.com")
    if dport == 5432:
        return struct.pack("!II", 8, 80877103), b"N"  # SSLRequest, refused
    if dport == 69:
        return b"\x00\x01SEP001122334455.cnf.xml\x00octet\x00", b"\x00\x03\x00\x01<device/>"
    if dport == 7080:
        return b"<mwi on='1'/>", b"<ok/>"
    return b"edge-test request\r\n", b"edge-test answer\r\n"


def request_and_answer(flow):
    """(payload kind, request, answer, whether the server speaks first) for a flow."""
    apps = set(a for a in flow.row["app"].split("|") if a)
    c, s, sp, t = flow.client, flow.server, flow.sport, flow.transport
    if "rtp" in apps and t == "udp":
        return "rtp", None, None, False
    if "stun" in apps and t == "udp":
        return "stun", pg.stun_allocate_request(), pg.stun_allocate_error(401), False
    if "sip" in apps and (t == "udp" or "tls" not in apps or sp == 5060):
        via = "UDP" if t == "udp" else "TCP"
        cid = f"edge-{flow.id}-{flow.cport}"
        req = pg.sip_request("OPTIONS", f"sip:{s}", "sip:test@example.com", f"sip:{s}", cid, 1,
                             c, transport=via)
        rsp = pg.sip_response(200, "OK", "sip:test@example.com", f"sip:{s}", cid, 1, c,
                              transport=via)
        return "sip", req, rsp, False
    if t == "tcp" and "ssh" in apps:  # the server's banner comes first
        return "ssh", pg.ssh_banner(), pg.ssh_banner(), True
    if t == "tcp" and "tls" in apps:
        return "tls", pg.tls_client_hello(sni="edge.example.com"), pg.tls_application_data(48), \
            False
    if t == "tcp" and "http" in apps:
        return "http", _http_request(s), _http_response(301, "Moved Permanently"), False
    return ("unchecked",) + unchecked_payload(sp, t) + (False,)


def exchange(cap, flow):
    """The flow's frames: a TCP handshake and data both ways, or UDP both ways."""
    c, cp, s, sp = flow.client, flow.cport, flow.server, flow.sport
    flow.first = len(cap.frames) + 1
    flow.payload, req, rsp, server_first = request_and_answer(flow)
    if flow.payload == "rtp":
        ssrc = 0x5000 + cp
        for seq in range(3):
            cap.add(pg.udp(c, cp, s, sp, pg.rtp(seq=seq, ts=seq * 160, ssrc=ssrc)))
            cap.add(pg.udp(s, sp, c, cp, pg.rtp(seq=100 + seq, ts=seq * 160, ssrc=ssrc + 1)))
    elif flow.transport == "udp":
        cap.add(pg.udp(c, cp, s, sp, req))
        cap.add(pg.udp(s, sp, c, cp, rsp))
    else:
        ses = pg.TcpSession(cap, c, cp, s, sp)
        ses.handshake()
        if server_first:
            ses.reply(rsp)
            ses.send(req)
        else:
            ses.send(req)
            ses.reply(rsp)
    flow.last = len(cap.frames)


def edge_services(path, rows=None):
    """The edge-services capture; returns its flows."""
    cap = pg.Capture()
    flows = plan(rows if rows is not None else parse_services())
    for flow in flows:
        exchange(cap, flow)
    cap.write(path)
    return flows


# ---- other traffic of edge hosts, in neither table --------------------------------------------

class Other:
    def __init__(self, what, first, last):
        self.what, self.first, self.last = what, first, last


def other_traffic(path):
    """Traffic of the edge hosts that neither table documents; returns its flows."""
    cap = pg.Capture()
    rnd = random.Random(20240101)
    flows = []

    def noise(n):
        return bytes([0xE5]) + bytes(rnd.randrange(256) for _ in range(n - 1))

    def udp_both(what, a, ap, b, bp, n=3):
        first = len(cap.frames) + 1
        for _ in range(n):
            cap.add(pg.udp(a, ap, b, bp, noise(120)))
            cap.add(pg.udp(b, bp, a, ap, noise(80)))
        flows.append(Other(what, first, len(cap.frames)))

    def tcp_both(what, a, ap, b, bp, req, rsp):
        first = len(cap.frames) + 1
        s = pg.TcpSession(cap, a, ap, b, bp)
        s.handshake()
        s.send(req)
        s.reply(rsp)
        flows.append(Other(what, first, len(cap.frames)))

    udp_both("Expressway-E public to 203.0.113.9:12345, random UDP", E_PUB, 61234,
             "203.0.113.9", 12345)
    udp_both("Expressway-E private to 192.0.2.99:12345, random UDP", E_PRIV, 61235,
             "192.0.2.99", 12345)
    tcp_both("Meeting Server to a web server on 8080", CMS, 61236, "192.0.2.80", 8080,
             _http_request("192.0.2.80", "/status"), _http_response())
    tcp_both("Expressway-C to a web server on 8080", EXP_C, 61237, "192.0.2.80", 8080,
             _http_request("192.0.2.80"), _http_response())
    tcp_both("Unified CM to 192.0.2.81:9000, random TCP", CUCM, 61238, "192.0.2.81", 9000,
             noise(64), noise(64))
    tcp_both("Expressway-E public to 198.51.100.90:8081, HTTP", E_PUB, 61239, "198.51.100.90",
             8081, _http_request("198.51.100.90"), _http_response())
    cap.write(path)
    return flows


# ---- near misses ------------------------------------------------------------------------------

class NearMiss:
    def __init__(self, what, rule, first, last):
        self.what, self.rule, self.first, self.last = what, rule, first, last


def near_misses(path):
    """Documented flows off by a port or an interface, between configured hosts (small
    deployment, one traversal zone, demultiplexing ports: the defaults); returns them."""
    cap = pg.Capture()
    out = []

    def mark(what, rule, first):
        out.append(NearMiss(what, rule, first, len(cap.frames)))

    def zone_tls(what, cport, zone_port):
        first = len(cap.frames) + 1
        s = pg.TcpSession(cap, EXP_C, cport, E_PRIV, zone_port)
        s.handshake()
        s.send(pg.tls_client_hello(sni="edge-e.example.com"))
        s.reply(pg.tls_application_data(48))
        mark(what, "T1-05", first)

    zone_tls("traversal zone TLS from Expressway-C port 4401 (a translated source)", 4401, 7001)
    zone_tls("traversal zone TLS to 7002 with one traversal zone", 25010, 7002)

    first = len(cap.frames) + 1
    s = pg.TcpSession(cap, EXP_C, 30010, E_PUB, 2222)
    s.handshake()
    s.reply(pg.ssh_banner())
    s.send(pg.ssh_banner())
    mark("SSH tunnel to the Expressway-E public address", "T1-04", first)

    first = len(cap.frames) + 1
    cap.add(pg.udp(CMS, 40020, E_PRIV, 3479, pg.stun_allocate_request()))
    cap.add(pg.udp(E_PRIV, 3479, CMS, 40020, pg.stun_allocate_error(401)))
    cap.add(pg.udp(CMS, 40020, E_PRIV, 3479, pg.stun_allocate_request(username="cms")))
    mark("Meeting Server TURN Allocate to the private address on 3479, small deployment",
         "T1-10", first)

    first = len(cap.frames) + 1
    for seq in range(4):
        cap.add(pg.udp(EXP_C, 36002, E_PRIV, 2778, pg.rtp(seq=seq, ts=seq * 160, ssrc=0x6000)))
    mark("Assent RTP from Expressway-C 36002 to Expressway-E 2778", "T2-06", first)
    cap.write(path)
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write_hosts(os.path.join(out, "edge.hosts"))
    for f in edge_services(os.path.join(out, "edge-services.pcap")):
        print(f)
    other_traffic(os.path.join(out, "edge-other.pcap"))
    near_misses(os.path.join(out, "edge-near-misses.pcap"))


if __name__ == "__main__":
    main()
