/* cmsedge: the firewall verdict's counting (see include/cmsedge/firewall.h): what the capture
 * showed per row and transport, the flows no rule covers, and the verdict of each rule.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "firewall_internal.h"

#include <stdio.h>
#include <string.h>

#define MAX_PAIRS 4

struct frames {
    size_t n;
    uint32_t f[CMSEDGE_FW_MAX_FRAMES];
};

/* What the checks found on one row over one transport. */
struct slot {
    struct frames blocked, translated;
    char blocked_text[224];
    char translated_text[256];
    /* NAT rows (fn 5): frames as sent, and as the firewall reflected them */
    uint64_t literal, reflected;
    struct frames literal_fr;
    struct cmsedge_addr literal_src; /* the first frame as sent: its source */
};

/* Traffic, by the set of rows a frame counts for: a frame of rows of one rule counts once. */
struct set_key {
    uint64_t forward, reverse; /* bit: row index (the reference has fewer than 64 rows) */
    uint8_t transport;
};

struct set_traffic {
    struct set_key key;
    uint64_t frames;
    struct frames fr;
    size_t n_pairs;
    struct cmsedge_addr pair[MAX_PAIRS][2]; /* source and destination, in the rows' direction */
};

struct pair_key {
    struct cmsedge_addr src, dst;
};

struct other_key {
    struct cmsedge_addr src, dst;
    uint16_t sport, dport;
    uint8_t transport;
};

struct cmsedge_firewall {
    struct slot (*slots)[2]; /* cmsedge_n_rows; [0] UDP, [1] TCP */
    GHashTable *pairs;       /* struct pair_key -> first frame: traffic from src to dst */
    GHashTable *sets;        /* struct set_key -> struct set_traffic */
    GPtrArray *set_order;    /* struct set_traffic*, by first frame */
    GHashTable *others;      /* struct other_key -> struct cmsedge_fw_other */
    GArray *relays;          /* struct cmsedge_fw_relay: relays whose peer never answered */
    GPtrArray *order;        /* struct cmsedge_fw_other*, by first frame */
    uint64_t frames;
};

static guint pair_hash(gconstpointer p)
{
    const struct pair_key *k = p;
    return cmsedge_addr_hash(&k->src) * 31u ^ cmsedge_addr_hash(&k->dst);
}

static gboolean pair_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct pair_key)) == 0;
}

static guint other_hash(gconstpointer p)
{
    const struct other_key *k = p;
    return (cmsedge_addr_hash(&k->src) * 31u + k->sport) ^
           (cmsedge_addr_hash(&k->dst) * 17u + k->dport) ^ k->transport;
}

static gboolean other_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct other_key)) == 0;
}

static guint set_hash(gconstpointer p)
{
    const struct set_key *k = p;
    return (guint)(k->forward ^ (k->forward >> 32) ^ (k->reverse * 31u) ^ (k->reverse >> 29)) ^
           k->transport;
}

static gboolean set_equal(gconstpointer a, gconstpointer b)
{
    const struct set_key *x = a, *y = b;
    return x->forward == y->forward && x->reverse == y->reverse && x->transport == y->transport;
}

struct cmsedge_firewall *cmsedge_firewall_new(void)
{
    struct cmsedge_firewall *fw = g_new0(struct cmsedge_firewall, 1);
    fw->slots = g_malloc0(cmsedge_n_rows * sizeof fw->slots[0]);
    fw->pairs = g_hash_table_new_full(pair_hash, pair_equal, g_free, NULL);
    fw->others = g_hash_table_new_full(other_hash, other_equal, g_free, g_free);
    fw->order = g_ptr_array_new();
    fw->sets = g_hash_table_new_full(set_hash, set_equal, NULL, g_free);
    fw->set_order = g_ptr_array_new();
    fw->relays = g_array_new(FALSE, TRUE, sizeof(struct cmsedge_fw_relay));
    return fw;
}

void cmsedge_firewall_free(struct cmsedge_firewall *fw)
{
    if (!fw)
        return;
    g_ptr_array_free(fw->order, TRUE);
    g_ptr_array_free(fw->set_order, TRUE);
    g_hash_table_destroy(fw->sets);
    g_hash_table_destroy(fw->others);
    g_hash_table_destroy(fw->pairs);
    g_array_free(fw->relays, TRUE);
    g_free(fw->slots);
    g_free(fw);
}

void cmsedge_firewall_reset(struct cmsedge_firewall *fw)
{
    memset(fw->slots, 0, cmsedge_n_rows * sizeof fw->slots[0]);
    g_ptr_array_set_size(fw->order, 0);
    g_ptr_array_set_size(fw->set_order, 0);
    g_hash_table_remove_all(fw->sets);
    g_hash_table_remove_all(fw->others);
    g_hash_table_remove_all(fw->pairs);
    g_array_set_size(fw->relays, 0);
    fw->frames = 0;
}

static void frames_add(struct frames *fr, uint32_t frame)
{
    if (fr->n < CMSEDGE_FW_MAX_FRAMES && (fr->n == 0 || fr->f[fr->n - 1] != frame))
        fr->f[fr->n++] = frame;
}

static struct slot *slot_of(struct cmsedge_firewall *fw, const struct cmsedge_row *row,
                            unsigned transport)
{
    return &fw->slots[row->index][transport == CMSEDGE_TRANSPORT_TCP ? 1 : 0];
}

static void add_pair(struct set_traffic *sl, const struct cmsedge_addr *src,
                     const struct cmsedge_addr *dst)
{
    for (size_t i = 0; i < sl->n_pairs; i++) {
        if (cmsedge_addr_equal(&sl->pair[i][0], src) && cmsedge_addr_equal(&sl->pair[i][1], dst))
            return;
    }
    if (sl->n_pairs < MAX_PAIRS) {
        sl->pair[sl->n_pairs][0] = *src;
        sl->pair[sl->n_pairs++][1] = *dst;
    }
}

static void see_pair(struct cmsedge_firewall *fw, const struct cmsedge_flow *f, uint32_t frame)
{
    struct pair_key k;
    memset(&k, 0, sizeof k);
    k.src = f->src, k.dst = f->dst;
    if (!g_hash_table_contains(fw->pairs, &k))
        g_hash_table_insert(fw->pairs, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(frame));
}

void cmsedge_fw_relays_set(struct cmsedge_firewall *fw, const struct cmsedge_fw_relay *relays,
                           size_t n)
{
    g_array_set_size(fw->relays, 0);
    g_array_append_vals(fw->relays, relays, (guint)n);
}

static bool end_covers(const struct cmsedge_fw_end *e, const struct cmsedge_addr *addr,
                       uint16_t port)
{
    bool in_ports = false;
    for (size_t i = 0; i < e->ports.n && !in_ports; i++)
        in_ports = port >= e->ports.r[i].lo && port <= e->ports.r[i].hi;
    if (!in_ports)
        return false;
    for (size_t i = 0; i < e->n_hosts; i++)
        if (cmsedge_prefix_contains(&e->hosts[i], addr))
            return true;
    return e->any;
}

/* Does the capture hold any traffic to this address? Without, it may hold one direction. */
static bool traffic_to(const struct cmsedge_firewall *fw, const struct cmsedge_addr *addr)
{
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, fw->pairs);
    while (g_hash_table_iter_next(&it, &key, NULL))
        if (cmsedge_addr_equal(&((const struct pair_key *)key)->dst, addr))
            return true;
    return false;
}

/* The first relay whose peer's media the rule would let in, or NULL. */
static const struct cmsedge_fw_relay *relay_against(const struct cmsedge_firewall *fw,
                                                    const struct cmsedge_fw_rule *r)
{
    for (guint i = 0; i < fw->relays->len; i++) {
        const struct cmsedge_fw_relay *x = &g_array_index(fw->relays, struct cmsedge_fw_relay, i);
        if (x->transport == r->transport && end_covers(&r->src, &x->peer, x->peer_port) &&
            end_covers(&r->dst, &x->relay, x->relay_port))
            return x;
    }
    return NULL;
}

/* The matches a frame counts for: those that fit its hosts best (a Meeting Server's media to
 * the private relay is T2-15's, not also "Any -> Expressway-E" T2-14's). */
static int fit_of(const struct cmsedge_match *m)
{
    return m->src_fit + m->dst_fit;
}

static void count_matches(struct cmsedge_firewall *fw, const struct cmsedge_annotation *ann,
                          uint32_t frame)
{
    const struct cmsedge_verdict *v = &ann->verdict;
    struct set_key k = {.transport = (uint8_t)ann->flow.transport};
    int best = -100;
    for (size_t i = 0; i < v->n_matches; i++)
        best = fit_of(&v->matches[i]) > best ? fit_of(&v->matches[i]) : best;
    for (size_t i = 0; i < v->n_matches; i++) {
        const struct cmsedge_match *m = &v->matches[i];
        if (fit_of(m) == best && m->row->index < 64) {
            if (m->row->src.translated != CMSEDGE_ROLE_NONE) {
                /* a NAT row: as sent, or anything back (reflected, or read as a reply) */
                struct slot *sl = slot_of(fw, m->row, ann->flow.transport);
                if (m->translated || m->reverse) {
                    sl->reflected++;
                } else {
                    if (!sl->literal)
                        sl->literal_src = ann->flow.src;
                    sl->literal++;
                    frames_add(&sl->literal_fr, frame);
                }
            }
            if (m->reverse)
                k.reverse |= UINT64_C(1) << m->row->index;
            else
                k.forward |= UINT64_C(1) << m->row->index;
        }
    }
    if (!k.forward && !k.reverse)
        return;
    struct set_traffic *st = g_hash_table_lookup(fw->sets, &k);
    if (!st) {
        st = g_new0(struct set_traffic, 1);
        st->key = k;
        g_hash_table_insert(fw->sets, &st->key, st);
        g_ptr_array_add(fw->set_order, st);
    }
    st->frames++;
    frames_add(&st->fr, frame);
    if (k.forward)
        add_pair(st, &ann->flow.src, &ann->flow.dst);
    else
        add_pair(st, &ann->flow.dst, &ann->flow.src);
}

/* Near misses and other services, one entry per flow (both directions in one). */
static void count_other(struct cmsedge_firewall *fw, const struct cmsedge_annotation *ann,
                        uint32_t frame)
{
    const struct cmsedge_flow *f = &ann->flow;
    const struct cmsedge_verdict *v = &ann->verdict;
    struct other_key k, back;
    memset(&k, 0, sizeof k);
    k.src = f->src, k.dst = f->dst, k.sport = f->sport, k.dport = f->dport;
    k.transport = (uint8_t)f->transport;
    back = k;
    back.src = f->dst, back.dst = f->src, back.sport = f->dport, back.dport = f->sport;
    struct cmsedge_fw_other *o = g_hash_table_lookup(fw->others, &k);
    if (!o)
        o = g_hash_table_lookup(fw->others, &back);
    if (!o) {
        o = g_new0(struct cmsedge_fw_other, 1);
        o->transport = k.transport;
        o->src = k.src, o->dst = k.dst, o->sport = k.sport, o->dport = k.dport;
        o->src_role = (uint8_t)f->src_role, o->dst_role = (uint8_t)f->dst_role;
        o->first_frame = frame;
        if (ann->service.service) {
            o->service = ann->service.service->name;
        } else {
            o->nearest = v->near_miss && v->nearest ? v->nearest->id : NULL;
            o->translated = v->translated_source;
            g_strlcpy(o->reason, ann->offspec_reason, sizeof o->reason);
        }
        g_hash_table_insert(fw->others, g_memdup2(&k, sizeof k), o);
        g_ptr_array_add(fw->order, o);
    }
    o->frames++;
}

void cmsedge_firewall_add(struct cmsedge_firewall *fw, const struct cmsedge_annotation *ann,
                          const struct cmsedge_facts *facts)
{
    const struct cmsedge_verdict *v = &ann->verdict;
    uint32_t frame = facts->frame;
    fw->frames++;
    if (ann->traffic) {
        see_pair(fw, &ann->flow, frame);
        count_matches(fw, ann, frame);
    }
    for (size_t i = 0; i < ann->findings.n; i++) {
        const struct cmsedge_finding *fd = &ann->findings.items[i];
        if (fd->kind != CMSEDGE_FINDING_BLOCKED || fd->severity != CMSEDGE_WARNING || !fd->row)
            continue; /* a note: the capture may hold one direction only */
        struct slot *sl = slot_of(fw, fd->row, ann->flow.transport);
        if (!sl->blocked.n)
            g_strlcpy(sl->blocked_text, fd->text, sizeof sl->blocked_text);
        frames_add(&sl->blocked, frame);
    }
    if (v->translated_source && v->nearest) {
        struct slot *sl = slot_of(fw, v->nearest, ann->flow.transport);
        if (!sl->translated.n)
            g_strlcpy(sl->translated_text, v->reason, sizeof sl->translated_text);
        frames_add(&sl->translated, frame);
    }
    if (v->n_matches == 0 && ann->traffic &&
        (ann->service.service || ann->offspec == CMSEDGE_OFFSPEC_NEAR_MISS ||
         ann->offspec == CMSEDGE_OFFSPEC_FOOTNOTE))
        count_other(fw, ann, frame);
}

uint64_t cmsedge_fw_frames(const struct cmsedge_firewall *fw)
{
    return fw->frames;
}

void cmsedge_fw_others(const struct cmsedge_firewall *fw, bool services, GPtrArray *into)
{
    for (guint i = 0; i < fw->order->len; i++) {
        const struct cmsedge_fw_other *o = g_ptr_array_index(fw->order, i);
        if (!o->service == !services)
            g_ptr_array_add(into, (gpointer)o);
    }
}

static void merge_frames(struct frames *into, const struct frames *from)
{
    for (size_t i = 0; i < from->n; i++)
        frames_add(into, from->f[i]);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void set_frames(struct cmsedge_fw_judgement *out, const struct frames *a,
                       const struct frames *b)
{
    struct frames all = {0};
    merge_frames(&all, a);
    if (b)
        merge_frames(&all, b);
    qsort(all.f, all.n, sizeof all.f[0], cmp_u32);
    out->n_frames = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (i == 0 || all.f[i] != all.f[i - 1])
            out->frames[out->n_frames++] = all.f[i];
    }
}

/* The first frame with traffic back from a rule's destination to its source, or 0. */
static uint32_t traffic_back(const struct cmsedge_firewall *fw, const struct set_traffic *sl,
                             struct cmsedge_addr *from, struct cmsedge_addr *to)
{
    for (size_t i = 0; i < sl->n_pairs; i++) {
        struct pair_key k;
        memset(&k, 0, sizeof k);
        k.src = sl->pair[i][1], k.dst = sl->pair[i][0];
        gpointer v = g_hash_table_lookup(fw->pairs, &k);
        if (v) {
            *from = k.src, *to = k.dst;
            return GPOINTER_TO_UINT(v);
        }
    }
    return 0;
}

void cmsedge_firewall_judge(const struct cmsedge_firewall *fw, const struct cmsedge_fw_rules *rules,
                            const struct cmsedge_fw_rule *r, struct cmsedge_fw_judgement *out)
{
    struct {
        uint64_t forward, reverse;
        struct frames fwd, rev, blocked, translated;
        uint64_t literal, reflected;
        struct frames literal_fr;
        struct cmsedge_addr literal_src;
    } sum;
    const char *blocked_text = NULL, *translated_text = NULL;
    uint32_t back = 0;
    struct cmsedge_addr from, to;
    uint64_t mask = 0;
    (void)rules;
    memset(&sum, 0, sizeof sum);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct slot *sl =
            &fw->slots[r->rows[i]->index][r->transport == CMSEDGE_TRANSPORT_TCP ? 1 : 0];
        if (r->rows[i]->index < 64)
            mask |= UINT64_C(1) << r->rows[i]->index;
        merge_frames(&sum.blocked, &sl->blocked);
        merge_frames(&sum.translated, &sl->translated);
        if (sl->blocked.n && !blocked_text)
            blocked_text = sl->blocked_text;
        if (sl->translated.n && !translated_text)
            translated_text = sl->translated_text;
        if (sl->literal && !sum.literal)
            sum.literal_src = sl->literal_src;
        sum.literal += sl->literal;
        sum.reflected += sl->reflected;
        merge_frames(&sum.literal_fr, &sl->literal_fr);
    }
    for (guint i = 0; i < fw->set_order->len; i++) {
        const struct set_traffic *st = g_ptr_array_index(fw->set_order, i);
        if (st->key.transport != r->transport)
            continue;
        if (st->key.forward & mask) {
            sum.forward += st->frames;
            merge_frames(&sum.fwd, &st->fr);
            if (!back)
                back = traffic_back(fw, st, &from, &to);
        } else if (st->key.reverse & mask) {
            sum.reverse += st->frames;
            merge_frames(&sum.rev, &st->fr);
        }
    }
    out->forward = sum.forward;
    out->reverse = sum.reverse;
    const struct cmsedge_fw_relay *relay = sum.blocked.n ? NULL : relay_against(fw, r);
    if (relay) {
        struct frames rf = {.n = relay->n_frames};
        memcpy(rf.f, relay->frames, sizeof relay->frames);
        out->verdict = CMSEDGE_FW_BLOCKED;
        set_frames(out, &rf, NULL);
        g_strlcpy(out->evidence, relay->text, sizeof out->evidence);
    } else if (sum.blocked.n) {
        out->verdict = CMSEDGE_FW_BLOCKED;
        set_frames(out, &sum.blocked, &sum.fwd); /* the attempts and what refused them */
        g_strlcpy(out->evidence, blocked_text, sizeof out->evidence);
    } else if (sum.translated.n) {
        out->verdict = CMSEDGE_FW_TRANSLATED;
        set_frames(out, &sum.translated, NULL);
        snprintf(out->evidence, sizeof out->evidence, "source port rewritten: %s", translated_text);
    } else if (sum.literal >= CMSEDGE_FW_UNANSWERED && !sum.reflected &&
               traffic_to(fw, &sum.literal_src)) {
        /* fn 5: sent to the Expressway-E's own public address, and none came back reflected,
         * in a capture that shows traffic arriving at the private address */
        out->verdict = CMSEDGE_FW_TRANSLATED;
        set_frames(out, &sum.literal_fr, NULL);
        snprintf(out->evidence, sizeof out->evidence,
                 "NAT reflection missing: %" G_GUINT64_FORMAT " frame(s) sent to the public "
                 "address, none came back reflected from it",
                 sum.literal);
    } else if (sum.forward && sum.reverse) {
        out->verdict = CMSEDGE_FW_WORKS;
        set_frames(out, &sum.fwd, &sum.rev);
        snprintf(out->evidence, sizeof out->evidence,
                 "%" G_GUINT64_FORMAT " frame(s) through it, %" G_GUINT64_FORMAT " back",
                 sum.forward, sum.reverse);
    } else if (sum.forward && r->transport == CMSEDGE_TRANSPORT_UDP && back) {
        char a[64], b[64];
        struct frames bf = {.n = 1, .f = {back}};
        out->verdict = CMSEDGE_FW_WORKS;
        set_frames(out, &sum.fwd, &bf);
        cmsedge_addr_format(&from, a, sizeof a);
        cmsedge_addr_format(&to, b, sizeof b);
        snprintf(out->evidence, sizeof out->evidence,
                 "%" G_GUINT64_FORMAT " datagram(s) through it, no ICMP error, and the capture "
                 "shows traffic back from %s to %s (frame %u)",
                 sum.forward, a, b, back);
    } else if (sum.forward || sum.reverse) {
        out->verdict = CMSEDGE_FW_ONE_WAY;
        set_frames(out, &sum.fwd, &sum.rev);
        snprintf(out->evidence, sizeof out->evidence,
                 "%s only, nothing back between those hosts: the capture may hold one "
                 "direction",
                 sum.forward ? "traffic in the rule's direction" : "answers");
    } else {
        out->verdict = CMSEDGE_FW_NOT_EXERCISED;
        g_strlcpy(out->evidence, "no traffic: the capture cannot tell", sizeof out->evidence);
    }
}

void cmsedge_firewall_write(const struct cmsedge_firewall *fw, const struct cmsedge_settings *s,
                            const struct cmsedge_hostmap *hosts, const struct cmsedge_infer *infer,
                            enum cmsedge_fw_format format, GString *out)
{
    struct cmsedge_fw_rules *rules = cmsedge_fw_rules_new(s, hosts, infer);
    switch (format) {
    case CMSEDGE_FW_CSV:
        cmsedge_fw_write_csv(fw, rules, out);
        break;
    case CMSEDGE_FW_JSON:
        cmsedge_fw_write_json(fw, s, rules, out);
        break;
    case CMSEDGE_FW_NFT:
        cmsedge_fw_write_nft(s, rules, out);
        break;
    case CMSEDGE_FW_ASA:
        cmsedge_fw_write_asa(s, rules, out);
        break;
    default:
        cmsedge_fw_write_text(fw, s, rules, out);
        break;
    }
    cmsedge_fw_rules_free(rules);
}
