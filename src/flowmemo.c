/* cmsedge: a bounded memo of what the reference says about a flow (see flowmemo.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/flowmemo.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

/* 512 sets of two slots: far more flows than a capture has active at one time, in a few MB. */
#define MEMO_SETS 512u
#define MEMO_WAYS 2u

/* Everything classify and the services lookup read of a flow, with no padding left
 * uninitialised: keys are compared and hashed as bytes. */
struct memo_key {
    uint8_t bytes[48];
};

struct memo_slot {
    bool used;
    struct memo_key key;
    struct cmsedge_verdict verdict;
    struct cmsedge_service_match service;
};

struct cmsedge_flowmemo {
    struct memo_slot *slots; /* MEMO_SETS * MEMO_WAYS, allocated on first use */
    uint8_t *victim;         /* per set: the way least recently used, which a new entry takes */
    bool have_settings;
    struct cmsedge_settings settings; /* what the entries were worked out under */
    size_t hits, misses;
    /* the key and set of the last lookup: the put that follows a miss needs no second hash */
    struct memo_key last_key;
    unsigned last_set;
};

G_STATIC_ASSERT(2 * sizeof(struct cmsedge_addr) + 2 * sizeof(uint16_t) + 4 <= 48);

static void make_key(const struct cmsedge_flow *f, struct memo_key *k)
{
    uint8_t *p = k->bytes;
    memset(k, 0, sizeof *k);
    memcpy(p, &f->src, sizeof f->src);
    p += sizeof f->src;
    memcpy(p, &f->dst, sizeof f->dst);
    p += sizeof f->dst;
    memcpy(p, &f->sport, sizeof f->sport);
    p += sizeof f->sport;
    memcpy(p, &f->dport, sizeof f->dport);
    p += sizeof f->dport;
    *p++ = (uint8_t)f->transport;
    *p++ = (uint8_t)f->src_role;
    *p++ = (uint8_t)f->dst_role;
    *p = (uint8_t)(int8_t)f->hint;
}

static unsigned key_set(const struct memo_key *k)
{
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < sizeof k->bytes; i += 8) {
        uint64_t w;
        memcpy(&w, k->bytes + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    return (unsigned)(h % MEMO_SETS);
}

/* The parts of a verdict that mean something: its counts say how much of each array does. */
static void verdict_copy(struct cmsedge_verdict *dst, const struct cmsedge_verdict *src)
{
    dst->n_matches = src->n_matches;
    memcpy(dst->matches, src->matches, src->n_matches * sizeof src->matches[0]);
    dst->judged = src->judged;
    dst->offspec = src->offspec;
    dst->unmatched = src->unmatched;
    dst->near_miss = src->near_miss;
    dst->nearest = src->nearest;
    dst->nearest_reverse = src->nearest_reverse;
    g_strlcpy(dst->reason, src->reason, sizeof dst->reason);
    dst->translated_source = src->translated_source;
    cmsedge_findings_copy(&dst->findings, &src->findings);
    dst->checks = src->checks;
}

struct cmsedge_flowmemo *cmsedge_flowmemo_new(void)
{
    return g_new0(struct cmsedge_flowmemo, 1);
}

void cmsedge_flowmemo_free(struct cmsedge_flowmemo *m)
{
    if (!m)
        return;
    g_free(m->slots);
    g_free(m->victim);
    g_free(m);
}

void cmsedge_flowmemo_clear(struct cmsedge_flowmemo *m)
{
    if (m->slots) {
        for (size_t i = 0; i < MEMO_SETS * MEMO_WAYS; i++)
            m->slots[i].used = false;
    }
    m->have_settings = false;
    m->hits = m->misses = 0;
}

/* Entries are for one set of settings: other settings empty the memo first. */
static void use_settings(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s)
{
    if (!m->have_settings || memcmp(&m->settings, s, sizeof *s) != 0) {
        cmsedge_flowmemo_clear(m);
        m->settings = *s;
        m->have_settings = true;
    }
}

bool cmsedge_flowmemo_get(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s,
                          const struct cmsedge_flow *flow, struct cmsedge_verdict *v,
                          struct cmsedge_service_match *svc)
{
    use_settings(m, s);
    make_key(flow, &m->last_key);
    m->last_set = key_set(&m->last_key);
    if (m->slots) {
        struct memo_slot *set = &m->slots[m->last_set * MEMO_WAYS];
        for (unsigned w = 0; w < MEMO_WAYS; w++) {
            if (set[w].used && memcmp(&set[w].key, &m->last_key, sizeof m->last_key) == 0) {
                /* the other way is now the least recently used, and the next to go */
                m->victim[m->last_set] = (uint8_t)((w + 1) % MEMO_WAYS);
                verdict_copy(v, &set[w].verdict);
                *svc = set[w].service;
                m->hits++;
                return true;
            }
        }
    }
    m->misses++;
    return false;
}

void cmsedge_flowmemo_put(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s,
                          const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                          const struct cmsedge_service_match *svc)
{
    struct memo_key k;
    unsigned set;
    use_settings(m, s);
    make_key(flow, &k);
    if (memcmp(&k, &m->last_key, sizeof k) == 0) {
        set = m->last_set;
    } else {
        set = key_set(&k);
    }
    if (!m->slots) {
        m->slots = g_new0(struct memo_slot, MEMO_SETS * MEMO_WAYS);
        m->victim = g_new0(uint8_t, MEMO_SETS);
    }
    struct memo_slot *slot = &m->slots[set * MEMO_WAYS + m->victim[set]];
    m->victim[set] = (uint8_t)((m->victim[set] + 1) % MEMO_WAYS);
    slot->used = true;
    slot->key = k;
    verdict_copy(&slot->verdict, v);
    slot->service = *svc;
}

void cmsedge_flowmemo_stats(const struct cmsedge_flowmemo *m, size_t *hits, size_t *misses)
{
    *hits = m->hits;
    *misses = m->misses;
}

size_t cmsedge_flowmemo_bytes(void)
{
    return MEMO_SETS * MEMO_WAYS * sizeof(struct memo_slot) + MEMO_SETS;
}
