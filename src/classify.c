/* cmsedge: matching a flow against the documented rows, and explaining a miss.
 *
 * A frame is tried against each candidate row in both directions: forward (the frame goes
 * from the row's source to its destination) and reverse (a reply). A row matches when the
 * deployment size fits, the transport fits, both port cells contain the frame's ports, both
 * hosts fit the row's ends (roles.c) and the payload does not contradict the row.
 *
 * Between two hosts with no edge role nothing is judged, and a row is matched only when the
 * payload confirms it (or the frame carries none): otherwise any UDP between high ports would
 * be "TURN media". With an edge host on either end the ports and roles suffice unless the
 * payload contradicts them, so an unrecognised payload never makes documented traffic
 * off-spec.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/classify.h"

#include <stdarg.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct try_ctx {
    const struct cmsedge_settings *s;
    const struct cmsedge_flow *flow;
    struct cmsedge_verdict *v;
    bool strict;  /* no edge host: payload must confirm */
    bool reverse; /* trying rows in the reply direction */
};

/* The frame's hosts and ports seen from the row: in reverse, the frame's destination is the
 * row's source. */
struct oriented {
    enum cmsedge_role src_role, dst_role;
    uint16_t sport, dport;
};

static struct oriented orient(const struct cmsedge_flow *f, bool reverse)
{
    struct oriented o = {f->src_role, f->dst_role, f->sport, f->dport};
    if (reverse) {
        o.src_role = f->dst_role, o.dst_role = f->src_role;
        o.sport = f->dport, o.dport = f->sport;
    }
    return o;
}

static int end_fit(const struct cmsedge_row_end *end, enum cmsedge_role host,
                   enum cmsedge_role *played, bool *translated)
{
    int fit = cmsedge_role_fit(end->role, host);
    *played = end->role;
    *translated = false;
    if (end->translated != CMSEDGE_ROLE_NONE) { /* NAT rows: either side of the firewall */
        int alt = cmsedge_role_fit(end->translated, host);
        if (alt > fit)
            fit = alt, *played = end->translated, *translated = true;
    }
    if (*played == CMSEDGE_ROLE_ANY && host != CMSEDGE_ROLE_NONE)
        *played = host;
    return fit;
}

/* Does the payload positively show what the row carries? */
static bool payload_confirms(const struct cmsedge_row *row, int hint)
{
    if (hint < 0)
        return false;
    unsigned bit = CMSEDGE_APP_BIT(hint);
    if (row->apps & CMSEDGE_APP_ANY_MEDIA)
        return (bit & CMSEDGE_APP_MEDIA) != 0;
    return (row->apps & bit) != 0;
}

/* With an edge host on either end, a frame matches unless its payload contradicts the row (no
 * payload, or one nothing recognised, does not). Between strangers the payload must confirm. */
static bool payload_fits(const struct cmsedge_row *row, int hint, bool strict)
{
    if (strict || hint >= 0 || hint == CMSEDGE_HINT_FOREIGN)
        return payload_confirms(row, hint);
    return true;
}

static bool cell_has_kind(const struct cmsedge_port_cell *cell, enum cmsedge_port_kind kind)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        if (cell->items[i].kind == kind)
            return true;
    }
    return false;
}

/* The TURN TCP override port extends a UDP row to TCP on that one port (T1-02, T1-07). */
static bool transport_fits(const struct cmsedge_row *row, const struct cmsedge_settings *s,
                           unsigned transport, uint16_t dport)
{
    if (row->transports & transport)
        return true;
    return transport == CMSEDGE_TRANSPORT_TCP && s->turn_tcp_port != 0 &&
           dport == s->turn_tcp_port && cell_has_kind(&row->dst.ports, CMSEDGE_PORTS_TURN_TCP);
}

static bool already_matched(const struct cmsedge_verdict *v, const struct cmsedge_row *row)
{
    for (size_t i = 0; i < v->n_matches; i++) {
        if (v->matches[i].row == row)
            return true;
    }
    return false;
}

static bool try_row(const struct cmsedge_row *row, void *user)
{
    struct try_ctx *c = user;
    const struct cmsedge_flow *f = c->flow;
    struct oriented o = orient(f, c->reverse);
    struct cmsedge_match m = {.row = row, .reverse = c->reverse};
    unsigned zone = 0, footnote = 0;
    enum cmsedge_role src_played, dst_played;

    if (c->v->n_matches >= CMSEDGE_MAX_MATCHES)
        return false;
    if (!cmsedge_row_applies(row, c->s) || !transport_fits(row, c->s, f->transport, o.dport))
        return true;
    if (!cmsedge_cell_contains(&row->dst.ports, c->s, f->transport, o.dport, &zone, &footnote))
        return true;
    if (!cmsedge_cell_contains(&row->src.ports, c->s, f->transport, o.sport, NULL, NULL))
        return true;
    /* footnote 3: coexisting with MRA, the Expressway-E's 8443 is MRA's; it is web
     * administration only from a host known to be an administrator's PC */
    if (footnote == 3 && c->s->mra && o.src_role != CMSEDGE_ROLE_ADMIN_PC)
        return true;
    bool src_nat, dst_nat;
    m.src_fit = (int8_t)end_fit(&row->src, o.src_role, &src_played, &src_nat);
    m.dst_fit = (int8_t)end_fit(&row->dst, o.dst_role, &dst_played, &dst_nat);
    m.translated = src_nat || dst_nat;
    if (m.src_fit == CMSEDGE_FIT_NO || m.dst_fit == CMSEDGE_FIT_NO)
        return true;
    if (!payload_fits(row, f->hint, c->strict))
        return true;
    m.confirmed = !(row->apps & CMSEDGE_APP_ANY_MEDIA) && payload_confirms(row, f->hint);
    if (c->reverse && already_matched(c->v, row))
        return true; /* relay to relay: one entry per row is enough */
    m.zone = (uint8_t)zone;
    m.footnote = (uint8_t)footnote;
    /* report roles for the frame's own source and destination */
    m.src_role = (uint8_t)(c->reverse ? dst_played : src_played);
    m.dst_role = (uint8_t)(c->reverse ? src_played : dst_played);
    if (c->reverse) {
        int8_t t = m.src_fit;
        m.src_fit = m.dst_fit, m.dst_fit = t;
    }
    c->v->matches[c->v->n_matches++] = m;
    return true;
}

static int match_order(const void *pa, const void *pb)
{
    const struct cmsedge_match *a = pa, *b = pb;
    int fa = a->src_fit + a->dst_fit, fb = b->src_fit + b->dst_fit;
    if (fa != fb)
        return fb - fa;
    if (a->confirmed != b->confirmed) /* the payload names this row's protocol */
        return a->confirmed ? -1 : 1;
    if (a->translated != b->translated) /* the literal row beats one read through a NAT */
        return a->translated ? 1 : -1;
    if (a->reverse != b->reverse)
        return a->reverse ? 1 : -1;
    return (int)a->row->index - (int)b->row->index;
}

/* A frame that matches a row in its own direction (Expressway-E -> endpoint media, T2-10) is
 * also the reply of the opposite row (endpoint -> Expressway-E, T2-08). The row written for
 * its direction says it better; replies that fit no better are dropped. */
static void drop_redundant_replies(struct cmsedge_verdict *v)
{
    int best_forward = -1;
    size_t kept = 0;
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        if (!m->reverse && m->src_fit + m->dst_fit > best_forward)
            best_forward = m->src_fit + m->dst_fit;
    }
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        if (m->reverse && m->src_fit + m->dst_fit <= best_forward)
            continue;
        v->matches[kept++] = *m;
    }
    v->n_matches = kept;
}

/* Between hosts with no role, only rows that no ordinary software produces by chance are
 * shown (tables/README.md, "evidence"): ports pinned on both ends, a payload that confirms
 * them. A row whose two ends are the same address (T1-12, relay to relay on premises) is taken
 * so only when the frame's two addresses are the same. */
static void keep_specific(struct cmsedge_verdict *v, const struct cmsedge_flow *f)
{
    size_t kept = 0;
    bool same_host = cmsedge_addr_equal(&f->src, &f->dst);
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_row *row = v->matches[i].row;
        bool self = row->src.role == row->dst.role && row->src.role != CMSEDGE_ROLE_ANY &&
                    row->src.translated == CMSEDGE_ROLE_NONE;
        if (row->evidence != CMSEDGE_EVIDENCE_SPECIFIC || (self && !same_host))
            continue;
        v->matches[kept++] = v->matches[i];
    }
    v->n_matches = kept;
}

/* ---- explaining a miss --------------------------------------------------------------- */

enum miss {
    MISS_TRANSPORT = 1,
    MISS_DST_PORT = 2,
    MISS_SRC_PORT = 4,
    MISS_SIDE = 8, /* the other interface of a dual-NIC Expressway-E */
};

struct nearest {
    const struct cmsedge_row *row;
    bool reverse;
    unsigned misses; /* enum miss bits */
    bool side_src;   /* with MISS_SIDE: the source end is on the wrong interface */
    int fit;
    unsigned distance; /* how far the service port is from the documented one */
};

static unsigned port_distance(const struct cmsedge_port_cell *cell,
                              const struct cmsedge_settings *s, uint16_t port)
{
    unsigned best = 65536;
    for (unsigned p = 0; p < cell->n_items; p++) {
        const struct cmsedge_port_item *it = &cell->items[p];
        if (it->kind == CMSEDGE_PORTS_EXCLUDE || !(it->sizes & CMSEDGE_SIZE_BIT(s->size)) ||
            (it->demux == CMSEDGE_DEMUX_ON && !s->demux_ports) ||
            (it->demux == CMSEDGE_DEMUX_OFF && s->demux_ports))
            continue; /* not a port of this deployment */
        /* a rough distance over the cell's literal or default bounds is enough to rank */
        unsigned lo = it->lo, hi = it->hi;
        if (it->kind == CMSEDGE_PORTS_RELAY)
            lo = s->relay.lo, hi = s->relay.hi;
        else if (it->kind == CMSEDGE_PORTS_MS_MEDIA)
            lo = s->ms_media.lo, hi = s->ms_media.hi;
        else if (it->kind == CMSEDGE_PORTS_ADMIN)
            lo = hi = s->admin_port;
        else if (it->kind == CMSEDGE_PORTS_TURN_TCP)
            lo = hi = s->turn_tcp_port;
        unsigned d = port < lo ? lo - port : port > hi ? port - hi : 0;
        if (d < best)
            best = d;
    }
    return best;
}

/* "Any port from 1024 up" says nothing about where a frame should have gone: a port outside
 * such a cell is no near miss. */
static bool cell_is_wide(const struct cmsedge_port_cell *cell)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        if (it->kind == CMSEDGE_PORTS_RANGE && it->hi == 65535)
            return true;
    }
    return false;
}

/* How a host fits a row end when a dual-NIC Expressway-E's wrong interface counts as a fit
 * with a deviation (*side set) rather than as no fit. */
static int end_fit_sided(const struct cmsedge_row_end *end, enum cmsedge_role host, bool *side)
{
    enum cmsedge_role played;
    bool nat;
    int fit = end_fit(end, host, &played, &nat);
    *side = false;
    if (fit == CMSEDGE_FIT_NO && cmsedge_role_is_expressway_e(host) &&
        cmsedge_role_is_expressway_e((enum cmsedge_role)end->role)) {
        *side = true;
        fit = CMSEDGE_FIT_EXACT;
    }
    return fit;
}

/* A near miss: the frame is recognisably the row's kind of traffic (both hosts known, in the
 * row's roles and direction, one of them an edge host playing its own role; the payload the row
 * carries, or with both roles exact no payload yet) and it deviates in exactly one of port,
 * transport or interface, while the end that did fit is known by its role or a pinned port.
 * Anything further away is traffic the chapter does not cover. */
static void consider(struct nearest *best, const struct cmsedge_row *row, bool reverse,
                     const struct cmsedge_settings *s, const struct cmsedge_flow *f)
{
    struct oriented o = orient(f, reverse);
    bool src_side, dst_side;
    if (!cmsedge_row_applies(row, s))
        return;
    int sf = end_fit_sided(&row->src, o.src_role, &src_side);
    int df = end_fit_sided(&row->dst, o.dst_role, &dst_side);
    if (sf == CMSEDGE_FIT_NO || df == CMSEDGE_FIT_NO)
        return;
    bool edge_exact = (sf == CMSEDGE_FIT_EXACT && cmsedge_role_is_edge(o.src_role)) ||
                      (df == CMSEDGE_FIT_EXACT && cmsedge_role_is_edge(o.dst_role));
    /* a host nobody knows could be anything: its ports say nothing (its ephemeral ports fall
     * in documented ranges by chance) */
    if (!edge_exact || o.src_role == CMSEDGE_ROLE_NONE || o.dst_role == CMSEDGE_ROLE_NONE)
        return;
    bool both_known = sf == CMSEDGE_FIT_EXACT && df == CMSEDGE_FIT_EXACT;
    /* a relay carries anything, unrecognised (encrypted) payloads too; RTP is told from raw
     * data only from a stream's second packet on */
    bool unseen = f->hint == CMSEDGE_HINT_NONE ||
                  (f->hint == CMSEDGE_HINT_OTHER &&
                   (row->apps & (CMSEDGE_APP_ANY_MEDIA | CMSEDGE_APP_BIT(CMSEDGE_APP_RTP))));
    if (!payload_confirms(row, f->hint) && !(unseen && both_known))
        return;

    struct nearest n = {.row = row, .reverse = reverse, .fit = sf + df};
    if (!transport_fits(row, s, f->transport, o.dport))
        n.misses |= MISS_TRANSPORT;
    if (!cmsedge_cell_contains(&row->dst.ports, s, f->transport, o.dport, NULL, NULL)) {
        if (cell_is_wide(&row->dst.ports))
            return;
        n.misses |= MISS_DST_PORT;
    }
    if (!cmsedge_cell_contains(&row->src.ports, s, f->transport, o.sport, NULL, NULL)) {
        if (cell_is_wide(&row->src.ports))
            return;
        n.misses |= MISS_SRC_PORT;
    }
    if (src_side || dst_side) {
        n.misses |= MISS_SIDE;
        n.side_src = src_side;
    }
    if (__builtin_popcount(n.misses) != 1 || (src_side && dst_side))
        return;
    /* the end that did fit must say something: its host's own role, or a port the row pins
     * down (a wide cell, ">=1024", fits any host's port) */
    bool src_says = sf == CMSEDGE_FIT_EXACT || !cell_is_wide(&row->src.ports);
    bool dst_says = df == CMSEDGE_FIT_EXACT || !cell_is_wide(&row->dst.ports);
    if (n.misses == MISS_DST_PORT   ? !src_says
        : n.misses == MISS_SRC_PORT ? !dst_says
                                    : !src_says && !dst_says)
        return;
    n.distance = port_distance(&row->dst.ports, s, o.dport);

    bool better =
        !best->row || n.fit > best->fit ||
        (n.fit == best->fit && (n.distance < best->distance ||
                                (n.distance == best->distance && !n.reverse && best->reverse)));
    if (better)
        *best = n;
}

static const char *transport_name(unsigned t)
{
    return t == CMSEDGE_TRANSPORT_TCP ? "TCP" : "UDP";
}

/* Messages are cut at the buffer's end on purpose: a long reason still reads well. */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* A judged frame that matches no row: a near miss gets its reason, the row it comes closest to
 * and the off-spec verdict; anything else is not covered by the chapter and stays silent. */
static void explain_miss(const struct cmsedge_settings *s, const struct cmsedge_flow *f,
                         struct cmsedge_verdict *v)
{
    struct nearest best = {0};
    char want[96];

    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        consider(&best, &cmsedge_rows[i], false, s, f);
        consider(&best, &cmsedge_rows[i], true, s, f);
    }
    if (!best.row)
        return;
    const struct cmsedge_row *r = best.row;
    struct oriented o = orient(f, best.reverse);
    v->near_miss = v->offspec = true;
    v->nearest = r;
    v->nearest_reverse = best.reverse;

    switch (best.misses) {
    case MISS_DST_PORT:
        cmsedge_cell_describe(&r->dst.ports, s, want, sizeof want);
        say(v->reason, sizeof v->reason, "%s (%s): %s ports are %s; seen %u", r->purpose, r->id,
            r->dst.label, want, o.dport);
        break;
    case MISS_SRC_PORT:
        cmsedge_cell_describe(&r->src.ports, s, want, sizeof want);
        /* Expressway-C picks these source ports itself: another port on the way to the
         * Expressway-E means something between them rewrote it */
        v->translated_source = r->src.role == CMSEDGE_ROLE_EXPRESSWAY_C &&
                               cmsedge_role_is_expressway_e((enum cmsedge_role)r->dst.role);
        say(v->reason, sizeof v->reason, "%s (%s): %s source ports are %s; seen %u%s", r->purpose,
            r->id, r->src.label, want, o.sport,
            v->translated_source ? " (a translating firewall between Expressway-C and "
                                   "Expressway-E?)"
                                 : "");
        break;
    case MISS_TRANSPORT:
        say(v->reason, sizeof v->reason, "%s (%s) is %s; seen %s", r->purpose, r->id, r->protocol,
            transport_name(f->transport));
        break;
    default: { /* MISS_SIDE */
        const struct cmsedge_row_end *end = best.side_src ? &r->src : &r->dst;
        enum cmsedge_role seen = best.side_src ? o.src_role : o.dst_role;
        say(v->reason, sizeof v->reason, "%s (%s): the %s is the %s; seen the %s", r->purpose,
            r->id, best.side_src ? "source" : "destination", end->label, cmsedge_role_title(seen));
        break;
    }
    }
}

void cmsedge_verdict_add_finding(struct cmsedge_verdict *v, unsigned footnote,
                                 enum cmsedge_severity severity, const char *fmt, ...)
{
    char text[sizeof v->findings.items[0].text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cmsedge_findings_add(&v->findings, CMSEDGE_FINDING_FOOTNOTE, severity, footnote,
                         v->n_matches ? v->matches[0].row : NULL, "%s", text);
    if (severity == CMSEDGE_WARNING && v->judged)
        v->offspec = true;
}

void cmsedge_classify(const struct cmsedge_settings *s, const struct cmsedge_flow *flow,
                      struct cmsedge_verdict *v)
{
    struct try_ctx c = {.s = s, .flow = flow, .v = v};

    v->n_matches = 0;
    v->findings.n = 0;
    v->nearest = NULL;
    v->nearest_reverse = false;
    v->near_miss = false;
    v->translated_source = false;
    v->reason[0] = '\0';
    v->checks = 0;
    v->judged = cmsedge_role_is_edge(flow->src_role) || cmsedge_role_is_edge(flow->dst_role);
    v->offspec = v->unmatched = false;
    c.strict = !v->judged;

    cmsedge_candidates(s, flow->transport, flow->dport, try_row, &c);
    c.reverse = true;
    cmsedge_candidates(s, flow->transport, flow->sport, try_row, &c);
    qsort(v->matches, v->n_matches, sizeof v->matches[0], match_order);
    drop_redundant_replies(v);
    if (c.strict)
        keep_specific(v, flow);

    if (v->judged && v->n_matches == 0) {
        v->unmatched = true;
        explain_miss(s, flow, v);
    }
    cmsedge_apply_footnote_rules(s, flow, v);
}

void cmsedge_verdict_clear_miss(struct cmsedge_verdict *v)
{
    v->near_miss = false;
    v->nearest = NULL;
    v->nearest_reverse = false;
    v->translated_source = false;
    v->reason[0] = '\0';
    v->offspec = v->judged && cmsedge_findings_first_warning(&v->findings) != NULL;
}

void cmsedge_match_label(const struct cmsedge_match *m, char *buf, size_t len)
{
    if (!m || !m->row) {
        if (len)
            buf[0] = '\0';
        return;
    }
    if (m->zone)
        snprintf(buf, len, "%s (traversal zone %u)", m->row->purpose, m->zone);
    else if (len)
        g_strlcpy(buf, m->row->purpose, len); /* every frame of most rows: no formatting */
}
