/* cmsedge: the payload hint, read from the layers Wireshark has already dissected.
 *
 * The postdissector runs after every other dissector, so instead of parsing the payload again
 * it reads pinfo->layers, the protocol ids of this frame in order. The first protocol above
 * UDP/TCP says what the payload is. STUN followed by another layer means a TURN ChannelData
 * message or a Send/Data indication carrying data (that is how packet-stun.c hands payloads
 * on); STUN alone is a request, response or other indication. Whether the stock STUN
 * dissector took the payload at all also tells cmsedge-facts.c where to look for a STUN message.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

struct layer_app {
    const char *filter_name;
    int app; /* enum cmsedge_app */
    int proto;
};

static struct layer_app layer_apps[] = {
    {"stun", CMSEDGE_APP_STUN, -1},
    {"classicstun", CMSEDGE_APP_STUN, -1},
    {"turnchannel", CMSEDGE_APP_TURN_DATA, -1},
    {"rtp", CMSEDGE_APP_RTP, -1},
    {"srtp", CMSEDGE_APP_RTP, -1},
    {"rtcp", CMSEDGE_APP_RTCP, -1},
    {"srtcp", CMSEDGE_APP_RTCP, -1},
    {"dtls", CMSEDGE_APP_DTLS, -1},
    {"tls", CMSEDGE_APP_TLS, -1},
    {"sip", CMSEDGE_APP_SIP, -1},
    {"ssh", CMSEDGE_APP_SSH, -1},
    {"http", CMSEDGE_APP_HTTP, -1},
};

static int proto_udp = -1, proto_tcp = -1, proto_media = -1, proto_icmp = -1, proto_icmpv6 = -1,
           proto_data = -1, proto_stun = -1, proto_ip = -1, proto_ipv6 = -1;

void cmsedge_hint_init(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(layer_apps); i++)
        layer_apps[i].proto = proto_get_id_by_filter_name(layer_apps[i].filter_name);
    proto_udp = proto_get_id_by_filter_name("udp");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_media = proto_get_id_by_filter_name("cmsedge.media");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    proto_data = proto_get_id_by_filter_name("data");
    proto_stun = proto_get_id_by_filter_name("stun");
    proto_ip = proto_get_id_by_filter_name("ip");
    proto_ipv6 = proto_get_id_by_filter_name("ipv6");
}

/* A protocol above UDP/TCP: one a row carries, raw data (nothing recognised it), or another
 * protocol a stock dissector recognised (DNS, NTP, LDAP...), which no row carries. */
static int app_of(int proto)
{
    for (size_t i = 0; i < G_N_ELEMENTS(layer_apps); i++) {
        if (layer_apps[i].proto == proto)
            return layer_apps[i].app;
    }
    return proto == proto_data ? CMSEDGE_HINT_OTHER : CMSEDGE_HINT_FOREIGN;
}

static int payload_hint(wmem_list_frame_t *transport, int own_proto, bool *stun)
{
    for (wmem_list_frame_t *f = wmem_list_frame_next(transport); f; f = wmem_list_frame_next(f)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(f));
        if (proto == own_proto || proto == proto_media)
            continue; /* our own layers say nothing about the payload */
        int app = app_of(proto);
        *stun = proto == proto_stun;
        if (app == CMSEDGE_APP_STUN) {
            /* a further layer after STUN is relayed data */
            wmem_list_frame_t *next = wmem_list_frame_next(f);
            while (next && GPOINTER_TO_INT(wmem_list_frame_data(next)) == own_proto)
                next = wmem_list_frame_next(next);
            if (next)
                return CMSEDGE_APP_TURN_DATA;
        }
        return app;
    }
    return CMSEDGE_HINT_NONE;
}

void cmsedge_layers_read(packet_info *pinfo, int own_proto, struct cmsedge_layers *out)
{
    wmem_list_frame_t *f, *transport = NULL;

    /* the innermost UDP/TCP is the one pinfo's ports belong to (tunnels carry several) */
    out->in_icmp = false;
    out->stun = false;
    out->ip_layers = 0;
    for (f = wmem_list_head(pinfo->layers); f; f = wmem_list_frame_next(f)) {
        int proto = GPOINTER_TO_INT(wmem_list_frame_data(f));
        if (proto == proto_udp || proto == proto_tcp)
            transport = f;
        else if (proto == proto_icmp || proto == proto_icmpv6)
            out->in_icmp = true; /* ports are those of the packet the ICMP error quotes */
        else if (proto == proto_ip || proto == proto_ipv6)
            out->ip_layers++;
    }
    out->hint = transport ? payload_hint(transport, own_proto, &out->stun) : CMSEDGE_HINT_NONE;
}
