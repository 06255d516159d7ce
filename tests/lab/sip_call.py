#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SIP calls that cross Expressway-E and Expressway-C to the Meeting Server, for the lab.

  sip_call.py --cert CERT --key KEY [--avoid PORT,PORT,...] [--keylog FILE]

One process plays the four hosts (the SIP endpoint, Expressway-E, Expressway-C and the Meeting
Server), each socket bound to its host's address and to a port in the range Cisco's port
reference gives, and makes three calls over real TCP, UDP and TLS connections on loopback:

  1. clear text, complete: endpoint -> Expressway-E 5060 (TCP), Expressway-E -> Expressway-C over
     the traversal zone connection Expressway-C opened to 7001 (TCP), Expressway-C 5060 ->
     Meeting Server 5060 (UDP); one Call-ID on the three hops, the SDP rewritten on each
     (Expressway-E offers its demultiplexing port 2776 on the private side); RTP and RTCP both
     ways on every hop between the addresses and ports the SDP named.
  2. the same with another Call-ID and other ports, but the Meeting Server never sends media.
  3. over TLS on every hop (5061, the zone on 7001 with TLS, 5061 at the Meeting Server):
     nothing in clear, the media on the hops starts within a second.

The calls are at least QUIET seconds apart. Every socket has a timeout, every stream a fixed
number of packets, and the whole run an alarm: it fails (exit 1, with the reason on stderr)
rather than wait for a peer. On success it prints, as one JSON list, what each call really used
(its Call-ID, the signalling connections and the media flows per hop, as the first packet went),
for lab.sh's answer key.
"""
import argparse
import errno
import json
import random
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import uuid

ENDPOINT, E_PUB, E_PRIV, EXP_C, CMS = \
    "127.0.1.21", "127.0.1.10", "127.0.2.10", "127.0.2.20", "127.0.2.30"
TIMEOUT = 5.0  # every socket operation
ALARM = 50  # the whole run
QUIET = 5.0  # seconds between the end of one call and the start of the next
PACKETS = 25  # RTP packets each way on each hop, one every 20 ms (G.711, 160 bytes)
TICK = 0.02
HOPS = ("endpoint-expressway-e", "traversal-zone", "expressway-c-meeting-server")
# port ranges (Cisco's port reference, tables/port-reference.tsv, T2-01..T2-10)
ZONE_SRC = (25000, 29999)  # Expressway-C's traversal zone and TLS connections (T2-01, T2-03)
EP_SIG = (40000, 49999)  # the endpoint's SIP source port (>=1024, T2-04/T2-05)
EP_MEDIA = (16384, 23998)  # the endpoint's RTP (>=1024, T2-08/T2-09)
EXP_MEDIA = (36000, 59998)  # Expressway media (T2-06, T2-08, T2-10)
CMS_MEDIA = (50000, 50998)  # the Meeting Server's media (50000-51000)
DEMUX = 2776  # Expressway-E's Assent demultiplexing port (RTCP on 2777)


def log(msg):
    print(f"sip_call: {msg}", file=sys.stderr, flush=True)


class Failed(Exception):
    pass


class Ports:
    """Ports drawn afresh each run, never the same twice, never one lab.sh names in --avoid."""

    def __init__(self, avoid):
        self.used = set(avoid)

    def draw(self, lo, hi, even=False):
        for _ in range(1000):
            p = random.randint(lo, hi)
            if even:
                p &= ~1
            if lo <= p <= hi and p not in self.used and (not even or p + 1 not in self.used):
                self.used.add(p)
                if even:
                    self.used.add(p + 1)
                return p
        raise Failed(f"no free port in {lo}-{hi}")


def retrying(ports, lo, hi, make, even=False):
    """make(port) with ports drawn in lo-hi, again with another when the port is taken (a
    connection of an earlier run in TIME_WAIT, another program's socket)."""
    for _ in range(20):
        port = ports.draw(lo, hi, even)
        try:
            return make(port)
        except OSError as e:
            if e.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                raise
            log(f"port {port} taken ({e.strerror}), drawing another")
    raise Failed(f"no usable port in {lo}-{hi}")


def udp(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((addr, port))
    except OSError:
        s.close()
        raise
    s.settimeout(TIMEOUT)
    return s


def media_pair(ports, addr, lo, hi):
    """RTP on an even port and RTCP on the next: (port, rtp socket, rtcp socket)."""
    def make(port):
        a = udp(addr, port)
        try:
            return port, a, udp(addr, port + 1)
        except OSError:
            a.close()
            raise
    return retrying(ports, lo, hi, make, even=True)


def listener(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    s.settimeout(TIMEOUT)
    return s


def connect(ports, src, lo, hi, dst, dport):
    """A TCP connection from src, a port drawn in lo-hi, to dst:dport."""
    def make(port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(TIMEOUT)
        try:
            s.bind((src, port))
            s.connect((dst, dport))
        except OSError:
            s.close()
            raise
        return s
    return retrying(ports, lo, hi, make)


class Contexts:
    def __init__(self, cert, key, keylog=None):
        self.server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server.load_cert_chain(cert, key)
        self.client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client.check_hostname = False
        self.client.verify_mode = ssl.CERT_NONE
        if keylog:  # the sessions' secrets (NSS key log), to read the TLS call afterwards
            self.client.keylog_filename = keylog


def accept(lsock, client, tls=None):
    """The server's end of the connection client has just opened to lsock (over TLS with the
    handshake of both ends: the server's in a thread, the client's here). (client, server)."""
    if tls is None:
        conn, _ = lsock.accept()
        conn.settimeout(TIMEOUT)
        return client, conn
    got = {}

    def serve():
        try:
            conn, _ = lsock.accept()
            conn.settimeout(TIMEOUT)
            got["conn"] = tls.server.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError) as e:
            got["error"] = e
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    wrapped = tls.client.wrap_socket(client)
    t.join(TIMEOUT + 1)
    if "conn" not in got:
        raise Failed(f"TLS accept on {lsock.getsockname()}: {got.get('error', 'timed out')}")
    return wrapped, got["conn"]


def name(addr_port):
    return f"{addr_port[0]}:{addr_port[1]}"


# ---- SIP ------------------------------------------------------------------------------------

class End:
    """One end of a hop's signalling: a connected stream socket, or a UDP socket and its peer."""

    def __init__(self, sock, host, port, peer=None):
        self.sock, self.host, self.port, self.peer = sock, host, port, peer
        self.buf = b""

    def send(self, text):
        data = text.encode()
        if self.peer:
            self.sock.sendto(data, self.peer)
        else:
            self.sock.sendall(data)

    def recv(self):
        """One SIP message: (first line, {header: value}, body)."""
        if self.peer:
            data, src = self.sock.recvfrom(65535)
            if src != self.peer:
                raise Failed(f"SIP from {src}, expected {self.peer}")
        else:
            while b"\r\n\r\n" not in self.buf:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise Failed(f"{self.host}:{self.port}: connection closed mid-message")
                self.buf += chunk
            head, _, rest = self.buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() in (b"content-length", b"l"):
                    length = int(v)
            while len(rest) < length:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise Failed(f"{self.host}:{self.port}: connection closed mid-body")
                rest += chunk
            data, self.buf = head + b"\r\n\r\n" + rest[:length], rest[length:]
        head, _, body = data.decode().partition("\r\n\r\n")
        lines = head.split("\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        return lines[0], headers, body

    def close(self):
        if not self.peer:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


def sdp(user, addr, port):
    return (f"v=0\r\no={user} {random.randint(1, 2**31)} 1 IN IP4 {addr}\r\ns=-\r\n"
            f"c=IN IP4 {addr}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\n"
            f"a=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n")


def sdp_media(body):
    """(address, port) that an SDP body offers for audio."""
    addr = port = None
    for line in body.split("\r\n"):
        if line.startswith("c=IN IP4 "):
            addr = line.split()[2]
        elif line.startswith("m=audio "):
            port = int(line.split()[1])
    if addr is None or port is None:
        raise Failed(f"no audio in SDP {body!r}")
    return addr, port


class Hop:
    """One hop's dialog: a (the caller's side, which sends the INVITE) and b (the callee's)."""

    def __init__(self, label, transport, a, a_user, b, b_user, call):
        self.label, self.t, self.a, self.b = label, transport, a, b
        self.a_user, self.b_user, self.call = a_user, b_user, call
        self.to_tag = None
        self.forwards = 70 - HOPS.index(label)

    def contact(self, end, user):
        return f"<sip:{user}@{end.host}:{end.port};transport={self.t.lower()}>"

    def request(self, method, cseq, body=""):
        """a sends method to b; b reads it. Returns b's reading."""
        uri = f"sip:{self.b_user}@{self.b.host}:{self.b.port};transport={self.t.lower()}" \
            if method != "INVITE" else "sip:space@lab.example"
        to = "<sip:space@lab.example>" + (f";tag={self.to_tag}" if self.to_tag else "")
        msg = (f"{method} {uri} SIP/2.0\r\n"
               f"Via: SIP/2.0/{self.t} {self.a.host}:{self.a.port};branch=z9hG4bK"
               f"{uuid.uuid4().hex[:16]};rport\r\n"
               f"Max-Forwards: {self.forwards}\r\n"
               f"From: <sip:endpoint@lab.example>;tag={self.call['from_tag']}\r\n"
               f"To: {to}\r\nCall-ID: {self.call['call_id']}\r\nCSeq: {cseq} {method}\r\n"
               f"Contact: {self.contact(self.a, self.a_user)}\r\n"
               f"User-Agent: lab {self.a_user}\r\n")
        if body:
            msg += "Content-Type: application/sdp\r\n"
        msg += f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
        self.a.send(msg)
        got = self.b.recv()
        if not got[0].startswith(method + " ") or got[1].get("call-id") != self.call["call_id"]:
            raise Failed(f"{self.label}: expected {method}, got {got[0]!r}")
        return got

    def respond(self, req, code, reason, body=""):
        """b answers req; a reads the answer. Returns a's reading."""
        _, h, _ = req
        to = h["to"]
        if code >= 200 and ";tag=" not in to:
            to += f";tag={self.to_tag}"
        msg = (f"SIP/2.0 {code} {reason}\r\nVia: {h['via']}\r\nFrom: {h['from']}\r\nTo: {to}\r\n"
               f"Call-ID: {h['call-id']}\r\nCSeq: {h['cseq']}\r\n")
        if code == 200 and h["cseq"].endswith("INVITE"):
            msg += f"Contact: {self.contact(self.b, self.b_user)}\r\n"
        msg += f"Server: lab {self.b_user}\r\n"
        if body:
            msg += "Content-Type: application/sdp\r\n"
        msg += f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
        self.b.send(msg)
        got = self.a.recv()
        if not got[0].startswith(f"SIP/2.0 {code} "):
            raise Failed(f"{self.label}: expected {code}, got {got[0]!r}")
        return got


# ---- media ----------------------------------------------------------------------------------

class Stream:
    """PACKETS RTP packets (and an RTCP sender report with the first and the last) from one
    socket pair. dst None: latch, i.e. send to where the peer's first packet came from, once it
    came (Expressway-E towards the endpoint, T2-10)."""

    def __init__(self, hop, rtp, rtcp, dst, start=0, expect=None):
        self.hop, self.rtp, self.rtcp, self.dst, self.start = hop, rtp, rtcp, dst, start
        self.expect = expect  # where the latched peer must be: what its SDP said
        self.ssrc = random.getrandbits(32)
        self.sent = 0
        self.latched_at = None

    def due(self, tick):
        if self.sent >= PACKETS:
            return False
        if self.dst is None:
            return self.latched_at is not None and tick > self.latched_at
        return tick >= self.start

    def send(self):
        seq = self.sent
        self.rtp.sendto(struct.pack("!BBHII", 0x80, 0, seq, seq * 160, self.ssrc) + b"\xd5" * 160,
                        self.dst)
        if seq in (0, PACKETS - 1):
            ntp = int((time.time() + 2208988800) * 2**32) & (2**64 - 1)  # NTP timestamp
            self.rtcp.sendto(struct.pack("!BBHIQIII", 0x80, 200, 6, self.ssrc, ntp, seq * 160,
                                         seq + 1, (seq + 1) * 160),
                             (self.dst[0], self.dst[1] + 1))
        self.sent += 1


def run_media(streams, listeners):
    """Every stream's packets, 20 ms apart, while every socket (listeners too: the ones that only
    receive) is drained. Returns ({hop: [[first sender, receiver], ...]} for RTP and for RTCP,
    and {(sender, receiver): RTP packets})."""
    socks = {}
    for s in streams:
        socks[s.rtp] = ("rtp", s)
        socks[s.rtcp] = ("rtcp", s)
    for hop, rtp, rtcp in listeners:
        socks.setdefault(rtp, ("rtp", None))
        socks.setdefault(rtcp, ("rtcp", None))
    hop_of = {}
    for s in streams:
        hop_of[s.rtp] = hop_of[s.rtcp] = s.hop
    for hop, rtp, rtcp in listeners:
        hop_of[rtp] = hop_of[rtcp] = hop
    first = {"rtp": {}, "rtcp": {}}  # {hop: [(sender, receiver) in the order first seen]}
    counts = {}
    t0 = time.monotonic()
    last = max(s.start for s in streams if s.dst) + PACKETS + 10
    for tick in range(last + 25):
        for s in streams:
            if s.due(tick):
                s.send()
        deadline = t0 + (tick + 1) * TICK
        while (left := deadline - time.monotonic()) > 0:
            for sock in select.select(list(socks), [], [], left)[0]:
                data, src = sock.recvfrom(2048)
                kind, owner = socks[sock]
                here = sock.getsockname()
                pair = (name(src), name(here))
                seen = first[kind].setdefault(hop_of[sock], [])
                if pair not in seen and pair[::-1] not in seen:
                    seen.append(pair)
                if kind == "rtp":
                    counts[pair] = counts.get(pair, 0) + 1
                if owner is not None and owner.dst is None and kind == "rtp" and \
                        owner.latched_at is None:
                    if src != owner.expect:
                        raise Failed(f"{owner.hop}: media from {src}, its SDP said {owner.expect}")
                    owner.dst, owner.latched_at = src, tick
        if tick > last and all(s.sent >= PACKETS for s in streams):
            break
    for s in streams:
        if s.sent != PACKETS:
            raise Failed(f"{s.hop}: sent {s.sent} of {PACKETS} packets (nothing to latch to?)")
    as_lists = {k: {hop: [list(p) for p in v] for hop, v in first[k].items()} for k in first}
    return as_lists["rtp"], as_lists["rtcp"], counts


# ---- the calls ------------------------------------------------------------------------------

def call(n, ports, sig, one_way=False, stagger=(0, 1, 2)):
    """One call from the endpoint to the Meeting Server. sig: its signalling, {"t": (transport of
    each hop), "ep": (endpoint's End, Expressway-E's), "zone": (Expressway-E's End,
    Expressway-C's), "cms": a function that opens Expressway-C's connection to the Meeting
    Server when the INVITE is there to forward and returns (Expressway-C's End, the Meeting
    Server's), "demux": Expressway-E's demultiplexing sockets (2776, 2777), "flows": the
    signalling connections for the key}. stagger: the tick each hop's media starts on. Returns
    the call's entry of the answer key."""
    c = {"call_id": f"{uuid.uuid4().hex}@{ENDPOINT}", "from_tag": uuid.uuid4().hex[:10]}
    t_ep, t_zone, t_cms = sig["t"]
    ep_end, e_pub_end = sig["ep"]
    e_zone_end, c_zone_end = sig["zone"]
    hop1 = Hop(HOPS[0], t_ep, ep_end, "endpoint", e_pub_end, "expressway-e", c)
    hop2 = Hop(HOPS[1], t_zone, e_zone_end, "expressway-e", c_zone_end, "expressway-c", c)
    # media sockets, before any SDP names them
    ep_port, ep_rtp, ep_rtcp = media_pair(ports, ENDPOINT, *EP_MEDIA)
    epub_port, epub_rtp, epub_rtcp = media_pair(ports, E_PUB, *EXP_MEDIA)
    ca_port, ca_rtp, ca_rtcp = media_pair(ports, EXP_C, *EXP_MEDIA)  # C towards E (Assent)
    cc_port, cc_rtp, cc_rtcp = media_pair(ports, EXP_C, *EXP_MEDIA)  # C towards the CMS
    cms_port, cms_rtp, cms_rtcp = media_pair(ports, CMS, *CMS_MEDIA)
    demux_rtp, demux_rtcp = sig["demux"]

    # INVITE down, 100 Trying back at once, 200 OK up, ACK down
    inv1 = hop1.request("INVITE", 1, sdp("endpoint", ENDPOINT, ep_port))
    hop1.respond(inv1, 100, "Trying")
    inv2 = hop2.request("INVITE", 1, sdp("expressway-e", E_PRIV, DEMUX))
    hop2.respond(inv2, 100, "Trying")
    c_cms_end, cms_end = sig["cms"]()
    hop3 = Hop(HOPS[2], t_cms, c_cms_end, "expressway-c", cms_end, "meeting-server", c)
    inv3 = hop3.request("INVITE", 1, sdp("expressway-c", EXP_C, cc_port))
    hop3.respond(inv3, 100, "Trying")
    to_tag = uuid.uuid4().hex[:10]  # the Meeting Server's, passed back up
    for h in (hop1, hop2, hop3):
        h.to_tag = to_tag
    ok3 = hop3.respond(inv3, 200, "OK", sdp("meeting-server", CMS, cms_port))
    ok2 = hop2.respond(inv2, 200, "OK", sdp("expressway-c", EXP_C, ca_port))
    ok1 = hop1.respond(inv1, 200, "OK", sdp("expressway-e", E_PUB, epub_port))
    for h in (hop1, hop2, hop3):
        h.request("ACK", 1)

    # each side sends to what the other's SDP said, as read off the wire
    offer = {h.label: sdp_media(inv[2]) for h, inv in ((hop1, inv1), (hop2, inv2), (hop3, inv3))}
    answer = {h.label: sdp_media(ok[2]) for h, ok in ((hop1, ok1), (hop2, ok2), (hop3, ok3))}
    s1, s2, s3 = stagger
    streams = [
        Stream(HOPS[0], ep_rtp, ep_rtcp, answer[HOPS[0]], s1),              # T2-08, T2-09
        Stream(HOPS[0], epub_rtp, epub_rtcp, None, expect=offer[HOPS[0]]),  # T2-10, latched
        Stream(HOPS[1], ca_rtp, ca_rtcp, offer[HOPS[1]], s2),               # T2-06, T2-07
        # Expressway-E answers from the demultiplexing port, to the port the media came from
        Stream(HOPS[1], demux_rtp, demux_rtcp, None, expect=answer[HOPS[1]]),
        Stream(HOPS[2], cc_rtp, cc_rtcp, answer[HOPS[2]], s3),
    ]
    listen_only = []
    if one_way:  # the Meeting Server takes Expressway-C's media and sends none
        listen_only.append((HOPS[2], cms_rtp, cms_rtcp))
    else:
        streams.append(Stream(HOPS[2], cms_rtp, cms_rtcp, offer[HOPS[2]], s3 + 1))
    media, rtcp, counts = run_media(streams, listen_only)
    for pair, k in sorted(counts.items()):
        if k != PACKETS:
            raise Failed(f"call {n}: {pair[0]} -> {pair[1]}: {k} RTP packets, not {PACKETS}")
    if len(counts) != len(streams):
        raise Failed(f"call {n}: {len(counts)} RTP streams arrived, {len(streams)} were sent")

    # the endpoint hangs up: BYE down, 200 OK back up
    byes = [h.request("BYE", 2) for h in (hop1, hop2, hop3)]
    for h, bye in reversed(list(zip((hop1, hop2, hop3), byes))):
        h.respond(bye, 200, "OK")
    for s in (ep_rtp, ep_rtcp, epub_rtp, epub_rtcp, ca_rtp, ca_rtcp, cc_rtp, cc_rtcp, cms_rtp,
              cms_rtcp):
        s.close()
    clear = "TLS" not in sig["t"]
    entry = {"call_id": c["call_id"] if clear else None,
             "hops": list(HOPS),
             "signalling": sig["flows"],
             "media": {h: media[h] for h in HOPS},
             "rtcp": {h: rtcp[h] for h in HOPS},
             "tied_by": "call-id" if clear else "timing",
             "verdict": "one-way" if one_way else "complete"}
    if one_way:
        entry["one_way"] = [f"{EXP_C}:{cc_port}", f"{CMS}:{cms_port}"]
    log(f"call {n}: {json.dumps(entry)}")
    return entry


def stream_pair(ports, src, lo, hi, lsock, tls=None):
    """A connection from src (a port drawn in lo-hi) to lsock: (client's End, server's End)."""
    host, port = lsock.getsockname()
    client = connect(ports, src, lo, hi, host, port)
    cport = client.getsockname()[1]
    client, server = accept(lsock, client, tls)
    return End(client, src, cport), End(server, host, port)


def flow(a, b, transport):
    return [f"{a.host}:{a.port}", f"{b.host}:{b.port}", transport]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--avoid", default="", help="ports other scenarios use, comma-separated")
    ap.add_argument("--keylog", help="write the TLS sessions' secrets here (tls.keylog_file)")
    args = ap.parse_args()

    def alarm(*_):
        raise Failed(f"still running after {ALARM} s")
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(ALARM)
    ports = Ports(int(p) for p in args.avoid.split(",") if p)
    ports.used |= {DEMUX, DEMUX + 1, 5060, 5061, 7001}
    tls = Contexts(args.cert, args.key, args.keylog)
    demux = (udp(E_PRIV, DEMUX), udp(E_PRIV, DEMUX + 1))  # shared by every call, as on a real E
    calls = []

    # calls 1 and 2, in clear: one traversal zone connection that Expressway-C opened, SIP over
    # UDP between Expressway-C and the Meeting Server (T2-02), a new TCP connection per call
    # from the endpoint (T2-04)
    zl = listener(E_PRIV, 7001)
    c_zone, e_zone = stream_pair(ports, EXP_C, *ZONE_SRC, zl)                  # T2-01
    zl.close()
    c_udp, cms_udp = udp(EXP_C, 5060), udp(CMS, 5060)
    c_udp_end, cms_udp_end = End(c_udp, EXP_C, 5060, (CMS, 5060)), End(cms_udp, CMS, 5060,
                                                                        (EXP_C, 5060))
    el = listener(E_PUB, 5060)
    for n in (1, 2):
        if n == 2:
            time.sleep(QUIET)
        ep, e_pub = stream_pair(ports, ENDPOINT, *EP_SIG, el)
        sig = {"t": ("TCP", "TCP", "UDP"), "ep": (ep, e_pub), "zone": (e_zone, c_zone),
               "cms": lambda: (c_udp_end, cms_udp_end), "demux": demux,
               "flows": {HOPS[0]: flow(ep, e_pub, "tcp"), HOPS[1]: flow(c_zone, e_zone, "tcp"),
                         HOPS[2]: flow(c_udp_end, cms_udp_end, "udp")}}
        calls.append(call(n, ports, sig, one_way=(n == 2)))
        ep.close()
        e_pub.close()
    el.close()
    c_zone.close()
    e_zone.close()
    c_udp.close()
    cms_udp.close()
    time.sleep(QUIET)

    # call 3, over TLS on every hop: the zone (T2-01), the endpoint to 5061 (T2-05), Expressway-C
    # to the Meeting Server's 5061 from 25000-29999 (T2-03), opened for the call
    zl = listener(E_PRIV, 7001)
    c_zone, e_zone = stream_pair(ports, EXP_C, *ZONE_SRC, zl, tls)
    zl.close()
    el = listener(E_PUB, 5061)
    ep, e_pub = stream_pair(ports, ENDPOINT, *EP_SIG, el, tls)
    el.close()
    cl = listener(CMS, 5061)
    opened = []

    def to_cms():
        opened.extend(stream_pair(ports, EXP_C, *ZONE_SRC, cl, tls))
        return tuple(opened)
    sig = {"t": ("TLS", "TLS", "TLS"), "ep": (ep, e_pub), "zone": (e_zone, c_zone), "cms": to_cms,
           "demux": demux, "flows": {HOPS[0]: flow(ep, e_pub, "tls"),
                                     HOPS[1]: flow(c_zone, e_zone, "tls")}}
    # the media starts on the three hops within a second: nothing else ties them
    entry = call(3, ports, sig, stagger=(0, 15, 30))
    entry["signalling"][HOPS[2]] = flow(opened[0], opened[1], "tls")
    calls.append(entry)
    for end in (ep, e_pub, *opened, c_zone, e_zone):
        end.close()
    cl.close()
    for s in demux:
        s.close()
    signal.alarm(0)
    sys.stdout.write("[" + ",\n  ".join(json.dumps(c) for c in calls) + "]\n")  # a call a line
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Failed, OSError, ssl.SSLError, ValueError, KeyError) as e:
        log(f"failed: {type(e).__name__}: {e}")
        sys.exit(1)
