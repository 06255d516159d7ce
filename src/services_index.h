/* cmsedge: the shape of the services index the generator emits (internal to the core).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_SERVICES_INDEX_H
#define CMSEDGE_SERVICES_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cmsedge/services.h"
#include "services_generated.h"

/* A run of listening ports that share the same candidate rows. */
struct cmsedge_service_interval {
    uint16_t lo, hi;
    uint64_t rows[CMSEDGE_SERVICE_WORDS]; /* bit i: cmsedge_services[i] */
};

struct cmsedge_service_index {
    const struct cmsedge_service_interval *intervals; /* sorted, disjoint */
    size_t n_intervals;
    /* Rows whose listening cell depends on a setting (zone, relay, media range...): always
     * candidates, checked against the current settings. */
    uint64_t symbolic[CMSEDGE_SERVICE_WORDS];
};

/* [0] UDP, [1] TCP */
extern const struct cmsedge_service_index cmsedge_service_index_by_transport[2];

#endif
