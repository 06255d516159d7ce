/* cmsedge-audit.c
 * The edge audit: a listener on the "cmsedge" tap that hands every annotated frame to the
 * core's cmsedge_audit and prints it at the end.
 *
 *   tshark -q -z cmsedge,audit[,text|csv|json][,FILTER]
 *
 * In Wireshark, Statistics > Cisco Meeting Server Edge shows the same counts as a stats tree
 * (frames per table and row, off-spec frames by nearest rule, per-flow check findings); tshark
 * reaches that tree as -z cmsedge_audit,tree.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <stdio.h>
#include <stdlib.h>

#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "cmsedge/audit.h"
#include "compat.h"

#define AUDIT_CLI "cmsedge,audit"

struct audit_listener {
    struct cmsedge_audit *audit;
    enum cmsedge_audit_format format;
};

static tap_packet_status audit_packet(void *tapdata, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data,
                                      tap_flags_t flags _U_)
{
    struct audit_listener *l = tapdata;
    const struct cmsedge_tap_record *r = data;
    cmsedge_audit_add(l->audit, r->annotation, r->facts);
    return TAP_PACKET_REDRAW;
}

static void audit_reset(void *tapdata)
{
    cmsedge_audit_reset(((struct audit_listener *)tapdata)->audit);
}

static void audit_draw(void *tapdata)
{
    struct audit_listener *l = tapdata;
    GString *out = g_string_new(NULL);
    cmsedge_audit_write(l->audit, cmsedge_settings(),
                        cmsedge_capture_inferred(cmsedge_plugin_capture()), l->format, out);
    fputs(out->str, stdout);
    g_string_free(out, TRUE);
}

static void audit_finish(void *tapdata)
{
    struct audit_listener *l = tapdata;
    cmsedge_audit_free(l->audit);
    g_free(l);
}

/* "cmsedge,audit", then optionally ",text", ",csv" or ",json", then optionally ",FILTER". */
static cmsedge_stat_init_ret audit_init(const char *opt_arg, void *userdata _U_)
{
    struct audit_listener *l;
    enum cmsedge_audit_format form = CMSEDGE_AUDIT_TEXT;
    const char *filter;
    char *format;
    GString *err;

    if (!cmsedge_stat_args(opt_arg, AUDIT_CLI, &format, &filter)) {
        fprintf(stderr, "tshark: invalid \"-z %s\": expected -z %s[,text|csv|json][,filter]\n",
                opt_arg, AUDIT_CLI);
        CMSEDGE_STAT_INIT_FAIL();
    }
    if (format && !cmsedge_audit_format_parse(format, &form)) {
        fprintf(stderr,
                "tshark: invalid \"-z %s\": '%s' is not an audit format; expected text, csv or "
                "json (a display filter that is one word goes after the format: -z %s,text,%s)\n",
                opt_arg, format, AUDIT_CLI, format);
        g_free(format);
        CMSEDGE_STAT_INIT_FAIL();
    }
    g_free(format);
    l = g_new0(struct audit_listener, 1);
    l->format = form;
    l->audit = cmsedge_audit_new();
    err =
        register_tap_listener("cmsedge", l, filter && *filter ? filter : NULL, TL_REQUIRES_NOTHING,
                              audit_reset, audit_packet, audit_draw, audit_finish);
    if (err) {
        fprintf(stderr, "tshark: couldn't register the cmsedge audit: %s\n", err->str);
        g_string_free(err, TRUE);
        cmsedge_audit_free(l->audit);
        g_free(l);
        CMSEDGE_STAT_INIT_FAIL();
    }
    CMSEDGE_STAT_INIT_OK();
}

static stat_tap_ui audit_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Cisco Meeting Server Edge audit", AUDIT_CLI, audit_init, 0, NULL,
};

/* ---- the stats tree of Wireshark's Statistics menu -------------------------------------- */

static int st_frames = -1;

static void tree_init(stats_tree *st)
{
    st_frames = stats_tree_create_node(st, "Frames annotated", 0, STAT_DT_INT, TRUE);
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                     epan_dissect_t *edt _U_, const void *data,
                                     tap_flags_t flags _U_)
{
    const struct cmsedge_tap_record *r = data;
    const struct cmsedge_annotation *a = r->annotation;
    const struct cmsedge_verdict *v = &a->verdict;
    char name[200];

    tick_stat_node(st, "Frames annotated", 0, TRUE);
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_row *row = v->matches[i].row;
        const struct cmsedge_scenario *sc = cmsedge_scenario(row->table);
        g_snprintf(name, sizeof name, "Table %u: %s", row->table, sc ? sc->title : "");
        int table = tick_stat_node(st, name, st_frames, TRUE);
        g_snprintf(name, sizeof name, "%s %s", row->id, row->purpose);
        tick_stat_node(st, name, table, FALSE);
    }
    if (a->service.service) {
        int svc = tick_stat_node(st, "Other documented services", st_frames, TRUE);
        tick_stat_node(st, a->service.service->name, svc, FALSE);
    }
    if (a->offspec != CMSEDGE_OFFSPEC_NONE) {
        int off = tick_stat_node(st, "Off-spec", st_frames, TRUE);
        if (a->offspec == CMSEDGE_OFFSPEC_NEAR_MISS)
            g_snprintf(name, sizeof name, "near miss of %s", v->nearest->id);
        else if (a->offspec == CMSEDGE_OFFSPEC_FOOTNOTE)
            g_snprintf(name, sizeof name, "footnote rules");
        else
            g_snprintf(name, sizeof name, "flow checks");
        tick_stat_node(st, name, off, FALSE);
    }
    for (size_t i = 0; i < a->findings.n; i++) {
        const struct cmsedge_finding *fd = &a->findings.items[i];
        int node = tick_stat_node(
            st, fd->kind == CMSEDGE_FINDING_FOOTNOTE ? "Footnote rules" : "Flow checks", st_frames,
            TRUE);
        if (fd->kind == CMSEDGE_FINDING_FOOTNOTE)
            g_snprintf(name, sizeof name, "footnote %u", fd->footnote);
        else
            g_strlcpy(name, cmsedge_finding_keyword((enum cmsedge_finding_kind)fd->kind),
                      sizeof name);
        tick_stat_node(st, name, node, FALSE);
    }
    return TAP_PACKET_REDRAW;
}

static void register_audit_listeners(void)
{
    register_stat_tap_ui(&audit_ui, NULL);
    stats_tree_register_plugin("cmsedge", "cmsedge_audit", "Cisco Meeting Server Edge", 0,
                               tree_packet, tree_init, NULL);
}

void cmsedge_audit_register(void)
{
    static tap_plugin plug;
    plug.register_tap_listener = register_audit_listeners;
    tap_register_plugin(&plug);
}
