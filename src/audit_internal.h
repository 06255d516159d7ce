/* cmsedge: the edge audit inside, between its counting (audit.c) and its writers
 * (audit_text.c, audit_csv.c, audit_json.c). Not installed: the public face is
 * include/cmsedge/audit.h.
 *
 * audit.c turns what it counted into one read-only view per write: the flows sorted once,
 * split into each row's flows and the off-spec ones, and the findings of the per-flow checks
 * merged with what only the whole capture shows, by frame. The writers only read the view, so
 * the three forms cannot disagree on order or content.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_AUDIT_INTERNAL_H
#define CMSEDGE_AUDIT_INTERNAL_H

#include "cmsedge/audit.h"

/* A flow as one row sees it: its source end is the row's source. Also the key of the table,
 * hence memset before filling (padding takes part in hashing). */
struct cmsedge_audit_key {
    struct cmsedge_addr src, dst;
    uint16_t sport, dport;
    uint16_t row; /* index in cmsedge_rows, or UINT16_MAX for an off-spec flow */
    uint8_t transport;
};

struct cmsedge_audit_flow {
    struct cmsedge_audit_key key;
    uint8_t src_role, dst_role; /* roles the ends play */
    uint64_t frames, bytes;
    double first, last;
    uint32_t first_frame;
    char reason[256]; /* off-spec flows: the first frame's reason */
};

struct cmsedge_audit_check {
    uint32_t frame;
    double time;
    struct cmsedge_finding finding;
};

/* One row of cmsedge_rows as the capture shows it. */
struct cmsedge_audit_row {
    guint first, n;         /* its flows: view->flows[first .. first + n) */
    uint64_t frames, bytes; /* summed over those flows */
    bool idle;              /* no flow, yet the row applies to the deployment size */
};

/* Each array holds its n_ entries, and may be NULL when there are none. */
struct cmsedge_audit_view {
    uint64_t frames, judged, offspec_frames; /* frames annotated, judged, off-spec */
    /* the documented flows, by row then first frame */
    const struct cmsedge_audit_flow *const *flows;
    guint n_flows;
    const struct cmsedge_audit_row *rows; /* cmsedge_n_rows of them */
    unsigned n_idle;                      /* rows with idle set */
    /* the off-spec flows, by first frame */
    const struct cmsedge_audit_flow *const *offspec;
    guint n_offspec;
    /* what the per-flow checks said on their frames, and what only the whole capture shows,
     * by frame */
    const struct cmsedge_audit_check *checks;
    guint n_checks;
};

/* The writers, one per form; cmsedge_audit_write() builds the view and picks one. */
void cmsedge_audit_write_text(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                              const struct cmsedge_infer *infer, GString *out);
void cmsedge_audit_write_csv(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                             const struct cmsedge_infer *infer, GString *out);
void cmsedge_audit_write_json(const struct cmsedge_audit_view *v, const struct cmsedge_settings *s,
                              const struct cmsedge_infer *infer, GString *out);

/* Words the writers share (audit_strings.c), so a keyword reads the same in every form. */
const char *cmsedge_audit_transport(unsigned transport);                   /* "tcp", "udp" */
const char *cmsedge_audit_role(uint8_t role);                              /* the role's keyword */
const char *cmsedge_audit_check_kind(const struct cmsedge_audit_check *c); /* "blocked", ... */
const char *cmsedge_audit_severity(const struct cmsedge_audit_check *c);   /* "warning", "note" */
/* Appends what a row documents for its two ends under s:
 * "Expressway-C 25000-29999 -> Expressway-E 7001, TCP or TLS". */
void cmsedge_audit_row_ports(GString *out, const struct cmsedge_row *row,
                             const struct cmsedge_settings *s);

#endif
