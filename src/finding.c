/* cmsedge: the findings list (see include/cmsedge/finding.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const keywords[CMSEDGE_FINDING_COUNT] = {
    [CMSEDGE_FINDING_FOOTNOTE] = "footnote",       [CMSEDGE_FINDING_BLOCKED] = "blocked",
    [CMSEDGE_FINDING_LATCHING] = "latching",       [CMSEDGE_FINDING_TURN] = "turn",
    [CMSEDGE_FINDING_IDLE_RELAYS] = "relays-idle", [CMSEDGE_FINDING_PUBLIC_TURN] = "public-turn",
};

const char *cmsedge_finding_keyword(enum cmsedge_finding_kind kind)
{
    return (unsigned)kind < CMSEDGE_FINDING_COUNT ? keywords[kind] : "unknown";
}

void cmsedge_findings_copy(struct cmsedge_findings *dst, const struct cmsedge_findings *src)
{
    size_t n = src->n <= CMSEDGE_MAX_FINDINGS ? src->n : CMSEDGE_MAX_FINDINGS;
    dst->n = n;
    memcpy(dst->items, src->items, n * sizeof src->items[0]);
}

void cmsedge_findings_add(struct cmsedge_findings *list, enum cmsedge_finding_kind kind,
                          enum cmsedge_severity severity, unsigned footnote,
                          const struct cmsedge_row *row, const char *fmt, ...)
{
    if (list->n >= CMSEDGE_MAX_FINDINGS)
        return;
    struct cmsedge_finding *fd = &list->items[list->n++];
    va_list ap;
    fd->kind = (uint8_t)kind;
    fd->severity = (uint8_t)severity;
    fd->footnote = (uint8_t)footnote;
    fd->row = row;
    va_start(ap, fmt);
    vsnprintf(fd->text, sizeof fd->text, fmt, ap);
    va_end(ap);
}

const struct cmsedge_finding *cmsedge_findings_first_warning(const struct cmsedge_findings *list)
{
    for (size_t i = 0; i < list->n; i++) {
        if (list->items[i].severity == CMSEDGE_WARNING)
            return &list->items[i];
    }
    return NULL;
}
