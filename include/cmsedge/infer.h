/* cmsedge: host roles inferred from what a capture shows, when nobody configured them.
 *
 * Evidence is a frame matching a documented row whose ports are Expressway-specific on both
 * ends: no open-ended cell (">=1024", "Ephemeral") on either side and a multi-port range on at
 * least one (the traversal zone port from 25000-29999, the SSH tunnel from 30000-35999, Assent
 * media from 36000-59999, relay to relay, Meeting Server media to the relays...), or a TURN
 * Allocate answer whose relayed port lies in the relay range. Generic services (TURN on 3478,
 * SIP on 5060, HTTPS on 443) are never evidence on their own, so a plain TURN server, a Teams or
 * Webex capture or a SIP trunk does not become an Expressway.
 *
 * A host gets a role once two distinct flows agree on it. The role applies to frames after the
 * one that completed the evidence: inference is a function of frame order only, so one pass,
 * two passes and re-dissection in the GUI see the same roles on every frame.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_INFER_H
#define CMSEDGE_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "cmsedge/classify.h"
#include "cmsedge/facts.h"

/* Distinct flows that must agree before a host gets a role. */
#define CMSEDGE_INFER_FLOWS 2

struct cmsedge_inferred {
    struct cmsedge_addr addr;
    enum cmsedge_role role;
    uint32_t since;                                      /* frame that completed the evidence */
    uint32_t frames[CMSEDGE_INFER_FLOWS];                /* first frame of each agreeing flow */
    const struct cmsedge_row *rows[CMSEDGE_INFER_FLOWS]; /* row each of them matched */
    char evidence[200]; /* "T1-05 SIP signaling (frame 3); T1-04 SSH tunnels ... (frame 9)" */
};

struct cmsedge_infer;

struct cmsedge_infer *cmsedge_infer_new(void);
void cmsedge_infer_free(struct cmsedge_infer *in);
/* Forgets everything: a new capture file. */
void cmsedge_infer_reset(struct cmsedge_infer *in);

/* Takes one frame's evidence. Call once per frame, in frame order, with the verdict the frame
 * got; ends whose role is already known (flow->src_role/dst_role) are not inferred. */
void cmsedge_infer_observe(struct cmsedge_infer *in, const struct cmsedge_settings *s,
                           const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                           const struct cmsedge_facts *facts);

/* The role inferred for addr by the frames before `frame`, or NULL. */
const struct cmsedge_inferred *cmsedge_infer_lookup(const struct cmsedge_infer *in,
                                                    const struct cmsedge_addr *addr,
                                                    uint32_t frame);

/* Inferred hosts, in the order they were inferred. */
size_t cmsedge_infer_count(const struct cmsedge_infer *in);
const struct cmsedge_inferred *cmsedge_infer_at(const struct cmsedge_infer *in, size_t i);

/* Is any host inferred with this role by the frames before `frame`? */
bool cmsedge_infer_has_role(const struct cmsedge_infer *in, enum cmsedge_role role, uint32_t frame);

#endif
