/* cmsedge: quoting text for the CSV and JSON forms of the audit and the firewall verdict
 * (internal to the core).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_TEXT_ESCAPE_H
#define CMSEDGE_TEXT_ESCAPE_H

#include <glib.h>
#include <stdbool.h>

/* One CSV field (RFC 4180: quoted when needed, quotes doubled), then ',' or, when last, '\n'. */
void cmsedge_csv_field(GString *out, const char *text, bool last);

/* A JSON string: quotes and backslashes escaped, control characters as \u00XX; other bytes as
 * they are (the texts are ASCII or UTF-8 already). */
void cmsedge_json_string(GString *out, const char *text);

#endif
