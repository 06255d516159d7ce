/* cmsedge: which documented rows a flow matches, and why it is off-spec when it matches none.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_CLASSIFY_H
#define CMSEDGE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsedge/address.h"
#include "cmsedge/finding.h"
#include "cmsedge/reference.h"
#include "cmsedge/roles.h"
#include "cmsedge/settings.h"

/* What the frame's payload was seen to be. */
enum cmsedge_hint {
    CMSEDGE_HINT_FOREIGN = -3, /* a protocol the stock dissectors recognised that no row carries
                                  (DNS, NTP, LDAP, QUIC...): it contradicts every row */
    CMSEDGE_HINT_NONE = -2,    /* no payload (TCP handshake, empty datagram) or not looked at */
    CMSEDGE_HINT_OTHER = -1,   /* payload present, nothing recognised (raw data) */
    /* otherwise an enum cmsedge_app value */
};

struct cmsedge_flow {
    unsigned transport; /* CMSEDGE_TRANSPORT_UDP or _TCP */
    struct cmsedge_addr src, dst;
    uint16_t sport, dport;
    enum cmsedge_role src_role, dst_role; /* CMSEDGE_ROLE_NONE when unknown */
    int hint;                             /* enum cmsedge_hint or enum cmsedge_app */
};

struct cmsedge_match {
    const struct cmsedge_row *row;
    bool reverse;     /* the frame travels dst->src of the row (a reply) */
    uint8_t zone;     /* traversal zone number, 0 when the row has none */
    uint8_t footnote; /* footnote on the port element the row's service port matched */
    int8_t src_fit;   /* enum cmsedge_fit of the frame's source for its end of the row */
    int8_t dst_fit;   /* likewise for the frame's destination */
    uint8_t src_role; /* role the frame's source plays in the row */
    uint8_t dst_role; /* role the frame's destination plays in the row */
    bool translated;  /* an end matched through a NAT row's translated role */
    bool confirmed;   /* the payload is one the row names (not merely "any relayed media") */
};

/* Per-flow checks that a single frame cannot decide, raised for the flow tracker. */
#define CMSEDGE_CHECK_RELAYS_IDLE 0x1u /* fn 6: are the relay ports carrying anything? */

#define CMSEDGE_MAX_MATCHES 32

struct cmsedge_verdict {
    size_t n_matches;
    struct cmsedge_match matches[CMSEDGE_MAX_MATCHES]; /* best first */
    bool judged;    /* an edge host takes part, so the flow is judged */
    bool offspec;   /* judged and either a near miss or a footnote rule warns */
    bool unmatched; /* judged and no row matches */
    bool near_miss; /* unmatched, but recognisably one row's traffic off by one deviation */
    const struct cmsedge_row *nearest; /* with near_miss: the row it comes closest to */
    bool nearest_reverse;
    char reason[256];                 /* with near_miss: expected vs seen */
    bool translated_source;           /* unmatched only by the source port of an Expressway-C to
                                         Expressway-E row: a translating firewall between them? */
    struct cmsedge_findings findings; /* footnote rules */
    unsigned checks;                  /* CMSEDGE_CHECK_* the flow tracker should run */
};

/* The verdict reads the flow's addresses only through whether they are the same one: the flow
 * memo (flowmemo.h) keys flows without them, and unit.flowmemo checks that it holds. */
void cmsedge_classify(const struct cmsedge_settings *s, const struct cmsedge_flow *flow,
                      struct cmsedge_verdict *v);

/* The frame is known to be something else the guides document: no near miss after all (the
 * footnote rules' warnings stand). */
void cmsedge_verdict_clear_miss(struct cmsedge_verdict *v);

/* The frame's purpose as shown to users: the best match's purpose, with the traversal zone for
 * zone-indexed rows ("SIP signaling (traversal zone 1)"). "" when nothing matched. */
void cmsedge_match_label(const struct cmsedge_match *m, char *buf, size_t len);

/* Footnote rules (src/footnote_rules.c), applied by cmsedge_classify after matching. */
void cmsedge_apply_footnote_rules(const struct cmsedge_settings *s, const struct cmsedge_flow *flow,
                                  struct cmsedge_verdict *v);
void cmsedge_verdict_add_finding(struct cmsedge_verdict *v, unsigned footnote,
                                 enum cmsedge_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
