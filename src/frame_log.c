/* cmsedge: what the first pass decided per frame (see include/cmsedge/frame_log.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/frame_log.h"

#include "cmsedge/fingerprints.h"

#include <glib.h>
#include <string.h>

/* Entries live in fixed chunks rather than one growing array: the log never copies what it
 * holds, and its memory is at most one chunk more than its frames need. */
#define CHUNK_ENTRIES 4096u
#define RECORD_MAX    64u

struct entry {
    uint32_t frame;
    uint32_t record; /* index into records */
};

struct cmsedge_frame_log {
    size_t record_size;
    struct entry **chunks;
    size_t n_chunks, chunks_cap;
    size_t n_frames; /* entries in all; the last chunk holds n_frames - (n_chunks - 1) * CHUNK */
    uint8_t *records;
    size_t n_records, records_cap;
    uint32_t *slots; /* open addressing over records: index + 1, 0 for free */
    size_t n_slots;  /* a power of two, or 0 */
    uint32_t last;   /* index + 1 of the record put last, 0 for none: frames of one flow
                      * follow each other and repeat it, a compare where a hash would be */
};

struct cmsedge_frame_log *cmsedge_frame_log_new(size_t record_size)
{
    struct cmsedge_frame_log *log;
    if (record_size == 0 || record_size > RECORD_MAX)
        return NULL;
    log = g_new0(struct cmsedge_frame_log, 1);
    log->record_size = record_size;
    return log;
}

void cmsedge_frame_log_clear(struct cmsedge_frame_log *log)
{
    for (size_t i = 0; i < log->n_chunks; i++)
        g_free(log->chunks[i]);
    g_free(log->chunks);
    g_free(log->records);
    g_free(log->slots);
    size_t size = log->record_size;
    memset(log, 0, sizeof *log);
    log->record_size = size;
}

void cmsedge_frame_log_free(struct cmsedge_frame_log *log)
{
    if (!log)
        return;
    cmsedge_frame_log_clear(log);
    g_free(log);
}

static const uint8_t *record_at(const struct cmsedge_frame_log *log, uint32_t index)
{
    return log->records + (size_t)index * log->record_size;
}

static size_t slot_of(const struct cmsedge_frame_log *log, const void *record)
{
    size_t mask = log->n_slots - 1;
    size_t i = (size_t)cmsedge_fingerprint(record, log->record_size) & mask;
    while (log->slots[i] &&
           memcmp(record_at(log, log->slots[i] - 1), record, log->record_size) != 0)
        i = (i + 1) & mask;
    return i;
}

static void grow_slots(struct cmsedge_frame_log *log)
{
    uint32_t *old = log->slots;
    size_t n_old = log->n_slots;
    log->n_slots = n_old ? n_old * 2 : 64;
    log->slots = g_new0(uint32_t, log->n_slots);
    for (size_t i = 0; i < n_old; i++) {
        if (old[i])
            log->slots[slot_of(log, record_at(log, old[i] - 1))] = old[i];
    }
    g_free(old);
}

/* The index of record among the distinct records, added when new. */
static uint32_t intern(struct cmsedge_frame_log *log, const void *record)
{
    if (log->last && memcmp(record_at(log, log->last - 1), record, log->record_size) == 0)
        return log->last - 1;
    if ((log->n_records + 1) * 4 > log->n_slots * 3)
        grow_slots(log);
    size_t s = slot_of(log, record);
    if (log->slots[s])
        return log->slots[s] - 1;
    if (log->n_records == log->records_cap) {
        log->records_cap = log->records_cap ? log->records_cap * 2 : 16;
        log->records = g_realloc(log->records, log->records_cap * log->record_size);
    }
    memcpy(log->records + log->n_records * log->record_size, record, log->record_size);
    log->slots[s] = (uint32_t)++log->n_records;
    return (uint32_t)(log->n_records - 1);
}

static struct entry *entry_at(const struct cmsedge_frame_log *log, size_t i)
{
    return &log->chunks[i / CHUNK_ENTRIES][i % CHUNK_ENTRIES];
}

bool cmsedge_frame_log_put(struct cmsedge_frame_log *log, uint32_t frame, const void *record)
{
    struct entry *last = log->n_frames ? entry_at(log, log->n_frames - 1) : NULL;
    if (last && frame < last->frame)
        return false;
    uint32_t index = intern(log, record);
    log->last = index + 1;
    if (last && frame == last->frame) {
        last->record = index;
        return true;
    }
    if (log->n_frames == log->n_chunks * CHUNK_ENTRIES) {
        if (log->n_chunks == log->chunks_cap) {
            log->chunks_cap = log->chunks_cap ? log->chunks_cap * 2 : 16;
            log->chunks = g_renew(struct entry *, log->chunks, log->chunks_cap);
        }
        log->chunks[log->n_chunks++] = g_new(struct entry, CHUNK_ENTRIES);
    }
    struct entry *e = entry_at(log, log->n_frames++);
    e->frame = frame;
    e->record = index;
    return true;
}

const void *cmsedge_frame_log_get(const struct cmsedge_frame_log *log, uint32_t frame)
{
    if (!log->n_frames)
        return NULL;
    /* the first pass asks about the frame it is on: after the last one, or the last again */
    const struct entry *last = entry_at(log, log->n_frames - 1);
    if (frame >= last->frame)
        return frame == last->frame ? record_at(log, last->record) : NULL;
    size_t lo = 0, hi = log->n_frames - 1; /* the entry, if any, is in [lo, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct entry *e = entry_at(log, mid);
        if (e->frame == frame)
            return record_at(log, e->record);
        if (e->frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t cmsedge_frame_log_frames(const struct cmsedge_frame_log *log)
{
    return log->n_frames;
}

size_t cmsedge_frame_log_records(const struct cmsedge_frame_log *log)
{
    return log->n_records;
}

size_t cmsedge_frame_log_bytes(const struct cmsedge_frame_log *log)
{
    return sizeof *log + log->chunks_cap * sizeof *log->chunks +
           log->n_chunks * CHUNK_ENTRIES * sizeof(struct entry) +
           log->records_cap * log->record_size + log->n_slots * sizeof *log->slots;
}
