/* cmsedge unit tests: deployment sizes, demux ports, traversal zones, off-spec verdicts and
 * their reasons, payload refinement, and silence between unrelated hosts.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "test_util.h"

#define NONE CMSEDGE_ROLE_NONE
#define E    CMSEDGE_ROLE_EXPRESSWAY_E
#define EPUB CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC
#define C    CMSEDGE_ROLE_EXPRESSWAY_C
#define MS   CMSEDGE_ROLE_MEETING_SERVER
#define EP   CMSEDGE_ROLE_SIP_ENDPOINT
#define WEB  CMSEDGE_ROLE_WEBAPP_CLIENT

static struct cmsedge_settings sized(enum cmsedge_size size, bool demux)
{
    struct cmsedge_settings s;
    cmsedge_settings_defaults(&s);
    s.size = size;
    s.demux_ports = demux;
    return s;
}

static void assent_demux_ports_follow_size_and_setting(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_flow f;
    struct cmsedge_settings s;

    /* Small/Medium with "use configured demultiplexing ports": 2776/2777 */
    for (int size = CMSEDGE_SIZE_SMALL; size <= CMSEDGE_SIZE_MEDIUM; size++) {
        s = sized((enum cmsedge_size)size, true);
        f = test_flow(UDP, C, 36002, E, 2776, CMSEDGE_APP_RTP);
        test_classify(&s, &f, &v);
        assert_non_null(test_find(&v, "T2-06"));
        f = test_flow(UDP, C, 36003, E, 2777, CMSEDGE_APP_RTCP);
        test_classify(&s, &f, &v);
        assert_non_null(test_find(&v, "T2-07"));
        f = test_flow(UDP, C, 36002, E, 36000, CMSEDGE_APP_RTP);
        test_classify(&s, &f, &v);
        assert_null(test_find(&v, "T2-06"));
    }
    /* Small without: the first pair of the media range */
    s = sized(CMSEDGE_SIZE_SMALL, false);
    f = test_flow(UDP, C, 36002, E, 36000, CMSEDGE_APP_RTP);
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T2-06"));
    f = test_flow(UDP, C, 36002, E, 2776, CMSEDGE_APP_RTP);
    test_classify(&s, &f, &v);
    assert_true(v.unmatched);
    assert_string_equal(v.reason,
                        "Assent RTP (traversed media) (T2-06): Expressway-E ports are 36000; "
                        "seen 2776");

    /* Large: six pairs, even RTP, odd RTCP, whatever the demux setting */
    for (int demux = 0; demux < 2; demux++) {
        s = sized(CMSEDGE_SIZE_LARGE, demux);
        f = test_flow(UDP, C, 36020, E, 36010, CMSEDGE_APP_RTP);
        test_classify(&s, &f, &v);
        assert_non_null(test_find(&v, "T2-06"));
        assert_null(test_find(&v, "T2-07"));
        f = test_flow(UDP, C, 36021, E, 36011, CMSEDGE_APP_RTCP);
        test_classify(&s, &f, &v);
        assert_non_null(test_find(&v, "T2-07"));
        f = test_flow(UDP, C, 36020, E, 2776, CMSEDGE_APP_RTP);
        test_classify(&s, &f, &v);
        assert_true(v.unmatched);
        assert_non_null(strstr(v.reason, "36000-36010 (even); seen 2776"));
    }
}

static void turn_ports_follow_size(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_settings s = sized(CMSEDGE_SIZE_LARGE, true);
    struct cmsedge_flow f = test_flow(UDP, NONE, 40000, E, 3481, CMSEDGE_APP_STUN);
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T3-10"));
    assert_null(test_find(&v, "T4-09")); /* Table 4's TURN control is Small/Medium only */
    s = sized(CMSEDGE_SIZE_MEDIUM, true);
    test_classify(&s, &f, &v);
    assert_true(v.unmatched);
    f.dport = 3478;
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T4-09"));
}

static void traversal_zones_index_the_port(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_settings s;
    char label[128];
    cmsedge_settings_defaults(&s);

    struct cmsedge_flow f = test_flow(TCP, C, 25000, E, 7001, CMSEDGE_APP_TLS);
    test_classify(&s, &f, &v);
    const struct cmsedge_match *m = test_find(&v, "T2-01");
    assert_non_null(m);
    assert_int_equal(m->zone, 1);
    cmsedge_match_label(m, label, sizeof label);
    assert_string_equal(label, "SIP signaling (traversal zone 1)");

    f.dport = 7002; /* one zone configured: 7002 is off-spec */
    test_classify(&s, &f, &v);
    assert_true(v.unmatched && v.offspec);
    assert_string_equal(v.reason, "SIP signaling (T1-05): Expressway-E ports are 7001; seen 7002");

    s.traversal_zones = 3;
    f.dport = 7003;
    test_classify(&s, &f, &v);
    m = test_find(&v, "T4-01");
    assert_non_null(m);
    assert_int_equal(m->zone, 3);
    cmsedge_match_label(m, label, sizeof label);
    assert_string_equal(label, "SIP Signaling (traversal zone 3)");
}

static void offspec_reasons_name_expected_and_seen(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_flow f;

    /* a relay port outside the relay range, between two known hosts */
    f = test_flow(UDP, MS, 40000, EPUB, 23000, CMSEDGE_APP_RTP);
    test_classify(NULL, &f, &v);
    assert_true(v.near_miss && v.offspec);
    assert_string_equal(
        v.reason, "TURN relays (T1-13): Expressway-E public IP ports are 24000-29999; seen 23000");
    assert_string_equal(v.nearest->id, "T1-13");
    /* the same from a host nobody configured: its ephemeral port pins nothing down */
    f = test_flow(UDP, NONE, 40000, EPUB, 23000, CMSEDGE_APP_RTP);
    test_classify(NULL, &f, &v);
    assert_false(v.offspec);

    /* a translating firewall between C and E (source port outside 25000-29999) */
    f = test_flow(TCP, C, 4401, E, 7001, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_true(v.offspec);
    assert_string_equal(v.reason,
                        "SIP signaling (T1-05): Expressway-C source ports are 25000-29999; seen "
                        "4401 (a translating firewall between Expressway-C and Expressway-E?)");
    assert_true(v.translated_source);
    /* Assent media from outside 36000-59999 likewise */
    f = test_flow(UDP, C, 20000, E, 2776, CMSEDGE_APP_RTP);
    test_classify(NULL, &f, &v);
    assert_true(v.translated_source);
    /* a source port outside the range towards the Meeting Server is no C-E firewall */
    f = test_flow(TCP, C, 4401, MS, 5061, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_true(v.unmatched);
    assert_false(v.translated_source);

    /* the wrong transport */
    f = test_flow(UDP, C, 25000, E, 7001, CMSEDGE_APP_SIP);
    test_classify(NULL, &f, &v);
    assert_true(v.offspec);
    assert_string_equal(v.reason, "SIP signaling (T1-05) is TCP or TLS; seen UDP");

    /* the wrong interface of a dual-NIC Expressway-E */
    f = test_flow(TCP, C, 30001, EPUB, 2222, CMSEDGE_APP_SSH);
    test_classify(NULL, &f, &v);
    assert_true(v.near_miss && v.offspec);
    assert_string_equal(v.reason,
                        "SSH tunnels for firewall traversal (T1-04): the destination "
                        "is the Expressway-E private IP; seen the Expressway-E public IP");

    /* a near miss is the row's own protocol: a payload the row does not carry is something
     * else the chapter does not cover */
    f = test_flow(UDP, EP, 40000, E, 40010, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_false(v.offspec);
    f = test_flow(TCP, C, 25000, E, 7002, CMSEDGE_APP_SSH);
    test_classify(NULL, &f, &v);
    assert_false(v.offspec);
    /* an edge host's traffic far from every row: not covered, no warning */
    f = test_flow(UDP, E, 40000, NONE, 53, CMSEDGE_HINT_OTHER);
    test_classify(NULL, &f, &v);
    assert_true(v.judged && v.unmatched);
    assert_false(v.offspec);
    assert_null(v.nearest);
    f = test_flow(TCP, MS, 40000, CMSEDGE_ROLE_UNIFIED_CM, 5061, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_false(v.offspec);
    /* a reply from a port the row does not name, to a port any client may use */
    f = test_flow(TCP, E, 24000, NONE, 1024, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_false(v.offspec);
}

static void unrelated_hosts_are_not_judged(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_flow f = test_flow(UDP, NONE, 40000, NONE, 50000, CMSEDGE_HINT_OTHER);
    test_classify(NULL, &f, &v);
    assert_false(v.judged);
    assert_false(v.offspec);
    assert_int_equal(v.n_matches, 0);

    /* two configured clients: labelled, never judged */
    f = test_flow(UDP, EP, 40000, WEB, 5060, CMSEDGE_APP_SIP);
    test_classify(NULL, &f, &v);
    assert_false(v.judged);
    assert_false(v.offspec);

    /* between unknown hosts only an Expressway-specific row whose payload confirms it */
    f = test_flow(UDP, NONE, 36002, NONE, 2776, CMSEDGE_HINT_OTHER);
    test_classify(NULL, &f, &v);
    assert_int_equal(v.n_matches, 0);
    f.hint = CMSEDGE_APP_RTP;
    test_classify(NULL, &f, &v);
    assert_non_null(test_find(&v, "T2-06"));
    assert_false(v.judged);
    f = test_flow(TCP, NONE, 30001, NONE, 2222, CMSEDGE_APP_SSH);
    test_classify(NULL, &f, &v);
    assert_non_null(test_find(&v, "T1-04"));
    assert_int_equal(v.n_matches, 1);
    /* generic services between strangers carry no Cisco purpose, whatever the payload */
    const struct {
        unsigned t;
        uint16_t sport, dport;
        int hint;
    } generic[] = {
        {UDP, 40000, 36010, CMSEDGE_APP_RTP},  /* media on 36000-59999 */
        {UDP, 50000, 3478, CMSEDGE_APP_STUN},  /* TURN */
        {TCP, 33000, 443, CMSEDGE_APP_TLS},    /* HTTPS from a Linux ephemeral port */
        {TCP, 33000, 443, CMSEDGE_HINT_NONE},  /* a handshake */
        {UDP, 5060, 5060, CMSEDGE_APP_SIP},    /* a SIP trunk */
        {TCP, 45000, 5061, CMSEDGE_APP_TLS},   /* SIP over TLS */
        {UDP, 24010, 40000, CMSEDGE_APP_RTP},  /* from a port in the relay range */
        {UDP, 25000, 27000, CMSEDGE_APP_RTP},  /* two phones in 16384-32767, between hosts */
        {TCP, 30001, 2222, CMSEDGE_HINT_NONE}, /* the SSH tunnel's handshake */
    };
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++) {
        f = test_flow(generic[i].t, NONE, generic[i].sport, NONE, generic[i].dport,
                      generic[i].hint);
        test_classify(NULL, &f, &v);
        if (v.n_matches)
            fail_msg("stranger flow %zu labelled %s", i, v.matches[0].row->id);
    }
}

static void documented_ranges_are_never_offspec(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    const int hints[] = {CMSEDGE_HINT_NONE, CMSEDGE_HINT_OTHER, CMSEDGE_APP_RTP,
                         CMSEDGE_APP_DTLS,  CMSEDGE_APP_STUN,   CMSEDGE_APP_TLS};
    for (unsigned port = 24000; port <= 29999; port += 37) {
        for (size_t h = 0; h < sizeof hints / sizeof hints[0]; h++) {
            for (unsigned t = UDP; t <= TCP; t++) {
                struct cmsedge_flow f = test_flow(t, NONE, 40000, E, (uint16_t)port, hints[h]);
                test_classify(NULL, &f, &v);
                if (v.offspec)
                    fail_msg("relay port %u flagged: %s", port, v.reason);
                f = test_flow(t, E, (uint16_t)port, NONE, 1024, hints[h]);
                test_classify(NULL, &f, &v);
                if (v.offspec)
                    fail_msg("relay port %u to 1024 flagged: %s", port, v.reason);
            }
        }
    }
    /* Meeting Server media range towards the relays */
    for (unsigned port = 50000; port <= 51000; port += 10) {
        struct cmsedge_flow f = test_flow(
            UDP, MS, (uint16_t)port, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, 24500, CMSEDGE_HINT_OTHER);
        test_classify(NULL, &f, &v);
        assert_non_null(test_find(&v, "T2-15"));
        assert_false(v.offspec);
    }
}

static void payload_refines_the_purpose(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    char label[128];
    /* UDP 3478 from a web app client: requests vs tunneled media */
    struct cmsedge_flow f = test_flow(UDP, WEB, 50000, EPUB, 3478, CMSEDGE_APP_STUN);
    test_classify(NULL, &f, &v);
    assert_non_null(test_find(&v, "T1-06"));
    assert_null(test_find(&v, "T1-02"));
    cmsedge_match_label(&v.matches[0], label, sizeof label);
    assert_string_equal(label, "CMA Cisco Meeting WebRTC App TURN requests");
    f.hint = CMSEDGE_APP_TURN_DATA;
    test_classify(NULL, &f, &v);
    assert_non_null(test_find(&v, "T1-02"));
    assert_null(test_find(&v, "T1-06"));
    assert_string_equal(v.matches[0].row->purpose, "Tunneled media");

    /* RTP vs RTCP on the endpoint side of Assent */
    f = test_flow(UDP, EP, 40000, E, 40010, CMSEDGE_APP_RTCP);
    test_classify(NULL, &f, &v);
    assert_non_null(test_find(&v, "T2-09"));
    assert_null(test_find(&v, "T2-08"));
}

static void replies_carry_the_purpose_and_roles(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    /* the reply from Expressway-E:443 is CMA Web client signaling too */
    struct cmsedge_flow f = test_flow(TCP, EPUB, 443, NONE, 50000, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    const struct cmsedge_match *m = test_find(&v, "T1-01");
    assert_non_null(m);
    assert_true(m->reverse);
    assert_int_equal(m->src_role, EPUB);
    assert_int_equal(m->dst_role, WEB);
    assert_false(v.offspec);
    /* best match first: a configured role beats a stand-in */
    f = test_flow(UDP, MS, 40000, E, 3478, CMSEDGE_APP_STUN);
    test_classify(NULL, &f, &v);
    assert_int_equal(v.matches[0].src_fit, CMSEDGE_FIT_EXACT);
    assert_int_equal(v.matches[0].dst_fit, CMSEDGE_FIT_EXACT);
}

static void literal_rows_beat_nat_readings(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    /* private to private: "TURN relay (On premises)", though the NAT row also fits */
    struct cmsedge_flow f = test_flow(UDP, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, 24004,
                                      CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, 24006, CMSEDGE_APP_RTP);
    test_classify(NULL, &f, &v);
    assert_string_equal(v.matches[0].row->id, "T1-12");
    assert_non_null(test_find(&v, "T1-11"));
    /* private to public: the NAT row as written */
    f.dst_role = CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC;
    test_classify(NULL, &f, &v);
    assert_string_equal(v.matches[0].row->id, "T1-11");
    assert_false(v.matches[0].translated);
}

static void turn_tcp_override_port_extends_udp_rows(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_verdict v;
    cmsedge_settings_defaults(&s);
    struct cmsedge_flow f = test_flow(TCP, WEB, 50000, EPUB, 443, CMSEDGE_APP_TURN_DATA);
    test_classify(&s, &f, &v);
    assert_true(v.unmatched);
    s.turn_tcp_port = 443;
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T1-02"));
    assert_false(v.unmatched);
    /* but not over UDP */
    f.transport = UDP;
    test_classify(&s, &f, &v);
    assert_null(test_find(&v, "T1-02"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(assent_demux_ports_follow_size_and_setting),
        cmocka_unit_test(turn_ports_follow_size),
        cmocka_unit_test(traversal_zones_index_the_port),
        cmocka_unit_test(offspec_reasons_name_expected_and_seen),
        cmocka_unit_test(unrelated_hosts_are_not_judged),
        cmocka_unit_test(documented_ranges_are_never_offspec),
        cmocka_unit_test(payload_refines_the_purpose),
        cmocka_unit_test(replies_carry_the_purpose_and_roles),
        cmocka_unit_test(literal_rows_beat_nat_readings),
        cmocka_unit_test(turn_tcp_override_port_extends_udp_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
