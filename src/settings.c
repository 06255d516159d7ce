/* cmsedge: deployment settings, their defaults and their sanity checks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/settings.h"

#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge_generated.h"

static const char *const size_keywords[CMSEDGE_SIZE_COUNT] = {"small", "medium", "large"};

void cmsedge_settings_defaults(struct cmsedge_settings *s)
{
    memset(s, 0, sizeof *s);
    s->size = CMSEDGE_SIZE_SMALL;
    s->traversal_zones = 1;
    s->demux_ports = true;
    s->relay.lo = CMSEDGE_DEFAULT_RELAY_LO;
    s->relay.hi = CMSEDGE_DEFAULT_RELAY_HI;
    s->ms_media.lo = CMSEDGE_DEFAULT_MS_MEDIA_LO;
    s->ms_media.hi = CMSEDGE_DEFAULT_MS_MEDIA_HI;
    s->turn_tcp_port = 0;
    s->admin_port = CMSEDGE_DEFAULT_ADMIN_PORT;
    s->mra = false;
    s->version = 0;
}

const char *cmsedge_size_keyword(enum cmsedge_size size)
{
    return (unsigned)size < CMSEDGE_SIZE_COUNT ? size_keywords[size] : "small";
}

bool cmsedge_size_parse(const char *text, enum cmsedge_size *size)
{
    for (int i = 0; i < CMSEDGE_SIZE_COUNT; i++) {
        if (text && g_ascii_strcasecmp(text, size_keywords[i]) == 0) {
            *size = (enum cmsedge_size)i;
            return true;
        }
    }
    return false;
}

static bool parse_uint(const char **p, unsigned long max, unsigned long *out)
{
    char *end;
    if (!isdigit((unsigned char)**p))
        return false;
    *out = strtoul(*p, &end, 10);
    if (*out > max)
        return false;
    *p = end;
    return true;
}

bool cmsedge_version_parse(const char *text, uint32_t *version, char *err, size_t errlen)
{
    unsigned long major, minor = 0, patch = 0;
    const char *p = text ? text : "";

    while (isspace((unsigned char)*p))
        p++;
    if (*p == 'X' || *p == 'x')
        p++;
    bool ok = parse_uint(&p, 99, &major) && major > 0;
    if (ok && *p == '.') {
        p++;
        ok = parse_uint(&p, 99, &minor);
        if (ok && *p == '.') {
            p++;
            ok = parse_uint(&p, 99, &patch);
        }
    }
    while (ok && isspace((unsigned char)*p))
        p++;
    if (!ok || *p != '\0') {
        snprintf(err, errlen, "'%s': not an Expressway version (expected e.g. X12.5.3)",
                 text ? text : "");
        return false;
    }
    *version = (uint32_t)(major * 10000 + minor * 100 + patch);
    return true;
}

void cmsedge_version_format(uint32_t version, char *buf, size_t len)
{
    if (version == 0)
        snprintf(buf, len, "unknown");
    else
        snprintf(buf, len, "X%u.%u.%u", version / 10000, version / 100 % 100, version % 100);
}
