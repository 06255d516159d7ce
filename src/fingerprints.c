/* cmsedge: a set of 64-bit fingerprints (see include/cmsedge/fingerprints.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/fingerprints.h"
#include "open_slots.h"

#include <glib.h>
#include <string.h>

struct cmsedge_fingerprints {
    uint64_t *slots; /* 0 marks a free slot; a fingerprint of 0 is stored as 1 */
    size_t n_slots;
    size_t count;
};

/* A 64-bit finaliser (the MurmurHash3 one): every input bit moves every output bit. */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

uint64_t cmsedge_fingerprint(const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    uint64_t h = 0x9e3779b97f4a7c15u ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h ^ w);
        p += 8, len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h = mix(h ^ w ^ 0x5bd1e995u);
    }
    return h;
}

struct cmsedge_fingerprints *cmsedge_fingerprints_new(void)
{
    return g_new0(struct cmsedge_fingerprints, 1);
}

void cmsedge_fingerprints_free(struct cmsedge_fingerprints *set)
{
    if (!set)
        return;
    g_free(set->slots);
    g_free(set);
}

void cmsedge_fingerprints_clear(struct cmsedge_fingerprints *set)
{
    g_free(set->slots);
    set->slots = NULL;
    set->n_slots = set->count = 0;
}

static uint64_t stored(uint64_t fp)
{
    return fp ? fp : 1;
}

/* The slot holding fp, or the free slot where it would go. */
static size_t slot_of(const uint64_t *slots, size_t n_slots, uint64_t fp)
{
    size_t i = cmsedge_slots_home(mix(fp), n_slots);
    while (slots[i] && slots[i] != fp)
        i = cmsedge_slots_next(i, n_slots);
    return i;
}

static void grow(struct cmsedge_fingerprints *set)
{
    size_t n = cmsedge_slots_grown(set->n_slots);
    uint64_t *slots = g_new0(uint64_t, n);
    for (size_t i = 0; i < set->n_slots; i++) {
        if (set->slots[i])
            slots[slot_of(slots, n, set->slots[i])] = set->slots[i];
    }
    g_free(set->slots);
    set->slots = slots;
    set->n_slots = n;
}

bool cmsedge_fingerprints_add(struct cmsedge_fingerprints *set, uint64_t fp)
{
    fp = stored(fp);
    if (cmsedge_slots_full(set->count, set->n_slots))
        grow(set);
    size_t i = slot_of(set->slots, set->n_slots, fp);
    if (set->slots[i])
        return false;
    set->slots[i] = fp;
    set->count++;
    return true;
}

bool cmsedge_fingerprints_contains(const struct cmsedge_fingerprints *set, uint64_t fp)
{
    if (!set->n_slots)
        return false;
    fp = stored(fp);
    return set->slots[slot_of(set->slots, set->n_slots, fp)] == fp;
}

size_t cmsedge_fingerprints_count(const struct cmsedge_fingerprints *set)
{
    return set->count;
}

size_t cmsedge_fingerprints_bytes(const struct cmsedge_fingerprints *set)
{
    return set->n_slots * sizeof set->slots[0];
}
