/* cmsedge: decoding on the ports the reference documents, without Decode As.
 *
 * Stock Wireshark 4.0 leaves Assent media, TURN relays and the Expressway-E's private service
 * ports undecoded (bare UDP on 36000, "afs3-callback" on 7001). This file adds:
 *   - a media demultiplexer (RFC 7983 first byte: STUN, DTLS, ChannelData, RTP/RTCP, and RTP
 *     after a 4-byte multiplex id) registered on the narrow media ports of the table (the
 *     Assent demultiplexing ports), and as a heuristic for the wide ranges (relays, traversal
 *     media, Meeting Server media), which would otherwise take thousands of port entries;
 *   - RTP/RTCP heuristics inside TURN ChannelData and Data indications (the "turnchannel"
 *     list, and the "stun" list where it is off by default so 3478 decodes as before);
 *   - SSH on the SSH tunnel port, SIP over TCP or TLS on the traversal zone ports, STUN on the
 *     Large TURN ports, each only where no stock dissector already owns the port.
 * Every port comes from the table through cmsedge_service_ports(); settings changes
 * re-register them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <epan/conversation.h>
#include <epan/dissectors/packet-rtp.h>
#include <epan/expert.h>

#include "cmsedge/fingerprints.h"
#include "cmsedge/frame_log.h"
#include "cmsedge/media.h"
#include "cmsedge/media_tracks.h"
#include "cmsedge/payload.h"
#include "compat.h"

/* A cell this narrow is registered port by port; wider ones are left to the heuristic. */
#define MAX_PORT_TABLE_SPAN 64

static int proto_media = -1;
static int hf_media_kind = -1;
static int hf_media_mux_id = -1;
static gint ett_media = -1;
static expert_field ei_media_mux_id = EI_INIT;

static dissector_handle_t media_handle, ssh_shim_handle, zone_shim_handle;
static dissector_handle_t rtp_handle, rtcp_handle, stun_udp_handle, dtls_handle, ssh_handle,
    tls_handle, sip_tcp_handle;

/* Ports of the wide media ranges, for the heuristic's gate: one bit per UDP port. */
static uint8_t media_port_bits[65536 / 8];

struct registration {
    const char *table;
    guint32 port;
    dissector_handle_t handle;
};
static GArray *registrations; /* what we put in port tables, to take it out on a change */

/* ---- media demultiplexing ---------------------------------------------------------------- */

/* Per capture file: each flow direction's track, plain and inside TURN messages, kept by
 * fingerprint only once a datagram is worth remembering (many flows never carry media); and
 * the 5-tuples handed to the RTP dissector as RTP conversations. Emptied for each file. */
static struct cmsedge_media_tracks *tracks;
static struct cmsedge_fingerprints *rtp_set_up;
/* What the first pass found in each datagram that holds media, plain [0] and inside TURN
 * messages [1], for the passes after it (a frame with nothing kept is not media). */
static struct cmsedge_frame_log *media_found[2];

static void tracks_init(void)
{
    if (!tracks) {
        tracks = cmsedge_media_tracks_new();
        rtp_set_up = cmsedge_fingerprints_new();
        media_found[0] = cmsedge_frame_log_new(sizeof(struct cmsedge_media));
        media_found[1] = cmsedge_frame_log_new(sizeof(struct cmsedge_media));
    }
    cmsedge_media_tracks_clear(tracks);
    cmsedge_fingerprints_clear(rtp_set_up);
    cmsedge_frame_log_clear(media_found[0]);
    cmsedge_frame_log_clear(media_found[1]);
}

/* The fingerprint of one direction of the frame's flow (reverse: the other one). */
static uint64_t direction_fingerprint(const packet_info *pinfo, bool relayed, bool reverse)
{
    const address *from = reverse ? &pinfo->dst : &pinfo->src;
    const address *to = reverse ? &pinfo->src : &pinfo->dst;
    guint16 ports[2] = {(guint16)(reverse ? pinfo->destport : pinfo->srcport),
                        (guint16)(reverse ? pinfo->srcport : pinfo->destport)};
    uint8_t key[4 + sizeof ports + 2 * 16];
    size_t n = 0;
    int from_len = MIN(from->len, 16), to_len = MIN(to->len, 16);
    key[n++] = (uint8_t)from->type;
    key[n++] = relayed;
    key[n++] = (uint8_t)from_len;
    key[n++] = (uint8_t)to_len;
    memcpy(key + n, ports, sizeof ports);
    n += sizeof ports;
    memcpy(key + n, from->data, (size_t)from_len);
    n += (size_t)from_len;
    memcpy(key + n, to->data, (size_t)to_len);
    n += (size_t)to_len;
    return cmsedge_fingerprint(key, n);
}

/* The setup method Wireshark's RTP tools show for the streams cmsedge sets up (at most
 * MAX_RTP_SETUP_METHOD_SIZE characters). */
#define RTP_SETUP_METHOD "cmsedge"

/* What a later pass reads for a frame the first pass found no media in. */
static const struct cmsedge_media no_media = {CMSEDGE_MEDIA_NONE, 0, 0};

/* The frame that proves a stream (its second consistent packet, first pass only) sets the UDP
 * 5-tuple up as an RTP conversation the way SDP does: the RTP dissector keeps the setup method
 * and frame, which -z rtp,streams and RTP Stream Analysis show. UDP looks a packet's
 * conversation up by its destination, so each end gets one (address and port, the other end's
 * port, any other address: RTP's own rule). The conversations' dissector starts with the next
 * frame, so that this frame is dissected the same way (through cmsedge.media) on every pass;
 * before it, they do not exist. A stream with a multiplex id stays ours (the RTP dissector
 * would read the id as a header): its conversations carry the RTP setup data but hand the
 * packets to the demultiplexer. */
static void set_up_rtp_end(packet_info *pinfo, address *addr, guint32 port, guint32 other_port,
                           dissector_handle_t handle)
{
    address any = ADDRESS_INIT_NONE;
    conversation_t *conv =
        conversation_new(pinfo->num, addr, &any, CONVERSATION_UDP, port, other_port, NO_ADDR2);
    rtp_add_address(pinfo, PT_UDP, addr, (int)port, (int)other_port, RTP_SETUP_METHOD, pinfo->num,
                    0, NULL);
    conversation_set_dissector_from_frame_number(conv, 0, NULL);
    conversation_set_dissector_from_frame_number(conv, pinfo->num + 1, handle);
}

static void set_up_rtp_conversation(packet_info *pinfo, const struct cmsedge_media *m)
{
    dissector_handle_t handle = m->offset ? media_handle : rtp_handle;
    set_up_rtp_end(pinfo, &pinfo->dst, pinfo->destport, pinfo->srcport, handle);
    set_up_rtp_end(pinfo, &pinfo->src, pinfo->srcport, pinfo->destport, handle);
}

static bool follow(tvbuff_t *tvb, packet_info *pinfo, bool relayed, unsigned allow,
                   struct cmsedge_media *m)
{
    if (!tracks)
        tracks_init();
    /* kept: a later pass, or this frame dissected again on the first */
    const struct cmsedge_media *kept = cmsedge_frame_log_get(media_found[relayed], pinfo->num);
    if (kept || PINFO_FD_VISITED(pinfo)) {
        *m = kept ? *kept : no_media;
        return m->kind != CMSEDGE_MEDIA_NONE;
    }
    uint64_t fp = direction_fingerprint(pinfo, relayed, false);
    struct cmsedge_media_track fresh, *track = cmsedge_media_tracks_find(tracks, fp);
    if (!track) {
        memset(&fresh, 0, sizeof fresh);
        track = &fresh;
    }
    uint8_t head[CMSEDGE_MEDIA_HEAD];
    unsigned n = MIN(tvb_captured_length(tvb), (unsigned)sizeof head);
    tvb_memcpy(tvb, head, 0, n);
    bool found = cmsedge_media_follow(track, head, n, tvb_reported_length(tvb), allow, m);
    if (track == &fresh && fresh.state != 0)
        cmsedge_media_tracks_keep(tracks, fp, &fresh);
    /* only media is kept per frame: a later pass takes a frame with nothing kept as none */
    if (found) {
        struct cmsedge_media kept = *m; /* compared as bytes: nothing left undefined */
        if (!kept.offset)
            kept.mux_id = 0;
        cmsedge_frame_log_put(media_found[relayed], pinfo->num, &kept);
    }
    if (found && !relayed && m->kind == CMSEDGE_MEDIA_RTP && pinfo->ptype == PT_UDP) {
        /* both directions' fingerprints, combined the same way from either end */
        uint64_t flow = fp ^ direction_fingerprint(pinfo, false, true);
        if (cmsedge_fingerprints_add(rtp_set_up, flow))
            set_up_rtp_conversation(pinfo, m);
    }
    return found;
}

#define MEDIA_ALL                                                                                  \
    (CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_STUN) | CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_DTLS) |               \
     CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTP) | CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTCP))
#define MEDIA_RTP (CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTP) | CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTCP))

static int dissect_media_kind(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                              const struct cmsedge_media *m)
{
    proto_item *ti = proto_tree_add_item(tree, proto_media, tvb, 0, m->offset, ENC_NA);
    proto_tree *mt = proto_item_add_subtree(ti, ett_media);
    bool shown = cmsedge_tree_shown(tree);
    /* the kind is in the item's label where the tree is shown; its own item where a filter or
     * -e asks for it, or with the row_details preference */
    if (mt && (cmsedge_asked_field(hf_media_kind) ||
               proto_registrar_get_nth((guint)hf_media_kind)->ref_type != HF_REF_TYPE_NONE ||
               (shown && cmsedge_prefs_row_details()))) {
        proto_item *kind =
            proto_tree_add_string(mt, hf_media_kind, tvb, 0, 0, cmsedge_media_kind_name(m->kind));
        proto_item_set_generated(kind);
    }
    if (shown)
        proto_item_append_text(ti, ": %s", cmsedge_media_kind_name(m->kind));
    if (m->offset) {
        proto_tree_add_item(mt, hf_media_mux_id, tvb, 0, 4, ENC_BIG_ENDIAN);
        if (shown)
            proto_item_append_text(ti, " after multiplex id 0x%08x", m->mux_id);
        expert_add_info(pinfo, ti, &ei_media_mux_id);
    }
    tvbuff_t *next = tvb_new_subset_remaining(tvb, m->offset);
    switch (m->kind) {
    case CMSEDGE_MEDIA_STUN:
        return m->offset + call_dissector(stun_udp_handle, next, pinfo, tree);
    case CMSEDGE_MEDIA_DTLS:
        return m->offset + call_dissector(dtls_handle, next, pinfo, tree);
    case CMSEDGE_MEDIA_RTCP:
        return m->offset + call_dissector(rtcp_handle, next, pinfo, tree);
    case CMSEDGE_MEDIA_RTP:
        return m->offset + call_dissector(rtp_handle, next, pinfo, tree);
    default:
        return 0;
    }
}

/* Port-registered: anything not recognisable goes back to UDP (return 0), and from there to
 * the stock heuristics. */
static int dissect_media(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    struct cmsedge_media m;
    if (!follow(tvb, pinfo, false, MEDIA_ALL, &m))
        return 0;
    return dissect_media_kind(tvb, pinfo, tree, &m);
}

static bool media_port(uint32_t port)
{
    return port < 65536 && (media_port_bits[port / 8] & (1u << (port % 8)));
}

static bool edge_host_takes_part(packet_info *pinfo)
{
    struct cmsedge_addr a, b;
    if (pinfo->src.type == AT_IPv4 && pinfo->dst.type == AT_IPv4) {
        cmsedge_addr_from_ipv4(&a, pinfo->src.data);
        cmsedge_addr_from_ipv4(&b, pinfo->dst.data);
    } else if (pinfo->src.type == AT_IPv6 && pinfo->dst.type == AT_IPv6) {
        cmsedge_addr_from_ipv6(&a, pinfo->src.data);
        cmsedge_addr_from_ipv6(&b, pinfo->dst.data);
    } else {
        return false;
    }
    return cmsedge_capture_expects_media(cmsedge_plugin_capture(), &a, &b, pinfo->num);
}

/* Heuristic on "udp": only on the table's wide media ranges, only where an edge host takes
 * part, only RTP and RTCP (STUN and DTLS have stock heuristics of their own). */
static cmsedge_cb_bool heur_media_udp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                      void *data _U_)
{
    struct cmsedge_media m;
    if (!media_port(pinfo->srcport) && !media_port(pinfo->destport))
        return FALSE;
    if (!PINFO_FD_VISITED(pinfo) && !edge_host_takes_part(pinfo))
        return FALSE;
    if (!follow(tvb, pinfo, false, MEDIA_RTP, &m))
        return FALSE;
    return dissect_media_kind(tvb, pinfo, tree, &m) > 0;
}

/* Heuristic on "stun"/"turnchannel": relayed payloads, RTP or RTCP only (STUN, DTLS and
 * ChannelData inside a relay are not media). */
static cmsedge_cb_bool heur_relayed_rtp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                        void *data _U_)
{
    struct cmsedge_media m;
    if (!follow(tvb, pinfo, true, MEDIA_RTP, &m))
        return FALSE;
    return dissect_media_kind(tvb, pinfo, tree, &m) > 0;
}

/* ---- TCP service ports ----------------------------------------------------------------- */

enum zone_stream { ZONE_UNKNOWN = 0, ZONE_TLS, ZONE_SIP, ZONE_SSH };

/* The SSH tunnel port: SSH once the stream opens with an SSH banner (RFC 4253 section 4.2). A
 * capture that starts mid-stream, or another protocol on the port, stays with TCP. */
static int dissect_ssh_shim(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    if (!conversation_get_proto_data(conv, proto_media)) {
        uint8_t head[CMSEDGE_PAYLOAD_HEAD];
        unsigned n = MIN(tvb_captured_length(tvb), (unsigned)sizeof head);
        tvb_memcpy(tvb, head, 0, n);
        if (!cmsedge_looks_like_ssh(head, n))
            return 0;
        conversation_add_proto_data(conv, proto_media, GUINT_TO_POINTER(ZONE_SSH));
    }
    return call_dissector_with_data(ssh_handle, tvb, pinfo, tree, data);
}

/* Traversal zone ports carry SIP over TCP or over TLS: the stream's first bytes decide, and
 * the choice is kept for the rest of the connection. */
static int dissect_zone_shim(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    conversation_t *conv = find_or_create_conversation(pinfo);
    enum zone_stream kind =
        (enum zone_stream)GPOINTER_TO_UINT(conversation_get_proto_data(conv, proto_media));
    if (kind == ZONE_UNKNOWN) {
        uint8_t head[CMSEDGE_PAYLOAD_HEAD];
        unsigned n = MIN(tvb_captured_length(tvb), (unsigned)sizeof head);
        tvb_memcpy(tvb, head, 0, n);
        if (cmsedge_looks_like_tls(head, n))
            kind = ZONE_TLS;
        else if (cmsedge_looks_like_sip(head, n))
            kind = ZONE_SIP;
        else
            return 0;
        conversation_add_proto_data(conv, proto_media, GUINT_TO_POINTER(kind));
    }
    return call_dissector_with_data(kind == ZONE_TLS ? tls_handle : sip_tcp_handle, tvb, pinfo,
                                    tree, data);
}

/* ---- port (re)registration ------------------------------------------------------------- */

static void add_port(const char *table, guint32 port, dissector_handle_t handle)
{
    dissector_table_t t = find_dissector_table(table);
    if (!t || dissector_get_uint_handle(t, port))
        return; /* a stock dissector owns it: leave it as it was */
    dissector_add_uint(table, port, handle);
    struct registration r = {table, port, handle};
    g_array_append_val(registrations, r);
}

struct port_job {
    const char *table;
    dissector_handle_t handle;
    dissector_handle_t tls_payload; /* also map the port in "tls.port" to this */
};

static void register_range(uint16_t lo, uint16_t hi, void *user)
{
    const struct port_job *job = user;
    if (hi - lo + 1 > MAX_PORT_TABLE_SPAN)
        return;
    for (unsigned p = lo; p <= hi; p++) {
        add_port(job->table, p, job->handle);
        if (job->tls_payload)
            add_port("tls.port", p, job->tls_payload);
    }
}

/* Marks ports lo..hi: whole bytes at once in between, as media rows span up to 64,512 ports
 * and this runs at start-up and on every change of settings. */
static void mark_media_range(uint16_t lo, uint16_t hi, void *user _U_)
{
    unsigned p = lo;
    for (; p <= hi && p % 8; p++)
        media_port_bits[p / 8] |= (uint8_t)(1u << (p % 8));
    if (p + 8 <= (unsigned)hi + 1) {
        unsigned bytes = ((unsigned)hi + 1 - p) / 8;
        memset(&media_port_bits[p / 8], 0xff, bytes);
        p += bytes * 8;
    }
    for (; p <= hi; p++)
        media_port_bits[p / 8] |= (uint8_t)(1u << (p % 8));
}

void cmsedge_ports_update(const struct cmsedge_settings *s)
{
    const unsigned media_apps = CMSEDGE_APP_BIT(CMSEDGE_APP_RTP) |
                                CMSEDGE_APP_BIT(CMSEDGE_APP_RTCP) | CMSEDGE_APP_ANY_MEDIA;
    const unsigned both = CMSEDGE_END_SRC | CMSEDGE_END_DST;

    if (!registrations || !media_handle)
        return; /* before handoff: cmsedge_ports_handoff() calls us again */
    for (guint i = 0; i < registrations->len; i++) {
        struct registration *r = &g_array_index(registrations, struct registration, i);
        dissector_delete_uint(r->table, r->port, r->handle);
    }
    g_array_set_size(registrations, 0);
    memset(media_port_bits, 0, sizeof media_port_bits);

    cmsedge_service_ports(s, CMSEDGE_TRANSPORT_UDP, media_apps, both, mark_media_range, NULL);
    struct port_job media = {"udp.port", media_handle, NULL};
    cmsedge_service_ports(s, CMSEDGE_TRANSPORT_UDP, media_apps, both, register_range, &media);

    struct port_job ssh = {"tcp.port", ssh_shim_handle, NULL};
    cmsedge_service_ports(s, CMSEDGE_TRANSPORT_TCP, CMSEDGE_APP_BIT(CMSEDGE_APP_SSH),
                          CMSEDGE_END_DST, register_range, &ssh);

    struct port_job zone = {"tcp.port", zone_shim_handle, sip_tcp_handle};
    cmsedge_service_ports(s, CMSEDGE_TRANSPORT_TCP, CMSEDGE_APP_BIT(CMSEDGE_APP_SIP),
                          CMSEDGE_END_DST, register_range, &zone);
    /* STUN on the Large TURN ports 3479-3483 needs nothing: the stock STUN heuristic finds it */
}

void cmsedge_ports_register(int proto_cmsedge _U_)
{
    static hf_register_info hf[] = {
        {&hf_media_kind,
         {"Payload", "cmsedge.media.kind", FT_STRING, BASE_NONE, NULL, 0x0,
          "What the first byte says the datagram carries (RFC 7983)", HFILL}},
        {&hf_media_mux_id,
         {"Multiplex id", "cmsedge.media.mux_id", FT_UINT32, BASE_HEX, NULL, 0x0,
          "4-byte multiplex id in front of RTP/RTCP (H.460.19 style)", HFILL}},
    };
    static gint *ett[] = {&ett_media};
    static ei_register_info ei[] = {
        {&ei_media_mux_id,
         {"cmsedge.media.mux_id_seen", PI_PROTOCOL, PI_CHAT,
          "Media carries a 4-byte multiplex id before RTP/RTCP", EXPFILL}},
    };

    proto_media = proto_register_protocol("Cisco Meeting Server Edge media demultiplexer",
                                          "CMSEDGE-MEDIA", "cmsedge.media");
    proto_register_field_array(proto_media, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_media), ei, array_length(ei));
    media_handle = register_dissector_with_description(
        "cmsedge.media", "Meeting Server edge media (RTP/RTCP/STUN/DTLS by first byte)",
        dissect_media, proto_media);
    ssh_shim_handle = register_dissector_with_description(
        "cmsedge.ssh_tunnel", "Expressway SSH tunnel (SSH)", dissect_ssh_shim, proto_media);
    zone_shim_handle = register_dissector_with_description(
        "cmsedge.traversal_zone", "Expressway traversal zone (SIP over TCP or TLS)",
        dissect_zone_shim, proto_media);
    registrations = g_array_new(FALSE, FALSE, sizeof(struct registration));
    register_init_routine(tracks_init);
    register_cleanup_routine(tracks_init);
}

void cmsedge_ports_handoff(void)
{
    rtp_handle = find_dissector_add_dependency("rtp", proto_media);
    rtcp_handle = find_dissector_add_dependency("rtcp", proto_media);
    stun_udp_handle = find_dissector_add_dependency("stun-udp", proto_media);
    dtls_handle = find_dissector_add_dependency("dtls", proto_media);
    ssh_handle = find_dissector_add_dependency("ssh", proto_media);
    tls_handle = find_dissector_add_dependency("tls", proto_media);
    sip_tcp_handle = find_dissector_add_dependency("sip.tcp", proto_media);

    heur_dissector_add("udp", heur_media_udp, "Media on Meeting Server edge ports",
                       "cmsedge_media_udp", proto_media, HEURISTIC_ENABLE);
    /* off by default: on 3478 the stock dissectors must decode exactly as without cmsedge */
    heur_dissector_add("stun", heur_relayed_rtp, "RTP/RTCP relayed through TURN (cmsedge)",
                       "cmsedge_rtp_stun", proto_media, HEURISTIC_DISABLE);
    heur_dissector_add("turnchannel", heur_relayed_rtp, "RTP/RTCP in TURN ChannelData (cmsedge)",
                       "cmsedge_rtp_turnchannel", proto_media, HEURISTIC_ENABLE);
    dissector_add_for_decode_as("udp.port", media_handle);
    dissector_add_for_decode_as("tcp.port", ssh_shim_handle);
    dissector_add_for_decode_as("tcp.port", zone_shim_handle);
    cmsedge_ports_update(cmsedge_settings());
}
