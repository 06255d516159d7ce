/* cmsedge: what the first pass decided for a frame, kept for the passes after it.
 *
 * Wireshark dissects a frame again whenever it is shown, filtered or tapped after the first
 * pass, and the plugin must then say what the first pass said (the media kind a stream's
 * tracking saw, the call and leg a frame was tied to) without the state that decided it.
 * Wireshark's own per-frame store (p_add_proto_data) costs some 80 bytes an item on every
 * frame that keeps one; most frames at an edge are media, so that was most of the plugin's
 * memory. The log keeps 8 bytes a frame: the frame number and an index into the distinct
 * records seen, which are few (a call leg's reference, a stream's media kind and offset).
 *
 * Frames are logged in increasing order, as the first pass visits them; lookups are a binary
 * search. Records are fixed-size byte blocks, compared as bytes: zero their padding.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FRAME_LOG_H
#define CMSEDGE_FRAME_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmsedge_frame_log;

/* A log of records of record_size bytes (1 to 64). */
struct cmsedge_frame_log *cmsedge_frame_log_new(size_t record_size);
void cmsedge_frame_log_free(struct cmsedge_frame_log *log);
/* Forgets every frame and record (a new capture file, or a redissection). */
void cmsedge_frame_log_clear(struct cmsedge_frame_log *log);

/* Keeps record for frame. A frame after the last one logged is appended; the last one again is
 * given the new record; an earlier frame is left as it is (returns false): the first pass
 * decided it already. */
bool cmsedge_frame_log_put(struct cmsedge_frame_log *log, uint32_t frame, const void *record);
/* The record kept for frame, or NULL. */
const void *cmsedge_frame_log_get(const struct cmsedge_frame_log *log, uint32_t frame);

size_t cmsedge_frame_log_frames(const struct cmsedge_frame_log *log);
size_t cmsedge_frame_log_records(const struct cmsedge_frame_log *log);
/* Bytes the log holds now. */
size_t cmsedge_frame_log_bytes(const struct cmsedge_frame_log *log);

#endif
