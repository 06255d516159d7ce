/* cmsedge: the edge audit, a whole capture held against the port reference.
 *
 * For each documented row of each table: the flows seen (hosts, ports, frames, bytes, first
 * and last time); the off-spec flows with their reasons; what the per-flow checks found
 * (blocked attempts first); and the rows with no traffic. Written as text for people, or as
 * CSV or JSON for scripts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_AUDIT_H
#define CMSEDGE_AUDIT_H

#include <glib.h>

#include "cmsedge/capture.h"
#include "cmsedge/checks.h"
#include "cmsedge/classify.h"
#include "cmsedge/facts.h"
#include "cmsedge/infer.h"

enum cmsedge_audit_format { CMSEDGE_AUDIT_TEXT = 0, CMSEDGE_AUDIT_CSV, CMSEDGE_AUDIT_JSON };

/* "text", "csv", "json"; false if unknown. */
bool cmsedge_audit_format_parse(const char *text, enum cmsedge_audit_format *format);

/* Flows listed per row in the text form (CSV and JSON list them all). */
#define CMSEDGE_AUDIT_TEXT_FLOWS 8

struct cmsedge_audit;

struct cmsedge_audit *cmsedge_audit_new(void);
void cmsedge_audit_free(struct cmsedge_audit *a);
void cmsedge_audit_reset(struct cmsedge_audit *a);

/* Counts one annotated frame. */
void cmsedge_audit_add(struct cmsedge_audit *a, const struct cmsedge_annotation *ann,
                       const struct cmsedge_facts *facts);

/* infer: the hosts whose roles were inferred (listed with their evidence), or NULL. */
void cmsedge_audit_write(const struct cmsedge_audit *a, const struct cmsedge_settings *s,
                         const struct cmsedge_infer *infer, enum cmsedge_audit_format format,
                         GString *out);

#endif
