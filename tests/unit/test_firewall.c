/* cmsedge unit tests: the firewall verdict's rule set and its verdicts.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "test_util.h"

#include "cmsedge/firewall.h"
#include "firewall_internal.h"

static struct cmsedge_hostmap *small_hosts(void)
{
    struct cmsedge_hostmap *h = cmsedge_hostmap_new();
    char err[128];
    assert_true(cmsedge_hostmap_add_text(h, "203.0.113.10", "expressway-e-public", "e-pub",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(h, "192.0.2.10", "expressway-e-private", "e-priv",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(h, "192.0.2.20", "expressway-c", "c",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(h, "192.0.2.30", "meeting-server", "cms",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    return h;
}

static const struct cmsedge_fw_rule *rule_of(const struct cmsedge_fw_rules *rules, const char *id,
                                             unsigned transport)
{
    return cmsedge_fw_rule_for(rules, cmsedge_row_by_id(id), transport);
}

static void rule_set_of_a_small_deployment(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_hostmap *h = small_hosts();
    GString *addrs = g_string_new(NULL);
    cmsedge_settings_defaults(&s);
    struct cmsedge_fw_rules *rules = cmsedge_fw_rules_new(&s, h, NULL);

    /* every row that applies has a rule for each of its transports */
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        const struct cmsedge_row *row = &cmsedge_rows[i];
        for (unsigned t = UDP; t <= TCP; t <<= 1) {
            if (!(row->transports & t))
                continue;
            const struct cmsedge_fw_rule *r = cmsedge_fw_rule_for(rules, row, t);
            assert_non_null(r);
            bool cited = false;
            for (size_t k = 0; k < r->n_rows; k++)
                cited |= r->rows[k] == row;
            assert_true(cited);
        }
    }
    /* the traversal zone of all four tables is one rule, on the internal firewall */
    const struct cmsedge_fw_rule *zone = rule_of(rules, "T1-05", TCP);
    assert_ptr_equal(zone, rule_of(rules, "T2-01", TCP));
    assert_ptr_equal(zone, rule_of(rules, "T3-01", TCP));
    assert_ptr_equal(zone, rule_of(rules, "T4-01", TCP));
    assert_int_equal(zone->n_rows, 4);
    assert_int_equal(zone->wall, CMSEDGE_FW_INTERNAL);
    assert_int_equal(zone->dst.ports.n, 1);
    assert_int_equal(zone->dst.ports.r[0].lo, 7001);
    /* TURN over UDP from outside: Tables 1-4 in one rule, to the public address */
    const struct cmsedge_fw_rule *turn = rule_of(rules, "T1-06", UDP);
    assert_ptr_equal(turn, rule_of(rules, "T2-11", UDP));
    assert_ptr_equal(turn, rule_of(rules, "T4-09", UDP));
    assert_int_equal(turn->wall, CMSEDGE_FW_OUTSIDE);
    assert_true(turn->src.any);
    assert_int_equal(turn->dst.n_hosts, 1);
    /* UDP and TCP of one row are two rules */
    assert_ptr_not_equal(rule_of(rules, "T2-11", UDP), rule_of(rules, "T2-11", TCP));
    /* the Webbridge crosses the inside firewall; Unified CM is unknown */
    assert_int_equal(rule_of(rules, "T1-08", TCP)->wall, CMSEDGE_FW_INSIDE);
    const struct cmsedge_fw_rule *ucm = rule_of(rules, "T4-05", TCP);
    assert_int_equal(ucm->dst.n_hosts, 0);
    assert_string_equal(ucm->dst.label, "Unified CM");
    assert_true(cmsedge_fw_rules_dual_nic(rules));

    GString *out = g_string_new(NULL);
    struct cmsedge_firewall *fw = cmsedge_firewall_new();
    cmsedge_firewall_write(fw, &s, h, NULL, CMSEDGE_FW_TEXT, out);
    assert_non_null(strstr(out->str, "Unified CM (address not seen) 5061"));
    assert_non_null(strstr(out->str, "rows: T1-05, T2-01, T3-01, T4-01 (SIP signaling)"));
    assert_non_null(strstr(out->str, "any guest 1024-65535 -> Expressway-E public IP "
                                     "203.0.113.10 443"));
    assert_null(strstr(out->str, " works "));
    g_string_truncate(out, 0);
    cmsedge_firewall_write(fw, &s, h, NULL, CMSEDGE_FW_NFT, out);
    assert_non_null(strstr(out->str, "set unified_cm {"));
    assert_non_null(strstr(out->str, "ip saddr 192.0.2.20 ip daddr 192.0.2.10 tcp sport "
                                     "25000-29999 tcp dport 7001 accept"));
    g_string_truncate(out, 0);
    cmsedge_firewall_write(fw, &s, h, NULL, CMSEDGE_FW_ASA, out);
    assert_non_null(strstr(out->str, "access-list CMSEDGE-INTERNAL extended permit tcp host "
                                     "192.0.2.20 range 25000 29999 host 192.0.2.10 eq 7001\n"));
    cmsedge_firewall_free(fw);
    g_string_free(out, TRUE);

    /* nobody known: the roles stand, with their addresses not seen */
    cmsedge_fw_rules_free(rules);
    rules = cmsedge_fw_rules_new(&s, NULL, NULL);
    cmsedge_fw_end_addrs(&rule_of(rules, "T2-03", TCP)->dst, addrs);
    assert_string_equal(addrs->str, "(address not seen)");
    assert_string_equal(rule_of(rules, "T2-03", TCP)->dst.label, "Meeting Server");
    cmsedge_fw_rules_free(rules);
    g_string_free(addrs, TRUE);
    cmsedge_hostmap_free(h);
}

/* One frame, classified under defaults, with its roles. */
static void frame(struct cmsedge_firewall *fw, const struct cmsedge_flow *f, uint32_t n,
                  const struct cmsedge_finding *extra)
{
    struct cmsedge_settings s;
    struct cmsedge_annotation ann;
    struct cmsedge_facts facts = {.frame = n, .length = 60};
    cmsedge_settings_defaults(&s);
    memset(&ann, 0, sizeof ann);
    ann.flow = *f;
    ann.traffic = extra == NULL || extra->kind != CMSEDGE_FINDING_BLOCKED;
    cmsedge_classify(&s, f, &ann.verdict);
    if (ann.verdict.near_miss) {
        ann.offspec = CMSEDGE_OFFSPEC_NEAR_MISS;
        ann.offspec_reason = ann.verdict.reason;
    }
    if (extra)
        ann.findings.items[ann.findings.n++] = *extra;
    cmsedge_firewall_add(fw, &ann, &facts);
}

static struct cmsedge_flow between(unsigned t, const char *src, uint16_t sport, const char *dst,
                                   uint16_t dport, enum cmsedge_role sr, enum cmsedge_role dr,
                                   int hint)
{
    struct cmsedge_flow f = test_flow(t, sr, sport, dr, dport, hint);
    struct cmsedge_prefix p;
    char err[64];
    assert_true(cmsedge_prefix_parse(src, &p, err, sizeof err));
    f.src = p.addr;
    assert_true(cmsedge_prefix_parse(dst, &p, err, sizeof err));
    f.dst = p.addr;
    return f;
}

static struct cmsedge_flow reversed(struct cmsedge_flow f)
{
    struct cmsedge_flow b = f;
    b.src = f.dst, b.dst = f.src, b.sport = f.dport, b.dport = f.sport;
    b.src_role = f.dst_role, b.dst_role = f.src_role;
    return b;
}

static void verdicts_from_annotations(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_hostmap *h = small_hosts();
    struct cmsedge_firewall *fw = cmsedge_firewall_new();
    struct cmsedge_fw_judgement j;
    const enum cmsedge_role C = CMSEDGE_ROLE_EXPRESSWAY_C,
                            EPRIV = CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE,
                            MS = CMSEDGE_ROLE_MEETING_SERVER;
    cmsedge_settings_defaults(&s);

    /* works: the traversal zone, both ways (frames 1-3) */
    struct cmsedge_flow zone =
        between(TCP, "192.0.2.20", 25001, "192.0.2.10", 7001, C, EPRIV, CMSEDGE_APP_SIP);
    struct cmsedge_flow zone_back = reversed(zone);
    frame(fw, &zone, 1, NULL);
    frame(fw, &zone_back, 2, NULL);
    frame(fw, &zone, 3, NULL);
    /* blocked: the SSH tunnel's SYN (4), refused (5) */
    struct cmsedge_flow ssh =
        between(TCP, "192.0.2.20", 30001, "192.0.2.10", 2222, C, EPRIV, CMSEDGE_HINT_NONE);
    frame(fw, &ssh, 4, NULL);
    struct cmsedge_finding refused = {.kind = CMSEDGE_FINDING_BLOCKED,
                                      .severity = CMSEDGE_WARNING,
                                      .row = cmsedge_row_by_id("T1-04")};
    strcpy(refused.text, "blocked? connection refused (RST)");
    struct cmsedge_flow rst = reversed(ssh);
    frame(fw, &rst, 5, &refused);
    /* translated: the Webbridge... no: SIP to the Meeting Server from a rewritten source port
     * is no translation the core names; the zone from 4401 is (frame 6) */
    struct cmsedge_flow nat =
        between(TCP, "192.0.2.20", 4401, "192.0.2.10", 7001, C, EPRIV, CMSEDGE_APP_SIP);
    struct cmsedge_fw_rules *rules = cmsedge_fw_rules_new(&s, h, NULL);

    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T1-05", TCP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_WORKS);
    assert_int_equal(j.forward, 2);
    assert_int_equal(j.reverse, 1);
    assert_int_equal(j.n_frames, 3);
    assert_int_equal(j.frames[0], 1);
    assert_int_equal(j.frames[2], 3);

    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T1-04", TCP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_BLOCKED);
    assert_int_equal(j.n_frames, 2);
    assert_int_equal(j.frames[0], 4);
    assert_int_equal(j.frames[1], 5);
    assert_string_equal(j.evidence, "blocked? connection refused (RST)");

    /* not exercised: the Webbridge */
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T1-08", TCP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);
    assert_int_equal(j.n_frames, 0);

    /* UDP one way with nothing back between the hosts: one-way (frame 7); once the capture
     * shows the Expressway-E private answering the Meeting Server at all, works (frame 8) */
    struct cmsedge_flow media =
        between(UDP, "192.0.2.30", 50010, "192.0.2.10", 24030, MS, EPRIV, CMSEDGE_APP_RTP);
    frame(fw, &media, 7, NULL);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-15", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_ONE_WAY);
    assert_int_equal(j.frames[0], 7);
    struct cmsedge_flow turn_back =
        between(UDP, "192.0.2.10", 3478, "192.0.2.30", 40000, EPRIV, MS, CMSEDGE_APP_STUN);
    frame(fw, &turn_back, 8, NULL);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-15", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_WORKS);
    assert_non_null(strstr(j.evidence, "(frame 8)"));

    /* translated: the zone from a rewritten source port turns the rule's verdict (frame 6) */
    frame(fw, &nat, 6, NULL);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T1-05", TCP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_TRANSLATED);
    assert_int_equal(j.n_frames, 1);
    assert_int_equal(j.frames[0], 6);
    assert_non_null(strstr(j.evidence, "seen 4401"));

    GString *out = g_string_new(NULL);
    cmsedge_firewall_write(fw, &s, h, NULL, CMSEDGE_FW_TEXT, out);
    assert_non_null(strstr(out->str, "Near misses (off-spec, no rule covers them): 1\n"
                                     "  tcp 192.0.2.20:4401 (expressway-c) -> 192.0.2.10:7001"));
    /* T2-15 works; the TURN answer alone (frame 8) shows T1-10 one way only */
    assert_non_null(strstr(out->str, "Summary: 1 blocked, 1 translated, 1 works, 1 one-way"));
    g_string_truncate(out, 0);
    cmsedge_firewall_write(fw, &s, h, NULL, CMSEDGE_FW_CSV, out);
    assert_non_null(strstr(out->str, "rule,R04,internal,blocked,tcp,"));
    assert_non_null(strstr(out->str, ",4 5,blocked? connection refused (RST)\n"));
    g_string_truncate(out, 0);
    cmsedge_firewall_write(fw, &s, h, NULL, CMSEDGE_FW_JSON, out);
    assert_non_null(strstr(out->str, "\"verdict\":\"translated\""));
    assert_non_null(strstr(out->str, "\"rows\":[\"T1-05\",\"T2-01\",\"T3-01\",\"T4-01\"]"));

    cmsedge_firewall_reset(fw);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T1-05", TCP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);
    g_string_free(out, TRUE);
    cmsedge_fw_rules_free(rules);
    cmsedge_firewall_free(fw);
    cmsedge_hostmap_free(h);
}

/* A relay whose peer never answered blocks the rule that would let that peer's media in to the
 * relay, and no other; a later cmsedge_fw_relays_set replaces the evidence. */
static void unanswered_relay_blocks_the_inbound_rule(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_hostmap *h = small_hosts();
    struct cmsedge_firewall *fw = cmsedge_firewall_new();
    struct cmsedge_fw_judgement j;
    cmsedge_settings_defaults(&s);
    struct cmsedge_fw_relay x = {.transport = UDP,
                                 .relay_port = 24100,
                                 .peer_port = 3480,
                                 .n_frames = 3,
                                 .frames = {9, 12, 40}};
    struct cmsedge_flow ends =
        between(UDP, "203.0.113.10", 24100, "198.51.100.40", 3480, 0, 0, CMSEDGE_HINT_NONE);
    x.relay = ends.src, x.peer = ends.dst;
    strcpy(x.text, "TURN relay sent 20 datagram(s) and nothing came back");
    cmsedge_fw_relays_set(fw, &x, 1);
    struct cmsedge_fw_rules *rules = cmsedge_fw_rules_new(&s, h, NULL);

    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-14", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_BLOCKED);
    assert_int_equal(j.n_frames, 3);
    assert_int_equal(j.frames[0], 9);
    assert_int_equal(j.frames[2], 40);
    assert_string_equal(j.evidence, x.text);
    /* the relay's own direction, TCP, and the Meeting Server's rule are not that rule */
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-13", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-14", TCP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-15", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);
    /* a peer port outside the rule's source ports is not covered either */
    x.peer_port = 80;
    cmsedge_fw_relays_set(fw, &x, 1);
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-14", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);
    cmsedge_fw_relays_set(fw, NULL, 0);
    cmsedge_firewall_relays(fw, NULL); /* no calls: no relay evidence */
    cmsedge_firewall_judge(fw, rules, rule_of(rules, "T2-14", UDP), &j);
    assert_int_equal(j.verdict, CMSEDGE_FW_NOT_EXERCISED);

    cmsedge_fw_rules_free(rules);
    cmsedge_firewall_free(fw);
    cmsedge_hostmap_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_set_of_a_small_deployment),
        cmocka_unit_test(verdicts_from_annotations),
        cmocka_unit_test(unanswered_relay_blocks_the_inbound_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
