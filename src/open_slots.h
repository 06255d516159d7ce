/* cmsedge: size and home slot of the open-addressing arrays that keep a fact per flow or per
 * host pair (fingerprints.c, media_tracks.c; internal to the core).
 *
 * The arrays grow by a quarter, not by doubling. Kept at most 3/4 full, an array then holds
 * 1.33-1.67 slots a member whatever the count, where doubling holds 1.33-2.67: a capture of a
 * million flows that lands just past a doubling no longer pays twice the memory it needs, and
 * the array being replaced while it grows is 0.8 of the new one, not half. Any size works: the
 * home slot is the hash's high 32 bits scaled to the size (a multiply and a shift), so no size
 * needs to be a power of two. Growth moves each member about four times over a capture's life
 * (doubling: once), a cost spread over the frames that added them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_OPEN_SLOTS_H
#define CMSEDGE_OPEN_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMSEDGE_SLOTS_INITIAL 64u

/* Slots after growing an array of n (0: not allocated yet). */
static inline size_t cmsedge_slots_grown(size_t n)
{
    return n ? n + n / 4 : CMSEDGE_SLOTS_INITIAL;
}

/* Whether an array of n slots holding count members must grow before taking one more. */
static inline bool cmsedge_slots_full(size_t count, size_t n)
{
    return (count + 1) * 4 > n * 3;
}

/* Where a member with this (well mixed) hash is looked for first; n below 2^32. */
static inline size_t cmsedge_slots_home(uint64_t hash, size_t n)
{
    return (size_t)(((hash >> 32) * (uint64_t)n) >> 32);
}

/* The slot probed after i. */
static inline size_t cmsedge_slots_next(size_t i, size_t n)
{
    return i + 1 == n ? 0 : i + 1;
}

#endif
