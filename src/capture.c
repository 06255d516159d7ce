/* cmsedge: the per-frame entry point (see include/cmsedge/capture.h).
 *
 * Order of decisions for one frame:
 *   1. the flow: the frame's own, or for an ICMP error the packet it quotes;
 *   2. the hosts' roles: configured in cmsedge_hosts, else inferred from earlier frames;
 *   3. the rows it matches (classify.c), else another documented service (services.c), else
 *      a near miss of one row, else nothing the chapter covers;
 *   4. on the first pass, the per-flow checks and role inference see the frame;
 *   5. the findings and the off-spec verdict, in one order for every renderer: a near miss,
 *      then a footnote rule's warning, then a per-flow check's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/capture.h"

#include <glib.h>
#include <string.h>

#include "cmsedge/checks.h"
#include "cmsedge/flowmemo.h"

/* What the first pass found for a frame that later passes cannot recompute. */
struct kept {
    struct cmsedge_findings checks;
    size_t n_new_roles;
    const struct cmsedge_inferred *new_roles[CMSEDGE_MAX_NEW_ROLES];
};

/* A recent lookup in the hosts table, the host or NULL. Every frame asks about both its
 * addresses, and a capture's frames come from few hosts: a compare here instead of a hash
 * table lookup (and a walk of the prefixes for addresses no entry names). */
#define HOST_MEMO 64u
struct host_memo {
    bool used;
    struct cmsedge_addr addr;
    const struct cmsedge_host *host;
};

struct cmsedge_capture {
    const struct cmsedge_settings *s;
    const struct cmsedge_hostmap *hosts;
    const struct cmsedge_hostmap *memo_of; /* the table and generation host_memo holds */
    unsigned memo_generation;
    struct host_memo host_memo[HOST_MEMO];
    bool infer_roles;
    struct cmsedge_infer *infer;
    struct cmsedge_tracker *tracker;
    struct cmsedge_flowmemo *memo; /* what classify and the services said of recent flows */
    GHashTable *kept; /* frame number -> struct kept*, only for frames with something kept */
};

struct cmsedge_capture *cmsedge_capture_new(void)
{
    struct cmsedge_capture *c = g_new0(struct cmsedge_capture, 1);
    c->infer = cmsedge_infer_new();
    c->tracker = cmsedge_tracker_new();
    c->memo = cmsedge_flowmemo_new();
    c->kept = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    return c;
}

void cmsedge_capture_free(struct cmsedge_capture *c)
{
    if (!c)
        return;
    cmsedge_infer_free(c->infer);
    cmsedge_tracker_free(c->tracker);
    cmsedge_flowmemo_free(c->memo);
    g_hash_table_destroy(c->kept);
    g_free(c);
}

void cmsedge_capture_reset(struct cmsedge_capture *c)
{
    cmsedge_infer_reset(c->infer);
    cmsedge_tracker_reset(c->tracker);
    cmsedge_flowmemo_clear(c->memo);
    g_hash_table_remove_all(c->kept);
}

void cmsedge_capture_configure(struct cmsedge_capture *c, const struct cmsedge_settings *s,
                               const struct cmsedge_hostmap *hosts, bool infer_roles)
{
    c->s = s;
    c->hosts = hosts;
    c->infer_roles = infer_roles;
}

const struct cmsedge_infer *cmsedge_capture_inferred(const struct cmsedge_capture *c)
{
    return c->infer_roles ? c->infer : NULL;
}

static unsigned memo_slot(const struct cmsedge_addr *a)
{
    uint64_t x, y;
    memcpy(&x, a->bytes, 8);
    memcpy(&y, a->bytes + 8, 8);
    x = (x ^ y ^ a->family) * 0x9e3779b97f4a7c15u;
    return (unsigned)(x >> 58); /* the top 6 bits: HOST_MEMO slots */
}

static const struct cmsedge_host *configured_host(struct cmsedge_capture *c,
                                                  const struct cmsedge_addr *addr)
{
    G_STATIC_ASSERT(HOST_MEMO == 64u);
    if (!c->hosts)
        return NULL;
    unsigned generation = cmsedge_hostmap_generation(c->hosts);
    if (c->memo_of != c->hosts || c->memo_generation != generation) {
        memset(c->host_memo, 0, sizeof c->host_memo);
        c->memo_of = c->hosts;
        c->memo_generation = generation;
    }
    struct host_memo *m = &c->host_memo[memo_slot(addr)];
    if (!m->used || !cmsedge_addr_equal(&m->addr, addr)) {
        m->used = true;
        m->addr = *addr;
        m->host = cmsedge_hostmap_lookup(c->hosts, addr);
    }
    return m->host;
}

static void host_view(struct cmsedge_capture *c, const struct cmsedge_addr *addr, uint32_t frame,
                      struct cmsedge_host_view *h)
{
    const struct cmsedge_host *configured = configured_host(c, addr);
    h->inferred = NULL;
    h->name = NULL;
    if (configured) {
        h->role = configured->role;
        h->origin = configured->origin;
        h->name = configured->name[0] ? configured->name : NULL;
        return;
    }
    if (c->infer_roles)
        h->inferred = cmsedge_infer_lookup(c->infer, addr, frame);
    h->role = h->inferred ? cmsedge_infer_role_at(c->infer, h->inferred, frame) : CMSEDGE_ROLE_NONE;
    h->origin = h->inferred ? CMSEDGE_ORIGIN_INFERRED : CMSEDGE_ORIGIN_NONE;
}

bool cmsedge_capture_expects_media(struct cmsedge_capture *c, const struct cmsedge_addr *a,
                                   const struct cmsedge_addr *b, uint32_t frame)
{
    struct cmsedge_host_view h;
    host_view(c, a, frame, &h);
    if (cmsedge_role_is_edge(h.role))
        return true;
    host_view(c, b, frame, &h);
    return cmsedge_role_is_edge(h.role);
}

/* An Expressway-E private address is configured, or inferred before this frame. */
static bool private_e_known(const struct cmsedge_capture *c, uint32_t frame)
{
    if (c->hosts && cmsedge_hostmap_has_role(c->hosts, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE))
        return true;
    if (!c->infer_roles)
        return false;
    for (size_t i = 0; i < cmsedge_infer_count(c->infer); i++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(c->infer, i);
        if (inf->since < frame &&
            cmsedge_infer_role_at(c->infer, inf, frame) == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE)
            return true;
    }
    return false;
}

/* Steps 4: the stateful part, on the first pass; read back afterwards. */
static void follow(struct cmsedge_capture *c, const struct cmsedge_frame *fr, bool first_pass,
                   struct cmsedge_annotation *a, struct cmsedge_findings *checks)
{
    uint32_t num = fr->facts.frame;
    checks->n = 0;
    a->n_new_roles = 0;
    if (!first_pass) {
        const struct kept *k = g_hash_table_lookup(c->kept, GUINT_TO_POINTER(num));
        if (k) {
            cmsedge_findings_copy(checks, &k->checks);
            a->n_new_roles = k->n_new_roles;
            memcpy(a->new_roles, k->new_roles, sizeof a->new_roles);
        }
        return;
    }
    cmsedge_tracker_observe(c->tracker, c->s, &a->flow, &a->verdict, &fr->facts,
                            private_e_known(c, num), checks);
    if (c->infer_roles && !a->icmp_error) {
        size_t before = cmsedge_infer_count(c->infer);
        cmsedge_infer_observe(c->infer, c->s, &a->flow, &a->verdict, &fr->facts);
        for (size_t i = before; i < cmsedge_infer_count(c->infer); i++) {
            if (a->n_new_roles < CMSEDGE_MAX_NEW_ROLES)
                a->new_roles[a->n_new_roles++] = cmsedge_infer_at(c->infer, i);
        }
    }
    if (checks->n || a->n_new_roles) {
        struct kept *k = g_new0(struct kept, 1);
        cmsedge_findings_copy(&k->checks, checks);
        k->n_new_roles = a->n_new_roles;
        memcpy(k->new_roles, a->new_roles, sizeof k->new_roles);
        g_hash_table_replace(c->kept, GUINT_TO_POINTER(num), k);
    }
}

/* Step 3, second half: a judged frame no row matched may be another documented service. A
 * service on a well-known port is never off-spec; a near miss of the chapter beats a service
 * that names only wide port ranges (SIP "from 25000-29999 to any port"). */
static void find_service(const struct cmsedge_capture *c, struct cmsedge_annotation *a)
{
    const struct cmsedge_flow *f = &a->flow;
    struct cmsedge_verdict *v = &a->verdict;
    a->service.service = NULL;
    a->service.reverse = false;
    if (!v->judged || v->n_matches || a->icmp_error)
        return;
    if (!cmsedge_service_match(c->s, f->transport, f->src_role, f->sport, f->dst_role, f->dport,
                               f->hint, &a->service))
        return;
    if (v->near_miss && a->service.service->dst_width > CMSEDGE_SERVICE_PINNED_PORTS) {
        a->service.service = NULL;
        return;
    }
    cmsedge_verdict_clear_miss(v);
}

/* Step 5: one list of findings, and the one reason the frame is off-spec. */
static void conclude(struct cmsedge_annotation *a, const struct cmsedge_findings *checks)
{
    const struct cmsedge_verdict *v = &a->verdict;
    const struct cmsedge_finding *fnote = NULL, *check = NULL;
    cmsedge_findings_copy(&a->findings, &v->findings);
    for (size_t i = 0; i < checks->n && a->findings.n < CMSEDGE_MAX_FINDINGS; i++)
        a->findings.items[a->findings.n++] = checks->items[i];
    for (size_t i = 0; i < a->findings.n; i++) {
        const struct cmsedge_finding *fd = &a->findings.items[i];
        if (fd->severity != CMSEDGE_WARNING)
            continue;
        if (fd->kind == CMSEDGE_FINDING_FOOTNOTE && !fnote && v->offspec)
            fnote = fd;
        else if (fd->kind != CMSEDGE_FINDING_FOOTNOTE && !check)
            check = fd;
    }
    a->offspec = CMSEDGE_OFFSPEC_NONE;
    a->offspec_reason = NULL;
    if (v->near_miss) {
        a->offspec = CMSEDGE_OFFSPEC_NEAR_MISS;
        a->offspec_reason = v->reason;
    } else if (fnote) {
        a->offspec = CMSEDGE_OFFSPEC_FOOTNOTE;
        a->offspec_reason = fnote->text;
    } else if (check) {
        a->offspec = CMSEDGE_OFFSPEC_CHECK;
        a->offspec_reason = check->text;
    }
}

bool cmsedge_capture_annotate(struct cmsedge_capture *c, const struct cmsedge_frame *fr,
                              bool first_pass, struct cmsedge_annotation *a)
{
    struct cmsedge_findings checks;
    uint32_t num = fr->facts.frame;
    struct cmsedge_flow *f = &a->flow;

    memset(f, 0, sizeof *f);
    f->transport = fr->transport;
    f->src = fr->src, f->dst = fr->dst;
    f->sport = fr->sport, f->dport = fr->dport;
    f->hint = fr->hint;
    a->icmp_error = fr->facts.icmp != CMSEDGE_ICMP_NONE;
    a->traffic = !a->icmp_error;
    if (a->icmp_error) { /* the ports are the quoted packet's, and so is the flow */
        f->src = fr->facts.quoted_src;
        f->dst = fr->facts.quoted_dst;
        f->hint = CMSEDGE_HINT_NONE; /* the quote is cut short: its payload says nothing */
    }
    host_view(c, &f->src, num, &a->src);
    host_view(c, &f->dst, num, &a->dst);
    f->src_role = a->src.role;
    f->dst_role = a->dst.role;

    /* step 3 depends on the flow and the settings alone: worked out once per flow */
    /* (an ICMP error is classified afresh: rare, and its service step differs) */
    if (a->icmp_error || !cmsedge_flowmemo_get(c->memo, c->s, f, &a->verdict, &a->service)) {
        cmsedge_classify(c->s, f, &a->verdict);
        find_service(c, a);
        if (!a->icmp_error)
            cmsedge_flowmemo_put(c->memo, c->s, f, &a->verdict, &a->service);
    }

    follow(c, fr, first_pass, a, &checks);
    if (a->icmp_error) {
        /* only what the checks found: the quoted flow's rows are not this frame's purpose */
        a->verdict.n_matches = 0;
        a->verdict.findings.n = 0;
        a->verdict.near_miss = a->verdict.offspec = false;
        a->service.service = NULL;
    }
    conclude(a, &checks);
    for (size_t i = 0; i < a->n_new_roles; i++)
        a->new_roles_as[i] = cmsedge_infer_role_at(c->infer, a->new_roles[i], num + 1);

    a->purpose = "";
    if (a->verdict.n_matches && a->verdict.matches[0].zone) {
        cmsedge_match_label(&a->verdict.matches[0], a->purpose_zone, sizeof a->purpose_zone);
        a->purpose = a->purpose_zone;
    } else if (a->verdict.n_matches) {
        a->purpose = a->verdict.matches[0].row->purpose;
    }
    if (a->icmp_error)
        a->shown = a->findings.n > 0;
    else
        a->shown = a->verdict.n_matches || a->verdict.judged || a->findings.n || a->n_new_roles;
    return a->shown;
}
