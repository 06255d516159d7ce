#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SIP for the lab, over the stream socat hands it.

  sip_answer.py                      (socat SYSTEM:) reads one request, answers 200 OK
  sip_answer.py --request DST SRC    prints an OPTIONS request from SRC to DST
"""
import sys
import uuid


def request(dst, src):
    call_id = uuid.uuid4().hex
    return (f"OPTIONS sip:{dst} SIP/2.0\r\n"
            f"Via: SIP/2.0/TCP {src};branch=z9hG4bK{call_id[:10]}\r\n"
            f"From: <sip:lab-c@{src}>;tag=1\r\nTo: <sip:{dst}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            f"Content-Length: 0\r\n\r\n")


def answer():
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 8192:
        chunk = sys.stdin.buffer.read1(4096)
        if not chunk:
            return
        head += chunk
    lines = head.decode(errors="replace").split("\r\n")
    keep = [l for l in lines[1:] if l.split(":")[0] in ("Via", "From", "To", "Call-ID", "CSeq")]
    sys.stdout.write("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n")
    sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--request":
        try:
            sys.stdout.write(request(sys.argv[2], sys.argv[3]))
            sys.stdout.flush()
        except BrokenPipeError:  # the connection failed; lab.sh's answer key will say so
            sys.exit(1)
    else:
        answer()
