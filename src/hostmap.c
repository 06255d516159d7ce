/* cmsedge: the host map, addresses and prefixes to roles.
 *
 * Exact host entries (/32, /128) sit in a hash table, so the common case, a handful of named
 * servers, costs one hash lookup per address. Shorter prefixes are kept sorted longest first
 * and scanned; sites configure few of them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/hostmap.h"

#include "addr_table.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

struct cmsedge_hostmap {
    GHashTable *exact;   /* struct cmsedge_addr* -> struct cmsedge_host* (owns the host) */
    GPtrArray *prefixes; /* struct cmsedge_host*, longest prefix first */
    unsigned per_role[CMSEDGE_ROLE_COUNT]; /* entries with each role: has_role() per frame */
    unsigned generation;                   /* new on every change */
};

/* Generations are numbered across all maps, so that a new map at a freed one's address never
 * repeats the old one's number. */
static unsigned generations;

struct cmsedge_hostmap *cmsedge_hostmap_new(void)
{
    struct cmsedge_hostmap *map = g_new0(struct cmsedge_hostmap, 1);
    map->generation = ++generations;
    map->exact = cmsedge_addr_table_new(g_free);
    map->prefixes = g_ptr_array_new_with_free_func(g_free);
    return map;
}

void cmsedge_hostmap_free(struct cmsedge_hostmap *map)
{
    if (!map)
        return;
    g_hash_table_destroy(map->exact);
    g_ptr_array_free(map->prefixes, TRUE);
    g_free(map);
}

void cmsedge_hostmap_clear(struct cmsedge_hostmap *map)
{
    g_hash_table_remove_all(map->exact);
    g_ptr_array_set_size(map->prefixes, 0);
    memset(map->per_role, 0, sizeof map->per_role);
    map->generation = ++generations;
}

unsigned cmsedge_hostmap_generation(const struct cmsedge_hostmap *map)
{
    return map->generation;
}

size_t cmsedge_hostmap_size(const struct cmsedge_hostmap *map)
{
    return g_hash_table_size(map->exact) + map->prefixes->len;
}

static bool is_exact(const struct cmsedge_prefix *p)
{
    return p->len == (p->addr.family == 4 ? 32 : 128);
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
    const struct cmsedge_host *ha = *(const struct cmsedge_host *const *)a;
    const struct cmsedge_host *hb = *(const struct cmsedge_host *const *)b;
    return (int)hb->prefix.len - (int)ha->prefix.len;
}

/* An existing entry for the same prefix: configured beats inferred, and a later configured
 * entry replaces an earlier one (the last UAT row wins, as users expect when editing). */
static struct cmsedge_host *find_same(struct cmsedge_hostmap *map, const struct cmsedge_prefix *p)
{
    if (is_exact(p))
        return g_hash_table_lookup(map->exact, &p->addr);
    for (guint i = 0; i < map->prefixes->len; i++) {
        struct cmsedge_host *h = g_ptr_array_index(map->prefixes, i);
        if (h->prefix.len == p->len && cmsedge_addr_equal(&h->prefix.addr, &p->addr))
            return h;
    }
    return NULL;
}

bool cmsedge_hostmap_add(struct cmsedge_hostmap *map, const struct cmsedge_prefix *prefix,
                         enum cmsedge_role role, const char *name, enum cmsedge_role_origin origin)
{
    struct cmsedge_host *h = find_same(map, prefix);
    map->generation = ++generations;
    if (h) {
        if (h->origin == CMSEDGE_ORIGIN_CONFIGURED && origin != CMSEDGE_ORIGIN_CONFIGURED)
            return false;
        map->per_role[h->role]--;
    } else {
        h = g_new0(struct cmsedge_host, 1);
        h->prefix = *prefix;
        if (is_exact(prefix)) {
            g_hash_table_insert(map->exact, &h->prefix.addr, h);
        } else {
            g_ptr_array_add(map->prefixes, h);
            g_ptr_array_sort(map->prefixes, longest_first);
        }
    }
    h->role = role;
    map->per_role[role]++;
    h->origin = origin;
    g_strlcpy(h->name, name ? name : "", sizeof h->name);
    return true;
}

bool cmsedge_hostmap_add_text(struct cmsedge_hostmap *map, const char *cidr, const char *role,
                              const char *name, enum cmsedge_role_origin origin, char *err,
                              size_t errlen)
{
    struct cmsedge_prefix p;
    enum cmsedge_role r;

    if (!cmsedge_hosts_row_check(cidr, role, name, err, errlen))
        return false;
    /* both parse: the check said so */
    cmsedge_prefix_parse(cidr, &p, err, errlen);
    cmsedge_role_parse(role, &r);
    cmsedge_hostmap_add(map, &p, r, name, origin);
    return true;
}

const struct cmsedge_host *cmsedge_hostmap_lookup(const struct cmsedge_hostmap *map,
                                                  const struct cmsedge_addr *addr)
{
    const struct cmsedge_host *h = g_hash_table_lookup(map->exact, addr);
    if (h)
        return h;
    for (guint i = 0; i < map->prefixes->len; i++) {
        h = g_ptr_array_index(map->prefixes, i);
        if (cmsedge_prefix_contains(&h->prefix, addr))
            return h;
    }
    return NULL;
}

bool cmsedge_hostmap_has_role(const struct cmsedge_hostmap *map, enum cmsedge_role role)
{
    return (unsigned)role < CMSEDGE_ROLE_COUNT && map->per_role[role] > 0;
}

void cmsedge_hostmap_foreach(const struct cmsedge_hostmap *map, cmsedge_host_fn fn, void *user)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, map->exact);
    while (g_hash_table_iter_next(&it, NULL, &value))
        fn(value, user);
    for (guint i = 0; i < map->prefixes->len; i++)
        fn(g_ptr_array_index(map->prefixes, i), user);
}

bool cmsedge_hosts_row_check(const char *address, const char *role, const char *name, char *err,
                             size_t errlen)
{
    struct cmsedge_prefix p;
    enum cmsedge_role r;
    if (!cmsedge_prefix_parse(address, &p, err, errlen))
        return false;
    if (!cmsedge_role_parse(role, &r)) {
        snprintf(err, errlen, "'%s': unknown role; expected one of %s", role ? role : "",
                 cmsedge_role_keywords());
        return false;
    }
    if (name && strlen(name) >= sizeof(((struct cmsedge_host *)0)->name)) {
        snprintf(err, errlen, "name '%s' is longer than %zu characters", name,
                 sizeof(((struct cmsedge_host *)0)->name) - 1);
        return false;
    }
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One field from *p: quoted (with \xHH and \c escapes) or bare up to the next comma. */
static bool hosts_field(const char **p, char *out, bool *quoted, char *err, size_t errlen)
{
    const char *s = *p;
    size_t n = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    *quoted = *s == '"';
    if (*quoted) {
        for (s++; *s && *s != '"'; s++) {
            char c = *s;
            if (c == '\\' && s[1] == 'x' && hex_digit(s[2]) >= 0 && hex_digit(s[3]) >= 0) {
                c = (char)(hex_digit(s[2]) * 16 + hex_digit(s[3]));
                s += 3;
            } else if (c == '\\' && s[1]) {
                c = *++s;
            }
            if (n + 1 >= CMSEDGE_HOSTS_FIELD) {
                snprintf(err, errlen, "a field is longer than %d characters",
                         CMSEDGE_HOSTS_FIELD - 1);
                return false;
            }
            out[n++] = c;
        }
        if (*s != '"') {
            snprintf(err, errlen, "a quote is not closed");
            return false;
        }
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
    } else {
        while (*s && *s != ',') {
            if (n + 1 >= CMSEDGE_HOSTS_FIELD) {
                snprintf(err, errlen, "a field is longer than %d characters",
                         CMSEDGE_HOSTS_FIELD - 1);
                return false;
            }
            out[n++] = *s++;
        }
        while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
            n--;
    }
    out[n] = '\0';
    *p = s;
    return true;
}

enum cmsedge_hosts_line cmsedge_hosts_line_parse(const char *line,
                                                 char fields[3][CMSEDGE_HOSTS_FIELD], char *err,
                                                 size_t errlen)
{
    const char *p = line;
    bool all_quoted = true;
    unsigned n = 0;

    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '\r' || *p == '\n' || *p == '#')
        return CMSEDGE_HOSTS_LINE_BLANK;
    char text[512];
    g_strlcpy(text, p, sizeof text);
    text[strcspn(text, "\r\n")] = '\0';
    p = text;
    for (;;) {
        bool quoted;
        if (n == 3) {
            snprintf(err, errlen, "more than three fields (address, role, name)");
            return CMSEDGE_HOSTS_LINE_BAD;
        }
        if (!hosts_field(&p, fields[n], &quoted, err, errlen))
            return CMSEDGE_HOSTS_LINE_BAD;
        all_quoted &= quoted;
        n++;
        if (*p == '\0')
            break;
        if (*p != ',') {
            snprintf(err, errlen, "unexpected '%c' after field %u", *p, n);
            return CMSEDGE_HOSTS_LINE_BAD;
        }
        p++;
    }
    if (n == 3 && g_ascii_strcasecmp(fields[0], "address") == 0 &&
        g_ascii_strcasecmp(fields[1], "role") == 0 && g_ascii_strcasecmp(fields[2], "name") == 0)
        return CMSEDGE_HOSTS_LINE_HEADER;
    if (n == 2) /* the name is optional */
        fields[2][0] = '\0', all_quoted = false;
    else if (n < 2) {
        snprintf(err, errlen, "expected three fields: \"address\",\"role\",\"name\"");
        return CMSEDGE_HOSTS_LINE_BAD;
    }
    if (!cmsedge_hosts_row_check(fields[0], fields[1], fields[2], err, errlen))
        return CMSEDGE_HOSTS_LINE_BAD;
    return all_quoted ? CMSEDGE_HOSTS_LINE_ROW : CMSEDGE_HOSTS_LINE_UNQUOTED;
}
