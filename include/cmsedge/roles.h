/* cmsedge: host roles of a Meeting Server edge deployment.
 *
 * A role says what a host is in the port reference. Edge roles are the servers the reference is
 * about (Expressway-E in its three address forms, Expressway-C, Meeting Server, Unified CM); a
 * flow that involves one of them is judged against the reference. Client roles stand for the
 * reference's endpoints and browsers. CMSEDGE_ROLE_NONE is a host nobody configured: it can
 * stand in for any end of a row. CMSEDGE_ROLE_ANY appears only in rows ("Any IP address").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_ROLES_H
#define CMSEDGE_ROLES_H

#include <stdbool.h>

enum cmsedge_role {
    CMSEDGE_ROLE_NONE = 0,             /* unconfigured host */
    CMSEDGE_ROLE_EXPRESSWAY_E,         /* single-NIC Expressway-E: public and private */
    CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC,  /* Expressway-E public (external) address */
    CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, /* Expressway-E private (internal) address */
    CMSEDGE_ROLE_EXPRESSWAY_C,
    CMSEDGE_ROLE_MEETING_SERVER,
    CMSEDGE_ROLE_UNIFIED_CM,
    CMSEDGE_ROLE_ADMIN_PC,
    CMSEDGE_ROLE_SIP_ENDPOINT,
    CMSEDGE_ROLE_MS_CLIENT,
    CMSEDGE_ROLE_WEBAPP_CLIENT,
    CMSEDGE_ROLE_ANY, /* row end only: "Any IP address" */
    CMSEDGE_ROLE_COUNT
};

/* Where a host's role comes from; shown to the user next to the role. */
enum cmsedge_role_origin {
    CMSEDGE_ORIGIN_NONE = 0, /* unconfigured */
    CMSEDGE_ORIGIN_CONFIGURED,
    CMSEDGE_ORIGIN_INFERRED,
};

/* How well a host fits one end of a row; higher is more specific. */
enum cmsedge_fit {
    CMSEDGE_FIT_NO = -1,
    CMSEDGE_FIT_STAND_IN = 0, /* unconfigured host standing in for an edge role */
    CMSEDGE_FIT_GENERIC = 1,  /* "any" end, or a client end met by a non-edge host */
    CMSEDGE_FIT_EXACT = 3,    /* the host's own role is the end's role */
};

/* "expressway-e-public" etc.; "any" for CMSEDGE_ROLE_NONE and CMSEDGE_ROLE_ANY. */
const char *cmsedge_role_keyword(enum cmsedge_role role);
/* Human name, e.g. "Expressway-E public IP". */
const char *cmsedge_role_title(enum cmsedge_role role);
/* Parses a host role keyword (not "any"); false if unknown. */
bool cmsedge_role_parse(const char *keyword, enum cmsedge_role *role);
/* Comma-separated list of the keywords cmsedge_role_parse accepts, for messages. */
const char *cmsedge_role_keywords(void);

bool cmsedge_role_is_edge(enum cmsedge_role role);
bool cmsedge_role_is_client(enum cmsedge_role role);
bool cmsedge_role_is_expressway_e(enum cmsedge_role role);

/* How a host with role `host` (CMSEDGE_ROLE_NONE when unconfigured) fits a row end `end`. */
enum cmsedge_fit cmsedge_role_fit(enum cmsedge_role end, enum cmsedge_role host);

#endif
