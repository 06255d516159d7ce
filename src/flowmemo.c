/* cmsedge: a memo of what the reference says about each flow (see flowmemo.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/flowmemo.h"

#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "verdict_store.h"

/* Open addressing with linear probing over a power-of-two table, grown before it is three
 * quarters full. A slot is one 64-bit word: the key in the low 48 bits, with KEY_USED set so
 * that 0 marks an empty slot, and the verdict's id in the top 16: a probe reads one word. */
#define FIRST_SLOTS 1024u
#define MAX_SLOTS   (1u << 20) /* 8 MB of slots, 786,432 keys */
#define KEY_USED    (UINT64_C(1) << 47)
#define KEY_MASK    ((UINT64_C(1) << 48) - 1)
#define ID_SHIFT    48
/* New conclusions left unkept before a full store starts again, at the least. */
#define UNKEPT_BEFORE_RESTART 4096u

struct cmsedge_flowmemo {
    uint64_t *slots;   /* `capacity` of them, allocated on first use: key | id << ID_SHIFT */
    unsigned capacity; /* a power of two, or 0 before first use */
    unsigned shift;    /* 64 - log2(capacity): a key's home slot is its hash's top bits */
    size_t count;
    struct cmsedge_verdict_store *store;
    bool have_settings;
    struct cmsedge_settings settings; /* what the entries were worked out under */
    size_t hits, misses, restarts;
    size_t unkept; /* conclusions not kept since the last restart: the store was full */
    /* the last lookup's key and the slot it ended on (the empty one a miss would fill): the
     * put that follows a miss needs no second probe */
    uint64_t last_key;
    unsigned last_slot;
};

G_STATIC_ASSERT(CMSEDGE_VERDICT_STORE_MAX <= UINT16_MAX);
G_STATIC_ASSERT(CMSEDGE_ROLE_COUNT <= 16);
G_STATIC_ASSERT(CMSEDGE_HINT_FOREIGN >= -4 && CMSEDGE_APP_COUNT <= 12);

/* Everything classify and the services lookup read of a flow, in 47 bits; false when a value
 * is out of the range the bits hold (then the flow is not memoised, only classified). */
static bool make_key(const struct cmsedge_flow *f, uint64_t *key)
{
    if (f->transport > 3u || (unsigned)f->src_role > 0xFu || (unsigned)f->dst_role > 0xFu ||
        f->hint < -4 || f->hint > 11)
        return false;
    uint64_t same_host = cmsedge_addr_equal(&f->src, &f->dst);
    *key = KEY_USED | same_host << 46 | (uint64_t)(f->hint + 4) << 42 |
           (uint64_t)f->dst_role << 38 | (uint64_t)f->src_role << 34 |
           (uint64_t)f->transport << 32 | (uint64_t)f->dport << 16 | f->sport;
    return true;
}

static unsigned home_slot(const struct cmsedge_flowmemo *m, uint64_t key)
{
    return (unsigned)((key * UINT64_C(0x9e3779b97f4a7c15)) >> m->shift);
}

/* The slot holding `key`, or the empty slot where it would go. */
static unsigned probe(const struct cmsedge_flowmemo *m, uint64_t key)
{
    unsigned mask = m->capacity - 1, i = home_slot(m, key);
    while (m->slots[i] && (m->slots[i] & KEY_MASK) != key)
        i = (i + 1) & mask;
    return i;
}

static void allocate(struct cmsedge_flowmemo *m, unsigned capacity)
{
    m->slots = g_new0(uint64_t, capacity);
    m->capacity = capacity;
    m->shift = 64u - (unsigned)g_bit_storage(capacity - 1);
    m->count = 0;
}

static void release(struct cmsedge_flowmemo *m)
{
    g_free(m->slots);
    m->slots = NULL;
    m->capacity = 0;
    m->count = 0;
}

/* Twice the slots, every key moved to its new home. */
static void grow(struct cmsedge_flowmemo *m)
{
    uint64_t *slots = m->slots;
    unsigned old = m->capacity;
    allocate(m, 2 * old);
    for (unsigned i = 0; i < old; i++) {
        if (slots[i]) {
            m->slots[probe(m, slots[i] & KEY_MASK)] = slots[i];
            m->count++;
        }
    }
    g_free(slots);
}

/* Every entry gone and the slots back to their first size: what a later restart clears is
 * only what came after this one. */
static void empty(struct cmsedge_flowmemo *m)
{
    release(m);
    if (m->store)
        cmsedge_verdict_store_clear(m->store);
    m->last_key = 0;
    m->unkept = 0;
}

/* Empties the memo because it is full, and keeps (v, svc) in the empty store: its id. */
static int start_again(struct cmsedge_flowmemo *m, const struct cmsedge_verdict *v,
                       const struct cmsedge_service_match *svc)
{
    empty(m);
    m->restarts++;
    allocate(m, FIRST_SLOTS);
    return cmsedge_verdict_store_intern(m->store, v, svc);
}

struct cmsedge_flowmemo *cmsedge_flowmemo_new(void)
{
    return g_new0(struct cmsedge_flowmemo, 1);
}

void cmsedge_flowmemo_free(struct cmsedge_flowmemo *m)
{
    if (!m)
        return;
    release(m);
    cmsedge_verdict_store_free(m->store);
    g_free(m);
}

void cmsedge_flowmemo_clear(struct cmsedge_flowmemo *m)
{
    empty(m);
    m->have_settings = false;
    m->hits = m->misses = m->restarts = 0;
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
    uint64_t key;
    use_settings(m, s);
    m->last_key = 0;
    if (!m->slots || !make_key(flow, &key)) {
        m->misses++;
        return false;
    }
    unsigned slot = probe(m, key);
    if (!m->slots[slot]) {
        m->last_key = key;
        m->last_slot = slot;
        m->misses++;
        return false;
    }
    m->hits++;
    cmsedge_verdict_store_get(m->store, (unsigned)(m->slots[slot] >> ID_SHIFT), v, svc);
    return true;
}

void cmsedge_flowmemo_put(struct cmsedge_flowmemo *m, const struct cmsedge_settings *s,
                          const struct cmsedge_flow *flow, const struct cmsedge_verdict *v,
                          const struct cmsedge_service_match *svc)
{
    uint64_t key;
    use_settings(m, s);
    if (!make_key(flow, &key))
        return;
    if (!m->store)
        m->store = cmsedge_verdict_store_new();
    int id = cmsedge_verdict_store_intern(m->store, v, svc);
    if (id < 0) {
        /* A new conclusion and no room for it (a port scan's near misses, each naming its
         * port): not kept, until as many have gone unkept as the memo holds keys. Only then
         * start again, so that rebuilding the keys (a classification each) costs no more than
         * the unkept conclusions have already; a scan does not empty a busy memo every 1,024
         * frames. */
        if (++m->unkept <= MAX(m->count, UNKEPT_BEFORE_RESTART))
            return;
        id = start_again(m, v, svc);
    }
    if (!m->slots)
        allocate(m, FIRST_SLOTS);
    /* the slot the miss just before ended on, unless the memo changed since */
    unsigned slot = key == m->last_key ? m->last_slot : probe(m, key);
    if (!m->slots[slot]) {
        if (4 * (m->count + 1) > 3 * (size_t)m->capacity) {
            if (m->capacity < MAX_SLOTS) {
                grow(m);
            } else { /* 786,432 keys: start again rather than grow without end */
                id = start_again(m, v, svc);
            }
            slot = probe(m, key);
        }
        m->count++;
    }
    m->slots[slot] = key | (uint64_t)id << ID_SHIFT;
    m->last_key = 0;
}

void cmsedge_flowmemo_stats(const struct cmsedge_flowmemo *m, struct cmsedge_flowmemo_stats *out)
{
    out->hits = m->hits;
    out->misses = m->misses;
    out->keys = m->count;
    out->verdicts = m->store ? cmsedge_verdict_store_count(m->store) : 0;
    out->restarts = m->restarts;
    out->unkept = m->unkept;
    out->bytes = sizeof *m + (size_t)m->capacity * sizeof m->slots[0] +
                 (m->store ? cmsedge_verdict_store_bytes(m->store) : 0);
}
