#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seeded benchmark captures: a realistic edge mix, or one distinct flow per frame.

  mkbench.py mix N OUT.pcap [--seed S]        every documented flow of the four tables with
                                              plausible payloads, many concurrent flows, and
                                              unrelated traffic (DNS, HTTP, random high ports)
  mkbench.py distinct N OUT.pcap [--seed S]   N frames, each its own UDP 5-tuple towards the
                                              relay range (for memory per flow)
  mkbench.py hosts OUT                        the cmsedge_hosts file for these captures

Frames are written as they are made, so memory stays flat whatever N is.
"""

import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import captures as sc  # noqa: E402  (address plan and host roles)
import pcapwriter as pg  # noqa: E402


class StreamingPcap:
    """Classic pcap written frame by frame."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.n = 0

    def add(self, data):
        usec = self.n * 20  # 50,000 frames a second
        self.f.write(struct.pack("<IIII", pg.EPOCH + usec // 1000000, usec % 1000000,
                                 len(data), len(data)))
        self.f.write(data)
        self.n += 1

    def close(self):
        self.f.close()


def flow_templates(rng):
    """Generators of one frame each, weighted like an edge under load: mostly media."""
    seq = {"n": 0}

    def nxt():
        seq["n"] = (seq["n"] + 1) & 0xFFFF
        return seq["n"]

    def rtp(a, ap, b, bp):
        return lambda: pg.udp(a, ap, b, bp, pg.rtp(seq=nxt(), ts=nxt() * 160, ssrc=ap))

    def tcp_data(a, ap, b, bp, payload):
        return lambda: pg.tcp(a, ap, b, bp, payload, "PA", seq=nxt() * 1000, ack=1)

    E_PUB, E_PRIV, C, MS, EP = sc.E_PUB, sc.E_PRIV, sc.EXP_C, sc.CMS, sc.ENDPOINT
    tls = pg.tls_application_data(200)
    t = []
    for i in range(40):  # concurrent Assent calls: C<->E demux and endpoint<->E media
        t += [(8, rtp(C, 36002 + 2 * i, E_PRIV, 2776)), (8, rtp(E_PRIV, 2776, C, 36002 + 2 * i)),
              (8, rtp(EP, 40000 + 2 * i, E_PUB, 36100 + 2 * i)),
              (8, rtp(E_PUB, 36100 + 2 * i, EP, 40000 + 2 * i)),
              (1, lambda i=i: pg.udp(C, 36003 + 2 * i, E_PRIV, 2777, pg.rtcp_sender_report(i)))]
    for i in range(30):  # TURN relays for web app and Meeting Server media
        t += [(6, rtp(MS, 50000 + i, E_PRIV, 24000 + 2 * i)),
              (6, rtp(E_PUB, 25000 + 2 * i, sc.GUEST, 45000 + i)),
              (2, lambda i=i: pg.udp(sc.GUEST, 45000 + i, E_PUB, 3478,
                                     pg.channel_data(0x4000 + i, pg.rtp(seq=i, ts=0, ssrc=i))))]
    t += [(2, lambda: pg.udp(sc.GUEST, 50001, E_PUB, 3478, pg.stun_binding_request())),
          (2, tcp_data(sc.GUEST, 50000, E_PUB, 443, tls)),
          (2, tcp_data(E_PUB, 443, sc.GUEST, 50000, tls)),
          (2, tcp_data(C, 25001, E_PRIV, 7001, tls)),
          (1, tcp_data(C, 30001, E_PRIV, 2222, pg.ssh_banner())),
          (1, tcp_data(C, 25003, MS, 5061, tls)),
          (1, lambda: pg.udp(C, 5060, MS, 5060, pg.sip_request(
              "OPTIONS", "sip:cms", "sip:a@x", "sip:b@x", "c", 1, C, transport="UDP")))]
    # every documented flow of the four tables, as the end-to-end tests build them
    t += [(1, lambda data=fr.data: data) for fr in sc.documented().frames]
    # unrelated traffic
    t += [(4, lambda: pg.udp(sc.STRANGER_A, rng.randrange(1024, 65535), sc.STRANGER_B, 53,
                             pg.dns_query("example.org"))),
          (4, tcp_data(sc.STRANGER_A, 40100, sc.STRANGER_B, 80, b"GET / HTTP/1.1\r\n\r\n")),
          (6, lambda: pg.udp(sc.STRANGER_A, rng.randrange(1024, 65535), sc.STRANGER_B,
                             rng.randrange(1024, 65535), bytes(rng.randrange(256) for _ in range(80))))]
    return t


def mix(n, out, seed):
    rng = random.Random(seed)
    templates = flow_templates(rng)
    weights = [w for w, _ in templates]
    makers = [m for _, m in templates]
    cache = {}
    pcap = StreamingPcap(out)
    for k in rng.choices(range(len(makers)), weights=weights, k=n):
        # most frames of a flow look alike; reuse one of a few variants to keep this fast
        variants = cache.setdefault(k, [])
        if len(variants) < 8:
            variants.append(makers[k]())
        pcap.add(variants[rng.randrange(len(variants))])
    pcap.close()


def distinct(n, out, seed):
    rng = random.Random(seed)
    pcap = StreamingPcap(out)
    payload = pg.rtp(seq=1, ts=0, ssrc=1)
    for i in range(n):
        src = f"10.{(i >> 16) & 0xFF}.{(i >> 8) & 0xFF}.{i & 0xFF}"
        dport = 24000 + (i % 6000)
        pcap.add(pg.udp(src, 1024 + rng.randrange(60000), sc.E_PUB, dport, payload))
    pcap.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["mix", "distinct", "hosts"])
    ap.add_argument("n_or_out")
    ap.add_argument("out", nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.mode == "hosts":
        sc.write_hosts(a.n_or_out)
    elif a.mode == "mix":
        mix(int(a.n_or_out), a.out, a.seed)
    else:
        distinct(int(a.n_or_out), a.out, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
