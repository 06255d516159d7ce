/* cmsedge: the edge audit (see include/cmsedge/audit.h): what a capture showed, counted frame
 * by frame, the view the writers read (src/audit_internal.h), and the writers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "audit_internal.h"

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
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        if (text && g_ascii_strcasecmp(text, names[i]) == 0) {
            *format = (enum cmsedge_audit_format)i;
            return true;
        }
    }
    return false;
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

/* ---- words the writers share ----------------------------------------------------------- */

const char *cmsedge_audit_transport(unsigned transport)
{
    return transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp";
}

const char *cmsedge_audit_role(uint8_t role)
{
    return cmsedge_role_keyword((enum cmsedge_role)role);
}

const char *cmsedge_audit_check_kind(const struct cmsedge_audit_check *c)
{
    return cmsedge_finding_keyword((enum cmsedge_finding_kind)c->finding.kind);
}

const char *cmsedge_audit_severity(const struct cmsedge_audit_check *c)
{
    return c->finding.severity == CMSEDGE_WARNING ? "warning" : "note";
}

void cmsedge_audit_row_ports(GString *out, const struct cmsedge_row *row,
                             const struct cmsedge_settings *s)
{
    char sports[112], dports[112];
    cmsedge_cell_describe(&row->src.ports, s, sports, sizeof sports);
    cmsedge_cell_describe(&row->dst.ports, s, dports, sizeof dports);
    g_string_append_printf(out, "%s %s -> %s %s, %s", row->src.label, sports, row->dst.label,
                           dports, row->protocol);
}

/* ---- text, for people ------------------------------------------------------------------ */

/* the line above and below the audit */
static const char rule[] = "================================================================"
                           "================\n";

static void text_rows(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                      GString *out)
{
    char src[80], dst[80];
    unsigned table = 0;
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        const struct cmsedge_audit_row *seen = &v->rows[r];
        if (row->table != table) {
            table = row->table;
            const struct cmsedge_scenario *sc = cmsedge_scenario(table);
            g_string_append_printf(out, "\nTable %u: %s\n", table, sc ? sc->title : "");
        }
        g_string_append_printf(out, "  %s  %s  [", row->id, row->purpose);
        cmsedge_audit_row_ports(out, row, s);
        g_string_append(out, "]\n");
        if (seen->n == 0) {
            g_string_append(out, seen->idle ? "      no traffic\n"
                                            : "      not in this deployment size\n");
            continue;
        }
        g_string_append_printf(
            out, "      %u flow(s), %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " bytes\n",
            seen->n, seen->frames, seen->bytes);
        for (guint k = 0; k < seen->n && k < CMSEDGE_AUDIT_TEXT_FLOWS; k++) {
            const struct cmsedge_audit_flow *st = v->flows[seen->first + k];
            cmsedge_endpoint_format(&st->key.src, st->key.sport, src, sizeof src);
            cmsedge_endpoint_format(&st->key.dst, st->key.dport, dst, sizeof dst);
            g_string_append_printf(
                out,
                "      %s %s (%s) -> %s (%s): %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                " bytes, %.3f-%.3f s\n",
                cmsedge_audit_transport(st->key.transport), src, cmsedge_audit_role(st->src_role),
                dst, cmsedge_audit_role(st->dst_role), st->frames, st->bytes, st->first, st->last);
        }
        if (seen->n > CMSEDGE_AUDIT_TEXT_FLOWS)
            g_string_append_printf(out, "      ... and %u more flow(s)\n",
                                   seen->n - CMSEDGE_AUDIT_TEXT_FLOWS);
    }
}

static void text_offspec(const struct cmsedge_audit_view *v, GString *out)
{
    char src[80], dst[80];
    g_string_append_printf(out, "\nOff-spec flows: %u\n", v->n_offspec);
    for (guint i = 0; i < v->n_offspec; i++) {
        const struct cmsedge_audit_flow *st = v->offspec[i];
        cmsedge_endpoint_format(&st->key.src, st->key.sport, src, sizeof src);
        cmsedge_endpoint_format(&st->key.dst, st->key.dport, dst, sizeof dst);
        g_string_append_printf(
            out, "  %s %s (%s) -> %s (%s): %" G_GUINT64_FORMAT " frames from frame %u: %s\n",
            cmsedge_audit_transport(st->key.transport), src, cmsedge_audit_role(st->src_role), dst,
            cmsedge_audit_role(st->dst_role), st->frames, st->first_frame, st->reason);
    }
}

/* The blocked attempts, then the other checks' findings: each list in frame order. */
static void text_checks(const struct cmsedge_audit_view *v, GString *out)
{
    for (int blocked = 1; blocked >= 0; blocked--) {
        unsigned n = 0;
        for (guint k = 0; k < v->n_checks; k++)
            n += (v->checks[k].finding.kind == CMSEDGE_FINDING_BLOCKED) == blocked;
        g_string_append_printf(out, "\n%s: %u\n", blocked ? "Blocked attempts" : "Flow checks", n);
        for (guint k = 0; k < v->n_checks; k++) {
            const struct cmsedge_audit_check *c = &v->checks[k];
            if ((c->finding.kind == CMSEDGE_FINDING_BLOCKED) != blocked)
                continue;
            g_string_append_printf(out, "  frame %u [%s]: %s\n", c->frame,
                                   cmsedge_audit_check_kind(c), c->finding.text);
        }
    }
}

void cmsedge_audit_write_text(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                              const struct cmsedge_infer *infer, GString *out)
{
    char addr[80];

    g_string_append(out, rule);
    g_string_append(out, "cmsedge edge audit: Cisco Meeting Server port reference, tables 1-4\n");
    g_string_append_printf(out, "Deployment: %s, %u traversal zone(s), relays %u-%u\n",
                           cmsedge_size_keyword(s->size), s->traversal_zones, s->relay.lo,
                           s->relay.hi);
    g_string_append_printf(out,
                           "Frames: %" G_GUINT64_FORMAT " annotated, %" G_GUINT64_FORMAT
                           " judged, %" G_GUINT64_FORMAT " off-spec\n",
                           v->frames, v->judged, v->offspec_frames);
    text_rows(v, s, out);
    text_offspec(v, out);
    text_checks(v, out);

    size_t n_inferred = infer ? cmsedge_infer_count(infer) : 0;
    g_string_append_printf(out, "\nInferred roles: %zu\n", n_inferred);
    for (size_t k = 0; k < n_inferred; k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        g_string_append_printf(out, "  %s is %s from frame %u on: %s\n", addr,
                               cmsedge_role_keyword(inf->role), inf->since + 1, inf->evidence);
    }

    g_string_append_printf(out, "\nRows with no traffic: %u%s", v->n_idle, v->n_idle ? ": " : "");
    for (size_t r = 0, n = 0; r < cmsedge_n_rows; r++) {
        if (v->rows[r].idle)
            g_string_append_printf(out, "%s%s", n++ ? ", " : "", cmsedge_rows[r].id);
    }
    g_string_append_c(out, '\n');
    g_string_append(out, rule);
}

/* ---- CSV, for scripts ------------------------------------------------------------------ */

/* RFC 4180: quote when needed, double the quotes. */
static void csv_field(GString *out, const char *text, bool last)
{
    if (strpbrk(text, ",\"\n")) {
        g_string_append_c(out, '"');
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                g_string_append_c(out, '"');
            g_string_append_c(out, *p);
        }
        g_string_append_c(out, '"');
    } else {
        g_string_append(out, text);
    }
    g_string_append_c(out, last ? '\n' : ',');
}

/* row: the row the flow is counted under, NULL for an off-spec flow. */
static void csv_flow(GString *out, const struct cmsedge_audit_flow *st,
                     const struct cmsedge_row *row)
{
    char buf[64], src[64], dst[64];
    cmsedge_addr_format(&st->key.src, src, sizeof src);
    cmsedge_addr_format(&st->key.dst, dst, sizeof dst);
    csv_field(out, row ? "flow" : "offspec", false);
    snprintf(buf, sizeof buf, "%u", row ? row->table : 0);
    csv_field(out, row ? buf : "", false);
    csv_field(out, row ? row->id : "", false);
    csv_field(out, row ? row->purpose : "", false);
    csv_field(out, cmsedge_audit_transport(st->key.transport), false);
    csv_field(out, src, false);
    snprintf(buf, sizeof buf, "%u", st->key.sport);
    csv_field(out, buf, false);
    csv_field(out, cmsedge_audit_role(st->src_role), false);
    csv_field(out, dst, false);
    snprintf(buf, sizeof buf, "%u", st->key.dport);
    csv_field(out, buf, false);
    csv_field(out, cmsedge_audit_role(st->dst_role), false);
    g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%.6f,%.6f,%u,,,",
                           st->frames, st->bytes, st->first, st->last, st->first_frame);
    csv_field(out, st->reason, true);
}

void cmsedge_audit_write_csv(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                             const struct cmsedge_infer *infer, GString *out)
{
    char addr[64];
    (void)s;
    g_string_append(out, "kind,table,rule,purpose,transport,src,sport,src_role,dst,dport,dst_role,"
                         "frames,bytes,first_time,last_time,first_frame,check,severity,text\n");
    for (guint i = 0; i < v->n_flows; i++)
        csv_flow(out, v->flows[i], &cmsedge_rows[v->flows[i]->key.row]);
    for (guint i = 0; i < v->n_offspec; i++)
        csv_flow(out, v->offspec[i], NULL);
    for (guint k = 0; k < v->n_checks; k++) {
        const struct cmsedge_audit_check *c = &v->checks[k];
        const struct cmsedge_row *row = c->finding.row;
        g_string_append(out, "check,");
        if (row)
            g_string_append_printf(out, "%u,%s,", row->table, row->id);
        else
            g_string_append(out, ",,");
        csv_field(out, row ? row->purpose : "", false);
        g_string_append_printf(out, ",,,,,,,,,%.6f,%.6f,%u,%s,%s,", c->time, c->time, c->frame,
                               cmsedge_audit_check_kind(c), cmsedge_audit_severity(c));
        csv_field(out, c->finding.text, true);
    }
    for (size_t k = 0; infer && k < cmsedge_infer_count(infer); k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        g_string_append_printf(out, "inferred,,,,,%s,,%s,,,,,,,,%u,,,", addr,
                               cmsedge_role_keyword(inf->role), inf->since + 1);
        csv_field(out, inf->evidence, true);
    }
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        if (!v->rows[r].idle)
            continue;
        g_string_append_printf(out, "no_traffic,%u,%s,", row->table, row->id);
        csv_field(out, row->purpose, false);
        g_string_append(out, ",,,,,,,0,0,,,,,,\n");
    }
}

/* ---- JSON, for scripts ----------------------------------------------------------------- */

/* Quotes and backslashes escaped, control characters as \u00XX; other bytes as they are (the
 * texts are ASCII or UTF-8 already). */
static void json_string(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    g_string_append_c(out, '"');
}

static void json_flow(GString *out, const struct cmsedge_audit_flow *st)
{
    char src[64], dst[64];
    cmsedge_addr_format(&st->key.src, src, sizeof src);
    cmsedge_addr_format(&st->key.dst, dst, sizeof dst);
    g_string_append_printf(
        out, "{\"transport\":\"%s\",\"src\":", cmsedge_audit_transport(st->key.transport));
    json_string(out, src);
    g_string_append_printf(out, ",\"sport\":%u,\"src_role\":\"%s\",\"dst\":", st->key.sport,
                           cmsedge_audit_role(st->src_role));
    json_string(out, dst);
    g_string_append_printf(out,
                           ",\"dport\":%u,\"dst_role\":\"%s\",\"frames\":%" G_GUINT64_FORMAT
                           ",\"bytes\":%" G_GUINT64_FORMAT
                           ",\"first_time\":%.6f,\"last_time\":%.6f,\"first_frame\":%u",
                           st->key.dport, cmsedge_audit_role(st->dst_role), st->frames, st->bytes,
                           st->first, st->last, st->first_frame);
    if (st->reason[0]) {
        g_string_append(out, ",\"reason\":");
        json_string(out, st->reason);
    }
    g_string_append_c(out, '}');
}

/* flows[first .. first + n), comma-separated */
static void json_flows(GString *out, const struct cmsedge_audit_flow *const *flows, guint first,
                       guint n)
{
    for (guint k = 0; k < n; k++) {
        if (k)
            g_string_append_c(out, ',');
        json_flow(out, flows[first + k]);
    }
}

void cmsedge_audit_write_json(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                              const struct cmsedge_infer *infer, GString *out)
{
    g_string_append_printf(out,
                           "{\"frames\":%" G_GUINT64_FORMAT ",\"judged\":%" G_GUINT64_FORMAT
                           ",\"offspec_frames\":%" G_GUINT64_FORMAT ",\"rows\":[",
                           v->frames, v->judged, v->offspec_frames);
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        g_string_append_printf(out, "%s{\"table\":%u,\"rule\":\"%s\",\"purpose\":", r ? "," : "",
                               row->table, row->id);
        json_string(out, row->purpose);
        g_string_append_printf(out, ",\"applies\":%s,\"flows\":[",
                               cmsedge_row_applies(row, s) ? "true" : "false");
        json_flows(out, v->flows, v->rows[r].first, v->rows[r].n);
        g_string_append(out, "]}");
    }
    g_string_append(out, "],\"offspec\":[");
    json_flows(out, v->offspec, 0, v->n_offspec);
    g_string_append(out, "],\"checks\":[");
    for (guint k = 0; k < v->n_checks; k++) {
        const struct cmsedge_audit_check *c = &v->checks[k];
        g_string_append_printf(
            out, "%s{\"frame\":%u,\"time\":%.6f,\"check\":\"%s\",\"severity\":\"%s\"", k ? "," : "",
            c->frame, c->time, cmsedge_audit_check_kind(c), cmsedge_audit_severity(c));
        if (c->finding.row)
            g_string_append_printf(out, ",\"rule\":\"%s\"", c->finding.row->id);
        g_string_append(out, ",\"text\":");
        json_string(out, c->finding.text);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "],\"inferred\":[");
    for (size_t k = 0; infer && k < cmsedge_infer_count(infer); k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        char addr[64];
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        g_string_append_printf(out, "%s{\"address\":", k ? "," : "");
        json_string(out, addr);
        g_string_append_printf(out,
                               ",\"role\":\"%s\",\"from_frame\":%u,\"evidence_frames\":[%u,%u],"
                               "\"evidence\":",
                               cmsedge_role_keyword(inf->role), inf->since + 1, inf->frames[0],
                               inf->frames[1]);
        json_string(out, inf->evidence);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "],\"rows_without_traffic\":[");
    for (size_t r = 0, n = 0; r < cmsedge_n_rows; r++) {
        if (v->rows[r].idle)
            g_string_append_printf(out, "%s\"%s\"", n++ ? "," : "", cmsedge_rows[r].id);
    }
    g_string_append(out, "]}\n");
}
