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

#include <glib.h>

#include "cmsedge/calls.h"

/* Beyond these many legs or dialogs a capture's further ones are not followed. */
#define CMSEDGE_CALLS_MAX_LEGS    16384
#define CMSEDGE_CALLS_MAX_DIALOGS 4096

struct cmsedge_calls {
    struct cmsedge_allocation *allocs;
    size_t n_allocs, cap_allocs;
    /* the newest allocation of a client and server, and of a relayed address: fingerprint
     * (calls.c) -> index + 1, checked against the allocation on every hit */
    GHashTable *alloc_by_pair, *alloc_by_relay;
    /* one bit per port: some allocation's server has it, some relayed address has it. Most
     * frames are neither, and these answer that without hashing the frame's ends */
    uint8_t server_ports[65536 / 8], relay_ports[65536 / 8];
    struct cmsedge_leg *legs;
    size_t n_legs, cap_legs;
    /* the newest leg between two ends, either way round: fingerprint of the unordered pair
     * (calls.c) -> index + 1, checked against the leg on every hit, so that finding a frame's
     * leg does not walk every leg of the capture */
    GHashTable *leg_by_ends;
    struct cmsedge_call *calls; /* calls[i] has id i + 1 */
    size_t n_calls, cap_calls;
    /* traversal calls (calls_traversal.c) */
    struct cmsedge_dialog *dialogs; /* dialogs[i] has id i + 1 */
    size_t n_dialogs, cap_dialogs;
    GHashTable *dialog_index; /* hop and Call-ID -> dialog id */
    GHashTable *leg_index;    /* kind, dialog and ends -> leg id, of traversal legs */
    GHashTable *sdp_index;    /* an end an SDP named -> the last dialog naming it */
    unsigned *recent;         /* legs of signalling-less calls, in order: timing ties */
    size_t n_recent, cap_recent;
    bool two_way; /* some traversal leg carries packets both ways */
};

bool cmsedge_calls_grow(void **items, size_t *cap, size_t need, size_t size);
/* The reference row a frame matched (not off-spec), or NULL; its id, a leg's rule. */
const struct cmsedge_row *cmsedge_calls_matched_row(const struct cmsedge_annotation *a);
const char *cmsedge_calls_rule(const struct cmsedge_annotation *a);
bool cmsedge_endpoints_equal(const struct cmsedge_endpoint *a, const struct cmsedge_endpoint *b);
/* A new call or leg, or NULL when memory or the bound ran out. */
struct cmsedge_call *cmsedge_calls_new_call(struct cmsedge_calls *c, uint32_t frame);
struct cmsedge_leg *cmsedge_calls_new_leg(struct cmsedge_calls *c, enum cmsedge_leg_kind kind,
                                          unsigned call, const struct cmsedge_endpoint *src,
                                          const struct cmsedge_endpoint *dst, uint32_t frame);

/* Traversal calls (calls_traversal.c): the state's life, the frames no web-app join took, and
 * a traversal call's verdict (NULL when nothing is missing or one-way). */
bool cmsedge_traversal_init(struct cmsedge_calls *c);
void cmsedge_traversal_reset(struct cmsedge_calls *c);
void cmsedge_traversal_free(struct cmsedge_calls *c);
bool cmsedge_traversal_feed(struct cmsedge_calls *c, const struct cmsedge_frame *fr,
                            const struct cmsedge_annotation *a, struct cmsedge_call_ref *ref);
const char *cmsedge_traversal_problem(const struct cmsedge_calls *c, unsigned call, char *buf,
                                      size_t len);
/* "complete: ..." for a traversal call with nothing missing. */
const char *cmsedge_traversal_complete(const struct cmsedge_calls *c, unsigned call, char *buf,
                                       size_t len);
/* How the call's parts were tied: "Call-ID, SDP", "timing"..., and the confidence that gives:
 * "high" when only Call-IDs and SDP tie it, "medium" when RTP/RTCP port pairing does too,
 * "low" when timing does; "" and NULL when nothing ties parts (one part in the capture). */
/* The ties used in a traversal call: bit (1 << enum cmsedge_tie), CMSEDGE_TIE_NONE left out. */
unsigned cmsedge_traversal_ties(const struct cmsedge_calls *c, unsigned call);
void cmsedge_traversal_evidence(const struct cmsedge_calls *c, unsigned call, char *buf, size_t len,
                                const char **confidence);
/* Of one final call, its dialogs in id order (start with *at = 0; NULL after the last). */
const struct cmsedge_dialog *cmsedge_calls_next_dialog(const struct cmsedge_calls *c, unsigned call,
                                                       size_t *at);

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
