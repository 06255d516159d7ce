/* cmsedge: the edge audit (see include/cmsedge/audit.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/audit.h"

#include <stdio.h>
#include <string.h>

/* A flow as one row sees it: its source end is the row's source. Also the key of the table,
 * hence memset before filling (padding takes part in hashing). */
struct flow_key {
    struct cmsedge_addr src, dst;
    uint16_t sport, dport;
    uint16_t row; /* index in cmsedge_rows, or UINT16_MAX for an off-spec flow */
    uint8_t transport;
};

struct flow_stats {
    struct flow_key key;
    uint8_t src_role, dst_role; /* roles the ends play */
    uint64_t frames, bytes;
    double first, last;
    uint32_t first_frame;
    char reason[256]; /* off-spec flows: the first frame's reason */
};

struct check_item {
    uint32_t frame;
    double time;
    struct cmsedge_finding finding;
};

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
    GHashTable *flows;   /* struct flow_key* -> struct flow_stats* (documented and off-spec) */
    GArray *checks;      /* struct check_item, in frame order */
    uint64_t frames, judged, offspec;
};

static guint key_hash(gconstpointer p)
{
    const struct flow_key *k = p;
    return (cmsedge_addr_hash(&k->src) * 31u + k->sport) ^
           (cmsedge_addr_hash(&k->dst) * 17u + k->dport) ^ ((guint)k->row << 8) ^ k->transport;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct flow_key)) == 0;
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
    a->checks = g_array_new(FALSE, TRUE, sizeof(struct check_item));
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

static struct flow_stats *count(struct cmsedge_audit *a, const struct flow_key *k,
                                const struct cmsedge_facts *facts)
{
    struct flow_stats *st = g_hash_table_lookup(a->flows, k);
    if (!st) {
        st = g_new0(struct flow_stats, 1);
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

static void fill_key(struct flow_key *k, const struct cmsedge_flow *f, bool reverse, uint16_t row)
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
    struct flow_key k;
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
        struct check_item it = {.frame = al->frame};
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
    struct flow_key k;
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
        struct flow_stats *st = count(a, &k, facts);
        st->src_role = m->reverse ? m->dst_role : m->src_role;
        st->dst_role = m->reverse ? m->src_role : m->dst_role;
    }
    if (reason) {
        fill_key(&k, flow, seen_reversed(a, flow), UINT16_MAX);
        struct flow_stats *st = count(a, &k, facts);
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
        struct check_item it = {
            .frame = facts->frame, .time = facts->time, .finding = found->items[i]};
        g_array_append_val(a->checks, it);
    }
}

/* ---- output ---------------------------------------------------------------------------- */

static gint by_frame(gconstpointer pa, gconstpointer pb)
{
    const struct check_item *a = pa, *b = pb;
    if (a->frame != b->frame)
        return a->frame < b->frame ? -1 : 1;
    if (a->finding.kind != b->finding.kind)
        return (int)a->finding.kind - (int)b->finding.kind;
    return strcmp(a->finding.text, b->finding.text);
}

static gint by_row_then_frame(gconstpointer pa, gconstpointer pb)
{
    const struct flow_stats *a = *(const struct flow_stats *const *)pa;
    const struct flow_stats *b = *(const struct flow_stats *const *)pb;
    if (a->key.row != b->key.row)
        return a->key.row < b->key.row ? -1 : 1;
    if (a->first_frame != b->first_frame)
        return a->first_frame < b->first_frame ? -1 : 1;
    return memcmp(&a->key, &b->key, sizeof a->key);
}

static const char *transport_name(unsigned t)
{
    return t == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp";
}

static const char *role_kw(uint8_t role)
{
    return cmsedge_role_keyword((enum cmsedge_role)role);
}

/* Sorted flows and the number of flows per row. */
static GPtrArray *sorted_flows(const struct cmsedge_audit *a)
{
    GPtrArray *all = g_ptr_array_sized_new(g_hash_table_size(a->flows));
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, a->flows);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(all, value);
    g_ptr_array_sort(all, by_row_then_frame);
    return all;
}

static void write_text(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                       const struct cmsedge_infer *infer, GPtrArray *flows, const GArray *checks,
                       GString *out)
{
    char src[80], dst[80], sports[112], dports[112];
    guint i = 0;
    GString *idle = g_string_new(NULL);
    unsigned n_idle = 0;

    g_string_append(out, "===================================================================="
                         "============\n");
    g_string_append(out, "cmsedge edge audit: Cisco Meeting Server port reference, tables 1-4\n");
    g_string_append_printf(out, "Deployment: %s, %u traversal zone(s), relays %u-%u\n",
                           cmsedge_size_keyword(s->size), s->traversal_zones, s->relay.lo,
                           s->relay.hi);
    g_string_append_printf(out,
                           "Frames: %" G_GUINT64_FORMAT " annotated, %" G_GUINT64_FORMAT
                           " judged, %" G_GUINT64_FORMAT " off-spec\n",
                           a->frames, a->judged, a->offspec);
    unsigned table = 0;
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        uint64_t frames = 0, bytes = 0;
        unsigned n = 0;
        guint start = i;
        while (i < flows->len &&
               ((const struct flow_stats *)g_ptr_array_index(flows, i))->key.row == r) {
            const struct flow_stats *st = g_ptr_array_index(flows, i);
            frames += st->frames;
            bytes += st->bytes;
            n++;
            i++;
        }
        if (row->table != table) {
            table = row->table;
            const struct cmsedge_scenario *sc = cmsedge_scenario(table);
            g_string_append_printf(out, "\nTable %u: %s\n", table, sc ? sc->title : "");
        }
        cmsedge_cell_describe(&row->src.ports, s, sports, sizeof sports);
        cmsedge_cell_describe(&row->dst.ports, s, dports, sizeof dports);
        g_string_append_printf(out, "  %s  %s  [%s %s -> %s %s, %s]\n", row->id, row->purpose,
                               row->src.label, sports, row->dst.label, dports, row->protocol);
        if (n == 0) {
            if (cmsedge_row_applies(row, s)) {
                g_string_append(out, "      no traffic\n");
                g_string_append_printf(idle, "%s%s", n_idle++ ? ", " : "", row->id);
            } else {
                g_string_append(out, "      not in this deployment size\n");
            }
            continue;
        }
        g_string_append_printf(
            out, "      %u flow(s), %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " bytes\n", n,
            frames, bytes);
        for (guint k = start; k < start + n && k < start + CMSEDGE_AUDIT_TEXT_FLOWS; k++) {
            const struct flow_stats *st = g_ptr_array_index(flows, k);
            cmsedge_endpoint_format(&st->key.src, st->key.sport, src, sizeof src);
            cmsedge_endpoint_format(&st->key.dst, st->key.dport, dst, sizeof dst);
            g_string_append_printf(out,
                                   "      %s %s (%s) -> %s (%s): %" G_GUINT64_FORMAT
                                   " frames, %" G_GUINT64_FORMAT " bytes, %.3f-%.3f s\n",
                                   transport_name(st->key.transport), src, role_kw(st->src_role),
                                   dst, role_kw(st->dst_role), st->frames, st->bytes, st->first,
                                   st->last);
        }
        if (n > CMSEDGE_AUDIT_TEXT_FLOWS)
            g_string_append_printf(out, "      ... and %u more flow(s)\n",
                                   n - CMSEDGE_AUDIT_TEXT_FLOWS);
    }

    unsigned n_off = flows->len - i;
    g_string_append_printf(out, "\nOff-spec flows: %u\n", n_off);
    for (; i < flows->len; i++) {
        const struct flow_stats *st = g_ptr_array_index(flows, i);
        cmsedge_endpoint_format(&st->key.src, st->key.sport, src, sizeof src);
        cmsedge_endpoint_format(&st->key.dst, st->key.dport, dst, sizeof dst);
        g_string_append_printf(
            out, "  %s %s (%s) -> %s (%s): %" G_GUINT64_FORMAT " frames from frame %u: %s\n",
            transport_name(st->key.transport), src, role_kw(st->src_role), dst,
            role_kw(st->dst_role), st->frames, st->first_frame, st->reason);
    }
    for (int blocked = 1; blocked >= 0; blocked--) {
        unsigned n = 0;
        for (guint k = 0; k < checks->len; k++) {
            const struct check_item *c = &g_array_index(checks, struct check_item, k);
            n += (c->finding.kind == CMSEDGE_FINDING_BLOCKED) == blocked;
        }
        g_string_append_printf(out, "\n%s: %u\n", blocked ? "Blocked attempts" : "Flow checks", n);
        for (guint k = 0; k < checks->len; k++) {
            const struct check_item *c = &g_array_index(checks, struct check_item, k);
            if ((c->finding.kind == CMSEDGE_FINDING_BLOCKED) != blocked)
                continue;
            g_string_append_printf(
                out, "  frame %u [%s]: %s\n", c->frame,
                cmsedge_finding_keyword((enum cmsedge_finding_kind)c->finding.kind),
                c->finding.text);
        }
    }
    size_t n_inferred = infer ? cmsedge_infer_count(infer) : 0;
    g_string_append_printf(out, "\nInferred roles: %zu\n", n_inferred);
    for (size_t k = 0; k < n_inferred; k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        cmsedge_addr_format(&inf->addr, src, sizeof src);
        g_string_append_printf(out, "  %s is %s from frame %u on: %s\n", src,
                               cmsedge_role_keyword(inf->role), inf->since + 1, inf->evidence);
    }
    g_string_append_printf(out, "\nRows with no traffic: %u%s%s\n", n_idle, n_idle ? ": " : "",
                           idle->str);
    g_string_append(out, "===================================================================="
                         "============\n");
    g_string_free(idle, TRUE);
}

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

static void write_csv(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                      const struct cmsedge_infer *infer, GPtrArray *flows, const GArray *checks,
                      GString *out)
{
    (void)a;
    char buf[64], src[64], dst[64];
    bool *seen = g_new0(bool, cmsedge_n_rows);
    (void)s;
    g_string_append(out, "kind,table,rule,purpose,transport,src,sport,src_role,dst,dport,dst_role,"
                         "frames,bytes,first_time,last_time,first_frame,check,severity,text\n");
    for (guint i = 0; i < flows->len; i++) {
        const struct flow_stats *st = g_ptr_array_index(flows, i);
        const struct cmsedge_row *row =
            st->key.row < cmsedge_n_rows ? &cmsedge_rows[st->key.row] : NULL;
        cmsedge_addr_format(&st->key.src, src, sizeof src);
        cmsedge_addr_format(&st->key.dst, dst, sizeof dst);
        if (row)
            seen[row->index] = true;
        csv_field(out, row ? "flow" : "offspec", false);
        snprintf(buf, sizeof buf, "%u", row ? row->table : 0);
        csv_field(out, row ? buf : "", false);
        csv_field(out, row ? row->id : "", false);
        csv_field(out, row ? row->purpose : "", false);
        csv_field(out, transport_name(st->key.transport), false);
        csv_field(out, src, false);
        snprintf(buf, sizeof buf, "%u", st->key.sport);
        csv_field(out, buf, false);
        csv_field(out, role_kw(st->src_role), false);
        csv_field(out, dst, false);
        snprintf(buf, sizeof buf, "%u", st->key.dport);
        csv_field(out, buf, false);
        csv_field(out, role_kw(st->dst_role), false);
        g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%.6f,%.6f,%u,,,",
                               st->frames, st->bytes, st->first, st->last, st->first_frame);
        csv_field(out, st->reason, true);
    }
    for (guint k = 0; k < checks->len; k++) {
        const struct check_item *c = &g_array_index(checks, struct check_item, k);
        const struct cmsedge_row *row = c->finding.row;
        g_string_append(out, "check,");
        if (row)
            g_string_append_printf(out, "%u,%s,", row->table, row->id);
        else
            g_string_append(out, ",,");
        csv_field(out, row ? row->purpose : "", false);
        g_string_append_printf(out, ",,,,,,,,,%.6f,%.6f,%u,%s,%s,", c->time, c->time, c->frame,
                               cmsedge_finding_keyword((enum cmsedge_finding_kind)c->finding.kind),
                               c->finding.severity == CMSEDGE_WARNING ? "warning" : "note");
        csv_field(out, c->finding.text, true);
    }
    for (size_t k = 0; infer && k < cmsedge_infer_count(infer); k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        cmsedge_addr_format(&inf->addr, src, sizeof src);
        g_string_append_printf(out, "inferred,,,,,%s,,%s,,,,,,,,%u,,,", src,
                               cmsedge_role_keyword(inf->role), inf->since + 1);
        csv_field(out, inf->evidence, true);
    }
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        if (seen[r] || !cmsedge_row_applies(row, s))
            continue;
        g_string_append_printf(out, "no_traffic,%u,%s,", row->table, row->id);
        csv_field(out, row->purpose, false);
        g_string_append(out, ",,,,,,,0,0,,,,,,\n");
    }
    g_free(seen);
}

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

static void json_flow(GString *out, const struct flow_stats *st)
{
    char src[64], dst[64];
    cmsedge_addr_format(&st->key.src, src, sizeof src);
    cmsedge_addr_format(&st->key.dst, dst, sizeof dst);
    g_string_append_printf(out,
                           "{\"transport\":\"%s\",\"src\":", transport_name(st->key.transport));
    json_string(out, src);
    g_string_append_printf(out, ",\"sport\":%u,\"src_role\":\"%s\",\"dst\":", st->key.sport,
                           role_kw(st->src_role));
    json_string(out, dst);
    g_string_append_printf(out,
                           ",\"dport\":%u,\"dst_role\":\"%s\",\"frames\":%" G_GUINT64_FORMAT
                           ",\"bytes\":%" G_GUINT64_FORMAT
                           ",\"first_time\":%.6f,\"last_time\":%.6f,\"first_frame\":%u",
                           st->key.dport, role_kw(st->dst_role), st->frames, st->bytes, st->first,
                           st->last, st->first_frame);
    if (st->reason[0]) {
        g_string_append(out, ",\"reason\":");
        json_string(out, st->reason);
    }
    g_string_append_c(out, '}');
}

static void write_json(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                       const struct cmsedge_infer *infer, GPtrArray *flows, const GArray *checks,
                       GString *out)
{
    guint i = 0;
    bool first_idle = true;
    GString *idle = g_string_new(NULL);

    g_string_append_printf(out,
                           "{\"frames\":%" G_GUINT64_FORMAT ",\"judged\":%" G_GUINT64_FORMAT
                           ",\"offspec_frames\":%" G_GUINT64_FORMAT ",\"rows\":[",
                           a->frames, a->judged, a->offspec);
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        g_string_append_printf(out, "%s{\"table\":%u,\"rule\":\"%s\",\"purpose\":", r ? "," : "",
                               row->table, row->id);
        json_string(out, row->purpose);
        g_string_append_printf(out, ",\"applies\":%s,\"flows\":[",
                               cmsedge_row_applies(row, s) ? "true" : "false");
        unsigned n = 0;
        while (i < flows->len &&
               ((const struct flow_stats *)g_ptr_array_index(flows, i))->key.row == r) {
            if (n++)
                g_string_append_c(out, ',');
            json_flow(out, g_ptr_array_index(flows, i));
            i++;
        }
        g_string_append(out, "]}");
        if (n == 0 && cmsedge_row_applies(row, s)) {
            g_string_append_printf(idle, "%s\"%s\"", first_idle ? "" : ",", row->id);
            first_idle = false;
        }
    }
    g_string_append(out, "],\"offspec\":[");
    for (guint k = i; k < flows->len; k++) {
        if (k > i)
            g_string_append_c(out, ',');
        json_flow(out, g_ptr_array_index(flows, k));
    }
    g_string_append(out, "],\"checks\":[");
    for (guint k = 0; k < checks->len; k++) {
        const struct check_item *c = &g_array_index(checks, struct check_item, k);
        g_string_append_printf(
            out, "%s{\"frame\":%u,\"time\":%.6f,\"check\":\"%s\",\"severity\":\"%s\"", k ? "," : "",
            c->frame, c->time, cmsedge_finding_keyword((enum cmsedge_finding_kind)c->finding.kind),
            c->finding.severity == CMSEDGE_WARNING ? "warning" : "note");
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
    g_string_append_printf(out, "],\"rows_without_traffic\":[%s]}\n", idle->str);
    g_string_free(idle, TRUE);
}

void cmsedge_audit_write(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                         const struct cmsedge_infer *infer, enum cmsedge_audit_format format,
                         GString *out)
{
    GPtrArray *flows = sorted_flows(a);
    /* what the per-flow checks said on their frames, and what only the whole capture shows */
    GArray *checks = g_array_new(FALSE, TRUE, sizeof(struct check_item));
    g_array_append_vals(checks, a->checks->data, a->checks->len);
    allocation_findings(a, checks);
    g_array_sort(checks, by_frame);
    switch (format) {
    case CMSEDGE_AUDIT_CSV:
        write_csv(a, s, infer, flows, checks, out);
        break;
    case CMSEDGE_AUDIT_JSON:
        write_json(a, s, infer, flows, checks, out);
        break;
    default:
        write_text(a, s, infer, flows, checks, out);
        break;
    }
    g_array_free(checks, TRUE);
    g_ptr_array_free(flows, TRUE);
}
