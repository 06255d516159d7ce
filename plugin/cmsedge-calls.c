/* cmsedge-calls.c
 * tshark -q -z cmsedge,calls[,text|csv|json]: the web-app joins and traversal calls the first
 * pass found (src/calls.c, src/calls_traversal.c), each with its TURN allocations or dialogs,
 * its legs with packets and bytes per direction, and the first missing or one-way part. The
 * calls are followed by the dissector itself on the first pass, so the listener only prints
 * them at the end, in its form.
 *
 * Statistics > Cisco Meeting Server Edge joins and calls (tshark -z cmsedge_calls,tree): a
 * stats tree of the frames of each call, by leg, fed by the "cmsedge_calls" tap, which the
 * dissector queues with the call and leg of every frame that is part of one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <stdio.h>
#include <stdlib.h>

#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "compat.h"

#define CALLS_CLI "cmsedge,calls"

static tap_packet_status calls_packet(void *tapdata _U_, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data _U_,
                                      tap_flags_t flags _U_)
{
    return TAP_PACKET_DONT_REDRAW;
}

static void calls_draw(void *tapdata)
{
    GString *out = g_string_new(NULL);
    if (cmsedge_calls_write(cmsedge_plugin_calls(), *(enum cmsedge_calls_format *)tapdata, out))
        fputs(out->str, stdout);
    else
        fputs("cmsedge calls: out of memory\n", stderr);
    g_string_free(out, TRUE);
}

static void calls_finish(void *tapdata)
{
    g_free(tapdata);
}

/* "cmsedge,calls", then optionally ",text", ",csv" or ",json"; no filter: the calls are the
 * whole first pass's. */
static cmsedge_stat_init_ret calls_init(const char *opt_arg, void *userdata _U_)
{
    enum cmsedge_calls_format form = CMSEDGE_CALLS_TEXT;
    const char *filter;
    char *format;
    bool ok = cmsedge_stat_args(opt_arg, CALLS_CLI, &format, &filter);
    if (ok && format && !cmsedge_calls_format_parse(format, &form)) {
        fprintf(stderr,
                "tshark: invalid \"-z %s\": '%s' is not a calls format; expected text, csv or "
                "json\n",
                opt_arg, format);
        g_free(format);
        CMSEDGE_STAT_INIT_FAIL();
    }
    g_free(format);
    if (!ok || (filter && *filter)) {
        fprintf(stderr, "tshark: invalid \"-z %s\": expected -z %s[,text|csv|json]\n", opt_arg,
                CALLS_CLI);
        CMSEDGE_STAT_INIT_FAIL();
    }
    enum cmsedge_calls_format *l = g_new(enum cmsedge_calls_format, 1);
    *l = form;
    GString *err = register_tap_listener("cmsedge", l, NULL, TL_REQUIRES_NOTHING, NULL,
                                         calls_packet, calls_draw, calls_finish);
    if (err) {
        fprintf(stderr, "tshark: couldn't register the cmsedge calls: %s\n", err->str);
        g_string_free(err, TRUE);
        g_free(l);
        CMSEDGE_STAT_INIT_FAIL();
    }
    CMSEDGE_STAT_INIT_OK();
}

static stat_tap_ui calls_ui = {
    REGISTER_STAT_GROUP_GENERIC, "Cisco Meeting Server Edge calls", CALLS_CLI, calls_init, 0, NULL,
};

/* ---- the stats tree of Wireshark's Statistics menu -------------------------------------- */

#define TREE_ROOT "Frames of joins and calls"

static int st_root = -1;

static void calls_tree_init(stats_tree *st)
{
    st_root = stats_tree_create_node(st, TREE_ROOT, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status calls_tree_packet(stats_tree *st, packet_info *pinfo _U_,
                                           epan_dissect_t *edt _U_, const void *data,
                                           tap_flags_t flags _U_)
{
    const struct cmsedge_call_ref *ref = data;
    const struct cmsedge_call *call = cmsedge_calls_get(cmsedge_plugin_calls(), ref->call);
    char name[96];
    tick_stat_node(st, TREE_ROOT, 0, TRUE);
    /* a web-app join's id is the one it had at the frame: joins merge later, as the report says */
    g_snprintf(name, sizeof name, "Call %u (%s)", ref->call,
               call && call->traversal ? "traversal call" : "web-app join");
    int node = tick_stat_node(st, name, st_root, TRUE);
    if (!ref->leg)
        return TAP_PACKET_REDRAW;
    if (ref->hop != CMSEDGE_HOP_NONE)
        g_snprintf(name, sizeof name, "Leg %u: %s, %s", ref->leg, cmsedge_leg_kind_name(ref->kind),
                   cmsedge_hop_name(ref->hop));
    else
        g_snprintf(name, sizeof name, "Leg %u: %s", ref->leg, cmsedge_leg_kind_name(ref->kind));
    tick_stat_node(st, name, node, FALSE);
    return TAP_PACKET_REDRAW;
}

static void register_calls_listener(void)
{
    register_stat_tap_ui(&calls_ui, NULL);
    stats_tree_register_plugin("cmsedge_calls", "cmsedge_calls",
                               "Cisco Meeting Server Edge joins and calls", 0, calls_tree_packet,
                               calls_tree_init, NULL);
}

void cmsedge_calls_register(void)
{
    static tap_plugin plug;
    plug.register_tap_listener = register_calls_listener;
    tap_register_plugin(&plug);
}
