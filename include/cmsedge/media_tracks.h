/* cmsedge: the media follower's tracks of every flow direction of a capture, by fingerprint.
 *
 * One track (struct cmsedge_media_track, 12 bytes) per flow direction that has shown a packet
 * worth remembering, under the 64-bit fingerprint of the direction (cmsedge_fingerprint() of
 * its addresses, ports and whether it is relayed inside TURN). Entries sit in one open-
 * addressing array of 20 bytes each, at most 3/4 full and growing by a quarter (src/open_slots.h):
 * a capture of a million media flows keeps 27-34 bytes for each, where a conversation's data list
 * and a per-flow allocation cost several times that. Two directions sharing a fingerprint (about 1
 * in 10^13 for a million) would share a track.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_MEDIA_TRACKS_H
#define CMSEDGE_MEDIA_TRACKS_H

#include <stddef.h>
#include <stdint.h>

#include "cmsedge/media.h"

struct cmsedge_media_tracks;

struct cmsedge_media_tracks *cmsedge_media_tracks_new(void);
void cmsedge_media_tracks_free(struct cmsedge_media_tracks *t);
void cmsedge_media_tracks_clear(struct cmsedge_media_tracks *t);

/* The track kept under fp, or NULL. */
struct cmsedge_media_track *cmsedge_media_tracks_find(struct cmsedge_media_tracks *t, uint64_t fp);
/* Keeps a copy of *track under fp (replacing one kept there) and returns where it is now; the
 * pointer holds until the next cmsedge_media_tracks_keep() or clear. */
struct cmsedge_media_track *cmsedge_media_tracks_keep(struct cmsedge_media_tracks *t, uint64_t fp,
                                                      const struct cmsedge_media_track *track);
size_t cmsedge_media_tracks_count(const struct cmsedge_media_tracks *t);
size_t cmsedge_media_tracks_bytes(const struct cmsedge_media_tracks *t);

#endif
