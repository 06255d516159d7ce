/* cmsedge-facts.c
 * What the stock dissectors found in a frame beyond its addresses and ports: TCP flags and
 * sequence numbers, ICMP errors, STUN message types. The postdissector asks Wireshark to keep
 * these fields in the tree (set_postdissector_wanted_hfids) and reads them back here; the
 * STUN attributes are walked by the core (cmsedge_parse_stun) over the bytes the STUN field
 * points at.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <epan/proto.h>
#include <epan/proto_data.h>

#include "cmsedge/payload.h"

static int hf_tcp_flags = -1;
static int hf_icmp_type = -1;
static int hf_icmp_code = -1;
static int hf_icmpv6_type = -1;
static int hf_icmpv6_code = -1;
static int hf_stun_type = -1;

/* ICMP (RFC 792, RFC 1812) and ICMPv6 (RFC 4443) destination unreachable. */
#define ICMP_UNREACHABLE   3
#define ICMPV6_UNREACHABLE 1
/* The quoted IP header follows the 8-byte ICMP/ICMPv6 header (RFC 792, RFC 4443). */
#define ICMP_HEADER 8

static unsigned ip_version(tvbuff_t *tvb, int offset)
{
    uint8_t first;
    tvb_memcpy(tvb, &first, offset, 1);
    return first >> 4u;
}

/* The addresses of the IP header an ICMP error quotes, read from the ICMP message's bytes. */
static bool quoted_addresses(const field_info *type, bool v6, struct cmsedge_facts *f)
{
    tvbuff_t *tvb = type->ds_tvb;
    int ip = type->start + ICMP_HEADER;
    if (!v6) {
        uint8_t src[4], dst[4];
        if (!tvb_bytes_exist(tvb, ip, 20) || ip_version(tvb, ip) != 4)
            return false;
        tvb_memcpy(tvb, src, ip + 12, 4);
        tvb_memcpy(tvb, dst, ip + 16, 4);
        cmsedge_addr_from_ipv4(&f->quoted_src, src);
        cmsedge_addr_from_ipv4(&f->quoted_dst, dst);
    } else {
        uint8_t src[16], dst[16];
        if (!tvb_bytes_exist(tvb, ip, 40) || ip_version(tvb, ip) != 6)
            return false;
        tvb_memcpy(tvb, src, ip + 8, 16);
        tvb_memcpy(tvb, dst, ip + 24, 16);
        cmsedge_addr_from_ipv6(&f->quoted_src, src);
        cmsedge_addr_from_ipv6(&f->quoted_dst, dst);
    }
    return true;
}

/* What the first pass read from the tree, kept per frame (file scope) for later passes. Those
 * passes cannot read it again: tshark's second pass, Wireshark's packet list (which dissects a
 * row again to show its columns, without a tree unless colouring needs one) and its retaps
 * (Expert Information, Statistics) run without priming the fields this file wants, so the
 * tree lacks them or is absent, and an ICMP error would look like a quoted packet alone. */
static int proto_facts = -1;

struct kept_facts {
    bool in_icmp; /* the frame was read as an ICMP error */
    struct cmsedge_facts facts;
};

/* Longest STUN message walked for attributes: a datagram never carries more. */
#define STUN_MAX 65535

void cmsedge_facts_init(dissector_handle_t postdissector)
{
    static const char *const names[] = {"tcp.flags",   "icmp.type",   "icmp.code",
                                        "icmpv6.type", "icmpv6.code", "stun.type"};
    int *const order[] = {&hf_tcp_flags,   &hf_icmp_type,   &hf_icmp_code,
                          &hf_icmpv6_type, &hf_icmpv6_code, &hf_stun_type};
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        *order[i] = proto_registrar_get_id_byname(names[i]);
        if (*order[i] > 0)
            g_array_append_val(wanted, *order[i]);
    }
    set_postdissector_wanted_hfids(postdissector, wanted);
    proto_facts = dissector_handle_get_protocol_index(postdissector);
}

/* The last (innermost) or first (outermost) occurrence of a field. */
static field_info *field(proto_tree *tree, int hf, bool innermost)
{
    GPtrArray *all;
    if (hf <= 0 || !tree)
        return NULL;
    all = proto_get_finfo_ptr_array(tree, hf);
    if (!all || all->len == 0)
        return NULL;
    return g_ptr_array_index(all, innermost ? all->len - 1 : 0);
}

/* A field's value read back from the bytes it covers (bounds-checked). */
static unsigned field_uint(const field_info *fi, unsigned mask)
{
    if (!fi || !fi->ds_tvb || fi->length < 1 || fi->length > 2 ||
        !tvb_bytes_exist(fi->ds_tvb, fi->start, fi->length))
        return 0;
    uint8_t bytes[2] = {0, 0};
    tvb_memcpy(fi->ds_tvb, bytes, fi->start, (size_t)fi->length);
    unsigned v = fi->length == 1 ? bytes[0] : (unsigned)(bytes[0] << 8 | bytes[1]);
    return v & mask;
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

static void facts_read(proto_tree *tree, packet_info *pinfo, bool in_icmp, struct cmsedge_facts *f)
{
    field_info *fi;

    if (!tree)
        return;
    if (in_icmp) {
        /* the outermost ICMP header is the error; anything inside is quoted */
        bool v6 = false;
        if ((fi = field(tree, hf_icmp_type, false)) != NULL)
            f->icmp = icmp_kind(field_uint(fi, 0xff),
                                field_uint(field(tree, hf_icmp_code, false), 0xff), false);
        else if ((fi = field(tree, hf_icmpv6_type, false)) != NULL)
            f->icmp = icmp_kind(field_uint(fi, 0xff),
                                field_uint(field(tree, hf_icmpv6_code, false), 0xff), v6 = true);
        if (f->icmp != CMSEDGE_ICMP_NONE && (!fi->ds_tvb || !quoted_addresses(fi, v6, f)))
            f->icmp = CMSEDGE_ICMP_NONE; /* cannot tell whom it is about */
        return;
    }
    if (pinfo->ptype == PT_TCP && (fi = field(tree, hf_tcp_flags, true)) != NULL) {
        f->tcp_flags = (uint8_t)field_uint(fi, 0xff);
        /* the sequence number is at header offset 4, the flags field at 12 */
        if (fi->ds_tvb && fi->start >= 8 && tvb_bytes_exist(fi->ds_tvb, fi->start - 8, 4))
            f->tcp_seq = tvb_get_ntohl(fi->ds_tvb, fi->start - 8);
    }
    if ((fi = field(tree, hf_stun_type, true)) != NULL && fi->ds_tvb) {
        int avail = tvb_captured_length_remaining(fi->ds_tvb, fi->start);
        if (avail > 0) {
            struct cmsedge_stun_info info;
            int len = avail < STUN_MAX ? avail : STUN_MAX;
            if (cmsedge_parse_stun(tvb_get_ptr(fi->ds_tvb, fi->start, len), (size_t)len, &info)) {
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
        }
    }
}

void cmsedge_facts_from_tree(proto_tree *tree, packet_info *pinfo, bool in_icmp,
                             struct cmsedge_facts *f)
{
    memset(f, 0, sizeof *f);
    if (!PINFO_FD_VISITED(pinfo)) {
        facts_read(tree, pinfo, in_icmp, f);
        /* only frames with something to keep cost memory */
        struct cmsedge_facts none;
        memset(&none, 0, sizeof none);
        if (memcmp(f, &none, sizeof none) != 0) {
            struct kept_facts *k = wmem_new(wmem_file_scope(), struct kept_facts);
            k->in_icmp = in_icmp;
            k->facts = *f;
            p_add_proto_data(wmem_file_scope(), pinfo, proto_facts, 0, k);
        }
    } else {
        const struct kept_facts *k = p_get_proto_data(wmem_file_scope(), pinfo, proto_facts, 0);
        if (k && k->in_icmp == in_icmp)
            *f = k->facts;
    }
    f->frame = pinfo->num;
    f->time = (double)pinfo->rel_ts.secs + pinfo->rel_ts.nsecs / 1e9;
    f->length = pinfo->fd->pkt_len;
}
