/* cmsedge: format names, CSV and JSON quoting (see src/text_escape.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "text_escape.h"

#include <string.h>

int cmsedge_format_index(const char *text, const char *const *names, unsigned n)
{
    for (unsigned i = 0; text && i < n; i++)
        if (g_ascii_strcasecmp(text, names[i]) == 0)
            return (int)i;
    return -1;
}

void cmsedge_csv_field(GString *out, const char *text, bool last)
{
    if (strpbrk(text, ",\"\n")) {
        g_string_append_c(out, '"');
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                g_string_append_c(out, '"');
            g_string_append_c(out, *p);
        }
        g_string_append_c(out, '"');
    } else {
        g_string_append(out, text);
    }
    g_string_append_c(out, last ? '\n' : ',');
}

void cmsedge_json_string(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            g_string_append_printf(out, "\\u%04x", *p);
        else
            g_string_append_c(out, (char)*p);
    }
    g_string_append_c(out, '"');
}
