/* cmsedge: looking frames up in the generated edge services table.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/services.h"

#include <string.h>

#include "cmsedge/classify.h"
#include "services_index.h"

const struct cmsedge_service *cmsedge_service_by_id(const char *id)
{
    for (size_t i = 0; i < cmsedge_n_services; i++) {
        if (strcmp(cmsedge_services[i].id, id) == 0)
            return &cmsedge_services[i];
    }
    return NULL;
}

bool cmsedge_service_end_fits(const struct cmsedge_service_end *end, enum cmsedge_role host)
{
    if (end->roles & CMSEDGE_ROLE_BIT(CMSEDGE_ROLE_ANY))
        return true;
    if (host == CMSEDGE_ROLE_NONE)
        return false; /* an unconfigured host never stands in for a named end here */
    for (int r = CMSEDGE_ROLE_EXPRESSWAY_E; r < CMSEDGE_ROLE_ANY; r++) {
        if ((end->roles & CMSEDGE_ROLE_BIT(r)) &&
            cmsedge_role_fit((enum cmsedge_role)r, host) > CMSEDGE_FIT_STAND_IN)
            return true;
    }
    return false;
}

bool cmsedge_service_payload_fits(const struct cmsedge_service *svc, int hint)
{
    if (svc->apps == 0 || hint == CMSEDGE_HINT_NONE || hint == CMSEDGE_HINT_OTHER)
        return true;
    /* another protocol the stock dissectors named (CMSEDGE_HINT_FOREIGN): on a well-known port
     * they may misread it (TLS on 445 is decoded as SMB), on a wide range it is something else */
    if (hint == CMSEDGE_HINT_FOREIGN)
        return svc->dst_width <= CMSEDGE_SERVICE_PINNED_PORTS;
    if (hint < 0 || hint >= CMSEDGE_APP_COUNT)
        return false;
    return (svc->apps & CMSEDGE_APP_BIT(hint)) != 0;
}

/* Rows whose listening cell may contain `port`: a superset, from one binary search. */
static void candidates(unsigned transport, uint16_t port, uint64_t rows[CMSEDGE_SERVICE_WORDS])
{
    const struct cmsedge_service_index *idx =
        &cmsedge_service_index_by_transport[transport == CMSEDGE_TRANSPORT_TCP ? 1 : 0];
    size_t lo = 0, hi = idx->n_intervals;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx->intervals[mid].hi < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (unsigned w = 0; w < CMSEDGE_SERVICE_WORDS; w++) {
        rows[w] = idx->symbolic[w];
        if (lo < idx->n_intervals && idx->intervals[lo].lo <= port)
            rows[w] |= idx->intervals[lo].rows[w];
    }
}

/* Does the frame (from, sport) -> (to, dport) run from end a to end b of the row? */
static bool fits(const struct cmsedge_service *svc, const struct cmsedge_settings *s,
                 unsigned transport, const struct cmsedge_service_end *a,
                 const struct cmsedge_service_end *b, enum cmsedge_role from, uint16_t sport,
                 enum cmsedge_role to, uint16_t dport)
{
    return (svc->transports & transport) && cmsedge_service_end_fits(a, from) &&
           cmsedge_service_end_fits(b, to) &&
           cmsedge_cell_contains(&a->ports, s, transport, sport, NULL, NULL) &&
           cmsedge_cell_contains(&b->ports, s, transport, dport, NULL, NULL);
}

/* Ends that name roles rather than "any": a row about these hosts beats a row about any. */
static unsigned named_ends(const struct cmsedge_service *svc)
{
    const uint16_t any = CMSEDGE_ROLE_BIT(CMSEDGE_ROLE_ANY);
    return !(svc->src.roles & any) + !(svc->dst.roles & any);
}

bool cmsedge_service_better(const struct cmsedge_service *a, const struct cmsedge_service *b)
{
    if (a->dst_width != b->dst_width)
        return a->dst_width < b->dst_width;
    return named_ends(a) > named_ends(b);
}

bool cmsedge_service_match(const struct cmsedge_settings *s, unsigned transport,
                           enum cmsedge_role src_role, uint16_t sport, enum cmsedge_role dst_role,
                           uint16_t dport, int hint, struct cmsedge_service_match *out)
{
    const struct cmsedge_service *best = NULL;
    bool best_reverse = false;

    for (int reverse = 0; reverse <= 1; reverse++) {
        uint64_t rows[CMSEDGE_SERVICE_WORDS];
        candidates(transport, reverse ? sport : dport, rows); /* by the listener's port */
        for (unsigned w = 0; w < CMSEDGE_SERVICE_WORDS; w++) {
            uint64_t bits = rows[w];
            while (bits) {
                const struct cmsedge_service *svc =
                    &cmsedge_services[w * 64 + (unsigned)__builtin_ctzll(bits)];
                bits &= bits - 1;
                if (best && !cmsedge_service_better(svc, best))
                    continue; /* ties go to the forward match, then the earlier row */
                if (!cmsedge_service_payload_fits(svc, hint))
                    continue;
                bool ok = reverse ? fits(svc, s, transport, &svc->dst, &svc->src, src_role, sport,
                                         dst_role, dport)
                                  : fits(svc, s, transport, &svc->src, &svc->dst, src_role, sport,
                                         dst_role, dport);
                if (ok)
                    best = svc, best_reverse = reverse;
            }
        }
    }
    if (!best)
        return false;
    out->service = best;
    out->reverse = best_reverse;
    return true;
}
