/* cmsedge: per-flow checks (see include/cmsedge/checks.h).
 *
 * State is kept only for judged flows that need it: TCP connection attempts to documented
 * ports, TURN Allocate exchanges, and Assent media an endpoint sent to Expressway-E. Frames of
 * other flows cost one verdict test and no memory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/checks.h"
#include "cmsedge/fingerprints.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A flow in both directions: the end with the lower (address, port) first. */
struct flow_key {
    struct cmsedge_addr a, b;
    uint16_t pa, pb;
    uint8_t transport;
};

struct flow_state {
    struct flow_key key;
    uint8_t reported; /* bit per enum cmsedge_finding_kind already reported */
    bool syn_seen;    /* a SYN to the documented service port */
    bool answered;    /* a SYN-ACK came back */
    uint32_t syn_seq; /* the last SYN's sequence number: a SYN repeating it is a retransmission */
    uint8_t turn_errors;
    bool turn_success;
};

/* Assent media an endpoint sent to one Expressway-E media port. */
struct latch_key {
    struct cmsedge_addr e, endpoint;
    uint16_t e_port;
};

struct latch_state {
    struct latch_key key;
    uint16_t endpoint_port; /* the port the endpoint last sent from */
};

/* A direction between two hosts that the capture has shown. */
struct pair_key {
    struct cmsedge_addr from, to;
};

struct cmsedge_tracker {
    struct cmsedge_fingerprints *pairs; /* host to host directions seen (struct pair_key) */
    GHashTable *flows;                  /* struct flow_key* -> struct flow_state* */
    GHashTable *latches;                /* struct latch_key* -> struct latch_state* */
    uint64_t relay_frames;              /* frames on the relay rows so far */
};

static guint flow_hash(gconstpointer p)
{
    const struct flow_key *k = p;
    return (cmsedge_addr_hash(&k->a) * 31u + k->pa) ^ (cmsedge_addr_hash(&k->b) * 17u + k->pb) ^
           k->transport;
}

static gboolean flow_equal(gconstpointer x, gconstpointer y)
{
    const struct flow_key *a = x, *b = y;
    return a->transport == b->transport && a->pa == b->pa && a->pb == b->pb &&
           cmsedge_addr_equal(&a->a, &b->a) && cmsedge_addr_equal(&a->b, &b->b);
}

static guint latch_hash(gconstpointer p)
{
    const struct latch_key *k = p;
    return cmsedge_addr_hash(&k->e) * 31u + cmsedge_addr_hash(&k->endpoint) + k->e_port;
}

static gboolean latch_equal(gconstpointer x, gconstpointer y)
{
    const struct latch_key *a = x, *b = y;
    return a->e_port == b->e_port && cmsedge_addr_equal(&a->e, &b->e) &&
           cmsedge_addr_equal(&a->endpoint, &b->endpoint);
}

struct cmsedge_tracker *cmsedge_tracker_new(void)
{
    struct cmsedge_tracker *t = g_new0(struct cmsedge_tracker, 1);
    t->pairs = cmsedge_fingerprints_new();
    t->flows = g_hash_table_new_full(flow_hash, flow_equal, NULL, g_free);
    t->latches = g_hash_table_new_full(latch_hash, latch_equal, NULL, g_free);
    return t;
}

void cmsedge_tracker_free(struct cmsedge_tracker *t)
{
    if (!t)
        return;
    cmsedge_fingerprints_free(t->pairs);
    g_hash_table_destroy(t->flows);
    g_hash_table_destroy(t->latches);
    g_free(t);
}

void cmsedge_tracker_reset(struct cmsedge_tracker *t)
{
    cmsedge_fingerprints_clear(t->pairs);
    g_hash_table_remove_all(t->flows);
    g_hash_table_remove_all(t->latches);
    t->relay_frames = 0;
}

size_t cmsedge_tracker_flows(const struct cmsedge_tracker *t)
{
    return g_hash_table_size(t->flows) + g_hash_table_size(t->latches) +
           cmsedge_fingerprints_count(t->pairs);
}

static int end_cmp(const struct cmsedge_addr *a, uint16_t pa, const struct cmsedge_addr *b,
                   uint16_t pb)
{
    int c = a->family != b->family ? (int)a->family - (int)b->family
                                   : memcmp(a->bytes, b->bytes, sizeof a->bytes);
    return c ? c : (int)pa - (int)pb;
}

static struct flow_state *flow_state(struct cmsedge_tracker *t, const struct cmsedge_flow *f,
                                     bool create)
{
    struct flow_key k;
    memset(&k, 0, sizeof k);
    k.transport = (uint8_t)f->transport;
    if (end_cmp(&f->src, f->sport, &f->dst, f->dport) <= 0) {
        k.a = f->src, k.pa = f->sport, k.b = f->dst, k.pb = f->dport;
    } else {
        k.a = f->dst, k.pa = f->dport, k.b = f->src, k.pb = f->sport;
    }
    struct flow_state *st = g_hash_table_lookup(t->flows, &k);
    if (!st && create) {
        st = g_new0(struct flow_state, 1);
        st->key = k;
        g_hash_table_insert(t->flows, &st->key, st);
    }
    return st;
}

static void report_add(struct cmsedge_findings *r, enum cmsedge_finding_kind check,
                       enum cmsedge_severity severity, const struct cmsedge_row *row,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void report_add(struct cmsedge_findings *r, enum cmsedge_finding_kind check,
                       enum cmsedge_severity severity, const struct cmsedge_row *row,
                       const char *fmt, ...)
{
    char text[sizeof r->items[0].text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cmsedge_findings_add(r, check, severity, 0, row, "%s", text);
}

/* Once per flow and check: true the first time. */
static bool first_report(struct flow_state *st, enum cmsedge_finding_kind check)
{
    if (st->reported & (1u << check))
        return false;
    st->reported |= (uint8_t)(1u << check);
    return true;
}

/* The best match in the given direction (forward: the frame goes row source -> destination). */
static const struct cmsedge_match *match_in(const struct cmsedge_verdict *v, bool reverse)
{
    for (size_t i = 0; i < v->n_matches; i++) {
        if (v->matches[i].reverse == reverse)
            return &v->matches[i];
    }
    return NULL;
}

/* Host directions are kept as fingerprints: a capture with a million hosts has a million of
 * them, and the checks only ask whether one was seen. */
static uint64_t pair_fingerprint(const struct cmsedge_addr *from, const struct cmsedge_addr *to)
{
    struct pair_key k;
    memset(&k, 0, sizeof k);
    k.from = *from;
    k.to = *to;
    return cmsedge_fingerprint(&k, sizeof k);
}

static void see_pair(struct cmsedge_tracker *t, const struct cmsedge_flow *f)
{
    cmsedge_fingerprints_add(t->pairs, pair_fingerprint(&f->src, &f->dst));
}

/* Has the capture shown anything at all from the flow's destination host to its source? */
static bool reverse_seen(const struct cmsedge_tracker *t, const struct cmsedge_flow *f)
{
    return cmsedge_fingerprints_contains(t->pairs, pair_fingerprint(&f->dst, &f->src));
}

static void check_tcp(struct cmsedge_tracker *t, const struct cmsedge_flow *f,
                      const struct cmsedge_verdict *v, const struct cmsedge_facts *facts,
                      struct cmsedge_findings *r)
{
    unsigned flags = facts->tcp_flags;
    bool syn = (flags & CMSEDGE_TCP_SYN) && !(flags & CMSEDGE_TCP_ACK);
    bool synack = (flags & CMSEDGE_TCP_SYN) && (flags & CMSEDGE_TCP_ACK);
    bool rst = flags & CMSEDGE_TCP_RST;
    char dst[80];

    if (syn) {
        const struct cmsedge_match *m = match_in(v, false);
        if (!m)
            return;
        struct flow_state *st = flow_state(t, f, true);
        /* the same initial sequence number again is the same attempt retransmitted; another
         * one is a new connection on the same ports, which has had no answer yet */
        bool retransmitted = st->syn_seen && st->syn_seq == facts->tcp_seq;
        if (st->syn_seen && !retransmitted)
            st->answered = false;
        st->syn_seen = true;
        st->syn_seq = facts->tcp_seq;
        if (retransmitted && !st->answered && first_report(st, CMSEDGE_FINDING_BLOCKED)) {
            cmsedge_endpoint_format(&f->dst, f->dport, dst, sizeof dst);
            /* a capture of one direction only shows no answer to anything: not a fault */
            if (reverse_seen(t, f))
                report_add(r, CMSEDGE_FINDING_BLOCKED, CMSEDGE_WARNING, m->row,
                           "blocked? TCP SYN to %s retransmitted with no answer: the reference "
                           "needs %s (%s) open",
                           dst, m->row->id, m->row->purpose);
            else
                report_add(r, CMSEDGE_FINDING_BLOCKED, CMSEDGE_NOTE, m->row,
                           "TCP SYN to %s retransmitted with no answer, but the capture shows "
                           "nothing from that host to this one (one direction only?); %s (%s)",
                           dst, m->row->id, m->row->purpose);
        }
    } else if (synack || rst) {
        struct flow_state *st = flow_state(t, f, false);
        if (!st || !st->syn_seen)
            return;
        if (synack) {
            st->answered = true;
        } else if (!st->answered && first_report(st, CMSEDGE_FINDING_BLOCKED)) {
            const struct cmsedge_match *m = match_in(v, true);
            cmsedge_endpoint_format(&f->src, f->sport, dst, sizeof dst);
            report_add(r, CMSEDGE_FINDING_BLOCKED, CMSEDGE_WARNING, m ? m->row : NULL,
                       "blocked? connection to %s refused (RST): the reference needs %s (%s) open",
                       dst, m ? m->row->id : "the documented row", m ? m->row->purpose : "");
        }
    }
}

static void check_icmp(struct cmsedge_tracker *t, const struct cmsedge_flow *f,
                       const struct cmsedge_verdict *v, const struct cmsedge_facts *facts,
                       struct cmsedge_findings *r)
{
    static const char *const what[] = {
        [CMSEDGE_ICMP_PORT_UNREACHABLE] = "port unreachable",
        [CMSEDGE_ICMP_HOST_UNREACHABLE] = "host unreachable",
        [CMSEDGE_ICMP_ADMIN_PROHIBITED] = "administratively prohibited",
    };
    const struct cmsedge_match *m = match_in(v, false);
    char dst[80];
    if (!m || facts->icmp > CMSEDGE_ICMP_ADMIN_PROHIBITED)
        return;
    struct flow_state *st = flow_state(t, f, true);
    if (!first_report(st, CMSEDGE_FINDING_BLOCKED))
        return;
    cmsedge_endpoint_format(&f->dst, f->dport, dst, sizeof dst);
    report_add(r, CMSEDGE_FINDING_BLOCKED, CMSEDGE_WARNING, m->row,
               "blocked? ICMP %s for %s to %s: the reference needs %s (%s) open", what[facts->icmp],
               f->transport == CMSEDGE_TRANSPORT_UDP ? "UDP" : "TCP", dst, m->row->id,
               m->row->purpose);
}

static bool is_e(unsigned role)
{
    return cmsedge_role_is_expressway_e((enum cmsedge_role)role);
}

static bool row_is_media(const struct cmsedge_row *row)
{
    return row->apps & CMSEDGE_APP_BIT(CMSEDGE_APP_RTP);
}

/* Assent latching: Expressway-E answers media at the address and port the endpoint's media
 * came from. */
static void check_latching(struct cmsedge_tracker *t, const struct cmsedge_flow *f,
                           const struct cmsedge_verdict *v, struct cmsedge_findings *r)
{
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        if (!row_is_media(m->row) || f->transport != CMSEDGE_TRANSPORT_UDP)
            continue;
        struct latch_key k;
        memset(&k, 0, sizeof k);
        if (m->src_role == CMSEDGE_ROLE_SIP_ENDPOINT && is_e(m->dst_role)) {
            k.e = f->dst, k.endpoint = f->src, k.e_port = f->dport;
            struct latch_state *ls = g_hash_table_lookup(t->latches, &k);
            if (!ls) {
                ls = g_new0(struct latch_state, 1);
                ls->key = k;
                g_hash_table_insert(t->latches, &ls->key, ls);
            }
            ls->endpoint_port = f->sport;
            return;
        }
        if (is_e(m->src_role) && m->dst_role == CMSEDGE_ROLE_SIP_ENDPOINT) {
            k.e = f->src, k.endpoint = f->dst, k.e_port = f->sport;
            const struct latch_state *ls = g_hash_table_lookup(t->latches, &k);
            if (ls && ls->endpoint_port == f->dport)
                return;
            struct flow_state *st = flow_state(t, f, true);
            if (!first_report(st, CMSEDGE_FINDING_LATCHING))
                return;
            char ep[80];
            cmsedge_endpoint_format(&f->dst, f->dport, ep, sizeof ep);
            /* media the capture has not shown may have come before it started */
            if (!ls)
                report_add(r, CMSEDGE_FINDING_LATCHING, CMSEDGE_NOTE, m->row,
                           "Assent latching: Expressway-E sends media from port %u to %s and "
                           "the capture shows none from that endpoint before (started mid-call?) "
                           "(%s %s)",
                           f->sport, ep, m->row->id, m->row->purpose);
            else
                report_add(r, CMSEDGE_FINDING_LATCHING, CMSEDGE_WARNING, m->row,
                           "Assent latching: Expressway-E sends media from port %u to %s, but "
                           "the endpoint's media came from port %u (%s %s)",
                           f->sport, ep, ls->endpoint_port, m->row->id, m->row->purpose);
            return;
        }
    }
}

static void check_turn(struct cmsedge_tracker *t, const struct cmsedge_settings *s,
                       const struct cmsedge_flow *f, const struct cmsedge_verdict *v,
                       const struct cmsedge_facts *facts, struct cmsedge_findings *r)
{
    const struct cmsedge_match *m = match_in(v, true); /* answers travel row dst -> src */
    if (!m || !is_e(m->src_role))
        return;
    if (facts->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS) {
        struct flow_state *st = flow_state(t, f, true);
        st->turn_success = true;
        if (facts->has_relayed &&
            (facts->relayed_port < s->relay.lo || facts->relayed_port > s->relay.hi) &&
            first_report(st, CMSEDGE_FINDING_TURN))
            report_add(r, CMSEDGE_FINDING_TURN, CMSEDGE_WARNING, m->row,
                       "TURN relayed port %u is outside the Expressway-E relay range %u-%u (%s %s)",
                       facts->relayed_port, s->relay.lo, s->relay.hi, m->row->id, m->row->purpose);
    } else if (facts->stun_type == CMSEDGE_STUN_ALLOCATE_ERROR &&
               (facts->stun_error == 401 || facts->stun_error == 438)) {
        struct flow_state *st = flow_state(t, f, true);
        if (st->turn_errors < UINT8_MAX)
            st->turn_errors++;
        if (!st->turn_success && st->turn_errors >= CMSEDGE_TURN_ERRORS_REPEATED &&
            first_report(st, CMSEDGE_FINDING_TURN))
            report_add(r, CMSEDGE_FINDING_TURN, CMSEDGE_WARNING, m->row,
                       "TURN Allocate refused %u times (last: %u) with no success: check the "
                       "TURN credentials (%s %s)",
                       st->turn_errors, facts->stun_error, m->row->id, m->row->purpose);
    }
}

void cmsedge_tracker_observe(struct cmsedge_tracker *t, const struct cmsedge_settings *s,
                             const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                             const struct cmsedge_facts *facts, bool private_e_known,
                             struct cmsedge_findings *report)
{
    report->n = 0;
    if (v->n_matches && cmsedge_row_uses_relays(v->matches[0].row))
        t->relay_frames++;
    if (!v->judged)
        return;
    if (facts->icmp == CMSEDGE_ICMP_NONE)
        see_pair(t, flow);
    if (v->n_matches == 0)
        return;
    if (facts->icmp != CMSEDGE_ICMP_NONE) {
        check_icmp(t, flow, v, facts, report);
        return; /* the flow is the quoted packet's: nothing else applies to this frame */
    }
    if (flow->transport == CMSEDGE_TRANSPORT_TCP)
        check_tcp(t, flow, v, facts, report);
    check_latching(t, flow, v, report);
    if (facts->stun_type)
        check_turn(t, s, flow, v, facts, report);

    if ((v->checks & CMSEDGE_CHECK_RELAYS_IDLE) && t->relay_frames == 0) {
        struct flow_state *st = flow_state(t, flow, true);
        if (first_report(st, CMSEDGE_FINDING_IDLE_RELAYS))
            report_add(report, CMSEDGE_FINDING_IDLE_RELAYS, CMSEDGE_NOTE, v->matches[0].row,
                       "Meeting Server relays media through TURN port %u and no frame so far "
                       "used the relay ports %u-%u: are they closed? (footnote 6)",
                       flow->dport, s->relay.lo, s->relay.hi);
    }

    const struct cmsedge_match *m = match_in(v, false);
    if (private_e_known && m && flow->src_role == CMSEDGE_ROLE_MEETING_SERVER &&
        flow->dst_role == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC &&
        (m->row->apps & CMSEDGE_APP_BIT(CMSEDGE_APP_STUN))) {
        struct flow_state *st = flow_state(t, flow, true);
        if (first_report(st, CMSEDGE_FINDING_PUBLIC_TURN))
            report_add(report, CMSEDGE_FINDING_PUBLIC_TURN, CMSEDGE_NOTE, m->row,
                       "Meeting Server sends TURN to the Expressway-E public address; %s allows "
                       "it, but Tables 1 and 4 have it use the private address, which is known",
                       m->row->id);
    }
}
