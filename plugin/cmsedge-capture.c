/* cmsedge-capture.c
 * The core's per-capture object (src/capture.c) for the file Wireshark has open: made once,
 * emptied by the init routine that Wireshark runs for each new file and each redissection
 * (which is also when preference changes take effect), and pointed at the current settings on
 * every frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

static struct cmsedge_capture *capture;
static struct cmsedge_calls *calls;
static struct cmsedge_frame_log *call_log; /* each frame's struct cmsedge_call_ref */

static void capture_init(void)
{
    if (!capture)
        capture = cmsedge_capture_new();
    cmsedge_capture_reset(capture);
    if (calls)
        cmsedge_calls_reset(calls);
    if (call_log)
        cmsedge_frame_log_clear(call_log);
}

static void capture_cleanup(void)
{
    if (capture)
        cmsedge_capture_reset(capture);
    if (calls)
        cmsedge_calls_reset(calls);
    if (call_log)
        cmsedge_frame_log_clear(call_log);
}

struct cmsedge_frame_log *cmsedge_plugin_call_log(void)
{
    if (!call_log)
        call_log = cmsedge_frame_log_new(sizeof(struct cmsedge_call_ref));
    return call_log;
}

struct cmsedge_calls *cmsedge_plugin_calls(void)
{
    if (!calls)
        calls = cmsedge_calls_new();
    return calls;
}

void cmsedge_capture_register(void)
{
    register_init_routine(capture_init);
    register_cleanup_routine(capture_cleanup);
}

struct cmsedge_capture *cmsedge_plugin_capture(void)
{
    if (!capture)
        capture = cmsedge_capture_new();
    cmsedge_capture_configure(capture, cmsedge_settings(), cmsedge_hosts(),
                              cmsedge_prefs_infer_roles());
    return capture;
}
