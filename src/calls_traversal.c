/* cmsedge: traversal calls, a SIP call's dialogs and media on each hop through the Expressway-E
 * and Expressway-C (see include/cmsedge/calls.h).
 *
 * Fed by cmsedge_calls_feed with the frames no web-app join took. Two kinds of frame count:
 *   - a clear-text SIP message (fr->sip) between the hosts of a hop: its dialog is the hop's
 *     with its Call-ID; an INVITE nobody has seen starts one. The hop comes from the roles of
 *     the two hosts, or else from the reference row the frame matched (an endpoint nobody
 *     configured is still the source of T2-04);
 *   - UDP media: on a leg already known; else to or from an address and port some dialog's SDP
 *     named (the latest one naming it wins: ports are reused from call to call); else media
 *     with no SDP in sight (SIP over TLS), tied by timing: on a reference row that carries RTP
 *     or RTCP between the hosts of a hop, or, between the Expressway-C and the Meeting Server
 *     (no row documents their media), a payload Wireshark or cmsedge.media recognised as RTP
 *     or RTCP (a stream's first packet is not recognised yet, and is not counted).
 * Timing ties only where one call could be meant: two candidates inside the window make a call
 * of their own instead, since a wrong tie would send an engineer after the wrong leg.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "calls_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/reference.h"
#include "cmsedge/roles.h"

/* Hash keys: a kind, a dialog and up to two ends, packed without padding. */
#define END_BYTES 19 /* family, 16 address bytes, port */
struct key {
    uint8_t b[1 + 4 + 2 * END_BYTES + 1];
};

/* Eight bytes at a time (every media frame of a capture with calls hashes a key), the tail
 * byte by byte. */
static guint key_hash(gconstpointer p)
{
    const struct key *k = p;
    uint64_t h = 0x9e3779b97f4a7c15u;
    size_t i = 0;
    for (; i + 8 <= sizeof k->b; i += 8) {
        uint64_t w;
        memcpy(&w, k->b + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    for (; i < sizeof k->b; i++)
        h = (h ^ k->b[i]) * 0x100000001b3u;
    return (guint)(h ^ (h >> 29));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct key)) == 0;
}

static void pack_end(uint8_t *p, const struct cmsedge_endpoint *e)
{
    p[0] = e->addr.family;
    memcpy(p + 1, e->addr.bytes, 16);
    p[17] = (uint8_t)(e->port >> 8);
    p[18] = (uint8_t)e->port;
}

/* The ends in a fixed order, so both directions of a flow make one key. */
static struct key make_key(uint8_t kind, unsigned dialog, const struct cmsedge_endpoint *x,
                           const struct cmsedge_endpoint *y)
{
    struct key k;
    uint8_t ex[END_BYTES], ey[END_BYTES] = {0};
    memset(&k, 0, sizeof k);
    pack_end(ex, x);
    if (y)
        pack_end(ey, y);
    bool swap = y && memcmp(ex, ey, END_BYTES) > 0;
    k.b[0] = kind;
    k.b[1] = (uint8_t)(dialog >> 24), k.b[2] = (uint8_t)(dialog >> 16);
    k.b[3] = (uint8_t)(dialog >> 8), k.b[4] = (uint8_t)dialog;
    memcpy(k.b + 5, swap ? ey : ex, END_BYTES);
    memcpy(k.b + 5 + END_BYTES, swap ? ex : ey, END_BYTES);
    return k;
}

static unsigned lookup(GHashTable *t, const struct key *k)
{
    return GPOINTER_TO_UINT(g_hash_table_lookup(t, k));
}

static void insert(GHashTable *t, const struct key *k, unsigned id)
{
    g_hash_table_insert(t, g_memdup2(k, sizeof *k), GUINT_TO_POINTER(id));
}

/* Dialog keys: the hop and the Call-ID. */
static char *dialog_key(enum cmsedge_hop hop, const char *call_id)
{
    return g_strdup_printf("%d %s", (int)hop, call_id);
}

bool cmsedge_traversal_init(struct cmsedge_calls *c)
{
    c->dialog_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->leg_index = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
    c->sdp_index = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
    return c->dialog_index && c->leg_index && c->sdp_index;
}

void cmsedge_traversal_reset(struct cmsedge_calls *c)
{
    c->n_dialogs = c->n_recent = 0;
    c->two_way = false;
    g_hash_table_remove_all(c->dialog_index);
    g_hash_table_remove_all(c->leg_index);
    g_hash_table_remove_all(c->sdp_index);
}

void cmsedge_traversal_free(struct cmsedge_calls *c)
{
    if (c->dialog_index)
        g_hash_table_destroy(c->dialog_index);
    if (c->leg_index)
        g_hash_table_destroy(c->leg_index);
    if (c->sdp_index)
        g_hash_table_destroy(c->sdp_index);
    free(c->dialogs);
    free(c->recent);
}

static bool is_e_public(enum cmsedge_role r)
{
    return r == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC || r == CMSEDGE_ROLE_EXPRESSWAY_E;
}

static bool is_e_private(enum cmsedge_role r)
{
    return r == CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE || r == CMSEDGE_ROLE_EXPRESSWAY_E;
}

/* The hop between two roles, in either order. An endpoint is a host in no edge role (or a SIP
 * endpoint) talking to the Expressway-E's public side. */
static enum cmsedge_hop hop_of(enum cmsedge_role x, enum cmsedge_role y)
{
    for (int turn = 0; turn < 2; turn++) {
        enum cmsedge_role e = turn ? y : x, other = turn ? x : y;
        if (is_e_private(e) && other == CMSEDGE_ROLE_EXPRESSWAY_C)
            return CMSEDGE_HOP_ZONE;
        if (is_e_public(e) && (other == CMSEDGE_ROLE_SIP_ENDPOINT || other == CMSEDGE_ROLE_NONE ||
                               other == CMSEDGE_ROLE_ANY))
            return CMSEDGE_HOP_ENDPOINT;
        if (e == CMSEDGE_ROLE_EXPRESSWAY_C && other == CMSEDGE_ROLE_MEETING_SERVER)
            return CMSEDGE_HOP_MEETING_SERVER;
    }
    return CMSEDGE_HOP_NONE;
}

static enum cmsedge_hop frame_hop(const struct cmsedge_annotation *a)
{
    enum cmsedge_hop hop = hop_of(a->src.role, a->dst.role);
    const struct cmsedge_row *row = cmsedge_calls_matched_row(a);
    if (hop == CMSEDGE_HOP_NONE && row)
        hop = hop_of((enum cmsedge_role)row->src.role, (enum cmsedge_role)row->dst.role);
    return hop;
}

static struct cmsedge_dialog *dialog(struct cmsedge_calls *c, unsigned id)
{
    return id >= 1 && id <= c->n_dialogs ? &c->dialogs[id - 1] : NULL;
}

/* Hop bits of a call: which hops have a dialog, which have media (kept as they are added, so
 * the ties' candidate scans cost no walk over the capture's legs). */
#define HOP_BIT(hop) (1u << (hop))

static bool call_has_hop(const struct cmsedge_calls *c, unsigned call, enum cmsedge_hop hop,
                         bool dialogs, bool legs)
{
    if (call < 1 || call > c->n_calls)
        return false;
    const struct cmsedge_call *k = &c->calls[call - 1];
    return (dialogs && (k->dialog_hops & HOP_BIT(hop))) || (legs && (k->media_hops & HOP_BIT(hop)));
}

static bool call_has_dialogs(const struct cmsedge_calls *c, unsigned call)
{
    return call >= 1 && call <= c->n_calls && c->calls[call - 1].dialog_hops;
}

static unsigned new_traversal_call(struct cmsedge_calls *c, uint32_t frame)
{
    struct cmsedge_call *call = cmsedge_calls_new_call(c, frame);
    if (!call)
        return 0;
    call->traversal = true;
    return call->id;
}

/* The call a new dialog on `hop` joins: the Call-ID's on another hop, else the one call whose
 * INVITE on another hop came inside the window (none when two could be meant). */
static unsigned dialog_call(struct cmsedge_calls *c, enum cmsedge_hop hop, const char *call_id,
                            double t, enum cmsedge_tie *tied_by, unsigned *tie)
{
    for (enum cmsedge_hop h = CMSEDGE_HOP_ENDPOINT; h <= CMSEDGE_HOP_MEETING_SERVER; h++) {
        if (h == hop)
            continue;
        char *k = dialog_key(h, call_id);
        unsigned id = GPOINTER_TO_UINT(g_hash_table_lookup(c->dialog_index, k));
        g_free(k);
        if (id) {
            *tied_by = CMSEDGE_TIE_CALL_ID;
            *tie = id;
            return c->dialogs[id - 1].call;
        }
    }
    unsigned found = 0, found_dialog = 0;
    for (size_t i = c->n_dialogs; i-- > 0;) {
        const struct cmsedge_dialog *d = &c->dialogs[i];
        if (d->invite_time < t - CMSEDGE_CALLS_TIE_WINDOW)
            break;
        if (d->hop == hop || d->call == found || call_has_hop(c, d->call, hop, true, false))
            continue;
        if (found)
            return 0; /* two calls could be meant */
        found = d->call;
        found_dialog = d->id;
    }
    if (found) {
        *tied_by = CMSEDGE_TIE_TIMING;
        *tie = found_dialog;
    }
    return found;
}

static struct cmsedge_dialog *new_dialog(struct cmsedge_calls *c, enum cmsedge_hop hop,
                                         const struct cmsedge_frame *fr,
                                         const struct cmsedge_endpoint *src,
                                         const struct cmsedge_endpoint *dst)
{
    if (c->n_dialogs >= CMSEDGE_CALLS_MAX_DIALOGS ||
        !cmsedge_calls_grow((void **)&c->dialogs, &c->cap_dialogs, c->n_dialogs + 1,
                            sizeof *c->dialogs))
        return NULL;
    enum cmsedge_tie tied_by = CMSEDGE_TIE_NONE;
    unsigned tie = 0;
    unsigned call = dialog_call(c, hop, fr->sip->call_id, fr->facts.time, &tied_by, &tie);
    if (!call && (call = new_traversal_call(c, fr->facts.frame)) == 0)
        return NULL;
    struct cmsedge_dialog *d = &c->dialogs[c->n_dialogs++];
    memset(d, 0, sizeof *d);
    d->id = (unsigned)c->n_dialogs;
    d->call = call;
    d->hop = hop;
    d->a = *src;
    d->b = *dst;
    snprintf(d->call_id, sizeof d->call_id, "%s", fr->sip->call_id);
    d->tied_by = tied_by;
    d->tie = tie;
    d->invite_frame = fr->facts.frame;
    d->invite_time = fr->facts.time;
    g_hash_table_insert(c->dialog_index, dialog_key(hop, d->call_id), GUINT_TO_POINTER(d->id));
    c->calls[call - 1].dialog_hops |= (uint8_t)HOP_BIT(hop);
    return d;
}

/* A leg's packet: counts, and which direction the capture has seen. */
static void count(struct cmsedge_calls *c, struct cmsedge_leg *l, const struct cmsedge_frame *fr,
                  const struct cmsedge_endpoint *src, struct cmsedge_call_ref *ref)
{
    int dir = cmsedge_endpoints_equal(&l->a, src) ? 0 : 1;
    l->packets[dir]++;
    l->bytes[dir] += fr->facts.length;
    l->last_frame = fr->facts.frame;
    c->two_way = c->two_way || (l->packets[0] && l->packets[1]);
    ref->call = l->call;
    ref->leg = l->id;
    ref->kind = l->kind;
    ref->hop = l->hop;
}

static struct cmsedge_leg *
add_leg(struct cmsedge_calls *c, enum cmsedge_leg_kind kind, unsigned call, enum cmsedge_hop hop,
        unsigned dialog_id, const struct cmsedge_frame *fr, const struct cmsedge_endpoint *src,
        const struct cmsedge_endpoint *dst, const struct cmsedge_annotation *a)
{
    struct cmsedge_leg *l = cmsedge_calls_new_leg(c, kind, call, src, dst, fr->facts.frame);
    if (!l)
        return NULL;
    l->hop = hop;
    l->dialog = dialog_id;
    if (kind == CMSEDGE_LEG_MEDIA)
        c->calls[call - 1].media_hops |= (uint8_t)HOP_BIT(hop);
    l->first_time = fr->facts.time;
    l->rule = cmsedge_calls_rule(a);
    struct key k = make_key((uint8_t)kind, kind == CMSEDGE_LEG_SIP ? dialog_id : 0, src, dst);
    insert(c->leg_index, &k, l->id);
    return l;
}

static bool call_ended(const struct cmsedge_calls *c, unsigned call)
{
    return call >= 1 && call <= c->n_calls && c->calls[call - 1].ended;
}

/* An end two calls in progress both named (the Expressway-E's demultiplexing port, which every
 * traversal call's SDP names) ties no media to either. */
#define SHARED_END UINT32_MAX

static void remember_sdp(struct cmsedge_calls *c, struct cmsedge_dialog *d,
                         const struct cmsedge_frame *fr, const struct cmsedge_endpoint *src)
{
    const struct cmsedge_sip_info *sip = fr->sip;
    bool from_a = cmsedge_endpoints_equal(src, &d->a);
    for (size_t i = 0; i < sip->n_media; i++) {
        struct cmsedge_endpoint at = {sip->media[i].addr, sip->media[i].port};
        struct key k = make_key(0, 0, &at, NULL);
        unsigned before = lookup(c->sdp_index, &k);
        if (before == SHARED_END || (before && c->dialogs[before - 1].call != d->call &&
                                     !call_ended(c, c->dialogs[before - 1].call)))
            insert(c->sdp_index, &k, SHARED_END);
        else /* ports are reused from call to call: an ended call's give way */
            insert(c->sdp_index, &k, d->id);
        bool known = false;
        for (size_t m = 0; m < d->n_media; m++)
            known = known || cmsedge_endpoints_equal(&d->media[m].at, &at);
        if (known || d->n_media >= CMSEDGE_DIALOG_MAX_MEDIA)
            continue;
        d->media[d->n_media].at = at;
        d->media[d->n_media].frame = fr->facts.frame;
        d->media[d->n_media].from_a = from_a;
        d->n_media++;
    }
}

static bool sip_message(struct cmsedge_calls *c, const struct cmsedge_frame *fr,
                        const struct cmsedge_annotation *a, const struct cmsedge_endpoint *src,
                        const struct cmsedge_endpoint *dst, struct cmsedge_call_ref *ref)
{
    const struct cmsedge_sip_info *sip = fr->sip;
    enum cmsedge_hop hop = frame_hop(a);
    if (hop == CMSEDGE_HOP_NONE || !sip->call_id[0])
        return false;
    char *k = dialog_key(hop, sip->call_id);
    struct cmsedge_dialog *d = dialog(c, GPOINTER_TO_UINT(g_hash_table_lookup(c->dialog_index, k)));
    g_free(k);
    if (!d) {
        /* only an INVITE starts a call: OPTIONS pings, REGISTERs and the BYE of a call set up
         * before the capture began are no call to follow */
        if (!sip->request || sip->method != CMSEDGE_SIP_INVITE)
            return false;
        if ((d = new_dialog(c, hop, fr, src, dst)) == NULL)
            return false;
    }
    if (!sip->request && sip->method == CMSEDGE_SIP_INVITE && sip->status >= 200) {
        d->status = sip->status;
        d->status_frame = fr->facts.frame;
    } else if (sip->request && sip->method == CMSEDGE_SIP_BYE && !d->bye_frame) {
        d->bye_frame = fr->facts.frame;
        c->calls[d->call - 1].ended = true;
    }
    if (sip->has_sdp)
        remember_sdp(c, d, fr, src);
    struct key lk = make_key(CMSEDGE_LEG_SIP, d->id, src, dst);
    struct cmsedge_leg *l = NULL;
    unsigned id = lookup(c->leg_index, &lk);
    if (id)
        l = &c->legs[id - 1];
    else
        l = add_leg(c, CMSEDGE_LEG_SIP, d->call, hop, d->id, fr, src, dst, a);
    if (!l) {
        ref->call = d->call;
        ref->hop = hop;
        return true;
    }
    count(c, l, fr, src, ref);
    return true;
}

/* The dialog whose SDP named one of the flow's ends (or, for RTCP, the port below one). */
static struct cmsedge_dialog *sdp_dialog(struct cmsedge_calls *c,
                                         const struct cmsedge_endpoint *src,
                                         const struct cmsedge_endpoint *dst,
                                         enum cmsedge_tie *tied_by, uint32_t *frame)
{
    const struct cmsedge_endpoint *ends[2] = {dst, src};
    for (int rtcp = 0; rtcp < 2; rtcp++) {
        for (int i = 0; i < 2; i++) {
            struct cmsedge_endpoint at = *ends[i];
            if (rtcp && at.port == 0)
                continue;
            at.port = (uint16_t)(at.port - rtcp);
            struct key k = make_key(0, 0, &at, NULL);
            unsigned id = lookup(c->sdp_index, &k);
            struct cmsedge_dialog *d = id == SHARED_END ? NULL : dialog(c, id);
            if (!d || call_ended(c, d->call))
                continue; /* media after the BYE is no longer that call's */
            *tied_by = rtcp ? CMSEDGE_TIE_SDP_RTCP : CMSEDGE_TIE_SDP;
            for (size_t m = 0; m < d->n_media; m++)
                if (cmsedge_endpoints_equal(&d->media[m].at, &at))
                    *frame = d->media[m].frame;
            return d;
        }
    }
    return NULL;
}

static bool one_below(const struct cmsedge_endpoint *low, const struct cmsedge_endpoint *high)
{
    return low->port + 1 == high->port && cmsedge_addr_equal(&low->addr, &high->addr);
}

/* RTP and its RTCP: both ends one port apart, the flow above the leg or below it (the first
 * RTCP report may come before the RTP stream is recognised), in either direction. */
static bool port_pair(const struct cmsedge_leg *l, const struct cmsedge_endpoint *src,
                      const struct cmsedge_endpoint *dst)
{
    return (one_below(&l->a, src) && one_below(&l->b, dst)) ||
           (one_below(&l->a, dst) && one_below(&l->b, src)) ||
           (one_below(src, &l->a) && one_below(dst, &l->b)) ||
           (one_below(dst, &l->a) && one_below(src, &l->b));
}

/* The call media with no SDP joins: the RTP leg it is the RTCP of, else the only
 * signalling-less call with media on another hop (and none on this one) that started inside
 * the window. */
static unsigned timing_call(struct cmsedge_calls *c, enum cmsedge_hop hop, double t,
                            const struct cmsedge_endpoint *src, const struct cmsedge_endpoint *dst,
                            enum cmsedge_tie *tied_by, unsigned *tie)
{
    unsigned found = 0, found_leg = 0;
    bool ambiguous = false;
    for (size_t i = c->n_recent; i-- > 0;) {
        const struct cmsedge_leg *l = &c->legs[c->recent[i] - 1];
        if (l->first_time < t - CMSEDGE_CALLS_TIE_WINDOW)
            break;
        if (l->hop == hop && port_pair(l, src, dst)) {
            *tied_by = CMSEDGE_TIE_PORT_PAIR;
            *tie = l->id;
            return l->call;
        }
        if (l->hop == hop || l->call == found || call_has_hop(c, l->call, hop, false, true))
            continue;
        ambiguous = ambiguous || found != 0;
        found = l->call;
        found_leg = l->id;
    }
    if (!found || ambiguous)
        return 0;
    *tied_by = CMSEDGE_TIE_TIMING;
    *tie = found_leg;
    return found;
}

static bool carries_rtp(const struct cmsedge_row *row)
{
    return row && !(row->apps & CMSEDGE_APP_ANY_MEDIA) &&
           (row->apps & (CMSEDGE_APP_BIT(CMSEDGE_APP_RTP) | CMSEDGE_APP_BIT(CMSEDGE_APP_RTCP)));
}

static bool media(struct cmsedge_calls *c, const struct cmsedge_frame *fr,
                  const struct cmsedge_annotation *a, const struct cmsedge_endpoint *src,
                  const struct cmsedge_endpoint *dst, struct cmsedge_call_ref *ref)
{
    bool row_media = carries_rtp(cmsedge_calls_matched_row(a));
    bool ms_media = !row_media && hop_of(a->src.role, a->dst.role) == CMSEDGE_HOP_MEETING_SERVER &&
                    (fr->hint == CMSEDGE_APP_RTP || fr->hint == CMSEDGE_APP_RTCP);
    if (!row_media && !ms_media && !g_hash_table_size(c->leg_index) &&
        !g_hash_table_size(c->sdp_index))
        return false; /* the usual frame of a capture with no call: no hashing */
    struct key k = make_key(CMSEDGE_LEG_MEDIA, 0, src, dst);
    unsigned id = lookup(c->leg_index, &k);
    if (id) {
        count(c, &c->legs[id - 1], fr, src, ref);
        return true;
    }
    enum cmsedge_tie tied_by = CMSEDGE_TIE_NONE;
    unsigned tie = 0, call;
    uint32_t tie_frame = 0;
    enum cmsedge_hop hop;
    struct cmsedge_dialog *d =
        g_hash_table_size(c->sdp_index) ? sdp_dialog(c, src, dst, &tied_by, &tie_frame) : NULL;
    if (d) {
        call = d->call;
        hop = d->hop;
        tie = d->id;
    } else {
        if (row_media)
            hop = frame_hop(a);
        else if (ms_media)
            hop = CMSEDGE_HOP_MEETING_SERVER; /* no row documents it: the payload must say */
        else
            return false;
        if (hop == CMSEDGE_HOP_NONE)
            return false;
        call = timing_call(c, hop, fr->facts.time, src, dst, &tied_by, &tie);
        if (!call && (call = new_traversal_call(c, fr->facts.frame)) == 0)
            return false;
    }
    struct cmsedge_leg *l = add_leg(c, CMSEDGE_LEG_MEDIA, call, hop, 0, fr, src, dst, a);
    if (!l)
        return false;
    l->tied_by = tied_by;
    l->tie = tie;
    l->tie_frame = tie_frame;
    l->rtcp = tied_by == CMSEDGE_TIE_SDP_RTCP;
    if (tied_by == CMSEDGE_TIE_PORT_PAIR) {
        /* of the pair, RTCP is the one a port above (its first report may come first) */
        struct cmsedge_leg *other = &c->legs[tie - 1];
        if (one_below(&other->a, src) || one_below(&other->a, dst))
            l->rtcp = true;
        else
            other->rtcp = true;
    }
    if (!d && !call_has_dialogs(c, call) &&
        cmsedge_calls_grow((void **)&c->recent, &c->cap_recent, c->n_recent + 1, sizeof *c->recent))
        c->recent[c->n_recent++] = l->id;
    count(c, l, fr, src, ref);
    return true;
}

bool cmsedge_traversal_feed(struct cmsedge_calls *c, const struct cmsedge_frame *fr,
                            const struct cmsedge_annotation *a, struct cmsedge_call_ref *ref)
{
    struct cmsedge_endpoint src = {fr->src, fr->sport}, dst = {fr->dst, fr->dport};
    if (fr->sip)
        return sip_message(c, fr, a, &src, &dst, ref);
    if (fr->transport != CMSEDGE_TRANSPORT_UDP)
        return false;
    return media(c, fr, a, &src, &dst, ref);
}

/* ---- what a traversal call's report says ------------------------------------------------- */

size_t cmsedge_calls_dialogs(const struct cmsedge_calls *c, const struct cmsedge_dialog **list)
{
    *list = c->dialogs;
    return c->n_dialogs;
}

const struct cmsedge_dialog *cmsedge_calls_next_dialog(const struct cmsedge_calls *c, unsigned call,
                                                       size_t *at)
{
    while (*at < c->n_dialogs && c->dialogs[*at].call != call)
        ++*at;
    return *at < c->n_dialogs ? &c->dialogs[(*at)++] : NULL;
}

const char *cmsedge_hop_name(enum cmsedge_hop hop)
{
    switch (hop) {
    case CMSEDGE_HOP_ENDPOINT:
        return "endpoint-expressway-e";
    case CMSEDGE_HOP_ZONE:
        return "traversal-zone";
    case CMSEDGE_HOP_MEETING_SERVER:
        return "expressway-c-meeting-server";
    default:
        return "none";
    }
}

const char *cmsedge_tie_name(enum cmsedge_tie tie)
{
    switch (tie) {
    case CMSEDGE_TIE_CALL_ID:
        return "call-id";
    case CMSEDGE_TIE_SDP:
        return "sdp";
    case CMSEDGE_TIE_SDP_RTCP:
        return "sdp-rtcp";
    case CMSEDGE_TIE_TIMING:
        return "timing";
    case CMSEDGE_TIE_PORT_PAIR:
        return "port-pair";
    default:
        return "started";
    }
}

static bool media_on_hop(const struct cmsedge_calls *c, unsigned call, enum cmsedge_hop hop)
{
    return call_has_hop(c, call, hop, false, true);
}

/* The reference's rule for a hop's RTP, by the roles its ends play; NULL for the Meeting
 * Server's hop, whose media no row documents. */
static const struct cmsedge_row *hop_rule(enum cmsedge_hop hop)
{
    if (hop == CMSEDGE_HOP_ENDPOINT)
        return cmsedge_row_first(CMSEDGE_ROLE_SIP_ENDPOINT, CMSEDGE_ROLE_EXPRESSWAY_E,
                                 CMSEDGE_APP_RTP);
    if (hop == CMSEDGE_HOP_ZONE)
        return cmsedge_row_first(CMSEDGE_ROLE_EXPRESSWAY_C, CMSEDGE_ROLE_EXPRESSWAY_E,
                                 CMSEDGE_APP_RTP);
    return NULL;
}

const char *cmsedge_traversal_problem(const struct cmsedge_calls *c, unsigned call, char *buf,
                                      size_t len)
{
    bool any_media = false;
    for (size_t i = 0; i < c->n_legs; i++)
        any_media = any_media || (c->legs[i].call == call && c->legs[i].kind == CMSEDGE_LEG_MEDIA);
    for (size_t i = 0; i < c->n_dialogs; i++) {
        const struct cmsedge_dialog *d = &c->dialogs[i];
        if (d->call != call)
            continue;
        if (d->status >= 300) {
            snprintf(buf, len,
                     "failed: the INVITE on the %s (frame %u) was answered %u at frame %u",
                     cmsedge_hop_name(d->hop), d->invite_frame, d->status, d->status_frame);
            return buf;
        }
    }
    /* media named in SDP but none on that hop; only where the capture holds this call's media
     * on some hop (a capture of signalling alone says nothing of media) */
    for (size_t i = 0; any_media && i < c->n_dialogs; i++) {
        const struct cmsedge_dialog *d = &c->dialogs[i];
        if (d->call != call || !d->n_media || d->status < 200 || media_on_hop(c, call, d->hop))
            continue;
        char at[64];
        cmsedge_calls_endpoint(&d->media[0].at, at, sizeof at);
        const struct cmsedge_row *row = hop_rule(d->hop);
        snprintf(buf, len,
                 "missing: media on the %s%s%s%s (dialog %u's SDP named %s at frame %u; nothing "
                 "to or from it)",
                 cmsedge_hop_name(d->hop), row ? " (" : "", row ? row->id : "", row ? ")" : "",
                 d->id, at, d->media[0].frame);
        return buf;
    }
    /* one way only, where the capture shows both directions of something: RTP legs with
     * enough packets (RTCP comes seconds apart, and may go one way for a while) */
    for (size_t i = 0; c->two_way && i < c->n_legs; i++) {
        const struct cmsedge_leg *l = &c->legs[i];
        if (l->call != call || l->kind != CMSEDGE_LEG_MEDIA || (l->packets[0] && l->packets[1]) ||
            l->rtcp || l->packets[0] + l->packets[1] < CMSEDGE_CALLS_ONE_WAY_MIN)
            continue;
        char from[64], to[64];
        cmsedge_calls_endpoint(l->packets[0] ? &l->a : &l->b, from, sizeof from);
        cmsedge_calls_endpoint(l->packets[0] ? &l->b : &l->a, to, sizeof to);
        snprintf(buf, len, "one-way: leg %u (media, %s%s%s) %s -> %s, nothing back", l->id,
                 cmsedge_hop_name(l->hop), l->rule ? ", " : "", l->rule ? l->rule : "", from, to);
        return buf;
    }
    return NULL;
}

const char *cmsedge_traversal_complete(const struct cmsedge_calls *c, unsigned call, char *buf,
                                       size_t len)
{
    unsigned hops = 0, media_legs = 0;
    for (enum cmsedge_hop h = CMSEDGE_HOP_ENDPOINT; h <= CMSEDGE_HOP_MEETING_SERVER; h++)
        hops += call_has_hop(c, call, h, true, true);
    for (size_t i = 0; i < c->n_legs; i++)
        media_legs += c->legs[i].call == call && c->legs[i].kind == CMSEDGE_LEG_MEDIA;
    if (!media_legs)
        snprintf(buf, len, "signalled: %u hop(s), no media in the capture", hops);
    else if (hops == 1)
        snprintf(buf, len, "one hop in the capture: no media leg one-way (%u leg(s))", media_legs);
    else
        snprintf(buf, len, "complete: %u hops, no media leg one-way (%u leg(s))", hops, media_legs);
    return buf;
}

unsigned cmsedge_traversal_ties(const struct cmsedge_calls *c, unsigned call)
{
    unsigned ties = 0;
    for (size_t i = 0; i < c->n_dialogs; i++)
        if (c->dialogs[i].call == call)
            ties |= 1u << c->dialogs[i].tied_by;
    for (size_t i = 0; i < c->n_legs; i++)
        if (c->legs[i].call == call && c->legs[i].kind == CMSEDGE_LEG_MEDIA)
            ties |= 1u << c->legs[i].tied_by;
    return ties & ~(1u << CMSEDGE_TIE_NONE);
}

void cmsedge_traversal_evidence(const struct cmsedge_calls *c, unsigned call, char *buf, size_t len,
                                const char **confidence)
{
    bool used[CMSEDGE_TIE_PORT_PAIR + 1] = {false};
    unsigned ties = cmsedge_traversal_ties(c, call);
    for (unsigned t = 0; t <= CMSEDGE_TIE_PORT_PAIR; t++)
        used[t] = (ties >> t) & 1u;
    static const struct {
        enum cmsedge_tie tie;
        const char *words;
    } order[] = {{CMSEDGE_TIE_CALL_ID, "Call-ID"},
                 {CMSEDGE_TIE_SDP, "SDP"},
                 {CMSEDGE_TIE_SDP_RTCP, "SDP (RTCP on the next port)"},
                 {CMSEDGE_TIE_TIMING, "timing"},
                 {CMSEDGE_TIE_PORT_PAIR, "RTP/RTCP port pairing"}};
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (used[order[i].tie] && at < len)
            at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "", order[i].words);
    *confidence = !buf[0]                       ? NULL
                  : used[CMSEDGE_TIE_TIMING]    ? "low"
                  : used[CMSEDGE_TIE_PORT_PAIR] ? "medium"
                                                : "high";
}
