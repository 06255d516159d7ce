/* cmsedge: host roles inferred from what a capture shows, when nobody configured them.
 *
 * Only evidence that ordinary software would not produce by chance counts (the "evidence"
 * column of tables/port-reference.tsv):
 *   - a frame of a "specific" row whose payload confirms it: ports pinned on both ends and
 *     an Expressway-only service port (the SSH tunnel on 2222 from 30000-35999, SIP or TLS on a
 *     traversal zone port from 25000-29999, Assent RTP/RTCP from 36000-59999 to the
 *     demultiplexing ports, relay to relay on one address);
 *   - a frame of an "anchored" row once the other host's role is known (the Webbridge pair:
 *     an Expressway-C's connections to port 443 name the Meeting Server);
 *   - a TURN allocation answered with a relayed port in the relay range whose relay then
 *     carries traffic.
 * Every documented reading of the frame must give the host the same role: ambiguity is no
 * evidence. A host gets a role once two distinct flows agree; generic services (TURN on 3478,
 * SIP on 5060/5061, HTTPS on 443, high ports that Linux or Windows pick as ephemeral) are never
 * evidence, so a laptop, a plain TURN server or a SIP trunk never becomes an Expressway.
 *
 * An inferred Expressway-E is one address until the capture shows two: the one with evidence
 * of the private interface (the SSH tunnel, relay to relay) is then expressway-e-private and
 * the other expressway-e-public; one address alone stays expressway-e, which fits both.
 *
 * A role applies to frames after the one that completed its evidence: inference is a function
 * of frame order only, so one pass, two passes and re-dissection in the GUI agree.
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
    enum cmsedge_role role;               /* as decided; Expressway-E without its interface */
    uint32_t since;                       /* frame that completed the evidence */
    uint32_t private_since;               /* first frame showing the private interface, or 0 */
    uint32_t frames[CMSEDGE_INFER_FLOWS]; /* first frame of each agreeing flow */
    char evidence[240]; /* "T1-05 SIP signaling (frame 3); T1-04 SSH tunnels ... (frame 9)" */
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

/* The host inferred for addr by the frames before `frame`, or NULL. */
const struct cmsedge_inferred *cmsedge_infer_lookup(const struct cmsedge_infer *in,
                                                    const struct cmsedge_addr *addr,
                                                    uint32_t frame);

/* The role an inferred host plays at `frame`: its decided role, with an Expressway-E's
 * interface once the capture has told the two apart. */
enum cmsedge_role cmsedge_infer_role_at(const struct cmsedge_infer *in,
                                        const struct cmsedge_inferred *inf, uint32_t frame);

/* The frame from which the host plays the role it ends the capture with (an Expressway-E's
 * interface may be told later than its role). */
uint32_t cmsedge_infer_final_since(const struct cmsedge_infer *in,
                                   const struct cmsedge_inferred *inf);

/* Inferred hosts, in the order they were inferred. */
size_t cmsedge_infer_count(const struct cmsedge_infer *in);
const struct cmsedge_inferred *cmsedge_infer_at(const struct cmsedge_infer *in, size_t i);

#endif
