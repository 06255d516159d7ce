/* cmsedge-flows.c
 * The state of one capture file: inferred host roles and per-flow checks (the core's
 * cmsedge_infer and cmsedge_tracker). Both see each frame once, on the first pass, in frame
 * order; what a frame's checks found is kept with the file, so the second pass of tshark -2
 * and GUI re-dissection show exactly what the first pass showed. Inferred roles carry the
 * frame they were decided on, which makes them a function of the frame number too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge-plugin.h"

static struct cmsedge_infer *infer;
static struct cmsedge_tracker *tracker;
static wmem_map_t *reports; /* frame number -> struct cmsedge_findings*, file scope */

static void flows_init(void)
{
    if (!infer) {
        infer = cmsedge_infer_new();
        tracker = cmsedge_tracker_new();
    }
    cmsedge_infer_reset(infer);
    cmsedge_tracker_reset(tracker);
    reports = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
}

static void flows_cleanup(void)
{
    if (infer) {
        cmsedge_infer_reset(infer);
        cmsedge_tracker_reset(tracker);
    }
    reports = NULL; /* freed with the file scope */
}

void cmsedge_flows_register(void)
{
    register_init_routine(flows_init);
    register_cleanup_routine(flows_cleanup);
}

const struct cmsedge_inferred *cmsedge_flows_inferred(const struct cmsedge_addr *addr,
                                                      uint32_t frame)
{
    if (!infer || !cmsedge_prefs_infer_roles())
        return NULL;
    return cmsedge_infer_lookup(infer, addr, frame);
}

const struct cmsedge_inferred *cmsedge_flows_inferred_on(uint32_t frame, size_t *cursor)
{
    if (!infer || !cmsedge_prefs_infer_roles())
        return NULL;
    while (*cursor < cmsedge_infer_count(infer)) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(infer, (*cursor)++);
        if (inf->since == frame)
            return inf;
    }
    return NULL;
}

const struct cmsedge_infer *cmsedge_flows_infer(void)
{
    return cmsedge_prefs_infer_roles() ? infer : NULL;
}

/* An Expressway-E private address is configured, or inferred before this frame. */
static bool private_e_known(uint32_t frame)
{
    if (cmsedge_hostmap_has_role(cmsedge_hosts(), CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE))
        return true;
    return infer && cmsedge_prefs_infer_roles() &&
           cmsedge_infer_has_role(infer, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, frame);
}

void cmsedge_flows_frame(packet_info *pinfo, const struct cmsedge_flow *flow,
                         const struct cmsedge_verdict *v, const struct cmsedge_facts *facts,
                         struct cmsedge_findings *report)
{
    report->n = 0;
    if (!infer || !reports)
        return;
    if (PINFO_FD_VISITED(pinfo)) {
        const struct cmsedge_findings *kept =
            wmem_map_lookup(reports, GUINT_TO_POINTER(pinfo->num));
        if (kept)
            *report = *kept;
        return;
    }
    cmsedge_tracker_observe(tracker, cmsedge_settings(), flow, v, facts,
                            private_e_known(pinfo->num), report);
    if (cmsedge_prefs_infer_roles() && facts->icmp == CMSEDGE_ICMP_NONE)
        cmsedge_infer_observe(infer, cmsedge_settings(), flow, v, facts);
    if (report->n)
        wmem_map_insert(reports, GUINT_TO_POINTER(pinfo->num),
                        wmem_memdup(wmem_file_scope(), report, sizeof *report));
}
