#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The captures the end-to-end tests read, built from Python, deterministic to the byte.

Each capture is a list of flows with a known answer: every frame's expected rows, roles and
verdicts are in the golden files beside this script. Addresses come from the documentation
ranges (RFC 5737, RFC 3849); nothing here is ever sent on a network.

  python3 tests/e2e/captures.py OUT_DIR          writes every capture into OUT_DIR
  python3 tests/e2e/captures.py --sample FILE    writes the README's sample capture
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapwriter as pg  # noqa: E402

# The deployment: one dual-NIC Expressway-E, an Expressway-C, a Meeting Server, a Unified CM.
E_PUB = "203.0.113.10"
E_PRIV = "192.0.2.10"
EXP_C = "192.0.2.20"
CMS = "192.0.2.30"
CUCM = "192.0.2.40"
ADMIN = "192.0.2.50"
ENDPOINT = "198.51.100.21"   # a SIP endpoint configured as such
GUEST = "198.51.100.31"      # a browser nobody configured
LYNC = "198.51.100.41"       # a Microsoft client nobody configured
E6 = "2001:db8::10"          # a single-NIC Expressway-E on IPv6
ENDPOINT6 = "2001:db8:1::21"
STRANGER_A = "198.51.100.200"
STRANGER_B = "198.51.100.201"
DNS_SERVER = "198.51.100.53"

# The cmsedge_hosts UAT for these captures (address, role, name).
HOSTS = [
    (E_PUB, "expressway-e-public", "edge-e-public"),
    (E_PRIV, "expressway-e-private", "edge-e-private"),
    (EXP_C, "expressway-c", "edge-c"),
    (CMS, "meeting-server", "cms1"),
    (CUCM, "unified-cm", "cucm1"),
    (ADMIN, "admin-pc", "admin"),
    (ENDPOINT, "sip-endpoint", "room-kit"),
    (E6, "expressway-e", "edge-e-v6"),
]


def write_hosts(path):
    """Write HOSTS as a cmsedge_hosts UAT file."""
    with open(path, "w", encoding="utf-8") as f:
        for address, role, name in HOSTS:
            f.write(f'"{address}","{role}","{name}"\n')


def uat_options():
    """HOSTS as tshark -o arguments."""
    args = []
    for address, role, name in HOSTS:
        args += ["-o", f'uat:cmsedge_hosts:"{address}","{role}","{name}"']
    return args


def nat_reflection(one_direction=False):
    """Footnote 5, for the firewall verdict: relay media from the Expressway-E's private
    address to its own public address that never comes back reflected, in a capture that shows
    traffic arriving at the private address (the traversal zone's SIP), or (one_direction) in
    one that holds the private address's outbound traffic only."""
    cap = pg.Capture()
    rtp_stream(cap, E_PRIV, 24040, E_PUB, 24042, 0x8500, packets=12)
    if not one_direction:
        sip_session(cap, EXP_C, 25004, E_PRIV, 7001)
    return cap


def nat_reflected():
    cap = nat_reflection()
    rtp_stream(cap, E_PUB, 24042, E_PRIV, 24040, 0x8600, packets=12)
    return cap


def relay_unanswered(another_peer_answers=False, one_direction=False):
    """For the firewall verdict: a browser's TURN relay sends a peer twelve datagrams and the
    peer never answers; with another_peer_answers, a second peer reaches the same relay (ICE
    tried a candidate it cannot reach: no firewall fault); with one_direction, only what the
    Expressway-E sent was captured."""
    cap = pg.Capture()
    if one_direction:
        e_pub = bytes(int(x) for x in E_PUB.split("."))
        cap.frames = [f for f in relay_unanswered().frames
                      if f.data[26:30] == e_pub]  # Ethernet, then the IPv4 source
        return cap
    cap.add(pg.udp(GUEST, 50200, E_PUB, 3478, pg.stun_allocate_request()))
    cap.add(pg.udp(E_PUB, 3478, GUEST, 50200, pg.stun_allocate_success(E_PUB, 24300, GUEST, 50200)))
    for seq in range(1, 13):
        media = pg.rtp(seq=seq, ts=seq * 160, ssrc=0x8700)
        cap.add(pg.udp(GUEST, 50200, E_PUB, 3478, pg.channel_data(0x4000, media)))
        cap.add(pg.udp(E_PUB, 24300, STRANGER_A, 40000, media))
        if another_peer_answers and seq <= 3:
            cap.add(pg.udp(STRANGER_B, 40002, E_PUB, 24300, pg.rtp(seq=seq, ts=seq * 160,
                                                                   ssrc=0x8800)))
    return cap


def rtp_stream(cap, a, aport, b, bport, ssrc, packets=2, first_seq=1, mux_id=None):
    """A short RTP stream one way: RTP is recognised from its second packet on, as a stream."""
    for seq in range(first_seq, first_seq + packets):
        rtp = pg.rtp(seq=seq, ts=seq * 160, ssrc=ssrc) if mux_id is None else \
            pg.rtp_with_mux_id(mux_id, seq=seq, ts=seq * 160, ssrc=ssrc)
        cap.add(pg.udp(a, aport, b, bport, rtp))


def rtp_pair(cap, a, aport, b, bport, ssrc):
    """A short RTP stream each way."""
    rtp_stream(cap, a, aport, b, bport, ssrc)
    rtp_stream(cap, b, bport, a, aport, ssrc + 1, first_seq=7)


def tls_session(cap, client, cport, server, sport, sni=None):
    s = pg.TcpSession(cap, client, cport, server, sport)
    s.handshake()
    s.send(pg.tls_client_hello(sni=sni))
    s.reply(pg.tls_application_data(64))
    return s


def sip_session(cap, client, cport, server, sport):
    s = pg.TcpSession(cap, client, cport, server, sport)
    s.handshake()
    s.send(pg.sip_request("OPTIONS", f"sip:{server}", "sip:a@example.com", "sip:b@example.com",
                          f"cid-{cport}", 1, client, transport="TCP"))
    s.reply(pg.sip_response(200, "OK", "sip:a@example.com", "sip:b@example.com", f"cid-{cport}",
                            1, client, transport="TCP"))
    return s


def documented():
    """A frame or two for the rows of all four tables, in both directions."""
    cap = pg.Capture()
    # Table 1: web proxy
    tls_session(cap, GUEST, 50000, E_PUB, 443, sni="join.example.com")           # T1-01
    cap.add(pg.udp(GUEST, 50001, E_PUB, 3478, pg.stun_allocate_request()))       # T1-06
    cap.add(pg.udp(E_PUB, 3478, GUEST, 50001,
                   pg.stun_allocate_success(E_PUB, 24100, GUEST, 50001)))
    for seq in (1, 2):                                                           # T1-02
        cap.add(pg.udp(GUEST, 50001, E_PUB, 3478,
                       pg.channel_data(0x4000, pg.rtp(seq=seq, ts=160 * seq, ssrc=0x1111))))
    tls_session(cap, ADMIN, 50002, E_PRIV, 8443)                                 # T1-03
    s = pg.TcpSession(cap, EXP_C, 30001, E_PRIV, 2222)                           # T1-04
    s.handshake()
    s.send(pg.ssh_banner())
    s.reply(pg.ssh_banner())
    tls_session(cap, EXP_C, 25001, E_PRIV, 7001)                                 # T1-05 zone 1
    tls_session(cap, EXP_C, 30002, CMS, 443)                                     # T1-08
    tls_session(cap, CMS, 40000, EXP_C, 30003)                                   # T1-09
    cap.add(pg.udp(CMS, 40001, E_PRIV, 3478, pg.stun_binding_request()))         # T1-10
    rtp_pair(cap, E_PRIV, 24000, E_PUB, 24002, 0x2000)                           # T1-11
    rtp_pair(cap, E_PRIV, 24004, E_PRIV, 24006, 0x2100)                          # T1-12
    rtp_pair(cap, CMS, 40002, E_PUB, 24008, 0x2200)                              # T1-13
    # Table 2: standards-based endpoints
    sip_session(cap, EXP_C, 25002, E_PRIV, 7001)                                 # T2-01 SIP/TCP
    cap.add(pg.udp(EXP_C, 5060, CMS, 5060,                                       # T2-02
                   pg.sip_request("OPTIONS", f"sip:{CMS}", "sip:c@example.com",
                                  "sip:cms@example.com", "cid-udp", 1, EXP_C, transport="UDP")))
    tls_session(cap, EXP_C, 25003, CMS, 5061)                                    # T2-03
    sip_session(cap, ENDPOINT, 5062, E_PUB, 5060)                                # T2-04
    tls_session(cap, ENDPOINT, 40003, E_PUB, 5061)                               # T2-05
    rtp_pair(cap, EXP_C, 36002, E_PRIV, 2776, 0x3000)                            # T2-06
    rtp_stream(cap, EXP_C, 36004, E_PRIV, 2776, 0x3010, mux_id=0x0102)           # T2-06, mux id
    cap.add(pg.udp(EXP_C, 36003, E_PRIV, 2777, pg.rtcp_sender_report(0x3000)))  # T2-07
    rtp_stream(cap, ENDPOINT, 40004, E_PUB, 36010, 0x3100)                       # T2-08
    cap.add(pg.udp(ENDPOINT, 40005, E_PUB, 36011, pg.rtcp_sender_report(0x3100)))     # T2-09
    rtp_stream(cap, E_PUB, 36010, ENDPOINT, 40004, 0x3200)                       # T2-10,
    # latched: Expressway-E answers at the address and port the endpoint's media came from
    cap.add(pg.udp(GUEST, 40007, E_PUB, 3478, pg.stun_binding_request()))        # T2-11 & co
    cap.add(pg.udp(CMS, 40008, E_PRIV, 3478, pg.stun_allocate_request()))        # T2-12
    rtp_stream(cap, E_PUB, 24100, GUEST, 40009, 0x3300)                          # T2-13
    cap.add(pg.udp(GUEST, 50005, E_PUB, 3478, pg.stun_allocate_request()))       # T2-11
    cap.add(pg.udp(E_PUB, 3478, GUEST, 50005,
                   pg.stun_allocate_success(E_PUB, 24012, GUEST, 50005)))
    cap.add(pg.udp(GUEST, 40010, E_PUB, 24012, pg.dtls_client_hello()))          # T2-14
    rtp_pair(cap, CMS, 50000, E_PRIV, 24014, 0x3400)                             # T2-15
    # Table 4: Microsoft interoperability
    tls_session(cap, LYNC, 40011, E_PUB, 5061)                                   # T4-04
    tls_session(cap, EXP_C, 25009, CUCM, 5061)                                   # T4-05
    sip_session(cap, CUCM, 40012, EXP_C, 5060)                                   # T4-08
    # IPv6, single-NIC Expressway-E
    rtp_pair(cap, ENDPOINT6, 40020, E6, 36020, 0x6000)                           # T2-08/T2-10
    cap.add(pg.udp(ENDPOINT6, 40021, E6, 3478, pg.stun_binding_request()))       # T3-10 & co
    return cap


def offspec():
    """Traffic of edge hosts that the reference does not document, one reason each."""
    cap = pg.Capture()
    rtp_stream(cap, CMS, 40000, E_PUB, 23000, 0x4000)                            # relay range
    tls_session(cap, EXP_C, 4401, E_PRIV, 7001)                                  # NATed C port
    sip_session(cap, EXP_C, 25005, E_PRIV, 7002)                                 # 2nd zone port
    cap.add(pg.udp(ENDPOINT, 5060, E_PUB, 36010,                                 # SIP to media
                   pg.sip_request("OPTIONS", f"sip:{E_PUB}", "sip:ep@example.com",
                                  "sip:e@example.com", "cid-media", 1, ENDPOINT,
                                  transport="UDP")))
    tls_session(cap, ADMIN, 50003, E_PRIV, 443)                                  # fn 1
    tls_session(cap, CMS, 40001, CUCM, 5061)                                     # no such flow
    cap.add(pg.udp(E_PUB, 40002, DNS_SERVER, 53, pg.dns_query("example.com")))   # undocumented
    return cap


def unrelated():
    """Hosts with no edge role: nothing is judged, and only what no ordinary software makes by
    chance is labelled (Assent media to a demultiplexing port, confirmed as RTP)."""
    cap = pg.Capture()
    cap.add(pg.udp(STRANGER_A, 40000, STRANGER_B, 53, pg.dns_query("example.org")))
    cap.add(pg.udp(STRANGER_A, 40001, STRANGER_B, 50000, b"\xc7" * 40))
    cap.add(pg.udp(STRANGER_A, 40002, STRANGER_B, 36010, b"\x17" * 40))
    s = pg.TcpSession(cap, STRANGER_A, 40003, STRANGER_B, 80)
    s.handshake()
    s.send(b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")
    rtp_stream(cap, STRANGER_A, 40004, STRANGER_B, 36012, 0x5000)   # media on 36000-59999
    rtp_stream(cap, STRANGER_A, 36002, STRANGER_B, 2776, 0x5100)    # Assent media, T2-06
    return cap


def stock_ports():
    """Traffic on ports stock dissectors own, to show they decode exactly as before."""
    cap = pg.Capture()
    cap.add(pg.udp(GUEST, 50010, E_PUB, 3478, pg.stun_allocate_request()))
    cap.add(pg.udp(E_PUB, 3478, GUEST, 50010, pg.stun_allocate_error(401)))
    cap.add(pg.udp(GUEST, 50010, E_PUB, 3478,
                   pg.stun_send_indication(ENDPOINT, 40000, pg.rtp(seq=3, ts=480, ssrc=9))))
    cap.add(pg.udp(EXP_C, 5060, CMS, 5060,
                   pg.sip_request("INVITE", f"sip:{CMS}", "sip:c@example.com",
                                  "sip:cms@example.com", "cid-inv", 1, EXP_C, transport="UDP")))
    sip_session(cap, ENDPOINT, 5070, E_PUB, 5060)
    tls_session(cap, GUEST, 50011, E_PUB, 443, sni="join.example.com")
    tls_session(cap, ENDPOINT, 40030, E_PUB, 5061)
    return cap


def large():
    """Ports that only a Large deployment documents."""
    cap = pg.Capture()
    rtp_stream(cap, EXP_C, 36020, E_PRIV, 36004, 0x7000)
    cap.add(pg.udp(EXP_C, 36021, E_PRIV, 36005, pg.rtcp_sender_report(0x7000)))
    cap.add(pg.udp(GUEST, 40000, E_PUB, 3481, pg.stun_allocate_request()))
    rtp_stream(cap, EXP_C, 36022, E_PRIV, 2776, 0x7100)
    return cap


def flowchecks():
    """Flows that each trip one per-flow check (and nothing else)."""
    cap = pg.Capture()
    # fn 6: media through the TURN port before any relay port carried anything
    cap.add(pg.udp(CMS, 40100, E_PRIV, 3478,
                   pg.channel_data(0x4001, pg.rtp(seq=1, ts=160, ssrc=0x8000))))
    # a Meeting Server sending TURN to the public address although the private one is known
    cap.add(pg.udp(CMS, 40101, E_PUB, 3478, pg.stun_allocate_request()))
    # Assent latching: media to an endpoint before any came from it ...
    cap.add(pg.udp(E_PUB, 36030, ENDPOINT, 40030, pg.rtp(seq=1, ts=0, ssrc=0x8100)))
    # ... and to another port than the one the endpoint's media came from
    cap.add(pg.udp(ENDPOINT, 40032, E_PUB, 36034, pg.rtp(seq=1, ts=0, ssrc=0x8200)))
    cap.add(pg.udp(E_PUB, 36034, ENDPOINT, 40033, pg.rtp(seq=1, ts=0, ssrc=0x8300)))
    # a SIP TLS connection from an endpoint that nobody answers
    s = pg.TcpSession(cap, ENDPOINT, 40040, E_PUB, 5061)
    cap.add(pg.tcp(ENDPOINT, 40040, E_PUB, 5061, flags="S", seq=1000))
    s.cseq = 1001
    s.syn_retransmit(2)
    # the SSH tunnel refused
    s = pg.TcpSession(cap, EXP_C, 30010, E_PRIV, 2222)
    cap.add(pg.tcp(EXP_C, 30010, E_PRIV, 2222, flags="S", seq=1000))
    s.cseq = 1001
    s.rst()
    # Meeting Server media to a relay port that is closed
    media = pg.udp(CMS, 50010, E_PRIV, 24030, pg.rtp(seq=1, ts=0, ssrc=0x8400))
    cap.add(media)
    cap.add(pg.icmp_unreachable(E_PRIV, CMS, media))
    # a relay handed out from outside the relay range
    cap.add(pg.udp(GUEST, 40050, E_PUB, 3478, pg.stun_allocate_request()))
    cap.add(pg.udp(E_PUB, 3478, GUEST, 40050,
                   pg.stun_allocate_success(E_PUB, 30000, GUEST, 40050)))
    # credentials refused again and again
    for _ in range(3):
        cap.add(pg.udp(GUEST, 40051, E_PUB, 3478, pg.stun_allocate_request(username="guest")))
        cap.add(pg.udp(E_PUB, 3478, GUEST, 40051, pg.stun_allocate_error(401)))
    return cap


def facts():
    """What the per-flow checks read from the frame's bytes where the headers are not simply
    Ethernet, IPv4 and UDP/TCP: a tunnel, IPv6 extension headers, ICMPv6, frames cut short,
    STUN over TCP. Not in CAPTURES: Analysis.test_facts_from_the_bytes reads it alone."""
    cap = pg.Capture()
    # a SIP TLS SYN nobody answers, inside an IPv4-in-IPv4 tunnel
    syn = pg.tcp(ENDPOINT, 40060, E_PUB, 5061, flags="S", seq=7000)
    cap.add(pg.tcp(E_PUB, 5061, ENDPOINT, 40059, pg.tls_application_data(40), seq=1, ack=1))
    cap.add(pg.ip_in_ip("198.51.100.250", "203.0.113.250", syn))
    cap.add(pg.ip_in_ip("198.51.100.250", "203.0.113.250", syn))
    # ICMPv6 port unreachable for Assent media, the quoted packet after extension headers
    media = pg.with_ipv6_options(pg.udp(ENDPOINT6, 40020, E6, 36020,
                                        pg.rtp(seq=1, ts=0, ssrc=0x6100)))
    cap.add(media)
    cap.add(pg.icmpv6_unreachable(E6, ENDPOINT6, media))
    # the SSH tunnel's SYN, twice, each cut by the snapshot length inside the TCP header
    # (before its flags): nothing may be read from them
    cut = pg.tcp(EXP_C, 30020, E_PRIV, 2222, flags="S", seq=1000)
    cap.add(cut, caplen=14 + 20 + 12)
    cap.add(cut, caplen=14 + 20 + 12)
    # and cut inside the IP header
    cap.add(cut, caplen=14 + 10)
    # TURN over TCP (the fallback, T1-07): a relay handed out from outside the relay range
    s = pg.TcpSession(cap, GUEST, 40070, E_PUB, 3478)
    s.handshake()
    s.send(pg.stun_allocate_request())
    s.reply(pg.stun_allocate_success(E_PUB, 30000, GUEST, 40070))
    return cap


# Inference: the same deployment, read with no roles configured. INFER_TRUTH is what each host
# is; the test compares what cmsedge infers with it.
INFER_TRUTH = {
    E_PUB: "expressway-e-public",
    E_PRIV: "expressway-e-private",
    EXP_C: "expressway-c",
    CMS: "meeting-server",
}


def inference():
    """Expressway-specific flows of an edge nobody described, then traffic to label."""
    cap = pg.Capture()
    tls_session(cap, EXP_C, 25001, E_PRIV, 7001)                  # traversal zone (C, E)
    s = pg.TcpSession(cap, EXP_C, 30001, E_PRIV, 2222)            # SSH tunnel (C, E private)
    s.handshake()
    s.send(pg.ssh_banner())
    s.reply(pg.ssh_banner())
    rtp_pair(cap, EXP_C, 36002, E_PRIV, 2776, 0x3000)             # Assent media (C, E)
    tls_session(cap, EXP_C, 30002, CMS, 443)                      # Webbridge of a known C
    tls_session(cap, EXP_C, 30004, CMS, 443)                      # ... twice: the MS
    rtp_pair(cap, CMS, 50000, E_PRIV, 24014, 0x3400)              # MS media to relays
    for i, guest_port in enumerate((50001, 50003)):               # relays from the range ...
        cap.add(pg.udp(GUEST, guest_port, E_PUB, 3478, pg.stun_allocate_request()))
        cap.add(pg.udp(E_PUB, 3478, GUEST, guest_port,
                       pg.stun_allocate_success(E_PUB, 24100 + 2 * i, GUEST, guest_port)))
        rtp_stream(cap, E_PUB, 24100 + 2 * i, GUEST, 40090 + i, 0x3600 + i)  # ... that carry media
    # now labelled with the inferred roles
    sip_session(cap, EXP_C, 25002, E_PRIV, 7001)
    tls_session(cap, GUEST, 50004, E_PUB, 443, sni="join.example.com")
    cap.add(pg.udp(CMS, 40001, E_PRIV, 3478, pg.stun_binding_request()))
    rtp_stream(cap, CMS, 40000, E_PUB, 23000, 0x4000)             # off-spec
    return cap


def not_cisco():
    """Other real-time deployments: a generic TURN server, Teams-like and Webex-like media, a
    SIP trunk. None of it may make an Expressway or an off-spec warning."""
    turn, client, peer, pbx, carrier = ("198.51.100.60", "198.51.100.61", "198.51.100.62",
                                        "198.51.100.63", "198.51.100.64")
    cap = pg.Capture()
    for i, port in enumerate((40060, 40061, 40062)):              # coturn, default relays
        cap.add(pg.udp(client, port, turn, 3478, pg.stun_allocate_request()))
        cap.add(pg.udp(turn, 3478, client, port,
                       pg.stun_allocate_success(turn, 49160 + 2 * i, client, port)))
        rtp_pair(cap, peer, 40070 + i, turn, 49160 + 2 * i, 0x9000 + i)
    for i in range(3):                                            # Teams-like: 50000+ -> 3478
        cap.add(pg.udp(client, 50010 + i, turn, 3479 + i, pg.stun_allocate_request()))
        cap.add(pg.udp(turn, 3479 + i, client, 50010 + i,
                       pg.stun_allocate_success(turn, 52000 + 2 * i, client, 50010 + i)))
    rtp_pair(cap, client, 50020, peer, 9000, 0x9100)              # Webex-like media
    rtp_pair(cap, client, 50022, peer, 5004, 0x9200)
    for i in range(2):                                            # a SIP trunk
        cap.add(pg.udp(pbx, 5060, carrier, 5060,
                       pg.sip_request("OPTIONS", f"sip:{carrier}", "sip:pbx@example.com",
                                      "sip:carrier@example.com", f"cid-trunk{i}", 1, pbx,
                                      transport="UDP")))
        tls_session(cap, pbx, 45000 + i, carrier, 5061)
        rtp_pair(cap, pbx, 36000 + 2 * i, carrier, 36100 + 2 * i, 0x9300 + i)
    return cap


def _sip_call(cap, send, call_id, caller, callee, offer, answer, via, transport="TCP",
              status=200):
    """INVITE with an SDP offer, 100 Trying, a final answer (with SDP when 200), ACK: `send`
    sends toward the callee, send.reply toward the caller."""
    ruri, frm, to = f"sip:{callee}", f"sip:{caller}", f"sip:{callee}"
    send(pg.sip_request("INVITE", ruri, frm, to, call_id, 1, via, transport, body=offer))
    send.reply(pg.sip_response(100, "Trying", frm, to, call_id, 1, via, transport, "INVITE"))
    reason = {200: "OK", 486: "Busy Here"}[status]
    send.reply(pg.sip_response(status, reason, frm, to, call_id, 1, via, transport, "INVITE",
                               body=answer if status == 200 else b""))
    send(pg.sip_request("ACK", ruri, frm, to, call_id, 1, via, transport))


class _Sender:
    """send(payload) one way and send.reply(payload) back, over a TCP session or UDP."""

    def __init__(self, cap, a, aport, b, bport, tcp=None, reverse=False):
        self.cap, self.a, self.ap, self.b, self.bp, self.tcp, self.rev = \
            cap, a, aport, b, bport, tcp, reverse

    def __call__(self, payload):
        if self.tcp:
            (self.tcp.reply if self.rev else self.tcp.send)(payload)
        else:
            self.cap.add(pg.udp(self.a, self.ap, self.b, self.bp, payload))

    def reply(self, payload):
        if self.tcp:
            (self.tcp.send if self.rev else self.tcp.reply)(payload)
        else:
            self.cap.add(pg.udp(self.b, self.bp, self.a, self.ap, payload))


def _traversal_media(cap, legs, packets=12, back=()):
    """RTP on each (a, aport, b, bport) leg, interleaved; legs whose index is in `back` are
    answered."""
    for seq in range(1, packets + 1):
        for i, (a, ap, b, bp) in enumerate(legs):
            cap.add(pg.udp(a, ap, b, bp, pg.rtp(seq=seq, ts=seq * 160, ssrc=0x7000 + i)))
            if i in back:
                cap.add(pg.udp(b, bp, a, ap, pg.rtp(seq=seq, ts=seq * 160, ssrc=0x7100 + i)))


def traversal(ambiguous=True):
    """Traversal calls: an inbound call in clear-text SIP across the three hops with SDP and
    media both ways (one Call-ID throughout, RTCP beside the endpoint's RTP); the same with a
    Call-ID of its own on the Meeting Server's hop (tied by timing) and the Meeting Server
    sending nothing back; a call over TLS whose media is tied by timing and port pairing; an
    INVITE answered 486; and, with `ambiguous`, two TLS calls whose media start together, which
    nothing may tie."""
    cap = pg.Capture()
    zone = pg.TcpSession(cap, EXP_C, 25010, E_PRIV, 7001)   # the zone: Expressway-C connects
    zone.handshake()
    for n, (t, cms_call_id, cms_back) in enumerate(((1, None, True), (11, "cms-leg-2", False))):
        cap.skip_to(t)
        base = 100 * n
        cid = f"call-{n + 1}@198.51.100.21"
        ep = pg.TcpSession(cap, ENDPOINT, 41000 + n, E_PUB, 5060)
        ep.handshake()
        _sip_call(cap, _Sender(cap, ENDPOINT, 41000 + n, E_PUB, 5060, ep), cid, "ep@example.com",
                  "meeting@example.com", pg.sdp(ENDPOINT, 40010 + base),
                  pg.sdp(E_PUB, 36100 + base), ENDPOINT)
        _sip_call(cap, _Sender(cap, E_PRIV, 7001, EXP_C, 25010, zone, reverse=True), cid,
                  "ep@example.com", "meeting@example.com", pg.sdp(E_PRIV, 2776),
                  pg.sdp(EXP_C, 36200 + base), E_PRIV)
        _sip_call(cap, _Sender(cap, EXP_C, 5060, CMS, 5060), cms_call_id or cid,
                  "ep@example.com", "meeting@example.com", pg.sdp(EXP_C, 36300 + base),
                  pg.sdp(CMS, 50100 + base), EXP_C, transport="UDP")
        _traversal_media(cap, [(ENDPOINT, 40010 + base, E_PUB, 36100 + base),
                               (EXP_C, 36200 + base, E_PRIV, 2776),
                               (EXP_C, 36300 + base, CMS, 50100 + base)],
                         back=(0, 1, 2) if cms_back else (0, 1))
        cap.add(pg.udp(ENDPOINT, 40011 + base, E_PUB, 36101 + base, pg.rtcp_sender_report(0x7000)))
        cap.add(pg.udp(E_PUB, 36101 + base, ENDPOINT, 40011 + base, pg.rtcp_sender_report(0x7100)))
        ep.send(pg.sip_request("BYE", "sip:meeting@example.com", "sip:ep@example.com",
                               "sip:meeting@example.com", cid, 2, ENDPOINT))
    # over TLS: nothing in clear; Assent RTP and RTCP with the endpoint's media
    cap.skip_to(21)
    tls_session(cap, ENDPOINT, 41010, E_PUB, 5061)
    tls_session(cap, EXP_C, 25020, E_PRIV, 7001)
    _traversal_media(cap, [(ENDPOINT, 40030, E_PUB, 36130), (EXP_C, 36230, E_PRIV, 2776)],
                     back=(0, 1))
    cap.add(pg.udp(EXP_C, 36231, E_PRIV, 2777, pg.rtcp_sender_report(0x7001)))
    # refused at the edge
    cap.skip_to(31)
    ep = pg.TcpSession(cap, ENDPOINT, 41020, E_PUB, 5060)
    ep.handshake()
    _sip_call(cap, _Sender(cap, ENDPOINT, 41020, E_PUB, 5060, ep), "call-busy@198.51.100.21",
              "ep@example.com", "busy@example.com", pg.sdp(ENDPOINT, 40040), b"", ENDPOINT,
              status=486)
    if ambiguous:  # two calls over TLS at once: which Assent leg goes with which endpoint?
        cap.skip_to(41)
        _traversal_media(cap, [(ENDPOINT, 40050, E_PUB, 36150), (ENDPOINT, 40060, E_PUB, 36160)],
                         back=(0, 1))
        _traversal_media(cap, [(EXP_C, 36250, E_PRIV, 2776)], back=(0,))
    return cap


CAPTURES = {
    "flowchecks": flowchecks,
    "inference": inference,
    "not-cisco": not_cisco,
    "documented": documented,
    "offspec": offspec,
    "unrelated": unrelated,
    "stock-ports": stock_ports,
    "large": large,
}


def sample():
    """The README's sample: documented flows, then off-spec ones, then flows that trip the
    per-flow checks."""
    cap = documented()
    for part in (offspec(), flowchecks()):
        for frame in part.frames:
            cap.add(frame.data)
    return cap


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--sample", metavar="FILE")
    ap.add_argument("--hosts", metavar="FILE", help="also write the cmsedge_hosts UAT file")
    args = ap.parse_args()
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
    if args.sample:
        sample().write(args.sample)
    if args.out_dir:
        for name, build in CAPTURES.items():
            build().write(os.path.join(args.out_dir, name + ".pcap"))
    if args.hosts:
        write_hosts(args.hosts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
