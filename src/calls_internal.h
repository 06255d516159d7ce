/* cmsedge: the joins and calls inside, between their following (calls.c) and their writers
 * (the text in calls.c, calls_csv.c, calls_json.c). Not installed: the public face is
 * include/cmsedge/calls.h.
 *
 * The writers walk the final calls and, per call, what it holds through the iterators below,
 * and take the words the forms share from here, so the three forms cannot disagree on which
 * allocations and legs a call has, in what order, or on its verdict.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_CALLS_INTERNAL_H
#define CMSEDGE_CALLS_INTERNAL_H

#include "cmsedge/calls.h"

/* Iterators in id order: start with *at = 0; each returns NULL after the last. The final calls
 * (those that joined no other), then, of one final call, the calls that joined it, its
 * allocations and its legs. */
const struct cmsedge_call *cmsedge_calls_next_final(const struct cmsedge_calls *c, size_t *at);
const struct cmsedge_call *cmsedge_calls_next_joiner(const struct cmsedge_calls *c, unsigned call,
                                                     size_t *at);
const struct cmsedge_allocation *cmsedge_calls_next_allocation(const struct cmsedge_calls *c,
                                                               unsigned call, size_t *at);
const struct cmsedge_leg *cmsedge_calls_next_leg(const struct cmsedge_calls *c, unsigned call,
                                                 size_t *at);

/* "join" for a final call that other calls joined, "call" for one that stayed alone. */
const char *cmsedge_calls_kind(const struct cmsedge_calls *c, unsigned call);
/* The verdict on a final call: cmsedge_calls_problem's text, or "complete: ...". */
const char *cmsedge_calls_verdict(const struct cmsedge_calls *c, unsigned call, char *buf,
                                  size_t len);
/* The client's role keyword, "unconfigured" for a client in no role. */
const char *cmsedge_calls_client_role(const struct cmsedge_allocation *al);
/* "address:port", "[address]:port" for IPv6. */
void cmsedge_calls_endpoint(const struct cmsedge_endpoint *e, char *buf, size_t len);

/* The forms other than text (cmsedge_calls_write picks one). */
void cmsedge_calls_write_csv(const struct cmsedge_calls *c, GString *out);
void cmsedge_calls_write_json(const struct cmsedge_calls *c, GString *out);

#endif
