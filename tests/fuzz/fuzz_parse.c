/* libFuzzer harness: every parser of user text in the core (addresses and CIDR prefixes, role
 * keywords, host map rows, versions, port ranges, sizes).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/hostmap.h"
#include "cmsedge/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* three NUL-terminated strings cut from the input at '\n' */
    char *copy = malloc(size + 1);
    char *field[3] = {"", "", ""};
    char err[256];
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *p = copy;
    for (int i = 0; i < 3 && p; i++) {
        field[i] = p;
        p = strchr(p, '\n');
        if (p)
            *p++ = '\0';
    }

    struct cmsedge_prefix prefix;
    if (cmsedge_prefix_parse(field[0], &prefix, err, sizeof err)) {
        char text[64];
        if (prefix.len > (prefix.addr.family == 4 ? 32 : 128))
            abort();
        cmsedge_addr_format(&prefix.addr, text, sizeof text);
        if (!cmsedge_prefix_contains(&prefix, &prefix.addr))
            abort();
    } else if (!memchr(err, 0, sizeof err)) {
        abort();
    }
    struct cmsedge_hostmap *map = cmsedge_hostmap_new();
    if (cmsedge_hostmap_add_text(map, field[0], field[1], field[2], CMSEDGE_ORIGIN_CONFIGURED, err,
                                 sizeof err)) {
        if (!cmsedge_hostmap_lookup(map, &prefix.addr))
            abort(); /* a prefix always covers its own network address */
    }
    cmsedge_hostmap_free(map);

    enum cmsedge_role role;
    cmsedge_role_parse(field[1], &role);
    uint32_t version;
    if (cmsedge_version_parse(field[0], &version, err, sizeof err)) {
        char text[32];
        cmsedge_version_format(version, text, sizeof text);
    }
    char row[3][CMSEDGE_HOSTS_FIELD];
    cmsedge_hosts_line_parse(field[0], row, err, sizeof err);
    enum cmsedge_size sz;
    cmsedge_size_parse(field[2], &sz);
    free(copy);
    return 0;
}
