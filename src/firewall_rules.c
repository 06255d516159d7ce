/* cmsedge: the rules a deployment's firewalls must allow (see include/cmsedge/firewall.h),
 * built from the reference rows that apply and the hosts known by address.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/firewall.h"
#include "text_escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rules per (row, transport): index 0 UDP, 1 TCP. */
struct cmsedge_fw_rules {
    GArray *rules; /* struct cmsedge_fw_rule, by first row in the reference's order */
    int (*of)[2];  /* cmsedge_n_rows entries: 1 + index in rules, 0 for none */
    bool dual_nic;
};

static int tindex(unsigned transport)
{
    return transport == CMSEDGE_TRANSPORT_TCP ? 1 : 0;
}

static bool inside_role(enum cmsedge_role r)
{
    return r == CMSEDGE_ROLE_EXPRESSWAY_C || r == CMSEDGE_ROLE_MEETING_SERVER ||
           r == CMSEDGE_ROLE_UNIFIED_CM || r == CMSEDGE_ROLE_ADMIN_PC ||
           r == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
}

static bool outside_role(enum cmsedge_role r)
{
    return r == CMSEDGE_ROLE_ANY || r == CMSEDGE_ROLE_NONE || r == CMSEDGE_ROLE_SIP_ENDPOINT ||
           r == CMSEDGE_ROLE_MS_CLIENT || r == CMSEDGE_ROLE_WEBAPP_CLIENT;
}

/* A row's "Expressway-E" end takes the interface its peer reaches: the private one from
 * inside, the public one from outside. */
static enum cmsedge_role interface_of(enum cmsedge_role end, enum cmsedge_role peer)
{
    if (end != CMSEDGE_ROLE_EXPRESSWAY_E)
        return end;
    return inside_role(peer) ? CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE : CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC;
}

static enum cmsedge_fw_wall wall_of(enum cmsedge_role a, enum cmsedge_role b)
{
    bool ea = cmsedge_role_is_expressway_e(a), eb = cmsedge_role_is_expressway_e(b);
    if (ea && eb)
        return a == b ? CMSEDGE_FW_LOCAL : CMSEDGE_FW_OUTSIDE; /* relay to itself; reflection */
    if (outside_role(a) || outside_role(b))
        return CMSEDGE_FW_OUTSIDE;
    if (ea || eb)
        return CMSEDGE_FW_INTERNAL;
    return CMSEDGE_FW_INSIDE;
}

static const char *any_label(enum cmsedge_role r)
{
    switch (r) {
    case CMSEDGE_ROLE_WEBAPP_CLIENT:
        return "any guest";
    case CMSEDGE_ROLE_SIP_ENDPOINT:
        return "any SIP endpoint";
    case CMSEDGE_ROLE_MS_CLIENT:
        return "any Microsoft client";
    default:
        return "any IP address";
    }
}

/* The ports where a cell's answer may change: each element's first port and the one after its
 * last (ascending, from 1, 65536 last). */
struct bounds {
    size_t n;
    unsigned at[2 * 255 + 2];
};

static void add_bound(struct bounds *b, unsigned port)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->at[i] == port)
            return;
    if (b->n < G_N_ELEMENTS(b->at))
        b->at[b->n++] = port;
}

static void element_bounds(uint16_t lo, uint16_t hi, void *user)
{
    add_bound(user, lo);
    add_bound(user, (unsigned)hi + 1);
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

static void add_ports(struct cmsedge_fw_ports *out, unsigned lo, unsigned hi)
{
    if (out->n && out->r[out->n - 1].hi + 1u == lo) {
        out->r[out->n - 1].hi = (uint16_t)hi;
    } else if (out->n < CMSEDGE_FW_MAX_RANGES) { /* never more with the reference's cells */
        out->r[out->n].lo = (uint16_t)lo;
        out->r[out->n++].hi = (uint16_t)hi;
    }
}

/* The cell's ports under the settings as ranges. Between two bounds only an element's parity
 * can change the answer, so a stretch is asked at its first two ports: the same answer holds
 * for all of it; otherwise it is walked port by port. */
static void ports_of(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                     unsigned transport, struct cmsedge_fw_ports *out)
{
    struct bounds b = {0};
    memset(out, 0, sizeof *out);
    add_bound(&b, 1);
    add_bound(&b, 65536);
    cmsedge_cell_bounds(cell, s, element_bounds, &b);
    qsort(b.at, b.n, sizeof b.at[0], cmp_unsigned);
    for (size_t i = 0; i + 1 < b.n; i++) {
        unsigned lo = b.at[i], hi = b.at[i + 1] - 1;
        if (lo < 1 || lo > 65535)
            continue;
        bool first = cmsedge_cell_contains(cell, s, transport, (uint16_t)lo, NULL, NULL);
        bool second =
            lo < hi && cmsedge_cell_contains(cell, s, transport, (uint16_t)(lo + 1), NULL, NULL);
        if (lo == hi || first == second) {
            if (first)
                add_ports(out, lo, hi);
            continue;
        }
        for (unsigned p = lo; p <= hi && out->n < CMSEDGE_FW_MAX_RANGES; p++)
            if (cmsedge_cell_contains(cell, s, transport, (uint16_t)p, NULL, NULL))
                add_ports(out, p, p);
    }
}

static bool ports_equal(const struct cmsedge_fw_ports *a, const struct cmsedge_fw_ports *b)
{
    return a->n == b->n && memcmp(a->r, b->r, a->n * sizeof a->r[0]) == 0;
}

struct host_list {
    const struct cmsedge_host *items[256];
    size_t n;
};

static void collect_host(const struct cmsedge_host *h, void *user)
{
    struct host_list *l = user;
    if (l->n < G_N_ELEMENTS(l->items))
        l->items[l->n++] = h;
}

static int prefix_cmp(const struct cmsedge_prefix *a, const struct cmsedge_prefix *b)
{
    if (a->addr.family != b->addr.family)
        return a->addr.family < b->addr.family ? -1 : 1;
    int c = memcmp(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes);
    return c ? c : (int)a->len - (int)b->len;
}

static gint host_cmp(gconstpointer pa, gconstpointer pb)
{
    const struct cmsedge_host *a = *(const struct cmsedge_host *const *)pa;
    const struct cmsedge_host *b = *(const struct cmsedge_host *const *)pb;
    return prefix_cmp(&a->prefix, &b->prefix);
}

/* Does a host with role `host` play the (interface-resolved) end role `end`? */
static bool plays(enum cmsedge_role end, enum cmsedge_role host)
{
    if (host == end)
        return true;
    return host == CMSEDGE_ROLE_EXPRESSWAY_E &&
           (end == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC || end == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE);
}

static void add_host(struct cmsedge_fw_end *e, const struct cmsedge_prefix *p, bool inferred)
{
    for (size_t i = 0; i < e->n_hosts; i++) {
        if (prefix_cmp(&e->hosts[i], p) == 0)
            return;
    }
    if (e->n_hosts < CMSEDGE_FW_MAX_HOSTS) {
        e->hosts[e->n_hosts] = *p;
        e->inferred[e->n_hosts++] = inferred;
    }
}

static void fill_end(struct cmsedge_fw_end *e, enum cmsedge_role role, bool dual_nic,
                     const struct host_list *configured, const struct cmsedge_infer *infer)
{
    memset(e, 0, sizeof *e);
    e->role = (uint8_t)role;
    e->any = outside_role(role);
    if (e->any) {
        g_strlcpy(e->label, any_label(role), sizeof e->label);
        return;
    }
    g_strlcpy(e->label,
              !dual_nic && cmsedge_role_is_expressway_e(role)
                  ? cmsedge_role_title(CMSEDGE_ROLE_EXPRESSWAY_E)
                  : cmsedge_role_title(role),
              sizeof e->label);
    for (size_t i = 0; i < configured->n; i++) {
        if (plays(role, configured->items[i]->role))
            add_host(e, &configured->items[i]->prefix, false);
    }
    for (size_t i = 0; infer && i < cmsedge_infer_count(infer); i++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, i);
        struct cmsedge_prefix p = {.addr = inf->addr, .len = inf->addr.family == 4 ? 32 : 128};
        bool known = false;
        for (size_t k = 0; k < configured->n; k++)
            known |= cmsedge_prefix_contains(&configured->items[k]->prefix, &inf->addr);
        if (!known && plays(role, cmsedge_infer_role_at(infer, inf, UINT32_MAX)))
            add_host(e, &p, true);
    }
}

static bool same_end(const struct cmsedge_fw_end *a, const struct cmsedge_fw_end *b)
{
    if (a->any || b->any)
        return a->any && b->any && ports_equal(&a->ports, &b->ports);
    return a->role == b->role && ports_equal(&a->ports, &b->ports);
}

static uint32_t cell_footnotes(const struct cmsedge_port_cell *cell,
                               const struct cmsedge_settings *s)
{
    uint32_t bits = 0;
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        if (it->footnote && (it->sizes & CMSEDGE_SIZE_BIT(s->size)))
            bits |= 1u << it->footnote;
    }
    return bits;
}

static bool row_needed(const struct cmsedge_row *row, const struct cmsedge_settings *s)
{
    if (!cmsedge_row_applies(row, s))
        return false;
    /* a row for releases before X (NAT reflection) is not needed from X on */
    return !(row->version_op == CMSEDGE_VERSION_BEFORE && s->version && s->version >= row->version);
}

static void add_row(struct cmsedge_fw_rules *rules, const struct cmsedge_row *row,
                    unsigned transport, const struct cmsedge_settings *s,
                    const struct host_list *configured, const struct cmsedge_infer *infer)
{
    struct cmsedge_fw_rule r;
    memset(&r, 0, sizeof r);
    enum cmsedge_role src =
        interface_of((enum cmsedge_role)row->src.role, (enum cmsedge_role)row->dst.role);
    enum cmsedge_role dst =
        interface_of((enum cmsedge_role)row->dst.role, (enum cmsedge_role)row->src.role);
    r.transport = transport;
    r.wall = wall_of(src, dst);
    fill_end(&r.src, src, rules->dual_nic, configured, infer);
    fill_end(&r.dst, dst, rules->dual_nic, configured, infer);
    ports_of(&row->src.ports, s, transport, &r.src.ports);
    ports_of(&row->dst.ports, s, transport, &r.dst.ports);
    if (r.dst.ports.n == 0)
        return; /* no port under these settings */
    cmsedge_cell_describe(&row->src.ports, s, r.src.ports_text, sizeof r.src.ports_text);
    cmsedge_cell_describe(&row->dst.ports, s, r.dst.ports_text, sizeof r.dst.ports_text);

    for (guint i = 0; i < rules->rules->len; i++) {
        struct cmsedge_fw_rule *o = &g_array_index(rules->rules, struct cmsedge_fw_rule, i);
        if (o->transport != transport || o->wall != r.wall || !same_end(&o->src, &r.src) ||
            !same_end(&o->dst, &r.dst))
            continue;
        if (o->src.any && o->src.role != r.src.role)
            g_strlcpy(o->src.label, any_label(CMSEDGE_ROLE_ANY), sizeof o->src.label);
        if (o->dst.any && o->dst.role != r.dst.role)
            g_strlcpy(o->dst.label, any_label(CMSEDGE_ROLE_ANY), sizeof o->dst.label);
        if (o->n_rows < CMSEDGE_FW_MAX_ROWS)
            o->rows[o->n_rows++] = row;
        o->footnotes |= row->footnotes | cell_footnotes(&row->src.ports, s) |
                        cell_footnotes(&row->dst.ports, s);
        rules->of[row->index][tindex(transport)] = (int)i + 1;
        return;
    }
    r.number = rules->rules->len + 1;
    r.rows[r.n_rows++] = row;
    r.footnotes =
        row->footnotes | cell_footnotes(&row->src.ports, s) | cell_footnotes(&row->dst.ports, s);
    g_array_append_val(rules->rules, r);
    rules->of[row->index][tindex(transport)] = (int)rules->rules->len;
}

struct cmsedge_fw_rules *cmsedge_fw_rules_new(const struct cmsedge_settings *s,
                                              const struct cmsedge_hostmap *hosts,
                                              const struct cmsedge_infer *infer)
{
    struct cmsedge_fw_rules *rules = g_new0(struct cmsedge_fw_rules, 1);
    struct host_list *configured = g_new0(struct host_list, 1);
    rules->rules = g_array_new(FALSE, TRUE, sizeof(struct cmsedge_fw_rule));
    rules->of = g_malloc0(cmsedge_n_rows * sizeof rules->of[0]);
    if (hosts)
        cmsedge_hostmap_foreach(hosts, collect_host, configured);
    qsort(configured->items, configured->n, sizeof configured->items[0],
          (int (*)(const void *, const void *))host_cmp);
    for (size_t i = 0; i < configured->n; i++) {
        enum cmsedge_role r = configured->items[i]->role;
        rules->dual_nic |=
            r == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC || r == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
    }
    for (size_t i = 0; infer && i < cmsedge_infer_count(infer); i++) {
        enum cmsedge_role r = cmsedge_infer_role_at(infer, cmsedge_infer_at(infer, i), UINT32_MAX);
        rules->dual_nic |=
            r == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC || r == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
    }
    if (!(hosts && cmsedge_hostmap_has_role(hosts, CMSEDGE_ROLE_EXPRESSWAY_E)) &&
        !rules->dual_nic) {
        bool single = false;
        for (size_t i = 0; infer && i < cmsedge_infer_count(infer); i++)
            single |= cmsedge_infer_role_at(infer, cmsedge_infer_at(infer, i), UINT32_MAX) ==
                      CMSEDGE_ROLE_EXPRESSWAY_E;
        rules->dual_nic = !single; /* nothing known: the reference's dual-NIC picture */
    }
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        const struct cmsedge_row *row = &cmsedge_rows[i];
        if (!row_needed(row, s))
            continue;
        for (unsigned t = CMSEDGE_TRANSPORT_UDP; t <= CMSEDGE_TRANSPORT_TCP; t <<= 1) {
            if (row->transports & t)
                add_row(rules, row, t, s, configured, infer);
        }
    }
    g_free(configured);
    return rules;
}

void cmsedge_fw_rules_free(struct cmsedge_fw_rules *rules)
{
    if (!rules)
        return;
    g_array_free(rules->rules, TRUE);
    g_free(rules->of);
    g_free(rules);
}

size_t cmsedge_fw_rules_count(const struct cmsedge_fw_rules *rules)
{
    return rules->rules->len;
}

const struct cmsedge_fw_rule *cmsedge_fw_rule_at(const struct cmsedge_fw_rules *rules, size_t i)
{
    return i < rules->rules->len ? &g_array_index(rules->rules, struct cmsedge_fw_rule, i) : NULL;
}

const struct cmsedge_fw_rule *cmsedge_fw_rule_for(const struct cmsedge_fw_rules *rules,
                                                  const struct cmsedge_row *row, unsigned transport)
{
    if (!row || row->index >= cmsedge_n_rows)
        return NULL;
    int k = rules->of[row->index][tindex(transport)];
    return k ? cmsedge_fw_rule_at(rules, (size_t)k - 1) : NULL;
}

bool cmsedge_fw_rules_dual_nic(const struct cmsedge_fw_rules *rules)
{
    return rules->dual_nic;
}

const char *cmsedge_fw_wall_keyword(enum cmsedge_fw_wall w)
{
    static const char *const names[] = {"outside", "internal", "inside", "local"};
    return (unsigned)w < G_N_ELEMENTS(names) ? names[w] : "?";
}

const char *cmsedge_fw_wall_title(enum cmsedge_fw_wall w)
{
    static const char *const names[] = {
        "outside -> Expressway-E public",
        "Expressway-E private <-> inside (Expressway-C, Meeting Server)",
        "Expressway-C <-> Meeting Server / Unified CM",
        "within the Expressway-E (no firewall)",
    };
    return (unsigned)w < G_N_ELEMENTS(names) ? names[w] : "?";
}

const char *cmsedge_fw_verdict_keyword(enum cmsedge_fw_verdict v)
{
    static const char *const names[] = {"not-exercised", "one-way", "works", "translated",
                                        "blocked"};
    return (unsigned)v < G_N_ELEMENTS(names) ? names[v] : "?";
}

bool cmsedge_fw_format_parse(const char *text, enum cmsedge_fw_format *format)
{
    static const char *const names[] = {"text", "csv", "json", "nft", "asa"};
    int i = cmsedge_format_index(text, names, G_N_ELEMENTS(names));
    if (i >= 0)
        *format = (enum cmsedge_fw_format)i;
    return i >= 0;
}
