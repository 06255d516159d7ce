/* cmsedge: the edge audit as CSV, for scripts (see include/cmsedge/audit.h).
 *
 * One header, then a line per row flow ("flow"), off-spec flow ("offspec"), check finding
 * ("check"), inferred host ("inferred") and row with no traffic ("no_traffic"), all in the same
 * columns; a column that does not apply to a kind stays empty.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "text_escape.h"
#include "audit_internal.h"

#include <stdio.h>
#include <string.h>

/* row: the row the flow is counted under, NULL for an off-spec flow. */
static void csv_flow(GString *out, const struct cmsedge_audit_flow *st,
                     const struct cmsedge_row *row)
{
    char buf[64], src[64], dst[64];
    cmsedge_addr_format(&st->key.src, src, sizeof src);
    cmsedge_addr_format(&st->key.dst, dst, sizeof dst);
    cmsedge_csv_field(out, row ? "flow" : "offspec", false);
    snprintf(buf, sizeof buf, "%u", row ? row->table : 0);
    cmsedge_csv_field(out, row ? buf : "", false);
    cmsedge_csv_field(out, row ? row->id : "", false);
    cmsedge_csv_field(out, row ? row->purpose : "", false);
    cmsedge_csv_field(out, cmsedge_audit_transport(st->key.transport), false);
    cmsedge_csv_field(out, src, false);
    snprintf(buf, sizeof buf, "%u", st->key.sport);
    cmsedge_csv_field(out, buf, false);
    cmsedge_csv_field(out, cmsedge_audit_role(st->src_role), false);
    cmsedge_csv_field(out, dst, false);
    snprintf(buf, sizeof buf, "%u", st->key.dport);
    cmsedge_csv_field(out, buf, false);
    cmsedge_csv_field(out, cmsedge_audit_role(st->dst_role), false);
    g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%.6f,%.6f,%u,,,",
                           st->frames, st->bytes, st->first, st->last, st->first_frame);
    cmsedge_csv_field(out, st->reason, true);
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
        cmsedge_csv_field(out, row ? row->purpose : "", false);
        g_string_append_printf(out, ",,,,,,,,,%.6f,%.6f,%u,%s,%s,", c->time, c->time, c->frame,
                               cmsedge_audit_check_kind(c), cmsedge_audit_severity(c));
        cmsedge_csv_field(out, c->finding.text, true);
    }
    for (size_t k = 0; infer && k < cmsedge_infer_count(infer); k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        g_string_append_printf(out, "inferred,,,,,%s,,%s,,,,,,,,%u,,,", addr,
                               cmsedge_role_keyword(cmsedge_infer_role_at(infer, inf, UINT32_MAX)),
                               inf->since + 1);
        cmsedge_csv_field(out, inf->evidence, true);
    }
    for (size_t r = 0; r < cmsedge_n_rows; r++) {
        const struct cmsedge_row *row = &cmsedge_rows[r];
        if (!v->rows[r].idle)
            continue;
        g_string_append_printf(out, "no_traffic,%u,%s,", row->table, row->id);
        cmsedge_csv_field(out, row->purpose, false);
        g_string_append(out, ",,,,,,,0,0,,,,,,\n");
    }
}
