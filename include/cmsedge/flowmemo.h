/* cmsedge: a bounded memo of what the reference says about a flow.
 *
 * What cmsedge_classify() and the services lookup conclude depends only on the settings and on
 * the flow as classify sees it: transport, addresses, ports, the hosts' roles and the payload
 * hint. Frames of one flow in one direction repeat all of these, so the conclusion is kept and
 * reused instead of being worked out again on every frame.
 *
 * The memo is a fixed set of slots (two-way set associative), not a table that grows with the
 * capture: a frame costs a hash and a copy whatever the number of rows, hosts or flows, and the
 * memory is the same for ten flows and for a million. A flow pushed out by others is simply
 * classified again. Entries are valid for one set of settings: a change of any setting
 * empties the memo (roles are part of the key, so a new hosts table or an inferred role makes
 * a new key rather than a stale hit).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FLOWMEMO_H
#define CMSEDGE_FLOWMEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "cmsedge/classify.h"
#include "cmsedge/services.h"
#include "cmsedge/settings.h"

struct cmsedge_flowmemo;

struct cmsedge_flowmemo *cmsedge_flowmemo_new(void);
void cmsedge_flowmemo_free(struct cmsedge_flowmemo *m);
/* Forgets every entry (a new capture file, or new settings). */
void cmsedge_flowmemo_clear(struct cmsedge_flowmemo *m);

/* The kept conclusion for `flow` under settings `s`: true and *v, *svc filled on a hit. */
bool cmsedge_flowmemo_get(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s,
                          const struct cmsedge_flow *flow, struct cmsedge_verdict *v,
                          struct cmsedge_service_match *svc);
/* Keeps the conclusion for `flow` under settings `s`, in place of an older entry when its slots
 * are taken. */
void cmsedge_flowmemo_put(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s,
                          const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                          const struct cmsedge_service_match *svc);

/* Hits and misses since the memo was made or cleared (for tests and the micro-benchmark). */
void cmsedge_flowmemo_stats(const struct cmsedge_flowmemo *m, size_t *hits, size_t *misses);
/* Bytes the memo holds, whatever the capture: its slots, allocated on first use. */
size_t cmsedge_flowmemo_bytes(void);

#endif
