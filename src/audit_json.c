/* cmsedge: the edge audit as JSON, for scripts (see include/cmsedge/audit.h).
 *
 * One object on one line: the frame counts, every row with its flows (rows with no traffic
 * too, and whether they apply to the deployment size), the off-spec flows, the check findings,
 * the inferred hosts and the ids of the rows with no traffic.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "text_escape.h"
#include "audit_internal.h"

static void json_flow(GString *out, const struct cmsedge_audit_flow *st)
{
    char src[64], dst[64];
    cmsedge_addr_format(&st->key.src, src, sizeof src);
    cmsedge_addr_format(&st->key.dst, dst, sizeof dst);
    g_string_append_printf(
        out, "{\"transport\":\"%s\",\"src\":", cmsedge_audit_transport(st->key.transport));
    cmsedge_json_string(out, src);
    g_string_append_printf(out, ",\"sport\":%u,\"src_role\":\"%s\",\"dst\":", st->key.sport,
                           cmsedge_audit_role(st->src_role));
    cmsedge_json_string(out, dst);
    g_string_append_printf(out,
                           ",\"dport\":%u,\"dst_role\":\"%s\",\"frames\":%" G_GUINT64_FORMAT
                           ",\"bytes\":%" G_GUINT64_FORMAT
                           ",\"first_time\":%.6f,\"last_time\":%.6f,\"first_frame\":%u",
                           st->key.dport, cmsedge_audit_role(st->dst_role), st->frames, st->bytes,
                           st->first, st->last, st->first_frame);
    if (st->reason[0]) {
        g_string_append(out, ",\"reason\":");
        cmsedge_json_string(out, st->reason);
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
        cmsedge_json_string(out, row->purpose);
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
        cmsedge_json_string(out, c->finding.text);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "],\"inferred\":[");
    for (size_t k = 0; infer && k < cmsedge_infer_count(infer); k++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, k);
        char addr[64];
        cmsedge_addr_format(&inf->addr, addr, sizeof addr);
        g_string_append_printf(out, "%s{\"address\":", k ? "," : "");
        cmsedge_json_string(out, addr);
        g_string_append_printf(out,
                               ",\"role\":\"%s\",\"from_frame\":%u,\"role_from_frame\":%u,"
                               "\"evidence_frames\":[%u,%u],\"evidence\":",
                               cmsedge_role_keyword(cmsedge_infer_role_at(infer, inf, UINT32_MAX)),
                               inf->since + 1, cmsedge_infer_final_since(infer, inf),
                               inf->frames[0], inf->frames[1]);
        cmsedge_json_string(out, inf->evidence);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "],\"rows_without_traffic\":[");
    for (size_t r = 0, n = 0; r < cmsedge_n_rows; r++) {
        if (v->rows[r].idle)
            g_string_append_printf(out, "%s\"%s\"", n++ ? "," : "", cmsedge_rows[r].id);
    }
    g_string_append(out, "]}\n");
}
