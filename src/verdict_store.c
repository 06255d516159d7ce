/* cmsedge: each distinct conclusion of a capture kept once (see verdict_store.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "verdict_store.h"

#include <glib.h>
#include <string.h>

/* Open addressing over ids, at most half full: a lookup is a probe or two. */
#define INDEX_SLOTS (2u * CMSEDGE_VERDICT_STORE_MAX)
G_STATIC_ASSERT((INDEX_SLOTS & (INDEX_SLOTS - 1)) == 0);
G_STATIC_ASSERT(CMSEDGE_VERDICT_STORE_MAX < UINT16_MAX);

struct record {
    guint hash;
    struct cmsedge_service_match service;
    struct cmsedge_verdict verdict; /* only the counted parts of its arrays are set */
};

struct cmsedge_verdict_store {
    struct record *records[CMSEDGE_VERDICT_STORE_MAX];
    size_t n;
    uint16_t index[INDEX_SLOTS]; /* id + 1 of the record hashed there, 0 for none */
};

/* Hashing and comparing go field by field: the structs have padding, which nothing sets. */
static guint mix(guint h, uint64_t x)
{
    return (guint)((h ^ x) * 0x100000001b3u) ^ (guint)(x >> 32);
}

static guint verdict_hash(const struct cmsedge_verdict *v, const struct cmsedge_service_match *svc)
{
    guint h = 2166136261u;
    h = mix(h, v->n_matches);
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        h = mix(h, (uintptr_t)m->row);
        h = mix(h, (uint64_t)m->zone << 8 | m->footnote << 1 | m->reverse);
    }
    h = mix(h, (uint64_t)v->judged << 3 | v->offspec << 2 | v->unmatched << 1 | v->near_miss);
    h = mix(h, (uintptr_t)v->nearest);
    h = mix(h, g_str_hash(v->reason));
    h = mix(h, v->findings.n);
    for (size_t i = 0; i < v->findings.n; i++)
        h = mix(h, g_str_hash(v->findings.items[i].text));
    h = mix(h, v->checks);
    return mix(h, (uintptr_t)svc->service << 1 | svc->reverse);
}

static bool match_equal(const struct cmsedge_match *a, const struct cmsedge_match *b)
{
    return a->row == b->row && a->reverse == b->reverse && a->zone == b->zone &&
           a->footnote == b->footnote && a->src_fit == b->src_fit && a->dst_fit == b->dst_fit &&
           a->src_role == b->src_role && a->dst_role == b->dst_role &&
           a->translated == b->translated && a->confirmed == b->confirmed;
}

static bool finding_equal(const struct cmsedge_finding *a, const struct cmsedge_finding *b)
{
    return a->kind == b->kind && a->severity == b->severity && a->footnote == b->footnote &&
           a->row == b->row && strcmp(a->text, b->text) == 0;
}

static bool record_equal(const struct record *r, const struct cmsedge_verdict *v,
                         const struct cmsedge_service_match *svc)
{
    const struct cmsedge_verdict *w = &r->verdict;
    if (r->service.service != svc->service || r->service.reverse != svc->reverse)
        return false;
    if (w->n_matches != v->n_matches || w->judged != v->judged || w->offspec != v->offspec ||
        w->unmatched != v->unmatched || w->near_miss != v->near_miss || w->nearest != v->nearest ||
        w->nearest_reverse != v->nearest_reverse || w->translated_source != v->translated_source ||
        w->checks != v->checks || w->findings.n != v->findings.n ||
        strcmp(w->reason, v->reason) != 0)
        return false;
    for (size_t i = 0; i < v->n_matches; i++) {
        if (!match_equal(&w->matches[i], &v->matches[i]))
            return false;
    }
    for (size_t i = 0; i < v->findings.n; i++) {
        if (!finding_equal(&w->findings.items[i], &v->findings.items[i]))
            return false;
    }
    return true;
}

/* The parts of a verdict that mean something: its counts say how much of each array does. */
static void verdict_copy(struct cmsedge_verdict *dst, const struct cmsedge_verdict *src)
{
    size_t n = src->n_matches <= CMSEDGE_MAX_MATCHES ? src->n_matches : CMSEDGE_MAX_MATCHES;
    dst->n_matches = n;
    memcpy(dst->matches, src->matches, n * sizeof src->matches[0]);
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

struct cmsedge_verdict_store *cmsedge_verdict_store_new(void)
{
    return g_new0(struct cmsedge_verdict_store, 1);
}

void cmsedge_verdict_store_clear(struct cmsedge_verdict_store *st)
{
    for (size_t i = 0; i < st->n; i++)
        g_free(st->records[i]);
    st->n = 0;
    memset(st->index, 0, sizeof st->index);
}

void cmsedge_verdict_store_free(struct cmsedge_verdict_store *st)
{
    if (!st)
        return;
    cmsedge_verdict_store_clear(st);
    g_free(st);
}

int cmsedge_verdict_store_intern(struct cmsedge_verdict_store *st, const struct cmsedge_verdict *v,
                                 const struct cmsedge_service_match *svc)
{
    guint h = verdict_hash(v, svc);
    unsigned slot = h & (INDEX_SLOTS - 1);
    for (; st->index[slot]; slot = (slot + 1) & (INDEX_SLOTS - 1)) {
        const struct record *r = st->records[st->index[slot] - 1];
        if (r->hash == h && record_equal(r, v, svc))
            return st->index[slot] - 1;
    }
    if (st->n == CMSEDGE_VERDICT_STORE_MAX)
        return -1;
    struct record *r = g_new(struct record, 1);
    r->hash = h;
    r->service = *svc;
    verdict_copy(&r->verdict, v);
    st->records[st->n] = r;
    st->index[slot] = (uint16_t)(st->n + 1);
    return (int)st->n++;
}

void cmsedge_verdict_store_get(const struct cmsedge_verdict_store *st, unsigned id,
                               struct cmsedge_verdict *v, struct cmsedge_service_match *svc)
{
    const struct record *r = st->records[id];
    verdict_copy(v, &r->verdict);
    *svc = r->service;
}

size_t cmsedge_verdict_store_count(const struct cmsedge_verdict_store *st)
{
    return st->n;
}

size_t cmsedge_verdict_store_bytes(const struct cmsedge_verdict_store *st)
{
    return sizeof *st + st->n * sizeof(struct record);
}
