/* cmsedge: evaluating the generated reference rows under the deployment settings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/reference.h"

#include <stdio.h>
#include <string.h>

#include "reference_index.h"

static const struct {
    const char *keyword, *title;
} app_names[CMSEDGE_APP_COUNT] = {
    [CMSEDGE_APP_TLS] = {"tls", "TLS"},
    [CMSEDGE_APP_HTTP] = {"http", "HTTP"},
    [CMSEDGE_APP_SIP] = {"sip", "SIP"},
    [CMSEDGE_APP_STUN] = {"stun", "STUN/TURN"},
    [CMSEDGE_APP_TURN_DATA] = {"turn-data", "TURN ChannelData/Data indication"},
    [CMSEDGE_APP_RTP] = {"rtp", "RTP"},
    [CMSEDGE_APP_RTCP] = {"rtcp", "RTCP"},
    [CMSEDGE_APP_DTLS] = {"dtls", "DTLS"},
    [CMSEDGE_APP_SSH] = {"ssh", "SSH"},
};

const char *cmsedge_app_keyword(enum cmsedge_app app)
{
    return (unsigned)app < CMSEDGE_APP_COUNT ? app_names[app].keyword : "other";
}

const char *cmsedge_app_title(enum cmsedge_app app)
{
    return (unsigned)app < CMSEDGE_APP_COUNT ? app_names[app].title : "unrecognised payload";
}

const struct cmsedge_row *cmsedge_row_by_id(const char *id)
{
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        if (strcmp(cmsedge_rows[i].id, id) == 0)
            return &cmsedge_rows[i];
    }
    return NULL;
}

const struct cmsedge_row *cmsedge_row_first(unsigned src, unsigned dst, unsigned app)
{
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        const struct cmsedge_row *r = &cmsedge_rows[i];
        if (r->src.role == src && r->dst.role == dst && (r->apps & CMSEDGE_APP_BIT(app)))
            return r;
    }
    return NULL;
}

const struct cmsedge_scenario *cmsedge_scenario(unsigned table)
{
    for (size_t i = 0; i < cmsedge_n_scenarios; i++) {
        if (cmsedge_scenarios[i].table == table)
            return &cmsedge_scenarios[i];
    }
    return NULL;
}

const char *cmsedge_footnote_text(unsigned number)
{
    for (size_t i = 0; i < cmsedge_n_footnotes; i++) {
        if (cmsedge_footnotes[i].number == number)
            return cmsedge_footnotes[i].text;
    }
    return "";
}

static bool cell_uses_relays(const struct cmsedge_port_cell *cell)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        if (cell->items[i].kind == CMSEDGE_PORTS_RELAY)
            return true;
    }
    return false;
}

bool cmsedge_row_uses_relays(const struct cmsedge_row *row)
{
    return cell_uses_relays(&row->src.ports) || cell_uses_relays(&row->dst.ports);
}

bool cmsedge_row_applies(const struct cmsedge_row *row, const struct cmsedge_settings *s)
{
    return (row->sizes & CMSEDGE_SIZE_BIT(s->size)) != 0;
}

static bool item_applies(const struct cmsedge_port_item *it, const struct cmsedge_settings *s)
{
    if (!(it->sizes & CMSEDGE_SIZE_BIT(s->size)))
        return false;
    if (it->demux == CMSEDGE_DEMUX_ON && !s->demux_ports)
        return false;
    if (it->demux == CMSEDGE_DEMUX_OFF && s->demux_ports)
        return false;
    return true;
}

/* The ports an item stands for under the settings; false when it stands for none (a TURN TCP
 * override port that is not configured). */
static bool item_range(const struct cmsedge_port_item *it, const struct cmsedge_settings *s,
                       unsigned *lo, unsigned *hi)
{
    switch (it->kind) {
    case CMSEDGE_PORTS_ZONE:
        *lo = it->lo;
        *hi = it->lo + (s->traversal_zones ? s->traversal_zones : 1) - 1;
        return true;
    case CMSEDGE_PORTS_RELAY:
        *lo = s->relay.lo, *hi = s->relay.hi;
        return true;
    case CMSEDGE_PORTS_MS_MEDIA:
        *lo = s->ms_media.lo, *hi = s->ms_media.hi;
        return true;
    case CMSEDGE_PORTS_ADMIN:
        *lo = *hi = s->admin_port;
        return s->admin_port != 0;
    case CMSEDGE_PORTS_TURN_TCP:
        *lo = *hi = s->turn_tcp_port;
        return s->turn_tcp_port != 0;
    default:
        *lo = it->lo, *hi = it->hi;
        return true;
    }
}

bool cmsedge_cell_contains(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                           unsigned transport, uint16_t port, unsigned *zone, unsigned *footnote)
{
    const struct cmsedge_port_item *hit = NULL;

    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        unsigned lo, hi;
        if (!item_applies(it, s) || !item_range(it, s, &lo, &hi))
            continue;
        if (it->kind == CMSEDGE_PORTS_EXCLUDE) {
            if (port == lo)
                return false; /* "NOT 443" overrides every other element */
            continue;
        }
        if (it->kind == CMSEDGE_PORTS_TURN_TCP && transport != CMSEDGE_TRANSPORT_TCP)
            continue;
        if (port < lo || port > hi)
            continue;
        if (it->parity == CMSEDGE_PARITY_EVEN && port % 2 != 0)
            continue;
        if (it->parity == CMSEDGE_PARITY_ODD && port % 2 == 0)
            continue;
        if (!hit)
            hit = it;
    }
    if (!hit)
        return false;
    if (zone)
        *zone = hit->kind == CMSEDGE_PORTS_ZONE ? (unsigned)(port - hit->lo + 1) : 0;
    if (footnote)
        *footnote = hit->footnote;
    return true;
}

void cmsedge_cell_describe(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                           char *buf, size_t len)
{
    size_t used = 0;
    unsigned excluded = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < cell->n_items && used < len; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        unsigned lo, hi;
        char one[48];
        if (!item_applies(it, s) || !item_range(it, s, &lo, &hi))
            continue;
        if (it->kind == CMSEDGE_PORTS_EXCLUDE) {
            excluded = lo;
            continue;
        }
        if (it->style == CMSEDGE_STYLE_AT_LEAST)
            snprintf(one, sizeof one, ">=%u", lo);
        else if (it->style == CMSEDGE_STYLE_EPHEMERAL)
            snprintf(one, sizeof one, "ephemeral (%u-%u)", lo, hi);
        else if (lo == hi)
            snprintf(one, sizeof one, "%u", lo);
        else
            snprintf(one, sizeof one, "%u-%u%s", lo, hi,
                     it->parity == CMSEDGE_PARITY_EVEN  ? " (even)"
                     : it->parity == CMSEDGE_PARITY_ODD ? " (odd)"
                                                        : "");
        used += (size_t)snprintf(buf + used, len - used, "%s%s%s", used ? " or " : "", one,
                                 it->kind == CMSEDGE_PORTS_TURN_TCP ? " (TCP)" : "");
    }
    if (excluded && used < len)
        snprintf(buf + used, len - used, "%snot %u", used ? ", " : "", excluded);
}

static bool port_in(uint16_t port, unsigned lo, unsigned hi)
{
    return port >= lo && port <= hi;
}

void cmsedge_candidates(const struct cmsedge_settings *s, unsigned transport, uint16_t port,
                        cmsedge_row_fn fn, void *user)
{
    const struct cmsedge_index *idx =
        &cmsedge_index_by_transport[transport == CMSEDGE_TRANSPORT_TCP ? 1 : 0];
    uint64_t rows[CMSEDGE_ROW_WORDS] = {0};
    size_t lo = 0, hi = idx->n_intervals;

    while (lo < hi) { /* binary search for the interval holding port */
        size_t mid = lo + (hi - lo) / 2;
        if (idx->intervals[mid].hi < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < idx->n_intervals && idx->intervals[lo].lo <= port)
        memcpy(rows, idx->intervals[lo].rows, sizeof rows);

    unsigned zones = s->traversal_zones ? s->traversal_zones : 1;
    const bool symbol_hit[CMSEDGE_PORT_KIND_COUNT] = {
        [CMSEDGE_PORTS_ZONE] =
            port_in(port, CMSEDGE_DEFAULT_ZONE_BASE, CMSEDGE_DEFAULT_ZONE_BASE + zones - 1),
        [CMSEDGE_PORTS_RELAY] = port_in(port, s->relay.lo, s->relay.hi),
        [CMSEDGE_PORTS_MS_MEDIA] = port_in(port, s->ms_media.lo, s->ms_media.hi),
        [CMSEDGE_PORTS_ADMIN] = s->admin_port != 0 && port == s->admin_port,
        [CMSEDGE_PORTS_TURN_TCP] = s->turn_tcp_port != 0 && port == s->turn_tcp_port,
    };
    for (unsigned k = 0; k < CMSEDGE_PORT_KIND_COUNT; k++) {
        if (!symbol_hit[k])
            continue;
        for (unsigned w = 0; w < CMSEDGE_ROW_WORDS; w++)
            rows[w] |= idx->symbol_rows[k][w];
    }
    for (unsigned w = 0; w < CMSEDGE_ROW_WORDS; w++) {
        uint64_t bits = rows[w];
        while (bits) {
            unsigned bit = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            if (!fn(&cmsedge_rows[w * 64 + bit], user))
                return;
        }
    }
}

void cmsedge_cell_bounds(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                         cmsedge_range_fn fn, void *user)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        unsigned lo, hi;
        if (item_applies(&cell->items[i], s) && item_range(&cell->items[i], s, &lo, &hi))
            fn((uint16_t)lo, (uint16_t)(hi < lo ? lo : hi), user);
    }
}

static void cell_ranges(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                        unsigned transport, cmsedge_range_fn fn, void *user)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        unsigned lo, hi;
        if (it->kind == CMSEDGE_PORTS_EXCLUDE || it->style != CMSEDGE_STYLE_PLAIN ||
            !item_applies(it, s) || !item_range(it, s, &lo, &hi))
            continue;
        if (it->kind == CMSEDGE_PORTS_TURN_TCP && transport != CMSEDGE_TRANSPORT_TCP)
            continue;
        fn((uint16_t)lo, (uint16_t)hi, user);
    }
}

void cmsedge_service_ports(const struct cmsedge_settings *s, unsigned transport, unsigned apps,
                           unsigned ends, cmsedge_range_fn fn, void *user)
{
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        const struct cmsedge_row *row = &cmsedge_rows[i];
        if (!(row->transports & transport) || !(row->apps & apps) || !cmsedge_row_applies(row, s))
            continue;
        if (ends & CMSEDGE_END_SRC)
            cell_ranges(&row->src.ports, s, transport, fn, user);
        if (ends & CMSEDGE_END_DST)
            cell_ranges(&row->dst.ports, s, transport, fn, user);
    }
}
