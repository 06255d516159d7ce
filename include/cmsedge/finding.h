/* cmsedge: what the core found about a frame beyond which rows it matches.
 *
 * Footnote rules (a footnote of the reference applies or is violated) and per-flow checks
 * (blocked, Assent latching, TURN, idle relays, public TURN) are one model: a finding has a
 * kind, a severity, the row (and footnote) it concerns and a sentence for the user. The plugin
 * renders them; the audit counts them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FINDING_H
#define CMSEDGE_FINDING_H

#include <stddef.h>
#include <stdint.h>

struct cmsedge_row;

enum cmsedge_finding_kind {
    CMSEDGE_FINDING_FOOTNOTE = 0, /* a footnote rule of the reference */
    CMSEDGE_FINDING_BLOCKED,      /* SYN unanswered, RST, ICMP unreachable */
    CMSEDGE_FINDING_LATCHING,     /* Assent latching */
    CMSEDGE_FINDING_TURN,         /* relayed port outside the range, repeated errors */
    CMSEDGE_FINDING_IDLE_RELAYS,  /* footnote 6: media through the TURN port */
    CMSEDGE_FINDING_PUBLIC_TURN,  /* Meeting Server TURN to the public address */
    CMSEDGE_FINDING_COUNT
};

enum cmsedge_severity { CMSEDGE_NOTE = 0, CMSEDGE_WARNING = 1 };

struct cmsedge_finding {
    uint8_t kind;                  /* enum cmsedge_finding_kind */
    uint8_t severity;              /* enum cmsedge_severity */
    uint8_t footnote;              /* footnote of the reference (1-6), 0 for none */
    const struct cmsedge_row *row; /* the row it concerns, or NULL */
    char text[224];
};

#define CMSEDGE_MAX_FINDINGS 8

struct cmsedge_findings {
    size_t n;
    struct cmsedge_finding items[CMSEDGE_MAX_FINDINGS];
};

/* Appends a finding (dropped when the list is full: the first ones matter most). */
void cmsedge_findings_add(struct cmsedge_findings *list, enum cmsedge_finding_kind kind,
                          enum cmsedge_severity severity, unsigned footnote,
                          const struct cmsedge_row *row, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Copies the list's n findings, and nothing of the unused items: a whole list is some 1,900
 * bytes, copied on every frame it would cost more cache lines than the rest of the frame's
 * annotation. */
void cmsedge_findings_copy(struct cmsedge_findings *dst, const struct cmsedge_findings *src);

/* The first warning of the list, or NULL. */
const struct cmsedge_finding *cmsedge_findings_first_warning(const struct cmsedge_findings *list);

/* "footnote", "blocked", "latching", "turn", "relays-idle", "public-turn" */
const char *cmsedge_finding_keyword(enum cmsedge_finding_kind kind);

#endif
