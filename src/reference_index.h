/* cmsedge: the shape of the port index the generator emits (internal to the core).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_REFERENCE_INDEX_H
#define CMSEDGE_REFERENCE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "cmsedge/reference.h"
#include "cmsedge_generated.h"

/* A run of destination ports that share the same candidate rows. */
struct cmsedge_index_interval {
    uint16_t lo, hi;
    uint64_t rows[CMSEDGE_ROW_WORDS]; /* bit i: cmsedge_rows[i] */
};

#define CMSEDGE_PORT_KIND_COUNT (CMSEDGE_PORTS_EXCLUDE + 1)

struct cmsedge_index {
    const struct cmsedge_index_interval *intervals; /* sorted, disjoint */
    size_t n_intervals;
    /* Rows whose destination cell names a setting-dependent port, per enum cmsedge_port_kind. */
    uint64_t symbol_rows[CMSEDGE_PORT_KIND_COUNT][CMSEDGE_ROW_WORDS];
};

/* [0] UDP, [1] TCP */
extern const struct cmsedge_index cmsedge_index_by_transport[2];

#endif
