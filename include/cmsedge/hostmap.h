/* cmsedge: which host plays which role, from addresses and CIDR prefixes.
 *
 * Longest prefix wins; a configured entry always beats an inferred one for the same address.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_HOSTMAP_H
#define CMSEDGE_HOSTMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "cmsedge/address.h"
#include "cmsedge/roles.h"

struct cmsedge_host {
    struct cmsedge_prefix prefix;
    enum cmsedge_role role;
    enum cmsedge_role_origin origin;
    char name[64];
};

struct cmsedge_hostmap;

struct cmsedge_hostmap *cmsedge_hostmap_new(void);
void cmsedge_hostmap_free(struct cmsedge_hostmap *map);
void cmsedge_hostmap_clear(struct cmsedge_hostmap *map);
size_t cmsedge_hostmap_size(const struct cmsedge_hostmap *map);

/* Adds "address or CIDR" -> role keyword, with an optional display name. Returns false and a
 * message fit for a user in err on bad input; the map is then unchanged. */
bool cmsedge_hostmap_add_text(struct cmsedge_hostmap *map, const char *cidr, const char *role,
                              const char *name, enum cmsedge_role_origin origin, char *err,
                              size_t errlen);
bool cmsedge_hostmap_add(struct cmsedge_hostmap *map, const struct cmsedge_prefix *prefix,
                         enum cmsedge_role role, const char *name, enum cmsedge_role_origin origin);

/* The most specific entry covering addr, or NULL. */
const struct cmsedge_host *cmsedge_hostmap_lookup(const struct cmsedge_hostmap *map,
                                                  const struct cmsedge_addr *addr);

/* Does any entry carry this role? */
bool cmsedge_hostmap_has_role(const struct cmsedge_hostmap *map, enum cmsedge_role role);

#endif
