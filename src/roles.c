/* cmsedge: role keywords and how hosts fit the ends of a row.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/roles.h"

#include <string.h>

static const struct {
    const char *keyword;
    const char *title;
} role_names[CMSEDGE_ROLE_COUNT] = {
    [CMSEDGE_ROLE_NONE] = {"any", "Any host"},
    [CMSEDGE_ROLE_EXPRESSWAY_E] = {"expressway-e", "Expressway-E"},
    [CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC] = {"expressway-e-public", "Expressway-E public IP"},
    [CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE] = {"expressway-e-private", "Expressway-E private IP"},
    [CMSEDGE_ROLE_EXPRESSWAY_C] = {"expressway-c", "Expressway-C"},
    [CMSEDGE_ROLE_MEETING_SERVER] = {"meeting-server", "Meeting Server"},
    [CMSEDGE_ROLE_UNIFIED_CM] = {"unified-cm", "Unified CM"},
    [CMSEDGE_ROLE_ADMIN_PC] = {"admin-pc", "Administrator PC"},
    [CMSEDGE_ROLE_SIP_ENDPOINT] = {"sip-endpoint", "SIP endpoint (or its firewall)"},
    [CMSEDGE_ROLE_MS_CLIENT] = {"ms-client", "Microsoft client or its firewall"},
    [CMSEDGE_ROLE_WEBAPP_CLIENT] = {"webapp-client", "CMA web app / guest PC"},
    [CMSEDGE_ROLE_ANY] = {"any", "Any IP address"},
};

const char *cmsedge_role_keyword(enum cmsedge_role role)
{
    return (unsigned)role < CMSEDGE_ROLE_COUNT ? role_names[role].keyword : "any";
}

const char *cmsedge_role_title(enum cmsedge_role role)
{
    return (unsigned)role < CMSEDGE_ROLE_COUNT ? role_names[role].title : "Any host";
}

bool cmsedge_role_parse(const char *keyword, enum cmsedge_role *role)
{
    if (!keyword)
        return false;
    for (int r = CMSEDGE_ROLE_EXPRESSWAY_E; r < CMSEDGE_ROLE_ANY; r++) {
        if (strcmp(keyword, role_names[r].keyword) == 0) {
            *role = (enum cmsedge_role)r;
            return true;
        }
    }
    return false;
}

const char *cmsedge_role_keywords(void)
{
    return "expressway-e, expressway-e-public, expressway-e-private, expressway-c, "
           "meeting-server, unified-cm, admin-pc, sip-endpoint, ms-client, webapp-client";
}

bool cmsedge_role_is_expressway_e(enum cmsedge_role role)
{
    return role == CMSEDGE_ROLE_EXPRESSWAY_E || role == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC ||
           role == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE;
}

bool cmsedge_role_is_edge(enum cmsedge_role role)
{
    return cmsedge_role_is_expressway_e(role) || role == CMSEDGE_ROLE_EXPRESSWAY_C ||
           role == CMSEDGE_ROLE_MEETING_SERVER || role == CMSEDGE_ROLE_UNIFIED_CM;
}

bool cmsedge_role_is_client(enum cmsedge_role role)
{
    return role == CMSEDGE_ROLE_ADMIN_PC || role == CMSEDGE_ROLE_SIP_ENDPOINT ||
           role == CMSEDGE_ROLE_MS_CLIENT || role == CMSEDGE_ROLE_WEBAPP_CLIENT;
}

/* Does an Expressway-E address of kind `host` serve as the row's Expressway-E end `end`? A
 * single-NIC Expressway-E is both its public and its private address; a row that says plain
 * "Expressway-E" accepts either address of a dual-NIC one. */
static bool expressway_e_fits(enum cmsedge_role end, enum cmsedge_role host)
{
    if (end == CMSEDGE_ROLE_EXPRESSWAY_E || host == CMSEDGE_ROLE_EXPRESSWAY_E)
        return true;
    return end == host;
}

enum cmsedge_fit cmsedge_role_fit(enum cmsedge_role end, enum cmsedge_role host)
{
    if (end == CMSEDGE_ROLE_ANY)
        return CMSEDGE_FIT_GENERIC;
    if (cmsedge_role_is_client(end)) {
        if (host == end)
            return CMSEDGE_FIT_EXACT;
        return cmsedge_role_is_edge(host) ? CMSEDGE_FIT_NO : CMSEDGE_FIT_GENERIC;
    }
    /* an edge end */
    if (host == CMSEDGE_ROLE_NONE)
        return CMSEDGE_FIT_STAND_IN;
    if (cmsedge_role_is_expressway_e(end) && cmsedge_role_is_expressway_e(host))
        return expressway_e_fits(end, host) ? CMSEDGE_FIT_EXACT : CMSEDGE_FIT_NO;
    return end == host ? CMSEDGE_FIT_EXACT : CMSEDGE_FIT_NO;
}
