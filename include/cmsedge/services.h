/* cmsedge: the services an edge host runs besides the CMS chapter, as C data.
 *
 * The rows are generated at build time from tables/services.tsv by tables/gen_services.py:
 * DNS, NTP, clustering, H.323, MRA, XMPP federation, Meeting Server administration... A frame
 * that matches one of them is legitimate and gets the row's service name. The CMS chapter
 * (reference.h) always wins: look a frame up here only when no chapter row matched it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_SERVICES_H
#define CMSEDGE_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/reference.h"
#include "cmsedge/roles.h"
#include "cmsedge/settings.h"

#define CMSEDGE_ROLE_BIT(r) (1u << (r))

/* How far the row's port numbers were confirmed against the cited text (the `checked` column). */
enum cmsedge_checked { CMSEDGE_CHECKED_NO = 0, CMSEDGE_CHECKED_PARTLY, CMSEDGE_CHECKED_YES };

struct cmsedge_service_end {
    uint16_t roles;   /* CMSEDGE_ROLE_BIT set; CMSEDGE_ROLE_ANY stands for every host */
    const char *text; /* the role cell as written, e.g. "expressway" */
    struct cmsedge_port_cell ports;
};

struct cmsedge_service {
    const char *id;   /* "S-01": stable across releases */
    uint16_t index;   /* position in cmsedge_services[] */
    const char *name; /* shown to users, e.g. "DNS", "MRA HTTPS (Expressway-E)" */
    struct cmsedge_service_end src, dst; /* initiator (client) and listener */
    const char *protocol;                /* as the guide writes it, e.g. "TCP or TLS" */
    uint8_t transports;                  /* CMSEDGE_TRANSPORT_* */
    uint16_t apps;                       /* CMSEDGE_APP_BIT set; 0 = payload unchecked */
    uint32_t dst_width;                  /* ports the listening cell names (default settings) */
    uint8_t checked;                     /* enum cmsedge_checked */
    const char *source;                  /* the guides the row comes from */
    unsigned line;                       /* line in tables/services.tsv */
};

extern const struct cmsedge_service cmsedge_services[];
extern const size_t cmsedge_n_services;

const struct cmsedge_service *cmsedge_service_by_id(const char *id);

/* Does a host with role `host` fit a row end? An unconfigured host (CMSEDGE_ROLE_NONE) fits
 * only an end that names "any"; any other host fits "any" and the ends cmsedge_role_fit()
 * accepts for it (a single-NIC Expressway-E fits public and private ends and vice versa). */
bool cmsedge_service_end_fits(const struct cmsedge_service_end *end, enum cmsedge_role host);

/* A listening cell naming at most this many ports is a service's own port (or a few); a wider
 * one ("from 25000-29999 to any port") says little about which service a frame belongs to. */
#define CMSEDGE_SERVICE_PINNED_PORTS 64

/* Does a payload hint (enum cmsedge_hint or enum cmsedge_app, see classify.h) agree with the
 * row? No payload and an unrecognised payload always do; a recognised one must be among the
 * row's apps unless the row leaves the payload unchecked. */
bool cmsedge_service_payload_fits(const struct cmsedge_service *svc, int hint);

/* Does row a beat row b when both fit a frame? The narrower listening cell wins, then the row
 * naming more ends (not "any"). Equal rows: neither beats the other. */
bool cmsedge_service_better(const struct cmsedge_service *a, const struct cmsedge_service *b);

struct cmsedge_service_match {
    const struct cmsedge_service *service;
    bool reverse; /* the frame travels from the row's dst to its src (a reply) */
};

/* The service a frame belongs to: each row is tried forward and as a reply, under settings s.
 * When several rows fit, cmsedge_service_better() decides; on a tie a forward match beats a
 * reply, then the earlier row wins. Cost: two binary searches and the candidate rows of the
 * two ports, whatever the number of rows. Returns false (out untouched) when none fits. */
bool cmsedge_service_match(const struct cmsedge_settings *s, unsigned transport,
                           enum cmsedge_role src_role, uint16_t sport, enum cmsedge_role dst_role,
                           uint16_t dport, int hint, struct cmsedge_service_match *out);

#endif
