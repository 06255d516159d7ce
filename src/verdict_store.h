/* cmsedge: each distinct conclusion of a capture kept once, named by a small number (internal
 * to the core; the flow memo's second half, see include/cmsedge/flowmemo.h).
 *
 * A capture has far more flows than things the reference says about them: ten thousand media
 * flows from endpoints to Expressway-E's relay ports all get the same rows and the same
 * findings. The store holds each distinct verdict, with its service match, once; a flow's
 * memo entry is then a number, not a 3 KB verdict.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_VERDICT_STORE_H
#define CMSEDGE_VERDICT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cmsedge/classify.h"
#include "cmsedge/services.h"

/* Distinct verdicts a store holds before it is full. A capture at an edge has tens; only
 * near misses, whose reasons name the port seen, make more (a port scan, one per port). */
#define CMSEDGE_VERDICT_STORE_MAX 1024u

struct cmsedge_verdict_store;

struct cmsedge_verdict_store *cmsedge_verdict_store_new(void);
void cmsedge_verdict_store_free(struct cmsedge_verdict_store *st);
/* Forgets every verdict: ids given before mean nothing afterwards. */
void cmsedge_verdict_store_clear(struct cmsedge_verdict_store *st);

/* The id of the stored copy of (v, svc), equal in every counted part, stored first when it is
 * new; -1 when it is new and the store is full. */
int cmsedge_verdict_store_intern(struct cmsedge_verdict_store *st, const struct cmsedge_verdict *v,
                                 const struct cmsedge_service_match *svc);
/* Copies verdict `id` out: the counted parts of its arrays, and nothing of the rest. */
void cmsedge_verdict_store_get(const struct cmsedge_verdict_store *st, unsigned id,
                               struct cmsedge_verdict *v, struct cmsedge_service_match *svc);

size_t cmsedge_verdict_store_count(const struct cmsedge_verdict_store *st);
/* Bytes the store holds now. */
size_t cmsedge_verdict_store_bytes(const struct cmsedge_verdict_store *st);

#endif
