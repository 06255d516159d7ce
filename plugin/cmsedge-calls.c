/* cmsedge-calls.c
 * tshark -q -z cmsedge,calls[,text|csv|json]: the joins and calls the first pass found
 * (src/calls.c), each with its TURN allocations, its legs with packets and bytes per
 * direction, and the first missing or one-way part. The calls are followed by the dissector
 * itself on the first pass, so the listener only prints them at the end, in its form.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

#include <stdio.h>
#include <stdlib.h>

#include <epan/stat_tap_ui.h>
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

static void register_calls_listener(void)
{
    register_stat_tap_ui(&calls_ui, NULL);
}

void cmsedge_calls_register(void)
{
    static tap_plugin plug;
    plug.register_tap_listener = register_calls_listener;
    tap_register_plugin(&plug);
}
