/* cmsedge unit tests: the edge services table (tables/services.tsv) and its lookup.
 *
 * Every row matches a frame built from its own cells, forward and as a reply; two unconfigured
 * hosts never match; a recognised payload must agree with the row; a few expectations taken
 * from Cisco's guides independently of the table; the port index agrees with a plain scan.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/services.h"

#define NONE CMSEDGE_ROLE_NONE
#define E    CMSEDGE_ROLE_EXPRESSWAY_E
#define EPUB CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC
#define C    CMSEDGE_ROLE_EXPRESSWAY_C
#define MS   CMSEDGE_ROLE_MEETING_SERVER
#define UCM  CMSEDGE_ROLE_UNIFIED_CM

static struct cmsedge_settings defaults(void)
{
    struct cmsedge_settings s;
    cmsedge_settings_defaults(&s);
    return s;
}

/* A host that plays the end: its first named role, or an unconfigured host for "any". */
static enum cmsedge_role host_for(const struct cmsedge_service_end *end)
{
    for (int r = CMSEDGE_ROLE_EXPRESSWAY_E; r < CMSEDGE_ROLE_ANY; r++) {
        if (end->roles & CMSEDGE_ROLE_BIT(r))
            return (enum cmsedge_role)r;
    }
    return NONE;
}

/* A port the cell contains under s: the low end of the first element that applies. */
static uint16_t port_for(const struct cmsedge_port_cell *cell, const struct cmsedge_settings *s,
                         unsigned transport)
{
    for (unsigned i = 0; i < cell->n_items; i++) {
        const struct cmsedge_port_item *it = &cell->items[i];
        uint16_t p = it->kind == CMSEDGE_PORTS_RELAY      ? s->relay.lo
                     : it->kind == CMSEDGE_PORTS_MS_MEDIA ? s->ms_media.lo
                     : it->kind == CMSEDGE_PORTS_ADMIN    ? s->admin_port
                                                          : it->lo;
        if (p && cmsedge_cell_contains(cell, s, transport, p, NULL, NULL))
            return p;
    }
    fail_msg("no port in cell '%s'", cell->text);
    return 0;
}

static unsigned transport_of(const struct cmsedge_service *svc)
{
    return (svc->transports & UDP) ? UDP : TCP;
}

static int hint_of(const struct cmsedge_service *svc)
{
    for (int a = 0; a < CMSEDGE_APP_COUNT; a++) {
        if (svc->apps & CMSEDGE_APP_BIT(a))
            return a;
    }
    return CMSEDGE_HINT_NONE;
}

static void every_row_matches_its_own_frame(void **state)
{
    (void)state;
    struct cmsedge_settings s = defaults();
    assert_true(cmsedge_n_services >= 40);
    for (size_t i = 0; i < cmsedge_n_services; i++) {
        const struct cmsedge_service *svc = &cmsedge_services[i];
        unsigned t = transport_of(svc);
        enum cmsedge_role a = host_for(&svc->src), b = host_for(&svc->dst);
        uint16_t sp = port_for(&svc->src.ports, &s, t), dp = port_for(&svc->dst.ports, &s, t);
        struct cmsedge_service_match m;

        assert_int_equal(svc->index, i);
        assert_ptr_equal(cmsedge_service_by_id(svc->id), svc);
        assert_true(svc->source[0] != '\0');
        if (!cmsedge_service_match(&s, t, a, sp, b, dp, hint_of(svc), &m))
            fail_msg("%s (line %u): forward frame %u -> %u matches nothing", svc->id, svc->line, sp,
                     dp);
        if (m.service != svc || m.reverse)
            fail_msg("%s: forward frame %u -> %u matched %s%s instead", svc->id, sp, dp,
                     m.service->id, m.reverse ? " (reply)" : "");
        if (!cmsedge_service_match(&s, t, b, dp, a, sp, hint_of(svc), &m))
            fail_msg("%s: reply frame %u -> %u matches nothing", svc->id, dp, sp);
        /* a symmetric row (UDP 1719 to 1719 between peers) reads the same either way */
        bool symmetric = cmsedge_service_end_fits(&svc->src, b) &&
                         cmsedge_service_end_fits(&svc->dst, a) &&
                         cmsedge_cell_contains(&svc->src.ports, &s, t, dp, NULL, NULL) &&
                         cmsedge_cell_contains(&svc->dst.ports, &s, t, sp, NULL, NULL);
        /* a row whose mirror image is another row of the same service (RAS to and from an
         * Expressway): its reply frame reads as that row's forward frame, which wins a tie */
        bool mirrored = m.service != svc && !m.reverse && strcmp(m.service->name, svc->name) == 0;
        if (!mirrored && (m.service != svc || (!m.reverse && !symmetric)))
            fail_msg("%s: reply frame %u -> %u matched %s%s instead", svc->id, dp, sp,
                     m.service->id, m.reverse ? " (reply)" : "");
    }
}

static void unconfigured_hosts_never_match(void **state)
{
    (void)state;
    struct cmsedge_settings s = defaults();
    for (size_t i = 0; i < cmsedge_n_services; i++) {
        const struct cmsedge_service *svc = &cmsedge_services[i];
        unsigned t = transport_of(svc);
        uint16_t sp = port_for(&svc->src.ports, &s, t), dp = port_for(&svc->dst.ports, &s, t);
        struct cmsedge_service_match m;
        if (cmsedge_service_match(&s, t, NONE, sp, NONE, dp, CMSEDGE_HINT_NONE, &m))
            fail_msg("%s: unknown -> unknown %u -> %u matched %s", svc->id, sp, dp, m.service->id);
        if (cmsedge_service_match(&s, t, NONE, dp, NONE, sp, CMSEDGE_HINT_NONE, &m))
            fail_msg("%s: unknown -> unknown %u -> %u matched %s", svc->id, dp, sp, m.service->id);
    }
}

static void payload_must_not_contradict(void **state)
{
    (void)state;
    struct cmsedge_settings s = defaults();
    struct cmsedge_service_match m;
    /* administration SSH to an Expressway: SSH, nothing, or unrecognised bytes are fine */
    assert_true(cmsedge_service_match(&s, TCP, NONE, 50000, C, 22, CMSEDGE_APP_SSH, &m));
    assert_string_equal(m.service->name, "Administration SSH");
    assert_true(cmsedge_service_match(&s, TCP, NONE, 50000, C, 22, CMSEDGE_HINT_NONE, &m));
    assert_true(cmsedge_service_match(&s, TCP, NONE, 50000, C, 22, CMSEDGE_HINT_OTHER, &m));
    /* ... but SIP there contradicts the row */
    assert_false(cmsedge_service_match(&s, TCP, NONE, 50000, C, 22, CMSEDGE_APP_SIP, &m));
    /* a row that leaves the payload unchecked (DNS) accepts anything */
    assert_true(cmsedge_service_match(&s, UDP, E, 40000, NONE, 53, CMSEDGE_APP_RTP, &m));
    assert_string_equal(m.service->name, "DNS");
    assert_int_equal(cmsedge_service_by_id(m.service->id)->apps, 0);
    assert_true(cmsedge_service_payload_fits(m.service, CMSEDGE_APP_TLS));
}

static void match_is(const struct cmsedge_settings *s, unsigned t, enum cmsedge_role a, uint16_t sp,
                     enum cmsedge_role b, uint16_t dp, const char *name, bool reverse)
{
    struct cmsedge_service_match m;
    if (!cmsedge_service_match(s, t, a, sp, b, dp, CMSEDGE_HINT_NONE, &m))
        fail_msg("%u -> %u: no service, expected %s", sp, dp, name);
    if (strcmp(m.service->name, name) != 0 || m.reverse != reverse)
        fail_msg("%u -> %u: %s%s, expected %s%s", sp, dp, m.service->name,
                 m.reverse ? " (reply)" : "", name, reverse ? " (reply)" : "");
}

static void guides_expectations(void **state)
{
    (void)state;
    struct cmsedge_settings s = defaults();
    struct cmsedge_service_match m;

    /* IP port usage guide, administration: the Expressway-E asks DNS on UDP 53 */
    match_is(&s, UDP, E, 40000, NONE, 53, "DNS", false);
    match_is(&s, UDP, NONE, 53, EPUB, 40000, "DNS", true);
    /* MRA: clients reach the Expressway-E on TCP 8443 (HTTPS) and 5222 (XMPP) */
    match_is(&s, TCP, NONE, 50000, E, 8443, "MRA HTTPS (Expressway-E)", false);
    match_is(&s, TCP, NONE, 50000, EPUB, 5222, "MRA XMPP (Expressway-E)", false);
    /* ... but not an unconfigured server that happens to listen on 8443 */
    assert_false(cmsedge_service_match(&s, TCP, NONE, 50000, NONE, 8443, CMSEDGE_HINT_NONE, &m));
    /* Expressway-C to Unified CM: configuration files over HTTP 6970 */
    match_is(&s, TCP, C, 40000, UCM, 6970, "MRA configuration files (HTTP TFTP)", false);
    /* XMPP federation: C -> E on 7400, E -> federated servers on 5269 */
    match_is(&s, TCP, C, 40000, E, 7400, "XMPP traversal (Expressway-C to E)", false);
    match_is(&s, TCP, E, 40000, NONE, 5269, "XMPP federation (outbound)", false);
    /* clustering between Expressway peers over TLS on 4371 and 4372 */
    match_is(&s, TCP, C, 40000, C, 4372, "Cluster database synchronization (TLS)", false);
    match_is(&s, TCP, E, 4371, E, 40000, "Cluster recovery (TLS)", true);
    /* H.323 Assent signaling is TCP 2776 from Expressway-C 15000-19999 (UDP 2776 is media) */
    match_is(&s, TCP, C, 15000, E, 2776, "H.323 Assent call signaling (Q.931/H.225, H.245)", false);
    assert_false(cmsedge_service_match(&s, UDP, C, 15000, E, 2776, CMSEDGE_HINT_NONE, &m) &&
                 strstr(m.service->name, "Assent call signaling") != NULL);
    /* H.323 traversal zones: UDP 6001 for the first, 6002 for the second */
    match_is(&s, UDP, C, 1719, E, 6001, "H.323 traversal zone RAS", false);
    assert_false(cmsedge_service_match(&s, UDP, C, 1719, E, 6002, CMSEDGE_HINT_NONE, &m) &&
                 strcmp(m.service->name, "H.323 traversal zone RAS") == 0);
    s.traversal_zones = 2;
    match_is(&s, UDP, C, 1719, E, 6002, "H.323 traversal zone RAS", false);
    /* Meeting Server media follows the media range setting */
    s = defaults();
    match_is(&s, UDP, NONE, 40000, MS, s.ms_media.lo, "Meeting Server media", false);
    s.ms_media.lo = 52000, s.ms_media.hi = 53000;
    match_is(&s, UDP, NONE, 40000, MS, 52000, "Meeting Server media", false);
}

/* The index must find exactly what a scan of every row finds. */
static bool scan(const struct cmsedge_settings *s, unsigned t, enum cmsedge_role a, uint16_t sp,
                 enum cmsedge_role b, uint16_t dp, struct cmsedge_service_match *out)
{
    const struct cmsedge_service *best = NULL;
    bool best_reverse = false;
    for (int reverse = 0; reverse <= 1; reverse++) {
        for (size_t i = 0; i < cmsedge_n_services; i++) {
            const struct cmsedge_service *svc = &cmsedge_services[i];
            const struct cmsedge_service_end *from = reverse ? &svc->dst : &svc->src;
            const struct cmsedge_service_end *to = reverse ? &svc->src : &svc->dst;
            if ((svc->transports & t) && cmsedge_service_end_fits(from, a) &&
                cmsedge_service_end_fits(to, b) &&
                cmsedge_cell_contains(&from->ports, s, t, sp, NULL, NULL) &&
                cmsedge_cell_contains(&to->ports, s, t, dp, NULL, NULL) &&
                (!best || cmsedge_service_better(svc, best)))
                best = svc, best_reverse = reverse;
        }
    }
    if (best)
        out->service = best, out->reverse = best_reverse;
    return best != NULL;
}

static void index_agrees_with_a_scan(void **state)
{
    (void)state;
    static const enum cmsedge_role roles[] = {NONE, E,  EPUB, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE,
                                              C,    MS, UCM};
    static const uint16_t extra[] = {1, 22, 53, 443, 1023, 1024, 5060, 6001, 8443, 65535};
    struct cmsedge_settings s = defaults();
    uint16_t ports[256];
    size_t n = 0;
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        ports[n++] = extra[i];
    for (size_t i = 0; i < cmsedge_n_services && n + 4 <= 256; i++) {
        const struct cmsedge_port_item *it = cmsedge_services[i].dst.ports.items;
        ports[n++] = it->lo, ports[n++] = it->hi;
        ports[n++] = (uint16_t)(it->lo - 1), ports[n++] = (uint16_t)(it->hi + 1);
    }
    unsigned checked = 0;
    for (unsigned t = UDP; t <= TCP; t++) {
        for (size_t ra = 0; ra < sizeof roles / sizeof roles[0]; ra++) {
            for (size_t rb = 0; rb < sizeof roles / sizeof roles[0]; rb++) {
                for (size_t i = 0; i < n; i += 3) {
                    for (size_t j = 0; j < n; j++) {
                        struct cmsedge_service_match m1 = {0}, m2 = {0};
                        bool f1 = cmsedge_service_match(&s, t, roles[ra], ports[i], roles[rb],
                                                        ports[j], CMSEDGE_HINT_NONE, &m1);
                        bool f2 = scan(&s, t, roles[ra], ports[i], roles[rb], ports[j], &m2);
                        assert_int_equal(f1, f2);
                        if (f1 && (m1.service != m2.service || m1.reverse != m2.reverse))
                            fail_msg("%u -> %u: index %s, scan %s", ports[i], ports[j],
                                     m1.service->id, m2.service->id);
                        checked++;
                    }
                }
            }
        }
    }
    assert_true(checked > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_matches_its_own_frame),
        cmocka_unit_test(unconfigured_hosts_never_match),
        cmocka_unit_test(payload_must_not_contradict),
        cmocka_unit_test(guides_expectations),
        cmocka_unit_test(index_agrees_with_a_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
