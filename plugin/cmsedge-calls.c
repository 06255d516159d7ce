/* cmsedge-calls.c
 * tshark -q -z cmsedge,calls: the joins and calls the first pass found (src/calls.c), each
 * with its TURN allocations, its legs with packets and bytes per direction, and the first
 * missing or one-way part. The calls are followed by the dissector itself on the first pass,
 * so the listener only prints them at the end.
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

static void calls_draw(void *tapdata _U_)
{
    char *text = cmsedge_calls_text(cmsedge_plugin_calls());
    if (!text) {
        fputs("cmsedge calls: out of memory\n", stderr);
        return;
    }
    fputs(text, stdout);
    free(text);
}

static cmsedge_stat_init_ret calls_init(const char *opt_arg, void *userdata _U_)
{
    static int listener;
    GString *err;
    if (strcmp(opt_arg, CALLS_CLI) != 0) {
        fprintf(stderr, "tshark: invalid \"-z %s\": expected -z %s\n", opt_arg, CALLS_CLI);
        CMSEDGE_STAT_INIT_FAIL();
    }
    err = register_tap_listener("cmsedge", &listener, NULL, TL_REQUIRES_NOTHING, NULL, calls_packet,
                                calls_draw, NULL);
    if (err) {
        fprintf(stderr, "tshark: couldn't register the cmsedge calls: %s\n", err->str);
        g_string_free(err, TRUE);
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
