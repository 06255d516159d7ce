/* cmsedge: checks on flows, which one frame alone cannot decide.
 *
 * A tracker follows the flows of one capture in frame order and reports, on the frame where it
 * becomes visible:
 *   - blocked: a TCP SYN to a documented port retransmitted (a SYN of the same flow with the
 *     same sequence number) with no answer, or refused with a RST; an ICMP unreachable for UDP
 *     to a documented port;
 *   - latching: Expressway-E sending Assent media to an endpoint before receiving any from it,
 *     or to a port other than the one it last received from;
 *   - turn: an Allocate answered with a relayed port outside the relay range, or repeated
 *     401/438 errors with no success;
 *   - relays idle: footnote 6, a Meeting Server relaying media through the TURN port while the
 *     relay ports have carried nothing;
 *   - public TURN: a Meeting Server sending TURN to the Expressway-E public address when its
 *     private address is known.
 * Only judged flows (an edge host takes part) are checked. Each finding is reported once per
 * flow. Translating firewalls between Expressway-C and Expressway-E are a per-frame verdict
 * (cmsedge_verdict.translated_source).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_CHECKS_H
#define CMSEDGE_CHECKS_H

#include <stddef.h>

#include "cmsedge/classify.h"
#include "cmsedge/facts.h"

/* Error responses to Allocate, without a success, that make "repeated" (RFC 5766 clients
 * normally see one 401 before authenticating, and a 438 when a nonce goes stale). */
#define CMSEDGE_TURN_ERRORS_REPEATED 3

struct cmsedge_tracker;

struct cmsedge_tracker *cmsedge_tracker_new(void);
void cmsedge_tracker_free(struct cmsedge_tracker *t);
void cmsedge_tracker_reset(struct cmsedge_tracker *t);

/* Follows one frame, given its flow (with roles), its verdict and facts. private_e_known: an
 * Expressway-E private address is configured or inferred. Fills report with what this frame
 * shows; call once per frame, in frame order. For ICMP errors, flow is the quoted packet's. */
void cmsedge_tracker_observe(struct cmsedge_tracker *t, const struct cmsedge_settings *s,
                             const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                             const struct cmsedge_facts *facts, bool private_e_known,
                             struct cmsedge_findings *report);

/* Flows the tracker holds state for: bounded by the judged flows of the capture. */
size_t cmsedge_tracker_flows(const struct cmsedge_tracker *t);

#endif
