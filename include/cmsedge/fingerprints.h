/* cmsedge: a set of 64-bit fingerprints, for facts kept about millions of things at a few
 * bytes each ("the capture has shown traffic from host A to host B").
 *
 * A fingerprint is a 64-bit hash of the thing's bytes; the set stores only that, in one open-
 * addressing array (linear probing, at most 3/4 full, growing by a quarter: src/open_slots.h),
 * 11-14 bytes a member. Two things sharing a fingerprint would be taken for one: with a million
 * members the chance that any lookup of a new thing hits another's fingerprint is about 1 in
 * 10^13.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FINGERPRINTS_H
#define CMSEDGE_FINGERPRINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmsedge_fingerprints;

struct cmsedge_fingerprints *cmsedge_fingerprints_new(void);
void cmsedge_fingerprints_free(struct cmsedge_fingerprints *set);
void cmsedge_fingerprints_clear(struct cmsedge_fingerprints *set);

/* The fingerprint of len bytes. */
uint64_t cmsedge_fingerprint(const void *bytes, size_t len);

/* Adds fp; true when it was not there yet. */
bool cmsedge_fingerprints_add(struct cmsedge_fingerprints *set, uint64_t fp);
bool cmsedge_fingerprints_contains(const struct cmsedge_fingerprints *set, uint64_t fp);
size_t cmsedge_fingerprints_count(const struct cmsedge_fingerprints *set);
/* Bytes the set holds now (its array). */
size_t cmsedge_fingerprints_bytes(const struct cmsedge_fingerprints *set);

#endif
