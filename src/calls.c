/* cmsedge: joins and calls as units (see include/cmsedge/calls.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "calls_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/reference.h"
#include "cmsedge/roles.h"
#include "text_escape.h"

/* Beyond these many allocations a capture's further ones are not followed. */
#define MAX_ALLOCATIONS 4096

#define STUN_REFRESH_SUCCESS 0x0104u /* RFC 8656 section 17: Refresh, success class */

bool cmsedge_calls_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

struct cmsedge_calls *cmsedge_calls_new(void)
{
    struct cmsedge_calls *c = calloc(1, sizeof(struct cmsedge_calls));
    if (c && !cmsedge_traversal_init(c)) {
        free(c);
        return NULL;
    }
    if (c) {
        c->alloc_by_pair = g_hash_table_new(g_direct_hash, g_direct_equal);
        c->alloc_by_relay = g_hash_table_new(g_direct_hash, g_direct_equal);
        c->leg_by_ends = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    return c;
}

void cmsedge_calls_reset(struct cmsedge_calls *c)
{
    c->n_allocs = c->n_legs = c->n_calls = 0;
    g_hash_table_remove_all(c->alloc_by_pair);
    g_hash_table_remove_all(c->alloc_by_relay);
    g_hash_table_remove_all(c->leg_by_ends);
    memset(c->server_ports, 0, sizeof c->server_ports);
    memset(c->relay_ports, 0, sizeof c->relay_ports);
    cmsedge_traversal_reset(c);
}

void cmsedge_calls_free(struct cmsedge_calls *c)
{
    if (!c)
        return;
    cmsedge_traversal_free(c);
    g_hash_table_destroy(c->alloc_by_pair);
    g_hash_table_destroy(c->alloc_by_relay);
    g_hash_table_destroy(c->leg_by_ends);
    free(c->allocs);
    free(c->legs);
    free(c->calls);
    free(c);
}

struct cmsedge_call *cmsedge_calls_new_call(struct cmsedge_calls *c, uint32_t frame)
{
    if (!cmsedge_calls_grow((void **)&c->calls, &c->cap_calls, c->n_calls + 1, sizeof *c->calls))
        return NULL;
    struct cmsedge_call *call = &c->calls[c->n_calls++];
    memset(call, 0, sizeof *call);
    call->id = (unsigned)c->n_calls;
    call->first_frame = frame;
    return call;
}

static gpointer ends_key(const struct cmsedge_endpoint *a, const struct cmsedge_endpoint *b);

struct cmsedge_leg *cmsedge_calls_new_leg(struct cmsedge_calls *c, enum cmsedge_leg_kind kind,
                                          unsigned call, const struct cmsedge_endpoint *src,
                                          const struct cmsedge_endpoint *dst, uint32_t frame)
{
    if (c->n_legs >= CMSEDGE_CALLS_MAX_LEGS ||
        !cmsedge_calls_grow((void **)&c->legs, &c->cap_legs, c->n_legs + 1, sizeof *c->legs))
        return NULL;
    struct cmsedge_leg *l = &c->legs[c->n_legs++];
    memset(l, 0, sizeof *l);
    l->id = (unsigned)c->n_legs;
    l->kind = kind;
    l->call = call;
    l->a = *src;
    l->b = *dst;
    l->first_frame = frame;
    g_hash_table_insert(c->leg_by_ends, ends_key(src, dst), GSIZE_TO_POINTER(c->n_legs));
    return l;
}

static bool endpoint_is(const struct cmsedge_endpoint *e, const struct cmsedge_addr *addr,
                        uint16_t port)
{
    return e->port == port && cmsedge_addr_equal(&e->addr, addr);
}

bool cmsedge_endpoints_equal(const struct cmsedge_endpoint *a, const struct cmsedge_endpoint *b)
{
    return endpoint_is(a, &b->addr, b->port);
}

unsigned cmsedge_calls_final(const struct cmsedge_calls *c, unsigned id)
{
    while (id >= 1 && id <= c->n_calls && c->calls[id - 1].joined)
        id = c->calls[id - 1].joined;
    return id;
}

/* The calls of two allocations become one from `frame` on: the smaller id stays. */
static void join(struct cmsedge_calls *c, unsigned a, unsigned b, uint32_t frame)
{
    a = cmsedge_calls_final(c, a);
    b = cmsedge_calls_final(c, b);
    if (a == b || a == 0 || b == 0)
        return;
    unsigned keep = a < b ? a : b, gone = a < b ? b : a;
    c->calls[gone - 1].joined = keep;
    c->calls[gone - 1].joined_frame = frame;
}

/* Allocations are looked up on every frame that is not STUN: by a hash of the ends, so that
 * the cost does not grow with the joins of the capture. The table keeps the newest allocation
 * under a hash; a hit that is another allocation (two sharing a hash, or a relayed address
 * that changed) falls back to walking the allocations, newest first, which is what the table
 * stands for. */
static unsigned endpoint_hash(unsigned h, const struct cmsedge_endpoint *e)
{
    h = (h ^ cmsedge_addr_hash(&e->addr)) * 0x9e3779b1u;
    return (h ^ e->port) * 0x85ebca6bu;
}

static gpointer endpoints_key(unsigned transport, const struct cmsedge_endpoint *a,
                              const struct cmsedge_endpoint *b)
{
    unsigned h = endpoint_hash(transport + 1u, a);
    return GUINT_TO_POINTER(b ? endpoint_hash(h, b) : h);
}

/* The same for both directions of a flow: the two ends' hashes in a fixed order. */
static gpointer ends_key(const struct cmsedge_endpoint *a, const struct cmsedge_endpoint *b)
{
    unsigned ha = endpoint_hash(1u, a), hb = endpoint_hash(1u, b);
    return GUINT_TO_POINTER(ha < hb ? (ha ^ hb * 0x9e3779b1u) : (hb ^ ha * 0x9e3779b1u));
}

static bool is_pair(const struct cmsedge_allocation *al, unsigned transport,
                    const struct cmsedge_endpoint *client, const struct cmsedge_endpoint *server)
{
    return al->transport == transport && cmsedge_endpoints_equal(&al->client, client) &&
           cmsedge_endpoints_equal(&al->server, server);
}

static void mark_port(uint8_t *bits, uint16_t port)
{
    bits[port / 8] |= (uint8_t)(1u << (port % 8));
}

static bool port_marked(const uint8_t *bits, uint16_t port)
{
    return bits[port / 8] & (1u << (port % 8));
}

static struct cmsedge_allocation *find_allocation(struct cmsedge_calls *c, unsigned transport,
                                                  const struct cmsedge_endpoint *client,
                                                  const struct cmsedge_endpoint *server)
{
    if (!c->n_allocs || !port_marked(c->server_ports, server->port))
        return NULL;
    size_t at = GPOINTER_TO_SIZE(
        g_hash_table_lookup(c->alloc_by_pair, endpoints_key(transport, client, server)));
    if (!at)
        return NULL;
    if (is_pair(&c->allocs[at - 1], transport, client, server))
        return &c->allocs[at - 1];
    for (size_t i = c->n_allocs; i-- > 0;) {
        if (is_pair(&c->allocs[i], transport, client, server))
            return &c->allocs[i];
    }
    return NULL;
}

/* The allocation whose relayed address this is. */
static struct cmsedge_allocation *relay_of(struct cmsedge_calls *c, const struct cmsedge_addr *a,
                                           uint16_t port)
{
    if (!c->n_allocs || !port_marked(c->relay_ports, port))
        return NULL;
    struct cmsedge_endpoint e = {*a, port};
    size_t at = GPOINTER_TO_SIZE(
        g_hash_table_lookup(c->alloc_by_relay, endpoints_key(CMSEDGE_TRANSPORT_UDP, &e, NULL)));
    if (!at)
        return NULL;
    if (c->allocs[at - 1].allocated && endpoint_is(&c->allocs[at - 1].relayed, a, port))
        return &c->allocs[at - 1];
    for (size_t i = c->n_allocs; i-- > 0;)
        if (c->allocs[i].allocated && endpoint_is(&c->allocs[i].relayed, a, port))
            return &c->allocs[i];
    return NULL;
}

static struct cmsedge_allocation *new_allocation(struct cmsedge_calls *c, unsigned transport,
                                                 const struct cmsedge_endpoint *client,
                                                 const struct cmsedge_endpoint *server,
                                                 enum cmsedge_role client_role,
                                                 enum cmsedge_role server_role, uint32_t frame)
{
    struct cmsedge_call *call;
    if (c->n_allocs >= MAX_ALLOCATIONS ||
        !cmsedge_calls_grow((void **)&c->allocs, &c->cap_allocs, c->n_allocs + 1,
                            sizeof *c->allocs) ||
        (call = cmsedge_calls_new_call(c, frame)) == NULL)
        return NULL;
    struct cmsedge_allocation *al = &c->allocs[c->n_allocs++];
    g_hash_table_insert(c->alloc_by_pair, endpoints_key(transport, client, server),
                        GSIZE_TO_POINTER(c->n_allocs));
    mark_port(c->server_ports, server->port);
    memset(al, 0, sizeof *al);
    al->id = (unsigned)c->n_allocs;
    al->call = call->id;
    al->transport = transport;
    al->client = *client;
    al->server = *server;
    al->client_role = client_role;
    al->server_role = server_role;
    al->first_frame = frame;
    return al;
}

const struct cmsedge_row *cmsedge_calls_matched_row(const struct cmsedge_annotation *a)
{
    return a->shown && a->verdict.n_matches && !a->verdict.offspec ? a->verdict.matches[0].row
                                                                   : NULL;
}

const char *cmsedge_calls_rule(const struct cmsedge_annotation *a)
{
    const struct cmsedge_row *row = cmsedge_calls_matched_row(a);
    return row ? row->id : NULL;
}

/* Whether the leg is between the two ends; *dir 0 when it runs from src to dst, 1 back. */
static bool leg_between(const struct cmsedge_leg *l, const struct cmsedge_endpoint *src,
                        const struct cmsedge_endpoint *dst, int *dir)
{
    if (cmsedge_endpoints_equal(&l->a, src) && cmsedge_endpoints_equal(&l->b, dst))
        *dir = 0;
    else if (cmsedge_endpoints_equal(&l->a, dst) && cmsedge_endpoints_equal(&l->b, src))
        *dir = 1;
    else
        return false;
    return true;
}

/* The newest leg between the two ends, else a new one. Under a fingerprint no leg has, there
 * is none; a hit that is another pair (two sharing a fingerprint) falls back to walking the
 * legs, newest first, which is what the table stands for. */
static struct cmsedge_leg *find_or_add_leg(struct cmsedge_calls *c, enum cmsedge_leg_kind kind,
                                           const struct cmsedge_allocation *al,
                                           const struct cmsedge_endpoint *src,
                                           const struct cmsedge_endpoint *dst, uint32_t frame,
                                           const struct cmsedge_annotation *a, int *dir)
{
    size_t at = GPOINTER_TO_SIZE(g_hash_table_lookup(c->leg_by_ends, ends_key(src, dst)));
    if (at && leg_between(&c->legs[at - 1], src, dst, dir))
        return &c->legs[at - 1];
    for (size_t i = at ? c->n_legs : 0; i-- > 0;) {
        if (leg_between(&c->legs[i], src, dst, dir))
            return &c->legs[i];
    }
    struct cmsedge_leg *l =
        cmsedge_calls_new_leg(c, kind, cmsedge_calls_final(c, al->call), src, dst, frame);
    if (l) {
        l->allocation = al->id;
        l->rule = cmsedge_calls_rule(a);
    }
    *dir = 0;
    return l;
}

static void add_peer(struct cmsedge_calls *c, struct cmsedge_allocation *al,
                     const struct cmsedge_facts *f)
{
    if (!f->has_peer)
        return;
    struct cmsedge_endpoint peer = {f->peer_addr, f->peer_port};
    bool known = false;
    for (size_t i = 0; i < al->n_peers; i++)
        known = known || cmsedge_endpoints_equal(&al->peers[i], &peer);
    if (!known && al->n_peers < CMSEDGE_CALLS_MAX_PEERS)
        al->peers[al->n_peers++] = peer;
    if (f->stun_type == CMSEDGE_STUN_CHANNELBIND_REQUEST && f->channel) {
        bool bound = false;
        for (size_t i = 0; i < al->n_channels; i++)
            bound = bound || al->channels[i].number == f->channel;
        if (!bound && al->n_channels < CMSEDGE_CALLS_MAX_CHANNELS) {
            struct cmsedge_channel *ch = &al->channels[al->n_channels++];
            ch->number = f->channel;
            ch->peer.addr = f->peer_addr;
            ch->peer.port = f->peer_port;
        }
    }
    /* a permission for another allocation's relayed address: one join */
    for (size_t i = 0; i < c->n_allocs; i++) {
        struct cmsedge_allocation *other = &c->allocs[i];
        if (other != al && other->allocated && cmsedge_endpoints_equal(&other->relayed, &peer))
            join(c, al->call, other->call, f->frame);
    }
}

/* STUN between a client and an Expressway-E's TURN port: the allocation's own messages. */
static struct cmsedge_allocation *turn_message(struct cmsedge_calls *c,
                                               const struct cmsedge_frame *fr,
                                               const struct cmsedge_annotation *a,
                                               const struct cmsedge_endpoint *src,
                                               const struct cmsedge_endpoint *dst, bool *reply)
{
    const struct cmsedge_facts *f = &fr->facts;
    *reply = false;
    struct cmsedge_allocation *al = find_allocation(c, fr->transport, src, dst);
    if (!al && (al = find_allocation(c, fr->transport, dst, src)) != NULL)
        *reply = true;
    if (!al) {
        bool request = f->stun_type == CMSEDGE_STUN_ALLOCATE_REQUEST;
        bool response = f->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS ||
                        f->stun_type == CMSEDGE_STUN_ALLOCATE_ERROR;
        if (request && cmsedge_role_is_expressway_e(a->dst.role))
            al = new_allocation(c, fr->transport, src, dst, a->src.role, a->dst.role, f->frame);
        else if (response && cmsedge_role_is_expressway_e(a->src.role)) {
            al = new_allocation(c, fr->transport, dst, src, a->dst.role, a->src.role, f->frame);
            *reply = true;
        }
        if (!al)
            return NULL;
    }
    if (*reply && f->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS && f->has_relayed) {
        al->allocated = true;
        al->error = 0;
        al->relayed.port = f->relayed_port;
        al->relayed.addr = f->relayed_addr.family ? f->relayed_addr : al->server.addr;
        g_hash_table_insert(c->alloc_by_relay,
                            endpoints_key(CMSEDGE_TRANSPORT_UDP, &al->relayed, NULL),
                            GSIZE_TO_POINTER((size_t)(al - c->allocs) + 1));
        mark_port(c->relay_ports, al->relayed.port);
        for (size_t i = 0; i < c->n_allocs; i++) { /* another's permission named it already */
            struct cmsedge_allocation *other = &c->allocs[i];
            for (size_t k = 0; other != al && k < other->n_peers; k++)
                if (cmsedge_endpoints_equal(&other->peers[k], &al->relayed))
                    join(c, al->call, other->call, f->frame);
        }
    } else if (*reply && f->stun_type == CMSEDGE_STUN_ALLOCATE_ERROR) {
        al->error = f->stun_error;
    }
    bool released = f->stun_type == STUN_REFRESH_SUCCESS && f->has_lifetime && !f->lifetime;
    if (*reply && f->has_lifetime && !released &&
        (f->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS || f->stun_type == STUN_REFRESH_SUCCESS)) {
        al->has_lifetime = true;
        al->lifetime = f->lifetime;
    }
    if (*reply && f->stun_type == STUN_REFRESH_SUCCESS) {
        if (released && !al->released_frame)
            al->released_frame = f->frame;
        else if (!released)
            al->refreshes++;
    }
    if (!*reply && (f->stun_type == CMSEDGE_STUN_PERMISSION_REQUEST ||
                    f->stun_type == CMSEDGE_STUN_CHANNELBIND_REQUEST))
        add_peer(c, al, f);
    return al;
}

bool cmsedge_calls_feed(struct cmsedge_calls *c, const struct cmsedge_frame *fr,
                        const struct cmsedge_annotation *a, struct cmsedge_call_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    if (!a->traffic)
        return false; /* an ICMP error: its ports are the quoted packet's */
    struct cmsedge_endpoint src = {fr->src, fr->sport}, dst = {fr->dst, fr->dport};
    const struct cmsedge_facts *f = &fr->facts;
    struct cmsedge_allocation *al = NULL;
    enum cmsedge_leg_kind kind = CMSEDGE_LEG_NONE;
    bool reply = false;

    /* the client and its TURN server (STUN, ChannelData, Send and Data indications) */
    if (f->stun_type)
        al = turn_message(c, fr, a, &src, &dst, &reply);
    else if ((al = find_allocation(c, fr->transport, &src, &dst)) == NULL)
        al = find_allocation(c, fr->transport, &dst, &src);
    if (al) {
        kind = CMSEDGE_LEG_TURN;
    } else if (fr->transport == CMSEDGE_TRANSPORT_UDP) {
        /* a relayed address and a peer, or two relayed addresses */
        struct cmsedge_allocation *from = relay_of(c, &fr->src, fr->sport);
        struct cmsedge_allocation *to = relay_of(c, &fr->dst, fr->dport);
        if (from && to) {
            join(c, from->call, to->call, f->frame);
            kind = CMSEDGE_LEG_RELAY_RELAY;
            al = from->id < to->id ? from : to;
        } else if (from || to) {
            kind = CMSEDGE_LEG_RELAY;
            al = from ? from : to;
        }
    }
    if (!al)
        return cmsedge_traversal_feed(c, fr, a, ref);
    int dir;
    struct cmsedge_leg *leg = find_or_add_leg(c, kind, al, &src, &dst, f->frame, a, &dir);
    ref->call = cmsedge_calls_final(c, al->call);
    ref->kind = kind;
    if (!leg)
        return true;
    leg->packets[dir]++;
    leg->bytes[dir] += f->length;
    leg->last_frame = f->frame;
    ref->leg = leg->id;
    return true;
}

size_t cmsedge_calls_count(const struct cmsedge_calls *c)
{
    return c->n_calls;
}

const struct cmsedge_call *cmsedge_calls_get(const struct cmsedge_calls *c, unsigned id)
{
    return id >= 1 && id <= c->n_calls ? &c->calls[id - 1] : NULL;
}

size_t cmsedge_calls_allocations(const struct cmsedge_calls *c,
                                 const struct cmsedge_allocation **list)
{
    *list = c->allocs;
    return c->n_allocs;
}

size_t cmsedge_calls_legs(const struct cmsedge_calls *c, const struct cmsedge_leg **list)
{
    *list = c->legs;
    return c->n_legs;
}

const char *cmsedge_leg_kind_name(enum cmsedge_leg_kind kind)
{
    switch (kind) {
    case CMSEDGE_LEG_TURN:
        return "client-turn";
    case CMSEDGE_LEG_RELAY:
        return "relay-peer";
    case CMSEDGE_LEG_RELAY_RELAY:
        return "relay-relay";
    case CMSEDGE_LEG_SIP:
        return "sip";
    case CMSEDGE_LEG_MEDIA:
        return "media";
    default:
        return "none";
    }
}

static bool in_call(const struct cmsedge_calls *c, unsigned of, unsigned call)
{
    return cmsedge_calls_final(c, of) == call;
}

/* The allocation's place in a web-app join: the web app on the public side, or the Meeting
 * Server on the private side. */
static bool web_side(const struct cmsedge_allocation *al)
{
    return al->client_role != CMSEDGE_ROLE_MEETING_SERVER &&
           al->server_role != CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
}

void cmsedge_calls_endpoint(const struct cmsedge_endpoint *e, char *buf, size_t len)
{
    cmsedge_endpoint_format(&e->addr, e->port, buf, len);
}

/* " (T1-06)": the rule of the reference for a TURN allocation from src to dst; "" if none. */
static const char *rule_of(enum cmsedge_role src, enum cmsedge_role dst, char *buf, size_t len)
{
    const struct cmsedge_row *row = cmsedge_row_first(src, dst, CMSEDGE_APP_STUN);
    if (row)
        snprintf(buf, len, " (%s)", row->id);
    else
        buf[0] = '\0';
    return buf;
}

/* What a web-app join misses, or NULL. */
static const char *join_problem(const struct cmsedge_calls *c, unsigned call, char *buf, size_t len)
{
    const struct cmsedge_allocation *web = NULL, *ms = NULL;
    bool relay_relay = false;
    char rule[16];
    for (size_t i = 0; i < c->n_allocs; i++) {
        const struct cmsedge_allocation *al = &c->allocs[i];
        if (!in_call(c, al->call, call))
            continue;
        if (web_side(al) && !web)
            web = al;
        else if (!web_side(al) && !ms)
            ms = al;
    }
    for (size_t i = 0; i < c->n_legs; i++)
        relay_relay = relay_relay || (c->legs[i].kind == CMSEDGE_LEG_RELAY_RELAY &&
                                      in_call(c, c->legs[i].call, call));
    if (!web) {
        snprintf(buf, len,
                 "missing: the web app's allocation on the Expressway-E public TURN port%s",
                 rule_of(CMSEDGE_ROLE_ANY, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC, rule, sizeof rule));
        return buf;
    }
    if (!web->allocated) {
        if (web->error)
            snprintf(buf, len, "missing: a relayed address for allocation %u (refused: %u)",
                     web->id, web->error);
        else
            snprintf(buf, len,
                     "missing: a relayed address for allocation %u (no Allocate "
                     "success)",
                     web->id);
        return buf;
    }
    if (!ms) {
        snprintf(buf, len,
                 "missing: the Meeting Server's allocation on the Expressway-E private side%s",
                 rule_of(CMSEDGE_ROLE_MEETING_SERVER, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, rule,
                         sizeof rule));
        return buf;
    }
    if (!ms->allocated) {
        snprintf(buf, len, "missing: a relayed address for allocation %u", ms->id);
        return buf;
    }
    if (!relay_relay) {
        snprintf(buf, len, "missing: media between the relays");
        return buf;
    }
    for (size_t i = 0; i < c->n_legs; i++) {
        const struct cmsedge_leg *l = &c->legs[i];
        if (!in_call(c, l->call, call) || (l->packets[0] && l->packets[1]))
            continue;
        char from[64], to[64];
        cmsedge_calls_endpoint(l->packets[0] ? &l->a : &l->b, from, sizeof from);
        cmsedge_calls_endpoint(l->packets[0] ? &l->b : &l->a, to, sizeof to);
        snprintf(buf, len, "one-way: leg %u (%s%s%s) %s -> %s, nothing back", l->id,
                 cmsedge_leg_kind_name(l->kind), l->rule ? ", " : "", l->rule ? l->rule : "", from,
                 to);
        return buf;
    }
    return NULL;
}

/* Appends a note to the verdict in buf when the call's Meeting Server allocated on the
 * Expressway-E's public side: Table 2's "Any IP address" row allows it, Tables 1 and 4 have
 * it on the private side (the per-frame check public-turn says the same). */
static void public_side_note(const struct cmsedge_calls *c, unsigned call, char *buf, size_t len)
{
    for (size_t i = 0; i < c->n_allocs; i++) {
        const struct cmsedge_allocation *al = &c->allocs[i];
        if (!in_call(c, al->call, call) || al->client_role != CMSEDGE_ROLE_MEETING_SERVER ||
            al->server_role != CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC)
            continue;
        char server[64], rule[16];
        size_t used = strlen(buf);
        cmsedge_calls_endpoint(&al->server, server, sizeof server);
        snprintf(buf + used, len - used,
                 "; note: the Meeting Server's allocation %u went to the Expressway-E's public "
                 "side (%s), Tables 1 and 4 have it on the private side%s",
                 al->id, server,
                 rule_of(CMSEDGE_ROLE_MEETING_SERVER, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, rule,
                         sizeof rule));
        return;
    }
}

const char *cmsedge_calls_problem(const struct cmsedge_calls *c, unsigned call, char *buf,
                                  size_t len)
{
    if (call >= 1 && call <= c->n_calls && c->calls[call - 1].traversal)
        return cmsedge_traversal_problem(c, call, buf, len);
    const char *p = join_problem(c, call, buf, len);
    if (p)
        public_side_note(c, call, buf, len);
    return p;
}

/* ---- what the writers share (src/calls_internal.h) ---------------------------------------- */

const struct cmsedge_call *cmsedge_calls_next_final(const struct cmsedge_calls *c, size_t *at)
{
    while (*at < c->n_calls && c->calls[*at].joined)
        ++*at;
    return *at < c->n_calls ? &c->calls[(*at)++] : NULL;
}

const struct cmsedge_call *cmsedge_calls_next_joiner(const struct cmsedge_calls *c, unsigned call,
                                                     size_t *at)
{
    while (*at < c->n_calls && !(c->calls[*at].joined && in_call(c, c->calls[*at].id, call)))
        ++*at;
    return *at < c->n_calls ? &c->calls[(*at)++] : NULL;
}

const struct cmsedge_allocation *cmsedge_calls_next_allocation(const struct cmsedge_calls *c,
                                                               unsigned call, size_t *at)
{
    while (*at < c->n_allocs && !in_call(c, c->allocs[*at].call, call))
        ++*at;
    return *at < c->n_allocs ? &c->allocs[(*at)++] : NULL;
}

const struct cmsedge_leg *cmsedge_calls_next_leg(const struct cmsedge_calls *c, unsigned call,
                                                 size_t *at)
{
    while (*at < c->n_legs && !in_call(c, c->legs[*at].call, call))
        ++*at;
    return *at < c->n_legs ? &c->legs[(*at)++] : NULL;
}

const char *cmsedge_calls_kind(const struct cmsedge_calls *c, unsigned call)
{
    size_t at = 0;
    if (call >= 1 && call <= c->n_calls && c->calls[call - 1].traversal)
        return "traversal";
    return cmsedge_calls_next_joiner(c, call, &at) ? "join" : "call";
}

const char *cmsedge_calls_verdict(const struct cmsedge_calls *c, unsigned call, char *buf,
                                  size_t len)
{
    const char *p = cmsedge_calls_problem(c, call, buf, len);
    if (p)
        return p;
    if (call >= 1 && call <= c->n_calls && c->calls[call - 1].traversal)
        return cmsedge_traversal_complete(c, call, buf, len);
    snprintf(buf, len, "complete: both allocations, media both ways");
    public_side_note(c, call, buf, len);
    return buf;
}

const char *cmsedge_calls_client_role(const struct cmsedge_allocation *al)
{
    return al->client_role == CMSEDGE_ROLE_NONE ? "unconfigured"
                                                : cmsedge_role_keyword(al->client_role);
}

/* ---- the report -------------------------------------------------------------------------- */

struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        int n = t->buf ? vsnprintf(t->buf + t->len, room, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t need = t->cap ? t->cap * 2 : 4096;
        while (n >= 0 && need < t->len + (size_t)n + 1)
            need *= 2;
        char *p = realloc(t->buf, need);
        if (!p) {
            t->failed = true;
            return;
        }
        t->buf = p;
        t->cap = need;
    }
}

static void put_allocation(struct text *t, const struct cmsedge_allocation *al)
{
    char client[64], server[64], relayed[64], peer[64];
    cmsedge_calls_endpoint(&al->client, client, sizeof client);
    cmsedge_calls_endpoint(&al->server, server, sizeof server);
    put(t, "  Allocation %u (frame %u): %s %s -> TURN %s %s, ", al->id, al->first_frame,
        cmsedge_calls_client_role(al), client, server, cmsedge_role_keyword(al->server_role));
    if (al->allocated) {
        cmsedge_calls_endpoint(&al->relayed, relayed, sizeof relayed);
        put(t, "relayed %s", relayed);
    } else if (al->error) {
        put(t, "refused (%u)", al->error);
    } else {
        put(t, "no Allocate success");
    }
    if (al->has_lifetime)
        put(t, ", lifetime %u s", al->lifetime);
    if (al->refreshes)
        put(t, ", %u refresh%s", al->refreshes, al->refreshes == 1 ? "" : "es");
    if (al->released_frame)
        put(t, ", released at frame %u", al->released_frame);
    put(t, "\n    permissions:");
    for (size_t i = 0; i < al->n_peers; i++) {
        cmsedge_calls_endpoint(&al->peers[i], peer, sizeof peer);
        put(t, " %s", peer);
    }
    put(t, "%s; channels:", al->n_peers ? "" : " none");
    for (size_t i = 0; i < al->n_channels; i++) {
        cmsedge_calls_endpoint(&al->channels[i].peer, peer, sizeof peer);
        put(t, " 0x%04x -> %s", al->channels[i].number, peer);
    }
    put(t, "%s\n", al->n_channels ? "" : " none");
}

/* What tied a traversal call's leg: "dialog 2", "sdp of dialog 2 at frame 7", "timing with
 * leg 4"; "" for a web-app join's leg. */
static void leg_tie(const struct cmsedge_leg *l, char *buf, size_t len)
{
    buf[0] = '\0';
    if (l->kind == CMSEDGE_LEG_SIP)
        snprintf(buf, len, "dialog %u", l->dialog);
    else if (l->kind != CMSEDGE_LEG_MEDIA)
        return;
    else if (l->tied_by == CMSEDGE_TIE_SDP || l->tied_by == CMSEDGE_TIE_SDP_RTCP)
        snprintf(buf, len, "%s of dialog %u at frame %u", cmsedge_tie_name(l->tied_by), l->tie,
                 l->tie_frame);
    else if (l->tied_by == CMSEDGE_TIE_TIMING || l->tied_by == CMSEDGE_TIE_PORT_PAIR)
        snprintf(buf, len, "%s with leg %u", cmsedge_tie_name(l->tied_by), l->tie);
    else
        snprintf(buf, len, "started the call");
}

static void put_leg(struct text *t, const struct cmsedge_leg *l)
{
    char a[64], b[64], how[96];
    cmsedge_calls_endpoint(&l->a, a, sizeof a);
    cmsedge_calls_endpoint(&l->b, b, sizeof b);
    if (l->kind == CMSEDGE_LEG_SIP || l->kind == CMSEDGE_LEG_MEDIA) {
        leg_tie(l, how, sizeof how);
        put(t, "  Leg %u (%s, %s%s%s, %s)", l->id, cmsedge_leg_kind_name(l->kind),
            cmsedge_hop_name(l->hop), l->rule ? ", " : "", l->rule ? l->rule : "", how);
    } else {
        put(t, "  Leg %u (%s, allocation %u%s%s)", l->id, cmsedge_leg_kind_name(l->kind),
            l->allocation, l->rule ? ", " : "", l->rule ? l->rule : "");
    }
    put(t, ": %s -> %s: %llu packets %llu bytes; back: %llu packets %llu bytes; frames %u-%u\n", a,
        b, (unsigned long long)l->packets[0], (unsigned long long)l->bytes[0],
        (unsigned long long)l->packets[1], (unsigned long long)l->bytes[1], l->first_frame,
        l->last_frame);
}

/* "Call-ID of dialog 1", "timing with dialog 1", "started the call". */
static void dialog_tie(const struct cmsedge_dialog *d, char *buf, size_t len)
{
    if (d->tied_by == CMSEDGE_TIE_NONE)
        snprintf(buf, len, "started the call");
    else
        snprintf(buf, len, "%s of dialog %u",
                 d->tied_by == CMSEDGE_TIE_CALL_ID ? "Call-ID" : "timing", d->tie);
}

static void put_dialog(struct text *t, const struct cmsedge_dialog *d)
{
    char a[64], b[64], how[64], at[64];
    cmsedge_calls_endpoint(&d->a, a, sizeof a);
    cmsedge_calls_endpoint(&d->b, b, sizeof b);
    dialog_tie(d, how, sizeof how);
    put(t, "  Dialog %u (%s, %s): INVITE at frame %u %s -> %s, Call-ID %s", d->id,
        cmsedge_hop_name(d->hop), how, d->invite_frame, a, b, d->call_id);
    if (d->status)
        put(t, "; answered %u at frame %u", d->status, d->status_frame);
    else
        put(t, "; no final answer");
    if (d->bye_frame)
        put(t, "; BYE at frame %u", d->bye_frame);
    put(t, "\n    SDP media:");
    for (size_t i = 0; i < d->n_media; i++) {
        cmsedge_calls_endpoint(&d->media[i].at, at, sizeof at);
        put(t, " %s (from %s, frame %u)", at, d->media[i].from_a ? "caller" : "callee",
            d->media[i].frame);
    }
    put(t, "%s\n", d->n_media ? "" : " none");
}

char *cmsedge_calls_text(const struct cmsedge_calls *c)
{
    struct text t = {0};
    const struct cmsedge_call *call;
    size_t shown = 0;
    put(&t, "cmsedge calls: web-app joins (TURN allocations at the Expressway-E and the media "
            "legs through its relays) and traversal calls (SIP dialogs and media per hop)\n");
    for (size_t i = 0; (call = cmsedge_calls_next_final(c, &i)) != NULL; shown++) {
        const struct cmsedge_call *joiner;
        const struct cmsedge_allocation *al;
        const struct cmsedge_leg *leg;
        char verdict[400];
        const struct cmsedge_dialog *d;
        if (call->traversal)
            put(&t, "\nCall %u (traversal, from frame %u)\n", call->id, call->first_frame);
        else
            put(&t, "\nCall %u (from frame %u)", call->id, call->first_frame);
        for (size_t k = 0;
             !call->traversal && (joiner = cmsedge_calls_next_joiner(c, call->id, &k)) != NULL;)
            put(&t, "; joined by call %u at frame %u", joiner->id, joiner->joined_frame);
        if (!call->traversal)
            put(&t, "\n");
        for (size_t k = 0; (d = cmsedge_calls_next_dialog(c, call->id, &k)) != NULL;)
            put_dialog(&t, d);
        for (size_t k = 0; (al = cmsedge_calls_next_allocation(c, call->id, &k)) != NULL;)
            put_allocation(&t, al);
        for (size_t k = 0; (leg = cmsedge_calls_next_leg(c, call->id, &k)) != NULL;)
            put_leg(&t, leg);
        if (call->traversal) {
            char evidence[160];
            const char *confidence;
            cmsedge_traversal_evidence(c, call->id, evidence, sizeof evidence, &confidence);
            if (confidence)
                put(&t, "  Tied by: %s (confidence %s)\n", evidence, confidence);
            else
                put(&t, "  Tied by: nothing (one part in the capture)\n");
        }
        put(&t, "  Verdict: %s\n", cmsedge_calls_verdict(c, call->id, verdict, sizeof verdict));
    }
    if (!shown)
        put(&t, "\nNo TURN allocation at a known Expressway-E, and no traversal call.\n");
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    return t.buf;
}

bool cmsedge_calls_format_parse(const char *text, enum cmsedge_calls_format *format)
{
    static const char *const names[] = {"text", "csv", "json"};
    int i = cmsedge_format_index(text, names, G_N_ELEMENTS(names));
    if (i >= 0)
        *format = (enum cmsedge_calls_format)i;
    return i >= 0;
}

bool cmsedge_calls_write(const struct cmsedge_calls *c, enum cmsedge_calls_format format,
                         GString *out)
{
    if (format == CMSEDGE_CALLS_CSV) {
        cmsedge_calls_write_csv(c, out);
    } else if (format == CMSEDGE_CALLS_JSON) {
        cmsedge_calls_write_json(c, out);
    } else {
        char *text = cmsedge_calls_text(c);
        if (!text)
            return false;
        g_string_append(out, text);
        free(text);
    }
    return true;
}
