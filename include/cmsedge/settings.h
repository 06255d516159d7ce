/* cmsedge: the deployment settings that decide which ports the reference means.
 *
 * Defaults are the reference's own: they come from tables/port-reference.tsv through the
 * generated header, never from numbers written here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_SETTINGS_H
#define CMSEDGE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cmsedge_size {
    CMSEDGE_SIZE_SMALL = 0,
    CMSEDGE_SIZE_MEDIUM,
    CMSEDGE_SIZE_LARGE,
    CMSEDGE_SIZE_COUNT
};

#define CMSEDGE_MAX_TRAVERSAL_ZONES 64

/* Expressway releases the footnotes name (cmsedge_version_parse() form). */
#define CMSEDGE_VERSION_X8_11 81100u /* fn 4: TURN and web app signaling share TCP 443 */

struct cmsedge_port_range {
    uint16_t lo, hi;
};

struct cmsedge_settings {
    enum cmsedge_size size;
    unsigned traversal_zones;           /* 1 means only the first zone port */
    bool demux_ports;                   /* "Use configured demultiplexing ports" (Small/Medium) */
    struct cmsedge_port_range relay;    /* Expressway-E TURN relay range */
    struct cmsedge_port_range ms_media; /* Meeting Server media range */
    uint16_t turn_tcp_port;             /* TURN TCP override port; 0 = not configured */
    uint16_t admin_port;                /* Expressway-E web administration port */
    bool mra;                           /* deployment coexists with MRA */
    uint32_t version; /* Expressway version, cmsedge_version_parse(); 0 = unknown */
};

void cmsedge_settings_defaults(struct cmsedge_settings *s);

const char *cmsedge_size_keyword(enum cmsedge_size size);
bool cmsedge_size_parse(const char *text, enum cmsedge_size *size);

/* "X12.5.3", "x8.11", "12.5" -> 120503, 81100, 120500. False on bad text (err filled). */
bool cmsedge_version_parse(const char *text, uint32_t *version, char *err, size_t errlen);
void cmsedge_version_format(uint32_t version, char *buf, size_t len);

#endif
