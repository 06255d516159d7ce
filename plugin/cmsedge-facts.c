/* cmsedge-facts.c
 * What the stock dissectors found in a frame beyond its addresses and ports: TCP flags and
 * sequence numbers, ICMP errors, STUN messages, and a clear-text SIP message's Call-ID and SDP.
 *
 * They are read from the frame's own bytes, without a protocol tree. Reading them back from the
 * stock dissectors' fields meant asking Wireshark to keep those fields for the postdissector,
 * and tshark then builds a tree for every frame even in summary mode, with -q and with
 * statistics that need none. What the stock dissectors leave without a tree is enough:
 *   - pinfo->src/dst and srcport/destport are the innermost IP header's addresses and its
 *     UDP/TCP header's ports. That IP header is found in the frame by those addresses
 *     (candidates are where the source address's first byte is, in the first 512 bytes):
 *     version, header length and protocol (IPv6: the next header, through hop-by-hop, routing,
 *     destination options and first-fragment headers) must fit, and the UDP/TCP header after it
 *     must carry the ports. With one IP layer in pinfo->layers the first such header is it;
 *     with more (a tunnel) the last, the innermost;
 *   - TCP: that header's flags and sequence number. A retransmitted SYN is one repeating an
 *     earlier SYN's sequence number on the same flow, which src/checks.c decides (the TCP
 *     analysis's verdict is only in its tree item);
 *   - an ICMP error: pinfo has the quoted packet's ports but the error's own addresses
 *     (epan/packet.c restores them after dissecting the quote), so the error's IP header is
 *     found by them with protocol ICMP (next header ICMPv6); the ICMP/ICMPv6 header follows it,
 *     and the quoted IP header after those 8 bytes must carry pinfo's transport protocol and
 *     ports. The quoted header's addresses are the flow's;
 *   - STUN: when pinfo->layers say the stock STUN dissector took the payload (cmsedge-hint.c),
 *     the message at the start of the UDP payload, or of the TCP payload when the whole message
 *     is in the segment (cmsedge_parse_stun walks the attributes);
 *   - SIP, when asked (the first pass: the calls follow it) and the stock SIP dissector took
 *     the payload: the message at the start of the UDP or TCP payload, as far as the frame
 *     holds it (cmsedge_parse_sip takes the Call-ID, the method or status and the SDP's media).
 * A header that is not in the frame's bytes (cut short by the snapshot length, reassembled from
 * fragments or segments, decrypted) gives no fact. Bytes are read with tvb accessors over
 * ranges inside the captured length: the headers' window is one tvb_get_ptr() of captured
 * bytes, and every read of it is checked against its length. They are read again on every
 * pass (tshark's second pass, the GUI's packet list and retaps): the bytes and layers are the
 * same each time, and nothing is kept per frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <limits.h>

#include <epan/proto_data.h>

#include "cmsedge/payload.h"
#include "cmsedge/sip.h"

/* ICMP (RFC 792, RFC 1812) and ICMPv6 (RFC 4443) destination unreachable. */
#define ICMP_UNREACHABLE   3
#define ICMPV6_UNREACHABLE 1
/* The quoted IP header follows the 8-byte ICMP/ICMPv6 header (RFC 792, RFC 4443). */
#define ICMP_HEADER 8

/* IP protocol numbers (IANA) and the IPv6 extension headers skipped (RFC 8200 section 4). */
#define IPPROTO_NUM_ICMP    1
#define IPPROTO_NUM_TCP     6
#define IPPROTO_NUM_UDP     17
#define IPPROTO_NUM_ICMPV6  58
#define IPV6_HOP_BY_HOP     0
#define IPV6_ROUTING        43
#define IPV6_FRAGMENT       44
#define IPV6_DEST_OPTIONS   60
#define IPV6_MAX_EXTENSIONS 8
#define IPV4_HEADER         20
#define IPV6_HEADER         40
#define UDP_HEADER          8
#define TCP_HEADER          20
#define TCP_FLAGS_OFFSET    13
#define STUN_HEADER         20
#define STUN_COOKIE         0x2112A442u /* RFC 5389 section 6 */
#define RFC4571_FRAMING     2           /* STUN over TCP in RFC 6544: a 2-byte length first */

/* Where the innermost IP header may start: in the first SEARCH_SPAN bytes of the frame. */
#define SEARCH_SPAN 512

/* Longest STUN message walked for attributes: a datagram never carries more. */
#define STUN_MAX 65535

/* The frame's first bytes (at most what was captured). */
struct window {
    tvbuff_t *tvb;
    unsigned len;
    const guint8 *p;              /* tvb_get_ptr() of len bytes from offset 0 */
    bool one_ip_layer;            /* Wireshark dissected one IP header: the first that fits is it */
    struct cmsedge_sip_info *sip; /* where a SIP message's facts go, NULL when not wanted */
    bool sip_found;
};

static bool have(const struct window *w, unsigned off, unsigned n)
{
    return off <= w->len && n <= w->len - off;
}

static unsigned byte_at(const struct window *w, unsigned off)
{
    return have(w, off, 1) ? w->p[off] : 0x100u; /* matches no byte */
}

static unsigned be16_at(const struct window *w, unsigned off)
{
    return have(w, off, 2) ? (unsigned)(w->p[off] << 8 | w->p[off + 1]) : 0x10000u;
}

static bool bytes_at(const struct window *w, unsigned off, const void *bytes, unsigned n)
{
    return have(w, off, n) && memcmp(w->p + off, bytes, n) == 0;
}

/* An IP header: where it starts, where its payload starts, and where the packet ends as its
 * length field says (FRAME_END: with the frame). */
struct ip_header {
    unsigned start, payload, end;
};
#define FRAME_END UINT_MAX

/* IPv4 (RFC 791) at off with these addresses and protocol, the first fragment of its packet:
 * where its payload starts, or 0. */
static unsigned ipv4_payload(const struct window *w, unsigned off, const guint8 *src,
                             const guint8 *dst, unsigned proto, unsigned *end)
{
    unsigned first = byte_at(w, off);
    if (first >> 4 != 4 || (first & 0x0f) < 5 || byte_at(w, off + 9) != proto)
        return 0;
    if (!bytes_at(w, off + 12, src, 4) || !bytes_at(w, off + 16, dst, 4))
        return 0;
    unsigned header = (first & 0x0f) * 4, total = be16_at(w, off + 2);
    if ((be16_at(w, off + 6) & 0x1fff) != 0)
        return 0; /* a later fragment carries no transport header */
    if (total == 0)
        *end = FRAME_END; /* segmentation offload: the length is left to the hardware */
    else if (total < header)
        return 0;
    else
        *end = off + total;
    return off + header;
}

/* The IPv6 (RFC 8200) header chain at off: where the header of protocol proto starts, or 0. */
static unsigned ipv6_upper(const struct window *w, unsigned off, unsigned proto)
{
    unsigned next = byte_at(w, off + 6), at = off + IPV6_HEADER;
    for (int i = 0; i <= IPV6_MAX_EXTENSIONS; i++) {
        if (next == proto)
            return at;
        if (!have(w, at, 8))
            return 0;
        if (next == IPV6_HOP_BY_HOP || next == IPV6_ROUTING || next == IPV6_DEST_OPTIONS) {
            unsigned len = (byte_at(w, at + 1) + 1) * 8;
            next = byte_at(w, at);
            at += len;
        } else if (next == IPV6_FRAGMENT && (be16_at(w, at + 2) & 0xfff8) == 0) {
            next = byte_at(w, at); /* the first fragment: the transport header follows */
            at += 8;
        } else {
            return 0;
        }
    }
    return 0;
}

static unsigned ipv6_payload(const struct window *w, unsigned off, const guint8 *src,
                             const guint8 *dst, unsigned proto, unsigned *end)
{
    if (byte_at(w, off) >> 4 != 6 || !bytes_at(w, off + 8, src, 16) ||
        !bytes_at(w, off + 24, dst, 16))
        return 0;
    unsigned payload = be16_at(w, off + 4);
    /* a jumbogram (RFC 2675) or an offloaded segment says 0: it ends with the frame */
    *end = payload ? off + IPV6_HEADER + payload : FRAME_END;
    return ipv6_upper(w, off, proto);
}

/* The next IP header at or after *from, starting in the first SEARCH_SPAN bytes, with pinfo's
 * addresses (source to destination) and carrying protocol proto; *from is then just past its
 * start, for the search to go on. Candidates are where the source address's first byte is
 * (memchr), so the payload bytes in between cost little. */
static bool ip_next(const struct window *w, const packet_info *pinfo, unsigned proto,
                    unsigned *from, struct ip_header *ip)
{
    bool v6 = pinfo->src.type == AT_IPv6;
    const guint8 *src = pinfo->src.data, *dst = pinfo->dst.data;
    unsigned at = v6 ? 8 : 12; /* where the source address is in the header */
    unsigned stop = MIN(w->len, SEARCH_SPAN + at);
    while (*from + at < stop) {
        const guint8 *hit = memchr(w->p + *from + at, src[0], stop - (*from + at));
        if (!hit)
            break;
        unsigned off = (unsigned)(hit - w->p) - at;
        *from = off + 1;
        ip->payload = v6 ? ipv6_payload(w, off, src, dst, proto, &ip->end)
                         : ipv4_payload(w, off, src, dst, proto, &ip->end);
        if (ip->payload) {
            ip->start = off;
            return true;
        }
    }
    *from = stop;
    return false;
}

/* Does the UDP/TCP header at off (need bytes of it captured) carry pinfo's ports? */
static bool ports_at(const struct window *w, unsigned off, unsigned need, const packet_info *pinfo)
{
    return have(w, off, need) && be16_at(w, off) == pinfo->srcport &&
           be16_at(w, off + 2) == pinfo->destport;
}

static unsigned transport_proto(const packet_info *pinfo)
{
    return pinfo->ptype == PT_TCP ? IPPROTO_NUM_TCP : IPPROTO_NUM_UDP;
}

/* The innermost IP header with pinfo's addresses whose transport header (need bytes of it
 * captured) carries pinfo's ports: the last one, so that a tunnel's inner packet wins, or with
 * one IP layer the first one (payload bytes after it that look like one are not one). */
static bool find_headers(const struct window *w, const packet_info *pinfo, unsigned need,
                         struct ip_header *h)
{
    struct ip_header ip;
    unsigned from = 0;
    bool found = false;
    while (ip_next(w, pinfo, transport_proto(pinfo), &from, &ip)) {
        if (ports_at(w, ip.payload, need, pinfo)) {
            *h = ip;
            found = true;
            if (w->one_ip_layer)
                break;
        }
    }
    return found;
}

static uint8_t icmp_kind(unsigned type, unsigned code, bool v6)
{
    if (!v6 && type == ICMP_UNREACHABLE) {
        if (code == 3)
            return CMSEDGE_ICMP_PORT_UNREACHABLE;
        if (code == 0 || code == 1)
            return CMSEDGE_ICMP_HOST_UNREACHABLE;
        if (code == 9 || code == 10 || code == 13)
            return CMSEDGE_ICMP_ADMIN_PROHIBITED;
    } else if (v6 && type == ICMPV6_UNREACHABLE) {
        if (code == 4)
            return CMSEDGE_ICMP_PORT_UNREACHABLE;
        if (code == 0 || code == 3)
            return CMSEDGE_ICMP_HOST_UNREACHABLE;
        if (code == 1)
            return CMSEDGE_ICMP_ADMIN_PROHIBITED;
    }
    return CMSEDGE_ICMP_NONE;
}

/* The IP header an ICMP error quotes at off: of the error's IP version, carrying pinfo's
 * transport protocol, followed by at least the ports (RFC 792 quotes the transport header's
 * first 64 bits), which must be pinfo's. */
static bool quoted_header(const struct window *w, unsigned off, bool v6, const packet_info *pinfo)
{
    unsigned first = byte_at(w, off), t;
    if (v6) {
        if (first >> 4 != 6 || !have(w, off, IPV6_HEADER))
            return false;
        t = ipv6_upper(w, off, transport_proto(pinfo));
    } else {
        if (first >> 4 != 4 || (first & 0x0f) < 5 || !have(w, off, IPV4_HEADER) ||
            byte_at(w, off + 9) != transport_proto(pinfo) || (be16_at(w, off + 6) & 0x1fff) != 0)
            return false;
        t = off + (first & 0x0f) * 4;
    }
    return t != 0 && ports_at(w, t, 4, pinfo);
}

/* An ICMP/ICMPv6 unreachable quoting a UDP/TCP packet. Wireshark gives the quoted packet's
 * ports in pinfo but restores the addresses after the quote (call_dissector_work_error() in
 * epan/packet.c): pinfo's addresses are the error's own, so its IP header is found by them,
 * with protocol ICMP (next header ICMPv6), and the quoted header is right after the 8-byte
 * ICMP header. */
static void read_icmp_error(const struct window *w, const packet_info *pinfo,
                            struct cmsedge_facts *f)
{
    bool v6 = pinfo->src.type == AT_IPv6;
    struct ip_header ip;
    unsigned from = 0, icmp = 0;
    while (ip_next(w, pinfo, v6 ? IPPROTO_NUM_ICMPV6 : IPPROTO_NUM_ICMP, &from, &ip)) {
        if (have(w, ip.payload, ICMP_HEADER) &&
            quoted_header(w, ip.payload + ICMP_HEADER, v6, pinfo))
            icmp = ip.payload; /* the last one: an error carried in a tunnel */
    }
    if (icmp == 0)
        return;
    f->icmp = icmp_kind(byte_at(w, icmp), byte_at(w, icmp + 1), v6);
    if (f->icmp == CMSEDGE_ICMP_NONE)
        return;
    unsigned quoted = icmp + ICMP_HEADER;
    if (v6) {
        guint8 src[16], dst[16];
        tvb_memcpy(w->tvb, src, quoted + 8, sizeof src);
        tvb_memcpy(w->tvb, dst, quoted + 24, sizeof dst);
        cmsedge_addr_from_ipv6(&f->quoted_src, src);
        cmsedge_addr_from_ipv6(&f->quoted_dst, dst);
    } else {
        guint8 src[4], dst[4];
        tvb_memcpy(w->tvb, src, quoted + 12, sizeof src);
        tvb_memcpy(w->tvb, dst, quoted + 16, sizeof dst);
        cmsedge_addr_from_ipv4(&f->quoted_src, src);
        cmsedge_addr_from_ipv4(&f->quoted_dst, dst);
    }
}

/* The STUN message at off, if the payload holds it whole (avail bytes to the payload's end). */
static void read_stun(tvbuff_t *tvb, unsigned off, unsigned avail, bool tcp,
                      struct cmsedge_facts *f)
{
    if (tcp && avail >= RFC4571_FRAMING + 8 &&
        tvb_get_ntohl(tvb, (gint)off + RFC4571_FRAMING + 4) == STUN_COOKIE) {
        off += RFC4571_FRAMING;
        avail -= RFC4571_FRAMING;
    }
    if (avail < STUN_HEADER)
        return;
    if (tcp && STUN_HEADER + (unsigned)tvb_get_ntohs(tvb, (gint)off + 2) > avail)
        return; /* continued in a later segment: the reassembled message is not in this frame */
    unsigned len = MIN(avail, STUN_MAX);
    struct cmsedge_stun_info info;
    if (!cmsedge_parse_stun(tvb_get_ptr(tvb, (gint)off, (gint)len), len, &info))
        return;
    f->stun_type = info.type;
    f->stun_error = info.error;
    f->has_relayed = info.has_relayed;
    f->relayed_port = info.relayed_port;
    f->relayed_addr = info.relayed_addr;
    f->has_lifetime = info.has_lifetime;
    f->lifetime = info.lifetime;
    f->has_peer = info.has_peer;
    f->peer_port = info.peer_port;
    f->peer_addr = info.peer_addr;
    f->channel = info.channel;
}

/* TCP flags, the sequence number and a STUN or SIP message of the frame's innermost UDP/TCP
 * packet. */
static void read_transport(struct window *w, const packet_info *pinfo, bool stun, bool sip,
                           struct cmsedge_facts *f)
{
    struct ip_header h; /* its payload is the UDP/TCP header */
    bool tcp = pinfo->ptype == PT_TCP;
    unsigned payload;
    if (tcp) {
        if (!find_headers(w, pinfo, TCP_FLAGS_OFFSET + 1, &h))
            return;
        unsigned header = (byte_at(w, h.payload + 12) >> 4) * 4;
        if (header < TCP_HEADER)
            return; /* not a TCP header after all */
        f->tcp_flags = (uint8_t)byte_at(w, h.payload + TCP_FLAGS_OFFSET);
        f->tcp_seq = tvb_get_ntohl(w->tvb, (gint)h.payload + 4);
        payload = h.payload + header;
    } else {
        if (!stun && !(sip && w->sip))
            return; /* a UDP header gives no fact of its own: only its payload might */
        if (!find_headers(w, pinfo, UDP_HEADER, &h))
            return;
        unsigned length = be16_at(w, h.payload + 4);
        if (length < UDP_HEADER)
            return;
        h.end = MIN(h.end, h.payload + length);
        payload = h.payload + UDP_HEADER;
    }
    if (!stun && !(sip && w->sip))
        return;
    /* what the frame holds of the payload, to the end the IP (UDP) length says */
    unsigned captured = tvb_captured_length(w->tvb);
    unsigned end = MIN(h.end, captured);
    if (payload >= end)
        return;
    if (stun)
        read_stun(w->tvb, payload, end - payload, tcp, f);
    else /* the message as this frame holds it: a body continued in the next segment is cut
            short, and cmsedge_parse_sip then takes no SDP from it */
        w->sip_found = cmsedge_parse_sip(tvb_get_ptr(w->tvb, (gint)payload, (gint)(end - payload)),
                                         end - payload, w->sip);
}

static bool facts_read(tvbuff_t *tvb, packet_info *pinfo, const struct cmsedge_layers *layers,
                       struct cmsedge_facts *f, struct cmsedge_sip_info *sip)
{
    struct window w;
    w.sip = sip;
    w.sip_found = false;
    if ((pinfo->src.type != AT_IPv4 && pinfo->src.type != AT_IPv6) ||
        pinfo->dst.type != pinfo->src.type)
        return false;
    w.tvb = tvb;
    /* the search span, the longest IPv4 header and the TCP header's first 14 bytes; IPv6
     * extension headers past that give no fact */
    w.len = MIN(tvb_captured_length(tvb), (unsigned)(SEARCH_SPAN + 60 + TCP_FLAGS_OFFSET + 1));
    w.p = tvb_get_ptr(tvb, 0, (gint)w.len);
    w.one_ip_layer = layers->ip_layers == 1;
    if (layers->in_icmp)
        read_icmp_error(&w, pinfo, f);
    else
        read_transport(&w, pinfo, layers->stun, layers->hint == CMSEDGE_APP_SIP, f);
    return w.sip_found;
}

bool cmsedge_facts_read(tvbuff_t *tvb, packet_info *pinfo, const struct cmsedge_layers *layers,
                        struct cmsedge_facts *f, struct cmsedge_sip_info *sip)
{
    memset(f, 0, sizeof *f);
    /* read again on every pass: the bytes and the layers are the same each time, and keeping
     * them per frame would cost a hundred bytes and more on every TCP frame of the file */
    bool found = facts_read(tvb, pinfo, layers, f, sip);
    f->frame = pinfo->num;
    f->time = (double)pinfo->rel_ts.secs + pinfo->rel_ts.nsecs / 1e9;
    f->length = pinfo->fd->pkt_len;
    return found;
}
