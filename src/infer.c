/* cmsedge: host roles inferred from Expressway-specific evidence (see include/cmsedge/infer.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/infer.h"

#include "addr_table.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* One flow's word on a host. */
struct vote {
    uint64_t key; /* the flow, both directions folded */
    uint32_t frame;
    char what[128]; /* "T1-05 SIP signaling (frame 3)" */
};

/* What one host has been seen doing: per role family, the distinct flows that say so. */
struct votes {
    struct cmsedge_addr addr;
    uint8_t n[CMSEDGE_ROLE_COUNT];
    struct vote v[CMSEDGE_ROLE_COUNT][CMSEDGE_INFER_FLOWS];
    uint32_t private_since; /* first frame naming its Expressway-E private interface */
    struct cmsedge_inferred *decided;
};

/* A TURN allocation from the relay range, waiting for traffic through its relay. */
struct allocation {
    struct cmsedge_addr server;
    uint16_t port;
    uint32_t frame;
    bool used;
};

struct cmsedge_infer {
    GHashTable *votes;       /* struct cmsedge_addr* (inside the value) -> struct votes* */
    GPtrArray *order;        /* struct cmsedge_inferred*, in the order they were inferred */
    GHashTable *allocations; /* struct allocation* -> itself, by server and relayed port */
};

static guint allocation_hash(gconstpointer p)
{
    const struct allocation *a = p;
    return cmsedge_addr_hash(&a->server) * 31u + a->port;
}

static gboolean allocation_equal(gconstpointer x, gconstpointer y)
{
    const struct allocation *a = x, *b = y;
    return a->port == b->port && cmsedge_addr_equal(&a->server, &b->server);
}

struct cmsedge_infer *cmsedge_infer_new(void)
{
    struct cmsedge_infer *in = g_new0(struct cmsedge_infer, 1);
    in->votes = cmsedge_addr_table_new(g_free);
    in->order = g_ptr_array_new_with_free_func(g_free);
    in->allocations = g_hash_table_new_full(allocation_hash, allocation_equal, g_free, NULL);
    return in;
}

void cmsedge_infer_free(struct cmsedge_infer *in)
{
    if (!in)
        return;
    g_hash_table_destroy(in->votes);
    g_ptr_array_free(in->order, TRUE);
    g_hash_table_destroy(in->allocations);
    g_free(in);
}

void cmsedge_infer_reset(struct cmsedge_infer *in)
{
    g_hash_table_remove_all(in->votes);
    g_ptr_array_set_size(in->order, 0);
    g_hash_table_remove_all(in->allocations);
}

/* Expressway-E's three address forms are one family: votes for any of them add up. */
static enum cmsedge_role family(enum cmsedge_role role)
{
    return cmsedge_role_is_expressway_e(role) ? CMSEDGE_ROLE_EXPRESSWAY_E : role;
}

static uint64_t flow_key(const struct cmsedge_flow *f)
{
    unsigned ha = cmsedge_addr_hash(&f->src) * 65599u + f->sport;
    unsigned hb = cmsedge_addr_hash(&f->dst) * 65599u + f->dport;
    unsigned lo = ha < hb ? ha : hb, hi = ha < hb ? hb : ha;
    return ((uint64_t)hi << 32 | lo) ^ f->transport;
}

static struct votes *votes_of(struct cmsedge_infer *in, const struct cmsedge_addr *addr)
{
    struct votes *vt = g_hash_table_lookup(in->votes, addr);
    if (!vt) {
        vt = g_new0(struct votes, 1);
        vt->addr = *addr;
        g_hash_table_insert(in->votes, &vt->addr, vt);
    }
    return vt;
}

static void decide(struct cmsedge_infer *in, struct votes *vt, enum cmsedge_role slot,
                   uint32_t frame)
{
    struct cmsedge_inferred *inf = g_new0(struct cmsedge_inferred, 1);
    size_t used = 0;
    inf->addr = vt->addr;
    inf->role = slot;
    inf->since = frame;
    inf->private_since = vt->private_since;
    for (unsigned k = 0; k < CMSEDGE_INFER_FLOWS; k++) {
        inf->frames[k] = vt->v[slot][k].frame;
        if (used < sizeof inf->evidence) {
            int n = snprintf(inf->evidence + used, sizeof inf->evidence - used, "%s%s",
                             k ? "; " : "", vt->v[slot][k].what);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    vt->decided = inf;
    g_ptr_array_add(in->order, inf);
}

/* One flow's word that addr plays role, seen on frame `now`; `first` is the flow's first frame
 * that shows it (the evidence frame). */
static void vote(struct cmsedge_infer *in, const struct cmsedge_addr *addr, enum cmsedge_role role,
                 uint64_t key, uint32_t first, uint32_t now, const char *what)
{
    struct votes *vt = votes_of(in, addr);
    enum cmsedge_role slot = family(role);
    if (vt->decided)
        return; /* an inferred role never changes: frames already shown keep theirs */
    for (unsigned k = 0; k < vt->n[slot]; k++) {
        if (vt->v[slot][k].key == key)
            return; /* the same flow again: agreement needs distinct flows */
    }
    struct vote *v = &vt->v[slot][vt->n[slot]++];
    v->key = key;
    v->frame = first;
    g_strlcpy(v->what, what, sizeof v->what);
    if (vt->n[slot] == CMSEDGE_INFER_FLOWS)
        decide(in, vt, slot, now); /* it applies from the frame after the one that decided */
}

/* The frame shows this Expressway-E address is its private interface. */
static void private_side(struct cmsedge_infer *in, const struct cmsedge_addr *addr, uint32_t frame)
{
    struct votes *vt = votes_of(in, addr);
    if (!vt->private_since)
        vt->private_since = frame;
    if (vt->decided && !vt->decided->private_since)
        vt->decided->private_since = frame;
}

static bool payload_shows(const struct cmsedge_match *m, int hint)
{
    if (m->confirmed)
        return true;
    return (m->row->apps & CMSEDGE_APP_ANY_MEDIA) && hint >= 0 &&
           (CMSEDGE_APP_BIT(hint) & CMSEDGE_APP_MEDIA);
}

/* The role the frame's evidence gives one end, or CMSEDGE_ROLE_NONE: every reading of the frame
 * must give that end an edge role of one family, and at least one payload-confirmed reading
 * must be a specific row, or an anchored one whose other end is a known host. */
static enum cmsedge_role end_claim(const struct cmsedge_verdict *v, bool src, int hint,
                                   const struct cmsedge_row **row)
{
    enum cmsedge_role claim = CMSEDGE_ROLE_NONE;
    bool strong = false;
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        enum cmsedge_role r = (enum cmsedge_role)(src ? m->src_role : m->dst_role);
        int other_fit = src ? m->dst_fit : m->src_fit;
        if (!cmsedge_role_is_edge(r))
            return CMSEDGE_ROLE_NONE;
        if (claim != CMSEDGE_ROLE_NONE && family(claim) != family(r))
            return CMSEDGE_ROLE_NONE;
        if (claim == CMSEDGE_ROLE_NONE || (claim == CMSEDGE_ROLE_EXPRESSWAY_E && r != claim))
            claim = r; /* keep the most specific address form */
        if (!payload_shows(m, hint) || strong)
            continue;
        if (m->row->evidence == CMSEDGE_EVIDENCE_SPECIFIC ||
            (m->row->evidence == CMSEDGE_EVIDENCE_ANCHORED && other_fit == CMSEDGE_FIT_EXACT)) {
            strong = true;
            *row = m->row;
        }
    }
    return strong ? claim : CMSEDGE_ROLE_NONE;
}

/* TURN allocations from the relay range, and the traffic through their relays. */
static void follow_allocations(struct cmsedge_infer *in, const struct cmsedge_settings *s,
                               const struct cmsedge_flow *f, const struct cmsedge_facts *facts)
{
    if (facts->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS) {
        if (f->src_role == CMSEDGE_ROLE_NONE && facts->has_relayed &&
            facts->relayed_port >= s->relay.lo && facts->relayed_port <= s->relay.hi) {
            struct allocation *al = g_new0(struct allocation, 1);
            al->server = f->src;
            al->port = facts->relayed_port;
            al->frame = facts->frame;
            g_hash_table_replace(in->allocations, al, al);
        }
        return;
    }
    if (f->hint == CMSEDGE_HINT_NONE || g_hash_table_size(in->allocations) == 0)
        return;
    struct allocation probe = {.server = f->src, .port = f->sport};
    struct allocation *al = g_hash_table_lookup(in->allocations, &probe);
    if (!al) {
        probe.server = f->dst, probe.port = f->dport;
        al = g_hash_table_lookup(in->allocations, &probe);
    }
    if (!al || al->used)
        return;
    char what[128], relay[64];
    al->used = true;
    cmsedge_endpoint_format(&al->server, al->port, relay, sizeof relay);
    snprintf(what, sizeof what, "TURN relay %s allocated (frame %u) carries traffic (frame %u)",
             relay, al->frame, facts->frame);
    vote(in, &al->server, CMSEDGE_ROLE_EXPRESSWAY_E,
         ((uint64_t)cmsedge_addr_hash(&al->server) << 16 | al->port) ^ 0x9e3779b97f4a7c15ull,
         al->frame, facts->frame, what);
}

static void claim_end(struct cmsedge_infer *in, const struct cmsedge_flow *flow,
                      const struct cmsedge_verdict *v, const struct cmsedge_facts *facts, bool src)
{
    const struct cmsedge_addr *addr = src ? &flow->src : &flow->dst;
    enum cmsedge_role known = src ? flow->src_role : flow->dst_role;
    const struct cmsedge_row *row = NULL;
    enum cmsedge_role r = known;
    if (known == CMSEDGE_ROLE_NONE) {
        r = end_claim(v, src, flow->hint, &row);
        if (r == CMSEDGE_ROLE_NONE)
            return;
        char what[128];
        snprintf(what, sizeof what, "%s %s (frame %u)", row->id, row->purpose, facts->frame);
        vote(in, addr, r, flow_key(flow), facts->frame, facts->frame, what);
    }
    if (r == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE && known == CMSEDGE_ROLE_NONE)
        private_side(in, addr, facts->frame);
}

void cmsedge_infer_observe(struct cmsedge_infer *in, const struct cmsedge_settings *s,
                           const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                           const struct cmsedge_facts *facts)
{
    follow_allocations(in, s, flow, facts);
    if (v->n_matches == 0)
        return;
    claim_end(in, flow, v, facts, true);
    claim_end(in, flow, v, facts, false);
}

const struct cmsedge_inferred *cmsedge_infer_lookup(const struct cmsedge_infer *in,
                                                    const struct cmsedge_addr *addr, uint32_t frame)
{
    const struct votes *vt = g_hash_table_lookup(in->votes, addr);
    return vt && vt->decided && vt->decided->since < frame ? vt->decided : NULL;
}

enum cmsedge_role cmsedge_infer_role_at(const struct cmsedge_infer *in,
                                        const struct cmsedge_inferred *inf, uint32_t frame)
{
    if (inf->role != CMSEDGE_ROLE_EXPRESSWAY_E)
        return inf->role;
    bool mine = inf->private_since && inf->private_since < frame;
    for (guint i = 0; i < in->order->len; i++) {
        const struct cmsedge_inferred *other = g_ptr_array_index(in->order, i);
        if (other == inf || other->role != CMSEDGE_ROLE_EXPRESSWAY_E || other->since >= frame)
            continue;
        bool theirs = other->private_since && other->private_since < frame;
        if (mine != theirs)
            return mine ? CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE : CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC;
    }
    return CMSEDGE_ROLE_EXPRESSWAY_E;
}

uint32_t cmsedge_infer_final_since(const struct cmsedge_infer *in,
                                   const struct cmsedge_inferred *inf)
{
    enum cmsedge_role last = cmsedge_infer_role_at(in, inf, UINT32_MAX);
    uint32_t from = inf->since + 1;
    if (inf->role == last)
        return from;
    /* the interface is told on the frame after one of these: the host's own or another
     * Expressway-E address's decision or private-interface evidence */
    for (guint i = 0; i < in->order->len; i++) {
        const struct cmsedge_inferred *o = g_ptr_array_index(in->order, i);
        const uint32_t at[] = {o->since + 1, o->private_since + 1};
        for (size_t k = 0; k < 2; k++) {
            if (at[k] > from && cmsedge_infer_role_at(in, inf, at[k]) == last &&
                cmsedge_infer_role_at(in, inf, at[k] - 1) != last)
                return at[k];
        }
    }
    return from;
}

size_t cmsedge_infer_count(const struct cmsedge_infer *in)
{
    return in->order->len;
}

const struct cmsedge_inferred *cmsedge_infer_at(const struct cmsedge_infer *in, size_t i)
{
    return i < in->order->len ? g_ptr_array_index(in->order, i) : NULL;
}
