/* cmsedge: what the TURN relays prove about the firewall (see include/cmsedge/firewall.h).
 *
 * A relay carries a client's media to a peer and the peer's back. When a relay sends a peer
 * datagram after datagram and the capture holds nothing from that peer's address to the relay,
 * the peer's media is stopped before it reaches the relay port: the rule that lets the peer's
 * media in is blocked. A relay that carries nothing proves nothing (WebRTC clients allocate
 * relays as ICE candidates they may never use), nor does a relay that some peer answered (ICE
 * tries candidates that cannot be reached), nor a capture that lacks the allocation's TURN
 * traffic in either direction (it may hold one direction only), and a relay that only
 * receives is the client's business, not a firewall's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "firewall_internal.h"

#include <stdio.h>
#include <string.h>

#include "cmsedge/calls.h"

static bool same_endpoint(const struct cmsedge_endpoint *a, const struct cmsedge_endpoint *b)
{
    return a->port == b->port && cmsedge_addr_equal(&a->addr, &b->addr);
}

/* Did any leg bring the relay something from a peer? One that did shows the relay's way in
 * open; the peer left unanswered is then a candidate ICE tried and gave up (an address the
 * relay cannot reach), not a closed firewall. */
static bool relay_answered(const struct cmsedge_leg *legs, size_t n,
                           const struct cmsedge_endpoint *relay)
{
    for (size_t i = 0; i < n; i++) {
        const struct cmsedge_leg *l = &legs[i];
        if (l->kind != CMSEDGE_LEG_RELAY && l->kind != CMSEDGE_LEG_RELAY_RELAY)
            continue;
        if (same_endpoint(&l->b, relay) && l->packets[0])
            return true;
        if (same_endpoint(&l->a, relay) && l->packets[1])
            return true;
    }
    return false;
}

/* Does the capture hold the allocation's TURN traffic both ways? A capture of one direction
 * only (the Expressway-E's outbound, say) shows a relay sending and nothing back whatever the
 * firewall does. */
static bool turn_both_ways(const struct cmsedge_leg *legs, size_t n, unsigned allocation)
{
    for (size_t i = 0; i < n; i++)
        if (legs[i].kind == CMSEDGE_LEG_TURN && legs[i].allocation == allocation &&
            legs[i].packets[0] && legs[i].packets[1])
            return true;
    return false;
}

void cmsedge_firewall_relays(struct cmsedge_firewall *fw, const struct cmsedge_calls *calls)
{
    const struct cmsedge_allocation *allocs;
    const struct cmsedge_leg *legs;
    size_t n_allocs, n_legs;

    GArray *found = g_array_new(FALSE, TRUE, sizeof(struct cmsedge_fw_relay));
    n_allocs = calls ? cmsedge_calls_allocations(calls, &allocs) : 0;
    n_legs = calls ? cmsedge_calls_legs(calls, &legs) : 0;
    for (size_t i = 0; i < n_legs; i++) {
        const struct cmsedge_leg *l = &legs[i];
        if (l->kind != CMSEDGE_LEG_RELAY || !l->allocation || l->allocation > n_allocs)
            continue;
        const struct cmsedge_allocation *al = &allocs[l->allocation - 1];
        const struct cmsedge_endpoint *relay, *peer;
        uint64_t sent;
        if (same_endpoint(&l->a, &al->relayed))
            relay = &l->a, peer = &l->b, sent = l->packets[0];
        else if (same_endpoint(&l->b, &al->relayed))
            relay = &l->b, peer = &l->a, sent = l->packets[1];
        else
            continue;
        if (sent < CMSEDGE_FW_UNANSWERED || relay_answered(legs, n_legs, relay) ||
            !turn_both_ways(legs, n_legs, al->id))
            continue;
        /* relayed media is UDP unless the allocation asked otherwise (RFC 8656 section 7.2) */
        struct cmsedge_fw_relay x = {.transport = CMSEDGE_TRANSPORT_UDP,
                                     .relay = relay->addr,
                                     .peer = peer->addr,
                                     .relay_port = relay->port,
                                     .peer_port = peer->port,
                                     .n_frames = 3,
                                     .frames = {al->first_frame, l->first_frame, l->last_frame}};
        char r[64], p[64];
        cmsedge_addr_format(&relay->addr, r, sizeof r);
        cmsedge_addr_format(&peer->addr, p, sizeof p);
        snprintf(x.text, sizeof x.text,
                 "TURN relay %s:%u (allocated at frame %u) sent %" G_GUINT64_FORMAT
                 " datagram(s) to %s:%u and no peer sent it anything",
                 r, relay->port, al->first_frame, sent, p, peer->port);
        g_array_append_val(found, x);
    }
    cmsedge_fw_relays_set(fw, (const struct cmsedge_fw_relay *)(void *)found->data, found->len);
    g_array_free(found, TRUE);
}
