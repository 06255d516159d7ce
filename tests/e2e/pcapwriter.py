# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic classic-pcap writer with the packets an edge capture holds.

Ethernet + IPv4/IPv6 + UDP/TCP with correct checksums, TCP sessions with consistent sequence
numbers, and the payloads cmsedge cares about: STUN/TURN (RFC 5389/8656), ChannelData, RTP and
RTCP (RFC 3550), RTP behind a 4-byte multiplex id, SIP, TLS and DTLS ClientHello records, SSH
banners, DNS queries. Timestamps start at 2024-01-01T00:00:00Z and advance 1 ms a frame, and
transaction ids come from a counter, so the same script writes the same bytes every time.
"""

import ipaddress
import struct

EPOCH = 1704067200  # 2024-01-01T00:00:00Z
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
LINKTYPE_ETHERNET = 1
STUN_COOKIE = 0x2112A442
_txn = [0]  # STUN transaction id counter


class Frame:
    def __init__(self, data, ts, orig_len=None):
        self.data, self.ts = data, ts
        self.orig_len = len(data) if orig_len is None else orig_len


class Capture:
    """Frames in order; write() produces a classic pcap (microsecond timestamps)."""

    def __init__(self):
        self.frames = []
        self._tick = 0
        _txn[0] = 0  # transaction ids restart with each capture, so its bytes never vary

    def add(self, data, ts=None, caplen=None):
        """Adds a frame; with caplen, only its first caplen bytes were captured (a snapshot
        length cut it short)."""
        if ts is None:
            ts = EPOCH + self._tick / 1000.0
        self._tick += 1
        if caplen is None:
            self.frames.append(Frame(data, ts))
        else:
            self.frames.append(Frame(data[:caplen], ts, len(data)))

    def skip_to(self, seconds):
        """The next frames follow from `seconds` after the first (1 ms apart, as before)."""
        self._tick = max(self._tick, int(seconds * 1000))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
            for fr in self.frames:
                sec = int(fr.ts)
                usec = int(round((fr.ts - sec) * 1e6))
                f.write(struct.pack("<IIII", sec, usec, len(fr.data), fr.orig_len))
                f.write(fr.data)


# ---- network and transport ------------------------------------------------------------------

def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ip(src, dst, proto, payload):
    """Ethernet + IP header for payload; returns (frame prefix, pseudo-header for checksums)."""
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                          a.packed, b.packed)
        hdr = hdr[:10] + struct.pack("!H", _checksum(hdr)) + hdr[12:]
        pseudo = a.packed + b.packed + struct.pack("!BBH", 0, proto, len(payload))
        return MAC_B + MAC_A + b"\x08\x00" + hdr, pseudo
    hdr = struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, a.packed, b.packed)
    pseudo = a.packed + b.packed + struct.pack("!IxxxB", len(payload), proto)
    return MAC_B + MAC_A + b"\x86\xdd" + hdr, pseudo


def udp(src, sport, dst, dport, payload=b""):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    prefix, pseudo = _ip(src, dst, 17, seg)
    csum = _checksum(pseudo + seg) or 0xFFFF
    return prefix + seg[:6] + struct.pack("!H", csum) + seg[8:]


def icmp_unreachable(src, dst, quoted, code=3):
    """An ICMP (IPv4) destination unreachable from src to dst quoting the frame `quoted` (its IP
    header and first 8 bytes of payload, RFC 792); code 3 is port unreachable."""
    ip_and_8 = quoted[14:14 + 20 + 8]
    msg = struct.pack("!BBHI", 3, code, 0, 0) + ip_and_8
    msg = msg[:2] + struct.pack("!H", _checksum(msg)) + msg[4:]
    prefix, _ = _ip(src, dst, 1, msg)
    return prefix + msg


def icmpv6_unreachable(src, dst, quoted, code=4):
    """An ICMPv6 destination unreachable (RFC 4443) from src to dst quoting the IPv6 frame
    `quoted` (as much of its packet as fits in 1280 bytes); code 4 is port unreachable."""
    msg = struct.pack("!BBHI", 1, code, 0, 0) + quoted[14:14 + 1280 - 48]
    prefix, pseudo = _ip(src, dst, 58, msg)
    return prefix + msg[:2] + struct.pack("!H", _checksum(pseudo + msg)) + msg[4:]


def ip_in_ip(src, dst, frame):
    """The IP packet of an Ethernet frame, carried in an IPv4 tunnel (protocol 4, RFC 2003)
    from src to dst."""
    prefix, _ = _ip(src, dst, 4, frame[14:])
    return prefix + frame[14:]


def with_ipv6_options(frame):
    """An IPv6 frame with a hop-by-hop and a destination options header (RFC 8200, each 8
    bytes of PadN) between the IPv6 header and the transport header."""
    ip, upper = frame[14:54], frame[54:]
    proto = ip[6]
    hop_by_hop = bytes([60, 0, 1, 4, 0, 0, 0, 0])
    dest_options = bytes([proto, 0, 1, 4, 0, 0, 0, 0])
    ip = ip[:4] + struct.pack("!HB", len(upper) + 16, 0) + ip[7:]
    return frame[:14] + ip + hop_by_hop + dest_options + upper


TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def tcp(src, sport, dst, dport, payload=b"", flags="PA", seq=0, ack=0):
    bits = sum(TCP_FLAGS[c] for c in flags)
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack if "A" in flags else 0, 5 << 4, bits,
                      64240, 0, 0) + payload
    prefix, pseudo = _ip(src, dst, 6, seg)
    return prefix + seg[:16] + struct.pack("!H", _checksum(pseudo + seg)) + seg[18:]


class TcpSession:
    """A TCP connection with consistent sequence numbers in both directions."""

    def __init__(self, cap, client, cport, server, sport, isn=1000, server_isn=5000):
        self.cap, self.c, self.cp, self.s, self.sp = cap, client, cport, server, sport
        self.cseq, self.sseq = isn, server_isn

    def handshake(self):
        self.cap.add(tcp(self.c, self.cp, self.s, self.sp, flags="S", seq=self.cseq))
        self.cseq += 1
        self.cap.add(tcp(self.s, self.sp, self.c, self.cp, flags="SA", seq=self.sseq, ack=self.cseq))
        self.sseq += 1
        self.cap.add(tcp(self.c, self.cp, self.s, self.sp, flags="A", seq=self.cseq, ack=self.sseq))

    def send(self, payload):
        self.cap.add(tcp(self.c, self.cp, self.s, self.sp, payload, "PA", self.cseq, self.sseq))
        self.cseq += len(payload)

    def reply(self, payload):
        self.cap.add(tcp(self.s, self.sp, self.c, self.cp, payload, "PA", self.sseq, self.cseq))
        self.sseq += len(payload)

    def syn_retransmit(self, n):
        for _ in range(n):
            self.cap.add(tcp(self.c, self.cp, self.s, self.sp, flags="S", seq=self.cseq - 1))

    def rst(self):
        self.cap.add(tcp(self.s, self.sp, self.c, self.cp, flags="RA", seq=0, ack=self.cseq))


# ---- STUN / TURN ----------------------------------------------------------------------------

def _transaction_id():
    _txn[0] += 1
    return struct.pack("!IQ", 0xC5ED6E00, _txn[0])


def _attr(kind, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * pad


def _xor_address(kind, ip, port):
    a = ipaddress.ip_address(ip).packed
    xport = port ^ (STUN_COOKIE >> 16)
    xip = bytes(x ^ y for x, y in zip(a, struct.pack("!I", STUN_COOKIE)))
    return _attr(kind, struct.pack("!BBH", 0, 1, xport) + xip)


def _stun(msg_type, attrs=b""):
    return struct.pack("!HHI", msg_type, len(attrs), STUN_COOKIE) + _transaction_id() + attrs


def stun_binding_request():
    return _stun(0x0001)


def stun_allocate_request(username=None):
    attrs = _attr(0x0019, b"\x11\0\0\0")  # REQUESTED-TRANSPORT: UDP
    if username:
        attrs += _attr(0x0006, username.encode())
    return _stun(0x0003, attrs)


def stun_allocate_success(relayed_ip, relayed_port, mapped_ip, mapped_port):
    attrs = (_xor_address(0x0016, relayed_ip, relayed_port) +
             _xor_address(0x0020, mapped_ip, mapped_port) + _attr(0x000D, struct.pack("!I", 600)))
    return _stun(0x0103, attrs)


def stun_allocate_error(code):
    reason = b"Unauthorized" if code == 401 else b"Stale Nonce"
    attrs = _attr(0x0009, struct.pack("!HBB", 0, code // 100, code % 100) + reason)
    if code == 401:
        attrs += _attr(0x0014, b"example.com") + _attr(0x0015, b"nonce-0001")
    return _stun(0x0113, attrs)


def stun_send_indication(peer_ip, peer_port, data):
    return _stun(0x0016, _xor_address(0x0012, peer_ip, peer_port) + _attr(0x0013, data))


def stun_data_indication(peer_ip, peer_port, data):
    return _stun(0x0017, _xor_address(0x0012, peer_ip, peer_port) + _attr(0x0013, data))


def channel_data(channel, data, tcp=False):
    msg = struct.pack("!HH", channel, len(data)) + data
    if tcp:
        msg += b"\0" * ((4 - len(msg) % 4) % 4)
    return msg


# ---- media ----------------------------------------------------------------------------------

def rtp(seq, ts, ssrc, pt=0, payload=b"\xd5" * 160, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq, ts, ssrc) + payload


def rtp_with_mux_id(mux_id, **kw):
    return struct.pack("!I", mux_id) + rtp(**kw)


def rtcp_sender_report(ssrc, ntp=0xE8D4A51000000000, rtp_ts=0, packets=1, octets=160):
    body = struct.pack("!IQIII", ssrc, ntp, rtp_ts, packets, octets)
    return struct.pack("!BBH", 0x80, 200, len(body) // 4) + body


# ---- signaling and secure transports --------------------------------------------------------

def _sip(first_line, from_, to, call_id, cseq, method, via_host, transport, body):
    head = (f"{first_line}\r\nVia: SIP/2.0/{transport} {via_host};branch=z9hG4bK{call_id}\r\n"
            f"From: <{from_}>;tag=1\r\nTo: <{to}>\r\nCall-ID: {call_id}\r\n"
            f"CSeq: {cseq} {method}\r\nMax-Forwards: 70\r\n"
            + ("Content-Type: application/sdp\r\n" if body else "")
            + f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def sip_request(method, ruri, from_, to, call_id, cseq, via_host, transport="TCP", body=b""):
    return _sip(f"{method} {ruri} SIP/2.0", from_, to, call_id, cseq, method, via_host,
                transport, body)


def sip_response(code, reason, from_, to, call_id, cseq, via_host, transport="TCP",
                 method="OPTIONS", body=b""):
    return _sip(f"SIP/2.0 {code} {reason}", from_, to, call_id, cseq, method, via_host,
                transport, body)


def sdp(addr, *ports):
    """An SDP body (RFC 8866) offering audio at addr on each port given (audio, then video)."""
    kinds = ("audio", "video", "application", "audio")
    v = 6 if ":" in addr else 4
    lines = ["v=0", f"o=- 1 1 IN IP{v} {addr}", "s=-", f"c=IN IP{v} {addr}", "t=0 0"]
    for kind, port in zip(kinds, ports):
        lines += [f"m={kind} {port} RTP/AVP 0", "a=rtpmap:0 PCMU/8000"]
    return ("\r\n".join(lines) + "\r\n").encode()


def _client_hello_body(sni, version=b"\x03\x03"):
    ext = b""
    if sni:
        name = sni.encode()
        entry = b"\x00" + struct.pack("!H", len(name)) + name
        ext += struct.pack("!HH", 0, len(entry) + 2) + struct.pack("!H", len(entry)) + entry
    body = (version + bytes(range(32)) + b"\x00" + struct.pack("!H", 2) + b"\xc0\x2f" +
            b"\x01\x00" + struct.pack("!H", len(ext)) + ext)
    return body


def tls_client_hello(sni=None):
    body = _client_hello_body(sni)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_application_data(n):
    return b"\x17\x03\x03" + struct.pack("!H", n) + bytes((i * 7) & 0xFF for i in range(n))


def dtls_client_hello():
    body = b"\xfe\xfd" + bytes(range(32)) + b"\x00" + b"\x00" + struct.pack("!H", 2) + \
        b"\xc0\x2f" + b"\x01\x00"
    length = struct.pack("!I", len(body))[1:]
    hs = b"\x01" + length + struct.pack("!H", 0) + b"\x00\x00\x00" + length + body
    return b"\x16\xfe\xff" + struct.pack("!HIH", 0, 0, 0)[:8] + struct.pack("!H", len(hs)) + hs


def ssh_banner():
    return b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"


def dns_query(name, txid=0x1234):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", txid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
