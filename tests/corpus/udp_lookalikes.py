#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends, over real UDP sockets, datagrams that are not RTP but whose first bytes could fool a
media heuristic that is too eager: QUIC long and short headers (also with the fixed bit
greased, RFC 9287, which puts the first byte in RTP's 0x80-0xBF), WireGuard messages (types
1-4 and keepalives, first byte 1-4: STUN's range in RFC 7983), and random bytes of which a
third start like RTP version 2.

  udp_lookalikes.py quic|wireguard|random A_ADDR B_ADDR

Each flow's two ends are bound sockets on A_ADDR and B_ADDR (so nothing answers with ICMP);
the contents come from a seeded generator, so every run sends the same bytes. Bounded: a few
dozen datagrams a flow, 2 ms apart.
"""
import random
import socket
import struct
import sys
import time


def varint2(n):
    """QUIC variable-length integer in its two-byte form."""
    return struct.pack("!H", 0x4000 | n)


def quic_long(rng, first, version, dcid, scid, size, token=True):
    head = bytes([first]) + struct.pack("!I", version) + bytes([len(dcid)]) + dcid + \
        bytes([len(scid)]) + scid
    if token:  # Initial: token length 0
        head += b"\x00"
    body = rng.randbytes(size)
    return head + varint2(len(body)) + body


def quic_flow(rng):
    """A client's handshake and 1-RTT traffic with a server, as (from_a, payload) pairs."""
    dcid, scid, server_cid = rng.randbytes(8), rng.randbytes(8), rng.randbytes(8)
    out = [(True, quic_long(rng, 0xC3, 1, dcid, scid, 1180)),         # Initial
           (False, quic_long(rng, 0xC1, 1, scid, server_cid, 1180)),  # Initial
           (False, quic_long(rng, 0xE1, 1, scid, server_cid, 600, token=False)),  # Handshake
           (True, quic_long(rng, 0xE1, 1, server_cid, scid, 80, token=False)),
           # greased fixed bit: 0x8x/0xAx first bytes, version 1 => bytes 2-4 are 0x00 0x00 0x00
           (True, quic_long(rng, 0x83, 1, server_cid, scid, 200)),
           (False, quic_long(rng, 0xA1, 1, scid, server_cid, 200, token=False)),
           # version negotiation: first byte random with the top bit set, version 0
           (False, bytes([0x80 | rng.randrange(0x80)]) + b"\0\0\0\0" + b"\x08" + scid +
            b"\x08" + dcid + struct.pack("!II", 1, 0x6B3343CF))]
    for i in range(24):  # short headers, some with the fixed bit greased (first byte 0x00-0x3F)
        first = (0x40 if i % 3 else 0x00) | rng.randrange(0x40)
        out.append((i % 2 == 0, bytes([first]) + (server_cid if i % 2 == 0 else scid) +
                    rng.randbytes(rng.randrange(30, 400))))
    return out


def wireguard_flow(rng):
    i_idx, r_idx = rng.randbytes(4), rng.randbytes(4)
    out = [(True, b"\x01\0\0\0" + i_idx + rng.randbytes(32 + 48 + 28 + 16) + b"\0" * 16),  # 148
           (False, b"\x03\0\0\0" + i_idx + rng.randbytes(24 + 32)),                        # 64
           (True, b"\x01\0\0\0" + i_idx + rng.randbytes(32 + 48 + 28 + 16 + 16)),
           (False, b"\x02\0\0\0" + r_idx + i_idx + rng.randbytes(32 + 16 + 16) + b"\0" * 16)]  # 92
    for n in range(30):
        from_a = n % 2 == 0
        receiver = r_idx if from_a else i_idx
        size = 0 if n % 10 == 9 else 16 * rng.randrange(2, 40)  # keepalives are 32 bytes
        out.append((from_a, b"\x04\0\0\0" + receiver + struct.pack("<Q", n // 2) +
                    rng.randbytes(size + 16)))
    return out


def random_flow(rng):
    out = []
    for n in range(36):
        data = bytearray(rng.randbytes(rng.randrange(12, 300)))
        if n % 3 == 0:
            data[0] = 0x80 | (data[0] & 0x3F)  # looks like RTP version 2
        out.append((n % 2 == 0, bytes(data)))
    return out


FLOWS = {  # kind: [(A port, B port, flow builder)]
    "quic": [(50123, 443, quic_flow), (41000, 51000, quic_flow), (45000, 24444, quic_flow),
             (36010, 36011, quic_flow)],
    "wireguard": [(51820, 51820, wireguard_flow), (38000, 50050, wireguard_flow),
                  (36000, 2776, wireguard_flow)],
    "random": [(39000, 55555, random_flow), (40004, 36010, random_flow),
               (50001, 24001, random_flow)],
}


def main():
    kind, a_addr, b_addr = sys.argv[1], sys.argv[2], sys.argv[3]
    rng = random.Random(f"cmsedge-corpus-{kind}")
    for a_port, b_port, build in FLOWS[kind]:
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind((a_addr, a_port))
        b.bind((b_addr, b_port))
        a.setblocking(False)
        b.setblocking(False)
        packets = build(rng)
        for from_a, payload in packets:
            if from_a:
                a.sendto(payload, (b_addr, b_port))
            else:
                b.sendto(payload, (a_addr, a_port))
            time.sleep(0.002)
            for s in (a, b):  # drain what arrived
                try:
                    while s.recv(65535):
                        pass
                except OSError:
                    pass
        a.close()
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
