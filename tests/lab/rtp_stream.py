#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends a bounded RTP stream (G.711, 20 ms) from SRC:SPORT to DST:DPORT and reads any answer.

  rtp_stream.py SRC SPORT DST DPORT PACKETS
"""
import select
import socket
import struct
import sys
import time


def main():
    src, sport, dst, dport, packets = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        int(sys.argv[4]), int(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, sport))
    ssrc = 0x1AB0000 + sport
    for seq in range(packets):
        header = struct.pack("!BBHII", 0x80, 0, seq, seq * 160, ssrc)
        s.sendto(header + b"\xd5" * 160, (dst, dport))
        deadline = time.monotonic() + 0.02
        while (left := deadline - time.monotonic()) > 0:
            if select.select([s], [], [], left)[0]:
                try:
                    s.recv(2048)
                except OSError:  # ICMP port unreachable comes back as ECONNREFUSED
                    pass
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
