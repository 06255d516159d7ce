/* cmsedge: host roles inferred from Expressway-specific evidence (see include/cmsedge/infer.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/infer.h"

#include "addr_table.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* What one host has been seen doing: per role family, the distinct flows that say so. */
struct votes {
    struct cmsedge_addr addr;
    uint8_t n[CMSEDGE_ROLE_COUNT];
    uint64_t keys[CMSEDGE_ROLE_COUNT][CMSEDGE_INFER_FLOWS];
    uint32_t frames[CMSEDGE_ROLE_COUNT][CMSEDGE_INFER_FLOWS];
    const struct cmsedge_row *rows[CMSEDGE_ROLE_COUNT][CMSEDGE_INFER_FLOWS];
    bool public_side, private_side; /* Expressway-E votes naming one address form */
    const struct cmsedge_inferred *decided;
};

struct cmsedge_infer {
    GHashTable *votes;    /* struct cmsedge_addr* (inside the value) -> struct votes* */
    GHashTable *inferred; /* struct cmsedge_addr* (inside the value) -> struct cmsedge_inferred* */
    GPtrArray *order;     /* struct cmsedge_inferred*, in the order they were inferred */
};

struct cmsedge_infer *cmsedge_infer_new(void)
{
    struct cmsedge_infer *in = g_new0(struct cmsedge_infer, 1);
    in->votes = cmsedge_addr_table_new(g_free);
    in->inferred = cmsedge_addr_table_new(NULL);
    in->order = g_ptr_array_new_with_free_func(g_free);
    return in;
}

void cmsedge_infer_free(struct cmsedge_infer *in)
{
    if (!in)
        return;
    g_hash_table_destroy(in->votes);
    g_hash_table_destroy(in->inferred);
    g_ptr_array_free(in->order, TRUE);
    g_free(in);
}

void cmsedge_infer_reset(struct cmsedge_infer *in)
{
    g_hash_table_remove_all(in->votes);
    g_hash_table_remove_all(in->inferred);
    g_ptr_array_set_size(in->order, 0);
}

/* An open-ended cell (">=1024", "1024-65535", "Ephemeral") says nothing about who a host is. */
static bool cell_open_ended(const struct cmsedge_port_cell *cell)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        if (it->kind == CMSEDGE_PORTS_RANGE &&
            (it->style != CMSEDGE_STYLE_PLAIN || it->hi == UINT16_MAX))
            return true;
    }
    return false;
}

/* A range of ports an Expressway or Meeting Server is configured with, rather than one
 * well-known service port. */
static bool cell_has_range(const struct cmsedge_port_cell *cell)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        if (it->kind == CMSEDGE_PORTS_ZONE || it->kind == CMSEDGE_PORTS_RELAY ||
            it->kind == CMSEDGE_PORTS_MS_MEDIA ||
            (it->kind == CMSEDGE_PORTS_RANGE && it->hi > it->lo))
            return true;
    }
    return false;
}

static bool evidence_row(const struct cmsedge_row *row)
{
    return !cell_open_ended(&row->src.ports) && !cell_open_ended(&row->dst.ports) &&
           (cell_has_range(&row->src.ports) || cell_has_range(&row->dst.ports));
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

static void describe(struct cmsedge_inferred *inf, enum cmsedge_role slot, const struct votes *vt)
{
    size_t used = 0;
    inf->evidence[0] = '\0';
    for (unsigned k = 0; k < CMSEDGE_INFER_FLOWS; k++) {
        inf->frames[k] = vt->frames[slot][k];
        inf->rows[k] = vt->rows[slot][k];
        if (used < sizeof inf->evidence) {
            int n =
                snprintf(inf->evidence + used, sizeof inf->evidence - used, "%s%s %s (frame %u)",
                         k ? "; " : "", inf->rows[k]->id, inf->rows[k]->purpose, inf->frames[k]);
            used += n > 0 ? (size_t)n : 0;
        }
    }
}

static void decide(struct cmsedge_infer *in, struct votes *vt, enum cmsedge_role slot,
                   uint32_t frame)
{
    struct cmsedge_inferred *inf = g_new0(struct cmsedge_inferred, 1);
    inf->addr = vt->addr;
    inf->role = slot;
    if (slot == CMSEDGE_ROLE_EXPRESSWAY_E && vt->public_side != vt->private_side)
        inf->role =
            vt->public_side ? CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC : CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
    inf->since = frame;
    describe(inf, slot, vt);
    vt->decided = inf;
    g_hash_table_insert(in->inferred, &inf->addr, inf);
    g_ptr_array_add(in->order, inf);
}

static void vote(struct cmsedge_infer *in, const struct cmsedge_addr *addr, enum cmsedge_role role,
                 uint64_t key, const struct cmsedge_row *row, uint32_t frame)
{
    struct votes *vt = g_hash_table_lookup(in->votes, addr);
    enum cmsedge_role slot = family(role);
    if (!vt) {
        vt = g_new0(struct votes, 1);
        vt->addr = *addr;
        g_hash_table_insert(in->votes, &vt->addr, vt);
    }
    if (vt->decided)
        return; /* an inferred role never changes: frames already shown keep theirs */
    if (role == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC)
        vt->public_side = true;
    if (role == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE)
        vt->private_side = true;
    for (unsigned k = 0; k < vt->n[slot]; k++) {
        if (vt->keys[slot][k] == key)
            return; /* the same flow again: agreement needs distinct flows */
    }
    unsigned k = vt->n[slot]++;
    vt->keys[slot][k] = key;
    vt->frames[slot][k] = frame;
    vt->rows[slot][k] = row;
    if (vt->n[slot] == CMSEDGE_INFER_FLOWS)
        decide(in, vt, slot, frame);
}

/* The role a frame's evidence gives one end; CMSEDGE_ROLE_NONE when its matches disagree or
 * name no server role. */
static enum cmsedge_role end_claim(const struct cmsedge_verdict *v, bool src,
                                   const struct cmsedge_row **row)
{
    enum cmsedge_role claim = CMSEDGE_ROLE_NONE;
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        enum cmsedge_role r = (enum cmsedge_role)(src ? m->src_role : m->dst_role);
        if (!evidence_row(m->row) || !cmsedge_role_is_edge(r))
            continue;
        if (claim != CMSEDGE_ROLE_NONE && family(claim) != family(r))
            return CMSEDGE_ROLE_NONE;
        if (claim == CMSEDGE_ROLE_NONE || (claim == CMSEDGE_ROLE_EXPRESSWAY_E && r != claim)) {
            claim = r; /* keep the most specific address form */
            *row = m->row;
        }
    }
    return claim;
}

void cmsedge_infer_observe(struct cmsedge_infer *in, const struct cmsedge_settings *s,
                           const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                           const struct cmsedge_facts *facts)
{
    const struct cmsedge_row *row = NULL;
    enum cmsedge_role r;
    uint64_t key;

    if (v->n_matches == 0)
        return;
    key = flow_key(flow);
    if (flow->src_role == CMSEDGE_ROLE_NONE && (r = end_claim(v, true, &row)) != CMSEDGE_ROLE_NONE)
        vote(in, &flow->src, r, key, row, facts->frame);
    if (flow->dst_role == CMSEDGE_ROLE_NONE && (r = end_claim(v, false, &row)) != CMSEDGE_ROLE_NONE)
        vote(in, &flow->dst, r, key, row, facts->frame);

    /* A TURN server handing out relays from the Expressway-E relay range. The answer's own
     * matches may be about something else (its client port can look like Assent media), so
     * the request it answers is what names the server's role. */
    if (flow->src_role == CMSEDGE_ROLE_NONE && facts->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS &&
        facts->has_relayed && facts->relayed_port >= s->relay.lo &&
        facts->relayed_port <= s->relay.hi) {
        struct cmsedge_flow req = *flow;
        struct cmsedge_verdict *rv = g_new(struct cmsedge_verdict, 1);
        req.src = flow->dst, req.sport = flow->dport, req.src_role = flow->dst_role;
        req.dst = flow->src, req.dport = flow->sport, req.dst_role = flow->src_role;
        req.hint = CMSEDGE_APP_STUN;
        cmsedge_classify(s, &req, rv);
        for (size_t i = 0; i < rv->n_matches; i++) {
            const struct cmsedge_match *m = &rv->matches[i];
            if (!m->reverse && cmsedge_role_is_expressway_e((enum cmsedge_role)m->dst_role) &&
                (m->row->apps & CMSEDGE_APP_BIT(CMSEDGE_APP_STUN))) {
                vote(in, &flow->src, (enum cmsedge_role)m->dst_role, key ^ 0x9e3779b97f4a7c15ull,
                     m->row, facts->frame);
                break;
            }
        }
        g_free(rv);
    }
}

const struct cmsedge_inferred *cmsedge_infer_lookup(const struct cmsedge_infer *in,
                                                    const struct cmsedge_addr *addr, uint32_t frame)
{
    const struct cmsedge_inferred *inf = g_hash_table_lookup(in->inferred, addr);
    return inf && inf->since < frame ? inf : NULL;
}

size_t cmsedge_infer_count(const struct cmsedge_infer *in)
{
    return in->order->len;
}

const struct cmsedge_inferred *cmsedge_infer_at(const struct cmsedge_infer *in, size_t i)
{
    return i < in->order->len ? g_ptr_array_index(in->order, i) : NULL;
}

bool cmsedge_infer_has_role(const struct cmsedge_infer *in, enum cmsedge_role role, uint32_t frame)
{
    for (guint i = 0; i < in->order->len; i++) {
        const struct cmsedge_inferred *inf = g_ptr_array_index(in->order, i);
        if (inf->role == role && inf->since < frame)
            return true;
    }
    return false;
}
