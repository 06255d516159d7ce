/* cmsedge: one capture file, and everything the core says about each of its frames.
 *
 * The plugin reads a frame into struct cmsedge_frame and calls cmsedge_capture_annotate(); the
 * annotation it gets back is all a user sees: the purpose, the matching rows, the roles of both
 * hosts and where they come from (configured, inferred, unconfigured), whether the frame is
 * judged, the off-spec verdict and its reason, the findings (footnote rules and per-flow checks)
 * and the hosts whose role this frame completed the evidence for. The plugin renders it and
 * decides nothing.
 *
 * State that follows frames (inferred roles, per-flow checks) moves only on the first pass, in
 * frame order; what the first pass found for a frame is kept, so later passes (tshark -2, GUI
 * re-dissection) get the same annotation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_CAPTURE_H
#define CMSEDGE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/classify.h"
#include "cmsedge/facts.h"
#include "cmsedge/finding.h"
#include "cmsedge/hostmap.h"
#include "cmsedge/infer.h"
#include "cmsedge/services.h"
#include "cmsedge/sip.h"

/* One frame as the plugin reads it. */
struct cmsedge_frame {
    struct cmsedge_facts facts; /* frame number, time, length, TCP flags, ICMP, STUN */
    unsigned transport;         /* CMSEDGE_TRANSPORT_UDP or _TCP */
    struct cmsedge_addr src, dst;
    uint16_t sport, dport; /* for an ICMP error: the quoted packet's ports */
    int hint;              /* what the payload is: enum cmsedge_hint or enum cmsedge_app */
    /* a clear-text SIP message whole in the frame (first pass only: the calls follow it), or
     * NULL; src/calls_traversal.c ties a traversal call's hops and media with it */
    const struct cmsedge_sip_info *sip;
};

/* A host as the annotation shows it. */
struct cmsedge_host_view {
    enum cmsedge_role role; /* CMSEDGE_ROLE_NONE when nobody knows */
    enum cmsedge_role_origin origin;
    const char *name;                        /* from cmsedge_hosts, or NULL */
    const struct cmsedge_inferred *inferred; /* with CMSEDGE_ORIGIN_INFERRED */
};

/* Why a frame is off-spec. */
enum cmsedge_offspec {
    CMSEDGE_OFFSPEC_NONE = 0,
    CMSEDGE_OFFSPEC_NEAR_MISS, /* a documented flow off by one port, transport or interface */
    CMSEDGE_OFFSPEC_FOOTNOTE,  /* a footnote rule warns */
    CMSEDGE_OFFSPEC_CHECK,     /* a per-flow check warns */
};

#define CMSEDGE_MAX_NEW_ROLES 4

struct cmsedge_annotation {
    bool shown;      /* the frame concerns the reference: render it */
    bool icmp_error; /* an ICMP error quoting a packet of a documented flow */
    bool traffic;    /* the frame is traffic of its flow (false for an ICMP error about it) */
    struct cmsedge_flow flow; /* the frame's flow (for an ICMP error the quoted one), with roles */
    struct cmsedge_host_view src, dst;
    struct cmsedge_verdict verdict;       /* matching rows best first, judged, near miss */
    struct cmsedge_service_match service; /* another documented service, when no row matched */
    /* the best row's purpose, with its traversal zone; "" when none. It points at the row's own
     * words (most frames: nothing copied) or, for a zone, at purpose_zone */
    const char *purpose;
    char purpose_zone[176];
    struct cmsedge_findings findings; /* footnote rules first, then per-flow checks */
    enum cmsedge_offspec offspec;
    const char *offspec_reason; /* points into verdict or findings; NULL when not off-spec */
    size_t n_new_roles;         /* hosts whose role this frame completed the evidence for */
    const struct cmsedge_inferred *new_roles[CMSEDGE_MAX_NEW_ROLES];
    enum cmsedge_role new_roles_as[CMSEDGE_MAX_NEW_ROLES]; /* the role each has from the next
                                                              frame on */
};

struct cmsedge_capture;

struct cmsedge_capture *cmsedge_capture_new(void);
void cmsedge_capture_free(struct cmsedge_capture *c);
/* Forgets every frame: a new capture file, or new settings (they are re-read from here on). */
void cmsedge_capture_reset(struct cmsedge_capture *c);
/* What the capture is judged against; both must outlive their use. infer_roles: infer the roles
 * of hosts missing from `hosts`. */
void cmsedge_capture_configure(struct cmsedge_capture *c, const struct cmsedge_settings *s,
                               const struct cmsedge_hostmap *hosts, bool infer_roles);

/* The per-frame entry point. first_pass: the frame is seen for the first time in this file
 * (frames must then come in order); otherwise what the first pass found is read back. Fills
 * *a and returns a->shown. */
bool cmsedge_capture_annotate(struct cmsedge_capture *c, const struct cmsedge_frame *frame,
                              bool first_pass, struct cmsedge_annotation *a);

/* Media on the wide documented ranges (relays, traversal media, Meeting Server media) is looked
 * for only where an edge host, configured or inferred before `frame`, takes part: between
 * strangers those ports are any client's ephemeral ports. */
bool cmsedge_capture_expects_media(struct cmsedge_capture *c, const struct cmsedge_addr *a,
                                   const struct cmsedge_addr *b, uint32_t frame);

/* The hosts inferred so far (NULL when inference is off), for the audit. */
const struct cmsedge_infer *cmsedge_capture_inferred(const struct cmsedge_capture *c);
#endif
