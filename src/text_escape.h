/* cmsedge: the words naming the forms of the reports, and quoting text for their CSV and JSON
 * forms (internal to the core).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_TEXT_ESCAPE_H
#define CMSEDGE_TEXT_ESCAPE_H

#include <glib.h>
#include <stdbool.h>

/* The index of text (any case) in names[0 .. n), or -1 when it is none of them (or NULL):
 * the formats a report's -z argument names. */
int cmsedge_format_index(const char *text, const char *const *names, unsigned n);

/* One CSV field (RFC 4180: quoted when needed, quotes doubled), then ',' or, when last, '\n'. */
void cmsedge_csv_field(GString *out, const char *text, bool last);

/* A JSON string: quotes and backslashes escaped, control characters as \u00XX; other bytes as
 * they are (the texts are ASCII or UTF-8 already). */
void cmsedge_json_string(GString *out, const char *text);

#endif
