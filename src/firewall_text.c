/* cmsedge: the firewall verdict as text for people, and as CSV and JSON for scripts (see
 * include/cmsedge/firewall.h). The writers only read the rule set and the judgements.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "text_escape.h"
#include "text_escape.h"
#include "firewall_internal.h"

#include <stdio.h>
#include <string.h>

static const char line[] = "================================================================"
                           "================\n";

void cmsedge_fw_end_addrs(const struct cmsedge_fw_end *e, GString *out)
{
    char a[64];
    if (e->any)
        return;
    if (e->n_hosts == 0) {
        g_string_append(out, "(address not seen)");
        return;
    }
    for (size_t i = 0; i < e->n_hosts; i++) {
        const struct cmsedge_prefix *p = &e->hosts[i];
        cmsedge_addr_format(&p->addr, a, sizeof a);
        g_string_append_printf(out, "%s%s", i ? ", " : "", a);
        if (p->len != (p->addr.family == 4 ? 32 : 128))
            g_string_append_printf(out, "/%u", p->len);
        if (e->inferred[i])
            g_string_append(out, " (inferred)");
    }
}

void cmsedge_fw_ports_text(const struct cmsedge_fw_ports *p, GString *out)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->r[i].lo == p->r[i].hi)
            g_string_append_printf(out, "%s%u", i ? ", " : "", p->r[i].lo);
        else
            g_string_append_printf(out, "%s%u-%u", i ? ", " : "", p->r[i].lo, p->r[i].hi);
    }
}

void cmsedge_fw_rows_text(const struct cmsedge_fw_rule *r, GString *out)
{
    for (size_t i = 0; i < r->n_rows; i++)
        g_string_append_printf(out, "%s%s", i ? ", " : "", r->rows[i]->id);
}

void cmsedge_fw_footnotes_text(uint32_t footnotes, GString *out)
{
    bool first = true;
    for (unsigned n = 1; n < 32; n++) {
        if (footnotes & (1u << n)) {
            g_string_append_printf(out, "%s%u", first ? "" : ", ", n);
            first = false;
        }
    }
}

void cmsedge_fw_deployment_text(const struct cmsedge_settings *s,
                                const struct cmsedge_fw_rules *rules, GString *out)
{
    char v[32];
    g_string_append_printf(out,
                           "%s, %u traversal zone(s), relays %u-%u, Meeting Server media %u-%u",
                           cmsedge_size_keyword(s->size), s->traversal_zones, s->relay.lo,
                           s->relay.hi, s->ms_media.lo, s->ms_media.hi);
    if (s->turn_tcp_port)
        g_string_append_printf(out, ", TURN TCP port %u", s->turn_tcp_port);
    g_string_append_printf(out, ", admin port %u%s%s", s->admin_port, s->mra ? ", MRA" : "",
                           s->demux_ports ? "" : ", no demultiplexing ports");
    if (s->version) {
        cmsedge_version_format(s->version, v, sizeof v);
        g_string_append_printf(out, ", Expressway %s", v);
    }
    g_string_append_printf(out, ", %s Expressway-E",
                           cmsedge_fw_rules_dual_nic(rules) ? "dual-NIC" : "single-NIC");
}

/* "Expressway-C 127.0.2.20 25000-29999" */
static void end_text(const struct cmsedge_fw_end *e, GString *out)
{
    g_string_append_printf(out, "%s ", e->label);
    if (!e->any) {
        cmsedge_fw_end_addrs(e, out);
        g_string_append_c(out, ' ');
    }
    g_string_append(out, e->ports_text);
}

static void frames_text(const struct cmsedge_fw_judgement *j, GString *out, const char *sep)
{
    for (size_t i = 0; i < j->n_frames; i++)
        g_string_append_printf(out, "%s%u", i ? sep : "", j->frames[i]);
}

static void other_flow(const struct cmsedge_fw_other *o, GString *out)
{
    char a[80], b[80];
    cmsedge_endpoint_format(&o->src, o->sport, a, sizeof a);
    cmsedge_endpoint_format(&o->dst, o->dport, b, sizeof b);
    g_string_append_printf(out, "%s %s (%s) -> %s (%s)",
                           o->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp", a,
                           cmsedge_role_keyword((enum cmsedge_role)o->src_role), b,
                           cmsedge_role_keyword((enum cmsedge_role)o->dst_role));
}

void cmsedge_fw_write_text(const struct cmsedge_firewall *fw, const struct cmsedge_settings *s,
                           const struct cmsedge_fw_rules *rules, GString *out)
{
    unsigned count[CMSEDGE_FW_BLOCKED + 1] = {0};
    size_t n = cmsedge_fw_rules_count(rules);
    g_string_append(out, line);
    g_string_append(out, "cmsedge firewall verdict: the rules the deployment needs, and what "
                         "the capture proves\nDeployment: ");
    cmsedge_fw_deployment_text(s, rules, out);
    g_string_append_printf(out, "\nFrames: %" G_GUINT64_FORMAT " annotated; %zu rules\n",
                           cmsedge_fw_frames(fw), n);
    for (unsigned w = 0; w < CMSEDGE_FW_WALL_COUNT; w++) {
        bool header = false;
        for (size_t i = 0; i < n; i++) {
            const struct cmsedge_fw_rule *r = cmsedge_fw_rule_at(rules, i);
            struct cmsedge_fw_judgement j;
            if (r->wall != w)
                continue;
            if (!header) {
                g_string_append_printf(out, "\nFirewall: %s\n",
                                       cmsedge_fw_wall_title((enum cmsedge_fw_wall)w));
                header = true;
            }
            cmsedge_firewall_judge(fw, rules, r, &j);
            count[j.verdict]++;
            g_string_append_printf(out, "  R%02u %-13s %s  ", r->number,
                                   cmsedge_fw_verdict_keyword(j.verdict),
                                   r->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp");
            end_text(&r->src, out);
            g_string_append(out, " -> ");
            end_text(&r->dst, out);
            g_string_append(out, "\n      rows: ");
            cmsedge_fw_rows_text(r, out);
            g_string_append_printf(out, " (%s)", r->rows[0]->purpose);
            if (r->footnotes) {
                g_string_append(out, "; footnote(s) ");
                cmsedge_fw_footnotes_text(r->footnotes, out);
            }
            g_string_append(out, "\n");
            if (j.verdict != CMSEDGE_FW_NOT_EXERCISED) {
                g_string_append(out, "      frames ");
                frames_text(&j, out, ", ");
                g_string_append_printf(out, ": %s\n", j.evidence);
            }
        }
    }
    GPtrArray *others = g_ptr_array_new();
    cmsedge_fw_others(fw, false, others);
    g_string_append_printf(out, "\nNear misses (off-spec, no rule covers them): %u\n", others->len);
    for (guint i = 0; i < others->len; i++) {
        const struct cmsedge_fw_other *o = g_ptr_array_index(others, i);
        g_string_append(out, "  ");
        other_flow(o, out);
        g_string_append_printf(out, ": %" G_GUINT64_FORMAT " frames from frame %u: %s\n", o->frames,
                               o->first_frame, o->reason);
    }
    g_ptr_array_set_size(others, 0);
    cmsedge_fw_others(fw, true, others);
    g_string_append_printf(out, "\nOther documented services: %u\n", others->len);
    for (guint i = 0; i < others->len; i++) {
        const struct cmsedge_fw_other *o = g_ptr_array_index(others, i);
        g_string_append_printf(out, "  %s: ", o->service);
        other_flow(o, out);
        g_string_append_printf(out, ": %" G_GUINT64_FORMAT " frames from frame %u\n", o->frames,
                               o->first_frame);
    }
    g_ptr_array_free(others, TRUE);
    g_string_append_printf(out,
                           "\nSummary: %u blocked, %u translated, %u works, %u one-way, %u not "
                           "exercised\n",
                           count[CMSEDGE_FW_BLOCKED], count[CMSEDGE_FW_TRANSLATED],
                           count[CMSEDGE_FW_WORKS], count[CMSEDGE_FW_ONE_WAY],
                           count[CMSEDGE_FW_NOT_EXERCISED]);
    g_string_append(out, line);
}

/* ---- CSV ----------------------------------------------------------------------------- */

/* Appends text to out, then resets scratch: for the CSV's composed cells. */
static void csv_take(GString *out, GString *scratch, bool last)
{
    cmsedge_csv_field(out, scratch->str, last);
    g_string_truncate(scratch, 0);
}

void cmsedge_fw_write_csv(const struct cmsedge_firewall *fw, const struct cmsedge_fw_rules *rules,
                          GString *out)
{
    GString *t = g_string_new(NULL);
    char a[64], b[64], num[32];
    g_string_append(out, "kind,rule,firewall,verdict,transport,src,src_addrs,sport,dst,dst_addrs,"
                         "dport,rows,footnotes,forward,reverse,frames,text\n");
    for (size_t i = 0; i < cmsedge_fw_rules_count(rules); i++) {
        const struct cmsedge_fw_rule *r = cmsedge_fw_rule_at(rules, i);
        struct cmsedge_fw_judgement j;
        cmsedge_firewall_judge(fw, rules, r, &j);
        snprintf(num, sizeof num, "R%02u", r->number);
        g_string_append_printf(out, "rule,%s,%s,%s,%s,", num, cmsedge_fw_wall_keyword(r->wall),
                               cmsedge_fw_verdict_keyword(j.verdict),
                               r->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp");
        cmsedge_csv_field(out, r->src.label, false);
        cmsedge_fw_end_addrs(&r->src, t);
        csv_take(out, t, false);
        cmsedge_fw_ports_text(&r->src.ports, t);
        csv_take(out, t, false);
        cmsedge_csv_field(out, r->dst.label, false);
        cmsedge_fw_end_addrs(&r->dst, t);
        csv_take(out, t, false);
        cmsedge_fw_ports_text(&r->dst.ports, t);
        csv_take(out, t, false);
        cmsedge_fw_rows_text(r, t);
        csv_take(out, t, false);
        cmsedge_fw_footnotes_text(r->footnotes, t);
        csv_take(out, t, false);
        g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",", j.forward,
                               j.reverse);
        frames_text(&j, t, " ");
        csv_take(out, t, false);
        cmsedge_csv_field(out, j.evidence, true);
    }
    GPtrArray *others = g_ptr_array_new();
    cmsedge_fw_others(fw, false, others);
    cmsedge_fw_others(fw, true, others);
    for (guint i = 0; i < others->len; i++) {
        const struct cmsedge_fw_other *o = g_ptr_array_index(others, i);
        cmsedge_addr_format(&o->src, a, sizeof a);
        cmsedge_addr_format(&o->dst, b, sizeof b);
        g_string_append_printf(out, "%s,%s,,,%s,%s,%s,%u,%s,%s,%u,,,%" G_GUINT64_FORMAT ",,%u,",
                               o->service ? "service" : "near_miss", o->nearest ? o->nearest : "",
                               o->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp",
                               cmsedge_role_keyword((enum cmsedge_role)o->src_role), a, o->sport,
                               cmsedge_role_keyword((enum cmsedge_role)o->dst_role), b, o->dport,
                               o->frames, o->first_frame);
        cmsedge_csv_field(out, o->service ? o->service : o->reason, true);
    }
    g_ptr_array_free(others, TRUE);
    g_string_free(t, TRUE);
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void json_end(GString *out, const struct cmsedge_fw_end *e)
{
    char a[64];
    g_string_append(out, "{\"label\":");
    cmsedge_json_string(out, e->label);
    g_string_append_printf(out, ",\"role\":\"%s\",\"any\":%s,\"addresses\":[",
                           cmsedge_role_keyword((enum cmsedge_role)e->role),
                           e->any ? "true" : "false");
    for (size_t i = 0; i < e->n_hosts; i++) {
        cmsedge_addr_format(&e->hosts[i].addr, a, sizeof a);
        g_string_append_printf(out, "%s{\"address\":\"%s\",\"prefix\":%u,\"inferred\":%s}",
                               i ? "," : "", a, e->hosts[i].len, e->inferred[i] ? "true" : "false");
    }
    g_string_append(out, "],\"ports\":[");
    for (size_t i = 0; i < e->ports.n; i++)
        g_string_append_printf(out, "%s[%u,%u]", i ? "," : "", e->ports.r[i].lo, e->ports.r[i].hi);
    g_string_append(out, "],\"ports_text\":");
    cmsedge_json_string(out, e->ports_text);
    g_string_append_c(out, '}');
}

void cmsedge_fw_write_json(const struct cmsedge_firewall *fw, const struct cmsedge_settings *s,
                           const struct cmsedge_fw_rules *rules, GString *out)
{
    GString *t = g_string_new(NULL);
    char a[80], b[80];
    cmsedge_fw_deployment_text(s, rules, t);
    g_string_append(out, "{\"deployment\":");
    cmsedge_json_string(out, t->str);
    g_string_append_printf(out, ",\"dual_nic\":%s,\"frames\":%" G_GUINT64_FORMAT ",\"rules\":[",
                           cmsedge_fw_rules_dual_nic(rules) ? "true" : "false",
                           cmsedge_fw_frames(fw));
    for (size_t i = 0; i < cmsedge_fw_rules_count(rules); i++) {
        const struct cmsedge_fw_rule *r = cmsedge_fw_rule_at(rules, i);
        struct cmsedge_fw_judgement j;
        cmsedge_firewall_judge(fw, rules, r, &j);
        g_string_append_printf(out,
                               "%s\n{\"rule\":\"R%02u\",\"firewall\":\"%s\",\"verdict\":\"%s\","
                               "\"transport\":\"%s\",\"src\":",
                               i ? "," : "", r->number, cmsedge_fw_wall_keyword(r->wall),
                               cmsedge_fw_verdict_keyword(j.verdict),
                               r->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp");
        json_end(out, &r->src);
        g_string_append(out, ",\"dst\":");
        json_end(out, &r->dst);
        g_string_append(out, ",\"rows\":[");
        for (size_t k = 0; k < r->n_rows; k++)
            g_string_append_printf(out, "%s\"%s\"", k ? "," : "", r->rows[k]->id);
        g_string_append(out, "],\"footnotes\":[");
        g_string_truncate(t, 0);
        cmsedge_fw_footnotes_text(r->footnotes, t);
        g_string_append_printf(out, "%s],\"purpose\":", t->str);
        cmsedge_json_string(out, r->rows[0]->purpose);
        g_string_append_printf(out,
                               ",\"forward\":%" G_GUINT64_FORMAT ",\"reverse\":%" G_GUINT64_FORMAT
                               ",\"frames\":[",
                               j.forward, j.reverse);
        for (size_t k = 0; k < j.n_frames; k++)
            g_string_append_printf(out, "%s%u", k ? "," : "", j.frames[k]);
        g_string_append(out, "],\"evidence\":");
        cmsedge_json_string(out, j.evidence);
        g_string_append_c(out, '}');
    }
    GPtrArray *others = g_ptr_array_new();
    for (int svc = 0; svc < 2; svc++) {
        g_string_append(out, svc ? "],\n\"services\":[" : "],\n\"near_misses\":[");
        g_ptr_array_set_size(others, 0);
        cmsedge_fw_others(fw, svc, others);
        for (guint i = 0; i < others->len; i++) {
            const struct cmsedge_fw_other *o = g_ptr_array_index(others, i);
            cmsedge_endpoint_format(&o->src, o->sport, a, sizeof a);
            cmsedge_endpoint_format(&o->dst, o->dport, b, sizeof b);
            g_string_append_printf(
                out,
                "%s\n{\"transport\":\"%s\",\"src\":\"%s\",\"src_role\":\"%s\","
                "\"dst\":\"%s\",\"dst_role\":\"%s\",\"frames\":%" G_GUINT64_FORMAT
                ",\"first_frame\":%u,",
                i ? "," : "", o->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp", a,
                cmsedge_role_keyword((enum cmsedge_role)o->src_role), b,
                cmsedge_role_keyword((enum cmsedge_role)o->dst_role), o->frames, o->first_frame);
            if (o->service) {
                g_string_append(out, "\"service\":");
                cmsedge_json_string(out, o->service);
            } else {
                g_string_append_printf(out, "\"nearest\":%s%s%s,\"translated\":%s,\"reason\":",
                                       o->nearest ? "\"" : "", o->nearest ? o->nearest : "null",
                                       o->nearest ? "\"" : "", o->translated ? "true" : "false");
                cmsedge_json_string(out, o->reason);
            }
            g_string_append_c(out, '}');
        }
    }
    g_string_append(out, "]}\n");
    g_ptr_array_free(others, TRUE);
    g_string_free(t, TRUE);
}
