/* cmsedge: struct cmsedge_addr as a GLib hash table key (internal to the core).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_ADDR_TABLE_H
#define CMSEDGE_ADDR_TABLE_H

#include <glib.h>

#include "cmsedge/address.h"

/* A table keyed by struct cmsedge_addr* that points into its values; frees values with
 * value_free (NULL: the table does not own them). */
static inline guint cmsedge_addr_key_hash(gconstpointer key)
{
    return cmsedge_addr_hash(key);
}

static inline gboolean cmsedge_addr_key_equal(gconstpointer a, gconstpointer b)
{
    return cmsedge_addr_equal(a, b);
}

static inline GHashTable *cmsedge_addr_table_new(GDestroyNotify value_free)
{
    return g_hash_table_new_full(cmsedge_addr_key_hash, cmsedge_addr_key_equal, NULL, value_free);
}

#endif
