/* cmsedge: the edge audit (see include/cmsedge/audit.h): what a capture showed, counted frame
 * by frame, and the view the writers read (src/audit_internal.h); the writers are
 * audit_text.c, audit_csv.c and audit_json.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "audit_internal.h"
#include "text_escape.h"

#include <stdio.h>
#include <string.h>

/* A TURN allocation: the relay port a server handed out, and the media its relay carried. */
struct allocation {
    struct cmsedge_addr server;
    uint16_t relay_port;
    uint32_t frame;                /* the Allocate success */
    const struct cmsedge_row *row; /* the TURN request row it answered */
    uint64_t out, in;              /* frames from the relay port, and to it */
};

struct cmsedge_audit {
    GArray *allocations; /* struct allocation, in frame order */
    GHashTable *relays;  /* relay port -> 1 + index of its latest allocation in allocations */
    GHashTable *flows;   /* key -> struct cmsedge_audit_flow* (documented and off-spec) */
    GArray *checks;      /* struct cmsedge_audit_check, in frame order */
    uint64_t frames, judged, offspec;
};

static guint key_hash(gconstpointer p)
{
    const struct cmsedge_audit_key *k = p;
    return (cmsedge_addr_hash(&k->src) * 31u + k->sport) ^
           (cmsedge_addr_hash(&k->dst) * 17u + k->dport) ^ ((guint)k->row << 8) ^ k->transport;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct cmsedge_audit_key)) == 0;
}

bool cmsedge_audit_format_parse(const char *text, enum cmsedge_audit_format *format)
{
    static const char *const names[] = {"text", "csv", "json"};
    int i = cmsedge_format_index(text, names, G_N_ELEMENTS(names));
    if (i >= 0)
        *format = (enum cmsedge_audit_format)i;
    return i >= 0;
}

struct cmsedge_audit *cmsedge_audit_new(void)
{
    struct cmsedge_audit *a = g_new0(struct cmsedge_audit, 1);
    a->flows = g_hash_table_new_full(key_hash, key_equal, NULL, g_free);
    a->checks = g_array_new(FALSE, TRUE, sizeof(struct cmsedge_audit_check));
    a->allocations = g_array_new(FALSE, TRUE, sizeof(struct allocation));
    a->relays = g_hash_table_new(g_direct_hash, g_direct_equal);
    return a;
}

void cmsedge_audit_free(struct cmsedge_audit *a)
{
    if (!a)
        return;
    g_hash_table_destroy(a->flows);
    g_array_free(a->checks, TRUE);
    g_array_free(a->allocations, TRUE);
    g_hash_table_destroy(a->relays);
    g_free(a);
}

void cmsedge_audit_reset(struct cmsedge_audit *a)
{
    g_hash_table_remove_all(a->flows);
    g_array_set_size(a->checks, 0);
    g_array_set_size(a->allocations, 0);
    g_hash_table_remove_all(a->relays);
    a->frames = a->judged = a->offspec = 0;
}

static struct cmsedge_audit_flow *count(struct cmsedge_audit *a, const struct cmsedge_audit_key *k,
                                        const struct cmsedge_facts *facts)
{
    struct cmsedge_audit_flow *st = g_hash_table_lookup(a->flows, k);
    if (!st) {
        st = g_new0(struct cmsedge_audit_flow, 1);
        st->key = *k;
        st->first = facts->time;
        st->first_frame = facts->frame;
        g_hash_table_insert(a->flows, &st->key, st);
    }
    st->frames++;
    st->bytes += facts->length;
    st->last = facts->time;
    return st;
}

static void fill_key(struct cmsedge_audit_key *k, const struct cmsedge_flow *f, bool reverse,
                     uint16_t row)
{
    memset(k, 0, sizeof *k);
    k->transport = (uint8_t)f->transport;
    k->row = row;
    k->src = reverse ? f->dst : f->src;
    k->dst = reverse ? f->src : f->dst;
    k->sport = reverse ? f->dport : f->sport;
    k->dport = reverse ? f->sport : f->dport;
}

/* Off-spec flows fold both directions into the orientation first seen. */
static bool seen_reversed(struct cmsedge_audit *a, const struct cmsedge_flow *f)
{
    struct cmsedge_audit_key k;
    fill_key(&k, f, true, UINT16_MAX);
    return g_hash_table_contains(a->flows, &k);
}

/* Relay media of the allocations seen so far: a frame on a relay row from or to a relay port
 * counts for the latest allocation of that port. */
static void follow_allocations(struct cmsedge_audit *a, const struct cmsedge_flow *f,
                               const struct cmsedge_verdict *v, const struct cmsedge_facts *facts)
{
    if (v->n_matches == 0)
        return;
    if (facts->stun_type == CMSEDGE_STUN_ALLOCATE_SUCCESS && facts->has_relayed) {
        struct allocation al = {.server = f->src,
                                .relay_port = facts->relayed_port,
                                .frame = facts->frame,
                                .row = v->matches[0].row};
        g_array_append_val(a->allocations, al);
        g_hash_table_insert(a->relays, GUINT_TO_POINTER(al.relay_port),
                            GUINT_TO_POINTER(a->allocations->len));
        return;
    }
    if (!cmsedge_row_uses_relays(v->matches[0].row))
        return;
    guint out = GPOINTER_TO_UINT(g_hash_table_lookup(a->relays, GUINT_TO_POINTER(f->sport)));
    guint in = GPOINTER_TO_UINT(g_hash_table_lookup(a->relays, GUINT_TO_POINTER(f->dport)));
    if (out)
        g_array_index(a->allocations, struct allocation, out - 1).out++;
    else if (in)
        g_array_index(a->allocations, struct allocation, in - 1).in++;
}

/* Allocations whose relay carried media one way only: a finding per allocation. A relay that
 * carried nothing is no finding: WebRTC clients allocate relays as ICE candidates and often use
 * another path. */
static void allocation_findings(const struct cmsedge_audit *a, GArray *items)
{
    for (guint i = 0; i < a->allocations->len; i++) {
        const struct allocation *al = &g_array_index(a->allocations, struct allocation, i);
        struct cmsedge_audit_check it = {.frame = al->frame};
        char server[64];
        if (!al->in == !al->out)
            continue; /* both ways, or unused */
        cmsedge_addr_format(&al->server, server, sizeof server);
        it.finding.kind = CMSEDGE_FINDING_TURN;
        it.finding.severity = CMSEDGE_WARNING;
        it.finding.row = al->row;
        snprintf(it.finding.text, sizeof it.finding.text,
                 "TURN relay %s:%u, allocated here, carried media one way only (%" G_GUINT64_FORMAT
                 " frames from the relay, %" G_GUINT64_FORMAT " to it): one-way media",
                 server, al->relay_port, al->out, al->in);
        g_array_append_val(items, it);
    }
}

void cmsedge_audit_add(struct cmsedge_audit *a, const struct cmsedge_annotation *ann,
                       const struct cmsedge_facts *facts)
{
    const struct cmsedge_flow *flow = &ann->flow;
    const struct cmsedge_verdict *v = &ann->verdict;
    const struct cmsedge_findings *found = &ann->findings;
    struct cmsedge_audit_key k;
    const char *reason = ann->offspec_reason;

    a->frames++;
    follow_allocations(a, flow, v, facts);
    if (v->judged)
        a->judged++;
    if (reason)
        a->offspec++;
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        fill_key(&k, flow, m->reverse, m->row->index);
        struct cmsedge_audit_flow *st = count(a, &k, facts);
        st->src_role = m->reverse ? m->dst_role : m->src_role;
        st->dst_role = m->reverse ? m->src_role : m->dst_role;
    }
    if (reason) {
        fill_key(&k, flow, seen_reversed(a, flow), UINT16_MAX);
        struct cmsedge_audit_flow *st = count(a, &k, facts);
        if (!st->reason[0]) {
            bool rev = !cmsedge_addr_equal(&k.src, &flow->src) || k.sport != flow->sport;
            st->src_role = (uint8_t)(rev ? flow->dst_role : flow->src_role);
            st->dst_role = (uint8_t)(rev ? flow->src_role : flow->dst_role);
            g_strlcpy(st->reason, reason, sizeof st->reason);
        }
    }
    for (size_t i = 0; i < found->n; i++) {
        if (found->items[i].kind == CMSEDGE_FINDING_FOOTNOTE)
            continue; /* footnote rules are per frame: the off-spec flows list their warnings */
        struct cmsedge_audit_check it = {
            .frame = facts->frame, .time = facts->time, .finding = found->items[i]};
        g_array_append_val(a->checks, it);
    }
}

/* ---- the view the writers read --------------------------------------------------------- */

static gint by_frame(gconstpointer pa, gconstpointer pb)
{
    const struct cmsedge_audit_check *a = pa, *b = pb;
    if (a->frame != b->frame)
        return a->frame < b->frame ? -1 : 1;
    if (a->finding.kind != b->finding.kind)
        return (int)a->finding.kind - (int)b->finding.kind;
    return strcmp(a->finding.text, b->finding.text);
}

/* Off-spec flows have row UINT16_MAX: they sort after every documented row. */
static gint by_row_then_frame(gconstpointer pa, gconstpointer pb)
{
    const struct cmsedge_audit_flow *a = *(const struct cmsedge_audit_flow *const *)pa;
    const struct cmsedge_audit_flow *b = *(const struct cmsedge_audit_flow *const *)pb;
    if (a->key.row != b->key.row)
        return a->key.row < b->key.row ? -1 : 1;
    if (a->first_frame != b->first_frame)
        return a->first_frame < b->first_frame ? -1 : 1;
    return memcmp(&a->key, &b->key, sizeof a->key);
}

/* What a view points into; freed once every writer is done. */
struct view_store {
    GPtrArray *flows;               /* every flow, by row then first frame */
    GArray *checks;                 /* struct cmsedge_audit_check, by frame */
    struct cmsedge_audit_row *rows; /* cmsedge_n_rows */
};

static void view_build(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                       struct view_store *store, struct cmsedge_audit_view *v)
{
    GHashTableIter it;
    gpointer value;
    guint i = 0;

    memset(v, 0, sizeof *v);
    v->frames = a->frames;
    v->judged = a->judged;
    v->offspec_frames = a->offspec;

    store->flows = g_ptr_array_sized_new(g_hash_table_size(a->flows));
    g_hash_table_iter_init(&it, a->flows);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(store->flows, value);
    g_ptr_array_sort(store->flows, by_row_then_frame);
    const struct cmsedge_audit_flow *const *all =
        (const struct cmsedge_audit_flow *const *)store->flows->pdata;

    store->rows = g_new0(struct cmsedge_audit_row, cmsedge_n_rows);
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        struct cmsedge_audit_row *row = &store->rows[r];
        row->first = i;
        while (i < store->flows->len && all[i]->key.row == r) {
            row->frames += all[i]->frames;
            row->bytes += all[i]->bytes;
            row->n++;
            i++;
        }
        row->idle = row->n == 0 && cmsedge_row_applies(&cmsedge_rows[r], s);
        v->n_idle += row->idle;
    }
    v->flows = all;
    v->n_flows = i;
    v->rows = store->rows;
    v->n_offspec = store->flows->len - i;
    v->offspec = v->n_offspec ? all + i : NULL; /* an empty array's pdata is NULL */

    /* what the per-flow checks said on their frames, and what only the whole capture shows */
    store->checks = g_array_new(FALSE, TRUE, sizeof(struct cmsedge_audit_check));
    g_array_append_vals(store->checks, a->checks->data, a->checks->len);
    allocation_findings(a, store->checks);
    g_array_sort(store->checks, by_frame);
    v->checks = (const struct cmsedge_audit_check *)store->checks->data;
    v->n_checks = store->checks->len;
}

static void view_free(struct view_store *store)
{
    g_array_free(store->checks, TRUE);
    g_ptr_array_free(store->flows, TRUE);
    g_free(store->rows);
}

void cmsedge_audit_write(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                         const struct cmsedge_infer *infer, enum cmsedge_audit_format format,
                         GString *out)
{
    struct view_store store;
    struct cmsedge_audit_view v;
    view_build(a, s, &store, &v);
    switch (format) {
    case CMSEDGE_AUDIT_CSV:
        cmsedge_audit_write_csv(&v, s, infer, out);
        break;
    case CMSEDGE_AUDIT_JSON:
        cmsedge_audit_write_json(&v, s, infer, out);
        break;
    default:
        cmsedge_audit_write_text(&v, s, infer, out);
        break;
    }
    view_free(&store);
}
