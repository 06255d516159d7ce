/* cmsedge: a memo of what the reference says about each flow of a capture.
 *
 * What cmsedge_classify() and the services lookup conclude depends only on the settings and on
 * the flow as classify sees it: transport, ports, the hosts' roles, the payload hint and
 * whether source and destination are the same address (the addresses matter through that
 * alone: see cmsedge_classify()). Frames of one flow in one direction repeat all of these, so
 * the conclusion is worked out once and read back on every later frame.
 *
 * Two parts keep the memory small: each distinct conclusion is kept once in a store (at most
 * 1,024 of them, some 3 KB each), and the memo maps a flow's key (packed into 48 bits) to its
 * number there in one 64-bit slot, in a table between 3/8 and 3/4 full: 11 to 21 bytes a key.
 * A revisited flow is a hit however many flows came between, so a frame costs a key, a probe
 * and a copy whatever the number of rows, hosts or flows. Past 786,432 keys (8 MB of slots)
 * the memo starts again empty; with the store full, a new conclusion is not kept, and the memo
 * starts again once as many have gone unkept as it holds keys (4,096 at the least). Either
 * only ever costs reclassifications, never a wrong answer.
 *
 * Entries are valid for one set of settings: a change of any setting empties the memo (roles
 * are part of the key, so a new hosts table or an inferred role makes a new key rather than a
 * stale hit).
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
/* Keeps the conclusion for `flow` under settings `s`. */
void cmsedge_flowmemo_put(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s,
                          const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                          const struct cmsedge_service_match *svc);

/* What the memo has done since it was made or cleared (for tests and the micro-benchmark). */
struct cmsedge_flowmemo_stats {
    size_t hits, misses;
    size_t keys;     /* flow keys held now */
    size_t verdicts; /* distinct conclusions held now */
    size_t restarts; /* times it was full and started again */
    size_t unkept;   /* conclusions not kept since the last restart (the store was full) */
    size_t bytes;    /* memory it holds now */
};
void cmsedge_flowmemo_stats(const struct cmsedge_flowmemo *m, struct cmsedge_flowmemo_stats *out);

#endif
