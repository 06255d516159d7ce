/* cmsedge: the media follower's tracks, by fingerprint (see include/cmsedge/media_tracks.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/media_tracks.h"
#include "open_slots.h"

#include <glib.h>
#include <string.h>

/* The fingerprint as two 32-bit halves: with nothing wider than 32 bits an entry packs into
 * 20 bytes, not 24 (a sixth less memory a track, where a million media flows are 40 MB). */
struct entry {
    uint32_t fp_lo, fp_hi; /* 0, 0: a free slot (a fingerprint of 0 is kept as 1) */
    struct cmsedge_media_track track;
};

struct cmsedge_media_tracks {
    struct entry *slots;
    size_t n_slots;
    size_t count;
};

G_STATIC_ASSERT(sizeof(struct entry) <= 20);

static uint64_t fp_of(const struct entry *e)
{
    return (uint64_t)e->fp_hi << 32 | e->fp_lo;
}

static uint64_t key_of(uint64_t fp)
{
    return fp ? fp : 1;
}

/* The fingerprint is already a mixed hash: it places the entry as it is. */
static size_t slot_of(const struct entry *slots, size_t n_slots, uint64_t fp)
{
    size_t i = cmsedge_slots_home(fp, n_slots);
    for (uint64_t at; (at = fp_of(&slots[i])) != 0 && at != fp;)
        i = cmsedge_slots_next(i, n_slots);
    return i;
}

struct cmsedge_media_tracks *cmsedge_media_tracks_new(void)
{
    return g_new0(struct cmsedge_media_tracks, 1);
}

void cmsedge_media_tracks_free(struct cmsedge_media_tracks *t)
{
    if (!t)
        return;
    g_free(t->slots);
    g_free(t);
}

void cmsedge_media_tracks_clear(struct cmsedge_media_tracks *t)
{
    g_free(t->slots);
    t->slots = NULL;
    t->n_slots = t->count = 0;
}

struct cmsedge_media_track *cmsedge_media_tracks_find(struct cmsedge_media_tracks *t, uint64_t fp)
{
    if (!t->n_slots)
        return NULL;
    fp = key_of(fp);
    struct entry *e = &t->slots[slot_of(t->slots, t->n_slots, fp)];
    return fp_of(e) ? &e->track : NULL;
}

static void grow(struct cmsedge_media_tracks *t)
{
    size_t n = cmsedge_slots_grown(t->n_slots);
    struct entry *slots = g_new0(struct entry, n);
    for (size_t i = 0; i < t->n_slots; i++) {
        uint64_t fp = fp_of(&t->slots[i]);
        if (fp)
            slots[slot_of(slots, n, fp)] = t->slots[i];
    }
    g_free(t->slots);
    t->slots = slots;
    t->n_slots = n;
}

struct cmsedge_media_track *cmsedge_media_tracks_keep(struct cmsedge_media_tracks *t, uint64_t fp,
                                                      const struct cmsedge_media_track *track)
{
    fp = key_of(fp);
    if (cmsedge_slots_full(t->count, t->n_slots))
        grow(t);
    struct entry *e = &t->slots[slot_of(t->slots, t->n_slots, fp)];
    if (!fp_of(e)) {
        e->fp_lo = (uint32_t)fp;
        e->fp_hi = (uint32_t)(fp >> 32);
        t->count++;
    }
    e->track = *track;
    return &e->track;
}

size_t cmsedge_media_tracks_count(const struct cmsedge_media_tracks *t)
{
    return t->count;
}

size_t cmsedge_media_tracks_bytes(const struct cmsedge_media_tracks *t)
{
    return t->n_slots * sizeof(struct entry);
}
