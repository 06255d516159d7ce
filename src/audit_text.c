/* cmsedge: the edge audit as text, for people (see include/cmsedge/audit.h).
 *
 * Every row of the four tables in order, with at most CMSEDGE_AUDIT_TEXT_FLOWS of its flows;
 * then the off-spec flows, the blocked attempts before the other checks' findings, the
 * inferred roles and the rows with no traffic.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "audit_internal.h"

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
        enum cmsedge_role last = cmsedge_infer_role_at(infer, inf, UINT32_MAX);
        uint32_t told = cmsedge_infer_final_since(infer, inf);
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        g_string_append_printf(out, "  %s is %s from frame %u on", addr,
                               cmsedge_role_keyword(told > inf->since + 1 ? inf->role : last),
                               inf->since + 1);
        if (told > inf->since + 1) /* an Expressway-E whose interface was told later */
            g_string_append_printf(out, ", %s from frame %u on", cmsedge_role_keyword(last), told);
        g_string_append_printf(out, ": %s\n", inf->evidence);
    }

    g_string_append_printf(out, "\nRows with no traffic: %u%s", v->n_idle, v->n_idle ? ": " : "");
    for (size_t r = 0, n = 0; r < cmsedge_n_rows; r++) {
        if (v->rows[r].idle)
            g_string_append_printf(out, "%s%s", n++ ? ", " : "", cmsedge_rows[r].id);
    }
    g_string_append_c(out, '\n');
    g_string_append(out, rule);
}
