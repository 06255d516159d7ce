/* cmsedge unit tests: each of the 53 documented rows, from a representative flow, classifies
 * to its purpose; the table's shape; the candidate index.
 *
 * The expectations below are transcribed from the reference text independently of
 * tables/port-reference.tsv, so a mistake in either shows up here.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

#define NONE  CMSEDGE_ROLE_NONE
#define E     CMSEDGE_ROLE_EXPRESSWAY_E
#define EPUB  CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC
#define EPRIV CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE
#define C     CMSEDGE_ROLE_EXPRESSWAY_C
#define MS    CMSEDGE_ROLE_MEETING_SERVER
#define UCM   CMSEDGE_ROLE_UNIFIED_CM
#define ADMIN CMSEDGE_ROLE_ADMIN_PC
#define EP    CMSEDGE_ROLE_SIP_ENDPOINT
#define MSC   CMSEDGE_ROLE_MS_CLIENT
#define WEB   CMSEDGE_ROLE_WEBAPP_CLIENT

#define TLS   CMSEDGE_APP_TLS
#define SIP   CMSEDGE_APP_SIP
#define STUN  CMSEDGE_APP_STUN
#define TDATA CMSEDGE_APP_TURN_DATA
#define RTP   CMSEDGE_APP_RTP
#define RTCP  CMSEDGE_APP_RTCP
#define SSH   CMSEDGE_APP_SSH

struct row_case {
    const char *id;
    unsigned transport;
    enum cmsedge_role src;
    uint16_t sport;
    enum cmsedge_role dst;
    uint16_t dport;
    int hint;
    const char *purpose;
};

static const struct row_case cases[] = {
    {"T1-01", TCP, WEB, 50000, EPUB, 443, TLS, "CMA Web client signaling"},
    {"T1-02", UDP, WEB, 50001, EPUB, 3478, TDATA, "Tunneled media"},
    {"T1-03", TCP, ADMIN, 50002, E, 8443, TLS, "Web interface access"},
    {"T1-04", TCP, C, 30001, EPRIV, 2222, SSH, "SSH tunnels for firewall traversal"},
    {"T1-05", TCP, C, 25001, E, 7001, SIP, "SIP signaling"},
    {"T1-06", UDP, NONE, 50003, EPUB, 3478, STUN, "CMA Cisco Meeting WebRTC App TURN requests"},
    {"T1-07", TCP, NONE, 50004, EPUB, 3478, STUN,
     "CMA Cisco Meeting WebRTC App TURN requests (TCP fallback)"},
    {"T1-08", TCP, C, 30002, MS, 443, TLS, "Webbridge signaling (HTTPS)"},
    {"T1-09", TCP, MS, 40000, C, 30003, TLS, "Webbridge signaling (HTTPS)"},
    {"T1-10", UDP, MS, 40001, EPRIV, 3478, STUN, "TURN client requests"},
    {"T1-11", UDP, EPRIV, 24000, EPUB, 24002, RTP, "TURN relays"},
    {"T1-12", UDP, EPRIV, 24004, EPRIV, 24006, RTP, "TURN relay (On premises)"},
    {"T1-13", UDP, MS, 40002, EPUB, 24008, RTP, "TURN relays"},
    {"T2-01", TCP, C, 25002, E, 7001, TLS, "SIP signaling"},
    {"T2-02", UDP, C, 5060, MS, 5060, SIP, "SIP signaling"},
    {"T2-03", TCP, C, 25003, MS, 5061, TLS, "SIP signaling"},
    {"T2-04", TCP, EP, 5062, E, 5060, SIP, "SIP signaling"},
    {"T2-05", TCP, EP, 40003, E, 5061, TLS, "SIP signaling"},
    {"T2-06", UDP, C, 36002, E, 2776, RTP, "Assent RTP (traversed media)"},
    {"T2-07", UDP, C, 36003, E, 2777, RTCP, "Assent RTCP (traversed media)"},
    {"T2-08", UDP, EP, 40004, E, 36010, RTP, "Assent RTP (traversed media)"},
    {"T2-09", UDP, EP, 40005, E, 36011, RTCP, "Assent RTCP (traversed media)"},
    {"T2-10", UDP, E, 36012, EP, 40006, RTP, "Assent RTP (traversed media)"},
    {"T2-11", UDP, NONE, 40007, EPUB, 3478, STUN, "TURN request"},
    {"T2-12", UDP, MS, 40008, EPRIV, 3478, STUN, "TURN request"},
    {"T2-13", UDP, E, 24010, NONE, 40009, RTP, "TURN media"},
    {"T2-14", UDP, NONE, 40010, E, 24012, RTP, "TURN media"},
    {"T2-15", UDP, MS, 50000, EPRIV, 24014, RTP, "TURN media"},
    {"T3-01", TCP, C, 25005, E, 7001, TLS, "SIP signaling"},
    {"T3-02", TCP, C, 25006, MS, 5061, TLS, "SIP signaling"},
    {"T3-03", TCP, EP, 40013, E, 5060, SIP, "SIP signaling"},
    {"T3-04", TCP, EP, 40014, E, 5061, TLS, "SIP signaling"},
    {"T3-05", UDP, C, 40000, E, 2776, RTP, "Assent RTP (traversed media)"},
    {"T3-06", UDP, C, 40001, E, 2777, RTCP, "Assent RTCP (traversed media)"},
    {"T3-07", UDP, EP, 40015, E, 59998, RTP, "Assent RTP (traversed media)"},
    {"T3-08", UDP, EP, 40016, E, 59999, RTCP, "Assent RTCP (traversed media)"},
    {"T3-09", UDP, E, 59998, EP, 1024, RTP, "Assent RTP (traversed media)"},
    {"T3-10", UDP, NONE, 40017, E, 3478, STUN, "TURN control"},
    {"T3-11", TCP, E, 29999, NONE, 40018, RTP, "TURN media"},
    {"T3-12", TCP, NONE, 40019, E, 24000, RTP, "TURN media"},
    {"T4-01", TCP, C, 29999, E, 7001, SIP, "SIP Signaling"},
    {"T4-02", TCP, C, 25007, MS, 5061, TLS, "SIP Signaling"},
    {"T4-03", TCP, C, 25008, MS, 5060, SIP, "SIP Signaling"},
    {"T4-04", TCP, MSC, 40011, E, 5061, TLS, "SIP Signaling"},
    {"T4-05", TCP, C, 25009, UCM, 5061, TLS, "SIP Signaling"},
    {"T4-06", TCP, C, 25010, UCM, 5060, SIP, "SIP Signaling"},
    {"T4-07", TCP, UCM, 40012, C, 5061, TLS, "SIP Signaling"},
    {"T4-08", TCP, UCM, 40020, C, 5060, SIP, "SIP Signaling"},
    {"T4-09", UDP, NONE, 40021, E, 3478, STUN, "TURN control"},
    {"T4-10", TCP, MS, 40022, EPRIV, 3478, STUN, "TURN request"},
    {"T4-11", UDP, E, 25000, NONE, 40023, RTP, "TURN media"},
    {"T4-12", UDP, NONE, 40024, E, 26000, RTP, "TURN media"},
    {"T4-13", UDP, MS, 51000, EPRIV, 27000, RTP, "TURN media"},
};

static void each_row_classifies_to_its_purpose(void **state)
{
    (void)state;
    assert_int_equal(sizeof cases / sizeof cases[0], 53);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct row_case *c = &cases[i];
        struct cmsedge_flow f =
            test_flow(c->transport, c->src, c->sport, c->dst, c->dport, c->hint);
        struct cmsedge_verdict v;
        test_classify(NULL, &f, &v);
        const struct cmsedge_match *m = test_find(&v, c->id);
        if (!m)
            fail_msg("%s: flow did not match its row (%zu other matches)", c->id, v.n_matches);
        assert_false(m->reverse);
        assert_string_equal(m->row->purpose, c->purpose);
        assert_false(v.unmatched);
        /* the reply carries the purpose too: as the same row in reverse, or as the row the
         * reference writes for that direction (T2-10 for replies to T2-08) */
        struct cmsedge_flow back =
            test_flow(c->transport, c->dst, c->dport, c->src, c->sport, c->hint);
        test_classify(NULL, &back, &v);
        if (v.n_matches == 0)
            fail_msg("%s: the reply matched nothing", c->id);
        if (!test_find(&v, c->id))
            assert_false(v.matches[0].reverse);
        bool purpose_seen = false;
        for (size_t k = 0; k < v.n_matches; k++)
            purpose_seen |= strcmp(v.matches[k].row->purpose, c->purpose) == 0;
        if (!purpose_seen)
            fail_msg("%s: the reply does not carry '%s'", c->id, c->purpose);
        assert_false(v.unmatched);
    }
}

static void table_has_53_rows_with_unique_ids(void **state)
{
    (void)state;
    assert_int_equal(cmsedge_n_rows, 53);
    unsigned per_table[5] = {0};
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        per_table[cmsedge_rows[i].table]++;
        assert_int_equal(cmsedge_rows[i].index, i);
        assert_ptr_equal(cmsedge_row_by_id(cmsedge_rows[i].id), &cmsedge_rows[i]);
    }
    assert_int_equal(per_table[1], 13);
    assert_int_equal(per_table[2], 15);
    assert_int_equal(per_table[3], 12);
    assert_int_equal(per_table[4], 13);
    assert_null(cmsedge_row_by_id("T9-99"));
    assert_string_equal(cmsedge_scenario(3)->title,
                        "SIP Edge for Cisco Meeting Server (Microsoft Clients)");
    assert_int_equal(cmsedge_n_footnotes, 6);
    assert_non_null(strstr(cmsedge_footnote_text(6), "UDP port 3478 to relay media"));
    assert_string_equal(cmsedge_footnote_text(7), "");
}

static void irregular_cells_are_modelled(void **state)
{
    (void)state;
    const struct cmsedge_row *nat = cmsedge_row_by_id("T1-11");
    assert_int_equal(nat->src.role, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE);
    assert_int_equal(nat->src.translated, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC);
    assert_int_equal(nat->dst.role, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC);
    assert_int_equal(nat->dst.translated, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE);
    assert_true(nat->footnotes & (1u << 5));
    assert_int_equal(nat->version_op, CMSEDGE_VERSION_BEFORE);
    assert_int_equal(nat->version, 120503);

    const struct cmsedge_row *admin = cmsedge_row_by_id("T1-03");
    assert_int_equal(admin->dst.ports.n_items, 2);
    assert_int_equal(admin->dst.ports.items[0].kind, CMSEDGE_PORTS_EXCLUDE);
    assert_int_equal(admin->dst.ports.items[0].footnote, 2);
    assert_int_equal(admin->dst.ports.items[1].kind, CMSEDGE_PORTS_ADMIN);
    assert_int_equal(admin->dst.ports.items[1].footnote, 3);

    assert_int_equal(cmsedge_row_by_id("T1-01")->dst.ports.items[0].footnote, 1);
    assert_int_equal(cmsedge_row_by_id("T4-07")->src.ports.items[0].style, CMSEDGE_STYLE_EPHEMERAL);
    assert_int_equal(cmsedge_row_by_id("T2-04")->src.ports.items[0].style, CMSEDGE_STYLE_AT_LEAST);
    assert_int_equal(cmsedge_row_by_id("T2-01")->dst.ports.items[0].kind, CMSEDGE_PORTS_ZONE);
    assert_string_equal(cmsedge_row_by_id("T2-10")->dst.ports.remark,
                        "Expressway waits until it receives media, then sends media to that "
                        "source port (which could be the port where the media egressed the "
                        "firewall, not an endpoint port)");
    assert_string_equal(cmsedge_row_by_id("T1-13")->src.label, "Meeting Server");
    assert_string_equal(cmsedge_row_by_id("T1-06")->dst.label,
                        "Expressway-E TURN server public IP");
}

struct seen {
    const struct cmsedge_row *want;
    bool found;
    unsigned calls;
};

static bool note_candidate(const struct cmsedge_row *row, void *user)
{
    struct seen *s = user;
    s->calls++;
    if (row == s->want)
        s->found = true;
    return true;
}

/* Every port a row's destination cell contains must yield that row as a candidate, under
 * each size, demux and zone setting: the index may over-approximate, never miss. */
static void index_never_misses_a_row(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    for (int size = 0; size < CMSEDGE_SIZE_COUNT; size++) {
        for (int demux = 0; demux < 2; demux++) {
            cmsedge_settings_defaults(&s);
            s.size = (enum cmsedge_size)size;
            s.demux_ports = demux;
            s.traversal_zones = 4;
            s.turn_tcp_port = 443;
            for (size_t i = 0; i < cmsedge_n_rows; i++) {
                const struct cmsedge_row *row = &cmsedge_rows[i];
                for (unsigned t = UDP; t <= TCP; t++) {
                    for (unsigned port = 1; port <= 65535; port += (port < 8000 ? 1 : 7)) {
                        if (!cmsedge_cell_contains(&row->dst.ports, &s, t, (uint16_t)port, NULL,
                                                   NULL))
                            continue;
                        if (!(row->transports & t) && !(t == TCP && port == s.turn_tcp_port))
                            continue;
                        struct seen seen = {row, false, 0};
                        cmsedge_candidates(&s, t, (uint16_t)port, note_candidate, &seen);
                        if (!seen.found)
                            fail_msg("%s not a candidate for %s port %u", row->id,
                                     t == UDP ? "udp" : "tcp", port);
                        assert_true(seen.calls < cmsedge_n_rows);
                    }
                }
            }
        }
    }
}

static void cells_describe_under_settings(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    char buf[128];
    cmsedge_settings_defaults(&s);
    const struct cmsedge_row *rtp = cmsedge_row_by_id("T2-06");
    cmsedge_cell_describe(&rtp->dst.ports, &s, buf, sizeof buf);
    assert_string_equal(buf, "2776");
    s.demux_ports = false;
    cmsedge_cell_describe(&rtp->dst.ports, &s, buf, sizeof buf);
    assert_string_equal(buf, "36000");
    s.size = CMSEDGE_SIZE_LARGE;
    cmsedge_cell_describe(&rtp->dst.ports, &s, buf, sizeof buf);
    assert_string_equal(buf, "36000-36010 (even)");
    s.traversal_zones = 3;
    cmsedge_cell_describe(&cmsedge_row_by_id("T1-05")->dst.ports, &s, buf, sizeof buf);
    assert_string_equal(buf, "7001-7003");
    cmsedge_cell_describe(&cmsedge_row_by_id("T1-03")->dst.ports, &s, buf, sizeof buf);
    assert_string_equal(buf, "8443, not 443");
    s.relay.lo = 30000, s.relay.hi = 31000;
    cmsedge_cell_describe(&cmsedge_row_by_id("T1-13")->dst.ports, &s, buf, sizeof buf);
    assert_string_equal(buf, "30000-31000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_row_classifies_to_its_purpose),
        cmocka_unit_test(table_has_53_rows_with_unique_ids),
        cmocka_unit_test(irregular_cells_are_modelled),
        cmocka_unit_test(index_never_misses_a_row),
        cmocka_unit_test(cells_describe_under_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
