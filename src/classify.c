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

static bool payload_fits(const struct cmsedge_row *row, int hint, bool strict)
{
    if (hint == CMSEDGE_HINT_NONE)
        return true;
    if (hint == CMSEDGE_HINT_OTHER)
        return !strict;
    unsigned bit = CMSEDGE_APP_BIT(hint);
    if (row->apps & CMSEDGE_APP_ANY_MEDIA)
        return !strict || (bit & CMSEDGE_APP_MEDIA);
    return (row->apps & bit) != 0;
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
    bool src_nat, dst_nat;
    m.src_fit = (int8_t)end_fit(&row->src, o.src_role, &src_played, &src_nat);
    m.dst_fit = (int8_t)end_fit(&row->dst, o.dst_role, &dst_played, &dst_nat);
    m.translated = src_nat || dst_nat;
    if (m.src_fit == CMSEDGE_FIT_NO || m.dst_fit == CMSEDGE_FIT_NO)
        return true;
    if (!payload_fits(row, f->hint, c->strict))
        return true;
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

/* ---- explaining a miss --------------------------------------------------------------- */

enum miss { MISS_TRANSPORT = 1, MISS_DST_PORT = 2, MISS_SRC_PORT = 4, MISS_PAYLOAD = 8 };

struct nearest {
    const struct cmsedge_row *row;
    bool reverse;
    unsigned misses; /* enum miss bits */
    int count, fit;
    unsigned distance; /* how far the service port is from the documented one */
};

static unsigned port_distance(const struct cmsedge_port_cell *cell,
                              const struct cmsedge_settings *s, uint16_t port)
{
    unsigned best = 65536;
    for (unsigned p = 0; p < cell->n_items; p++) {
        const struct cmsedge_port_item *it = &cell->items[p];
        if (it->kind == CMSEDGE_PORTS_EXCLUDE)
            continue;
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

static void consider(struct nearest *best, const struct cmsedge_row *row, bool reverse,
                     const struct cmsedge_settings *s, const struct cmsedge_flow *f)
{
    struct oriented o = orient(f, reverse);
    enum cmsedge_role played;
    bool nat;
    int sf = end_fit(&row->src, o.src_role, &played, &nat);
    int df = end_fit(&row->dst, o.dst_role, &played, &nat);
    if (sf == CMSEDGE_FIT_NO || df == CMSEDGE_FIT_NO || !cmsedge_row_applies(row, s))
        return;

    struct nearest n = {.row = row, .reverse = reverse, .fit = sf + df};
    if (!transport_fits(row, s, f->transport, o.dport))
        n.misses |= MISS_TRANSPORT;
    if (!cmsedge_cell_contains(&row->dst.ports, s, f->transport, o.dport, NULL, NULL))
        n.misses |= MISS_DST_PORT;
    if (!cmsedge_cell_contains(&row->src.ports, s, f->transport, o.sport, NULL, NULL))
        n.misses |= MISS_SRC_PORT;
    if (!payload_fits(row, f->hint, false))
        n.misses |= MISS_PAYLOAD;
    n.count = __builtin_popcount(n.misses);
    n.distance = port_distance(&row->dst.ports, s, o.dport);

    bool better =
        !best->row || n.count < best->count ||
        (n.count == best->count &&
         (n.fit > best->fit ||
          (n.fit == best->fit && (n.distance < best->distance ||
                                  (n.distance == best->distance && !n.reverse && best->reverse)))));
    if (better)
        *best = n;
}

static const char *transport_name(unsigned t)
{
    return t == CMSEDGE_TRANSPORT_TCP ? "TCP" : "UDP";
}

static const char *host_title(enum cmsedge_role r)
{
    return r == CMSEDGE_ROLE_NONE ? "an unconfigured host" : cmsedge_role_title(r);
}

static void apps_text(const struct cmsedge_row *row, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    if (row->apps & CMSEDGE_APP_ANY_MEDIA) {
        snprintf(buf, len, "relayed media");
        return;
    }
    for (int a = 0; a < CMSEDGE_APP_COUNT && used < len; a++) {
        if (row->apps & CMSEDGE_APP_BIT(a))
            used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " or " : "",
                                     cmsedge_app_title((enum cmsedge_app)a));
    }
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

/* "Any port from 1024 up" says little about where a frame should have gone: a miss there is
 * reported as "no documented flow" rather than as the nearest row's port. */
static bool cell_is_wide(const struct cmsedge_port_cell *cell)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        if (it->kind == CMSEDGE_PORTS_RANGE && it->hi == 65535)
            return true;
    }
    return false;
}

static void explain_miss(const struct cmsedge_settings *s, const struct cmsedge_flow *f,
                         struct cmsedge_verdict *v)
{
    struct nearest best = {0};
    char want[96], apps[96];

    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        consider(&best, &cmsedge_rows[i], false, s, f);
        consider(&best, &cmsedge_rows[i], true, s, f);
    }
    if (!best.row) {
        say(v->reason, sizeof v->reason, "the reference documents no flow between %s and %s",
            host_title(f->src_role), host_title(f->dst_role));
        return;
    }
    v->nearest = best.row;
    v->nearest_reverse = best.reverse;
    const struct cmsedge_row *r = best.row;
    struct oriented o = orient(f, best.reverse);

    if (best.count == 1 && best.misses == MISS_DST_PORT && !cell_is_wide(&r->dst.ports)) {
        cmsedge_cell_describe(&r->dst.ports, s, want, sizeof want);
        say(v->reason, sizeof v->reason, "%s (%s): %s ports are %s; seen %u", r->purpose, r->id,
            r->dst.label, want, o.dport);
    } else if (best.count == 1 && best.misses == MISS_SRC_PORT && !cell_is_wide(&r->src.ports)) {
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
    } else if (best.count == 1 && best.misses == MISS_TRANSPORT) {
        say(v->reason, sizeof v->reason, "%s (%s) is %s; seen %s", r->purpose, r->id, r->protocol,
            transport_name(f->transport));
    } else if (best.count == 1 && best.misses == MISS_PAYLOAD) {
        apps_text(r, apps, sizeof apps);
        say(v->reason, sizeof v->reason, "%s (%s) carries %s; seen %s", r->purpose, r->id, apps,
            cmsedge_app_title((enum cmsedge_app)f->hint));
    } else {
        char src_want[96];
        cmsedge_cell_describe(&r->src.ports, s, src_want, sizeof src_want);
        cmsedge_cell_describe(&r->dst.ports, s, want, sizeof want);
        say(v->reason, sizeof v->reason,
            "no documented %s flow from %s port %u to %s port %u; nearest: %s (%s), "
            "%s %s -> %s %s %s",
            transport_name(f->transport), host_title(f->src_role), f->sport,
            host_title(f->dst_role), f->dport, r->purpose, r->id, r->src.label, src_want,
            r->dst.label, want, r->protocol);
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

    if (v->judged && v->n_matches == 0) {
        v->unmatched = v->offspec = true;
        explain_miss(s, flow, v);
    }
    cmsedge_apply_footnote_rules(s, flow, v);
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
    else
        snprintf(buf, len, "%s", m->row->purpose);
}
