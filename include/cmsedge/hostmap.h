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
/* A number that changes whenever an entry is added or the map is cleared: a caller that keeps
 * lookups keeps them for one generation of one map. */
unsigned cmsedge_hostmap_generation(const struct cmsedge_hostmap *map);

/* Adds "address or CIDR" -> role keyword, with an optional display name. Returns false and a
 * message fit for a user in err on bad input; the map is then unchanged. */
bool cmsedge_hostmap_add_text(struct cmsedge_hostmap *map, const char *cidr, const char *role,
                              const char *name, enum cmsedge_role_origin origin, char *err,
                              size_t errlen);
bool cmsedge_hostmap_add(struct cmsedge_hostmap *map, const struct cmsedge_prefix *prefix,
                         enum cmsedge_role role, const char *name, enum cmsedge_role_origin origin);

/* One line of a cmsedge_hosts file as Wireshark's UAT writes it ("address","role","name", with
 * \xHH escapes) or as people write it by hand (unquoted fields, spaces around them, a header
 * line). */
enum cmsedge_hosts_line {
    CMSEDGE_HOSTS_LINE_ROW,      /* a good row: fields filled */
    CMSEDGE_HOSTS_LINE_UNQUOTED, /* a good row written without quotes: fields filled */
    CMSEDGE_HOSTS_LINE_BLANK,    /* empty or a # comment */
    CMSEDGE_HOSTS_LINE_HEADER,   /* address,role,name: column names, not a row */
    CMSEDGE_HOSTS_LINE_BAD,      /* err says why */
};
#define CMSEDGE_HOSTS_FIELD 128
enum cmsedge_hosts_line cmsedge_hosts_line_parse(const char *line,
                                                 char fields[3][CMSEDGE_HOSTS_FIELD], char *err,
                                                 size_t errlen);
/* Checks a row's three fields as the table does (address or prefix, role keyword, name
 * length); false with a message in err. */
bool cmsedge_hosts_row_check(const char *address, const char *role, const char *name, char *err,
                             size_t errlen);

/* The most specific entry covering addr, or NULL. */
const struct cmsedge_host *cmsedge_hostmap_lookup(const struct cmsedge_hostmap *map,
                                                  const struct cmsedge_addr *addr);

/* Does any entry carry this role? */
bool cmsedge_hostmap_has_role(const struct cmsedge_hostmap *map, enum cmsedge_role role);

/* Calls fn for every entry, in no particular order (the firewall verdict sorts them). */
typedef void (*cmsedge_host_fn)(const struct cmsedge_host *host, void *user);
void cmsedge_hostmap_foreach(const struct cmsedge_hostmap *map, cmsedge_host_fn fn, void *user);

#endif
