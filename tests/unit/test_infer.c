/* cmsedge unit tests: role inference from Expressway-specific flows, and none from generic
 * TURN, SIP or HTTPS traffic.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/infer.h"

#define NONE CMSEDGE_ROLE_NONE

struct run {
    struct cmsedge_settings s;
    struct cmsedge_infer *in;
    uint32_t frame;
};

static void see(struct run *r, unsigned transport, uint8_t a, uint16_t pa, uint8_t b, uint16_t pb,
                int hint, struct cmsedge_facts facts)
{
    struct cmsedge_flow f = test_flow(transport, NONE, pa, NONE, pb, hint);
    struct cmsedge_verdict v;
    f.src = test_host(a);
    f.dst = test_host(b);
    /* roles already inferred count, as they do in the plugin */
    const struct cmsedge_inferred *ia = cmsedge_infer_lookup(r->in, &f.src, r->frame + 1);
    const struct cmsedge_inferred *ib = cmsedge_infer_lookup(r->in, &f.dst, r->frame + 1);
    f.src_role = ia ? cmsedge_infer_role_at(r->in, ia, r->frame + 1) : NONE;
    f.dst_role = ib ? cmsedge_infer_role_at(r->in, ib, r->frame + 1) : NONE;
    facts.frame = ++r->frame;
    cmsedge_classify(&r->s, &f, &v);
    cmsedge_infer_observe(r->in, &r->s, &f, &v, &facts);
}

static enum cmsedge_role role_of(struct run *r, uint8_t last)
{
    struct cmsedge_addr a = test_host(last);
    const struct cmsedge_inferred *inf = cmsedge_infer_lookup(r->in, &a, r->frame + 1);
    return inf ? cmsedge_infer_role_at(r->in, inf, r->frame + 1) : NONE;
}

static int setup(void **state)
{
    struct run *r = calloc(1, sizeof *r);
    cmsedge_settings_defaults(&r->s);
    r->in = cmsedge_infer_new();
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct run *r = *state;
    cmsedge_infer_free(r->in);
    free(r);
    return 0;
}

static const struct cmsedge_facts none = {0};

static void two_distinct_flows_make_a_role(void **state)
{
    struct run *r = *state;
    /* traversal zone from 25000-29999: Expressway-C to Expressway-E */
    see(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS, none);
    see(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS, none); /* same flow: still one */
    assert_int_equal(cmsedge_infer_count(r->in), 0);
    /* the SSH tunnel: the Expressway-E private address */
    see(r, TCP, 20, 30001, 10, 2222, CMSEDGE_APP_SSH, none);
    assert_int_equal(cmsedge_infer_count(r->in), 2);
    /* one Expressway-E address alone: which interface it is stays open */
    assert_int_equal(role_of(r, 10), CMSEDGE_ROLE_EXPRESSWAY_E);
    assert_int_equal(role_of(r, 20), CMSEDGE_ROLE_EXPRESSWAY_C);

    /* decided on frame 3: frames up to 3 keep the host unconfigured, whatever the order they
     * are looked at in */
    struct cmsedge_addr e = test_host(10);
    const struct cmsedge_inferred *inf = cmsedge_infer_lookup(r->in, &e, 4);
    assert_int_equal(inf->since, 3);
    assert_null(cmsedge_infer_lookup(r->in, &e, 3));
    assert_non_null(cmsedge_infer_lookup(r->in, &e, 4));
    assert_null(cmsedge_infer_lookup(r->in, &e, 1));
    assert_int_equal(inf->frames[0], 1);
    assert_int_equal(inf->frames[1], 3);
    assert_non_null(strstr(inf->evidence, "(frame 1)"));
    assert_non_null(strstr(inf->evidence, "T1-04 SSH tunnels for firewall traversal (frame 3)"));
    assert_int_equal(inf->private_since, 3); /* the SSH tunnel goes to the private interface */

    cmsedge_infer_reset(r->in);
    assert_int_equal(cmsedge_infer_count(r->in), 0);
    assert_null(cmsedge_infer_lookup(r->in, &e, 100));
}

/* Traversal from 25000-29999 to 7001 (TLS) and to 2222 (SSH): an Expressway-C and an
 * Expressway-E. */
static void traversal_pair(struct run *r)
{
    see(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS, none);
    see(r, TCP, 20, 30001, 10, 2222, CMSEDGE_APP_SSH, none);
}

static void meeting_server_from_the_webbridge_of_a_known_c(void **state)
{
    struct run *r = *state;
    /* before the Expressway-C is known, its HTTPS to 443 says nothing (T1-08 is anchored) */
    see(r, TCP, 20, 30002, 30, 443, CMSEDGE_APP_TLS, none);
    see(r, TCP, 20, 30004, 30, 443, CMSEDGE_APP_TLS, none);
    assert_int_equal(role_of(r, 30), NONE);
    traversal_pair(r);
    assert_int_equal(role_of(r, 20), CMSEDGE_ROLE_EXPRESSWAY_C);
    see(r, TCP, 20, 30006, 30, 443, CMSEDGE_APP_TLS, none);
    see(r, TCP, 30, 443, 20, 30006, CMSEDGE_APP_TLS, none); /* the reply: same flow */
    assert_int_equal(role_of(r, 30), NONE);
    see(r, TCP, 20, 30008, 30, 443, CMSEDGE_APP_TLS, none);
    assert_int_equal(role_of(r, 30), CMSEDGE_ROLE_MEETING_SERVER);
}

static void media_into_the_relays_is_no_evidence(void **state)
{
    struct run *r = *state;
    /* Meeting Server media range to relay ports fits "any host to TURN media" (T2-14) too */
    for (uint16_t i = 0; i < 4; i++)
        see(r, UDP, 30, (uint16_t)(50000 + 2 * i), 10, (uint16_t)(24014 + 2 * i), CMSEDGE_APP_RTP,
            none);
    assert_int_equal(cmsedge_infer_count(r->in), 0);
}

static void turn_server_with_relays_that_carry_traffic(void **state)
{
    struct run *r = *state;
    struct cmsedge_facts ok = {
        .stun_type = CMSEDGE_STUN_ALLOCATE_SUCCESS, .has_relayed = true, .relayed_port = 24100};
    see(r, UDP, 11, 3478, 31, 50001, CMSEDGE_APP_STUN, ok);
    ok.relayed_port = 24102;
    see(r, UDP, 11, 3478, 31, 50003, CMSEDGE_APP_STUN, ok);
    /* allocations alone are what any TURN server with such a range gives */
    assert_int_equal(role_of(r, 11), NONE);
    see(r, UDP, 41, 40000, 11, 24100, CMSEDGE_APP_RTP, none);
    see(r, UDP, 11, 24100, 41, 40000, CMSEDGE_APP_RTP, none); /* the same relay again */
    assert_int_equal(role_of(r, 11), NONE);
    see(r, UDP, 11, 24102, 41, 40002, CMSEDGE_APP_DTLS, none);
    assert_int_equal(role_of(r, 11), CMSEDGE_ROLE_EXPRESSWAY_E);
    assert_int_equal(role_of(r, 31), NONE); /* clients are not inferred */
    assert_int_equal(role_of(r, 41), NONE);
}

static void dual_nic_interfaces_are_told_apart(void **state)
{
    struct run *r = *state;
    struct cmsedge_facts ok = {
        .stun_type = CMSEDGE_STUN_ALLOCATE_SUCCESS, .has_relayed = true, .relayed_port = 24100};
    traversal_pair(r); /* .10 gets the SSH tunnel: its private interface */
    assert_int_equal(role_of(r, 10), CMSEDGE_ROLE_EXPRESSWAY_E);
    /* .11 is the public address: web clients' TURN, relays that carry media */
    see(r, UDP, 11, 3478, 31, 50001, CMSEDGE_APP_STUN, ok);
    see(r, UDP, 41, 40000, 11, 24100, CMSEDGE_APP_RTP, none);
    ok.relayed_port = 24102;
    see(r, UDP, 11, 3478, 31, 50003, CMSEDGE_APP_STUN, ok);
    see(r, UDP, 41, 40002, 11, 24102, CMSEDGE_APP_RTP, none);
    assert_int_equal(role_of(r, 11), CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC);
    assert_int_equal(role_of(r, 10), CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE);
}

static void a_laptop_is_no_expressway(void **state)
{
    struct run *r = *state;
    /* Linux picks ephemeral ports from 32768-60999: some fall in 30000-35999 */
    for (uint16_t i = 0; i < 30; i++) {
        see(r, TCP, 70, (uint16_t)(32768 + 97 * i), 71, 443, CMSEDGE_APP_TLS, none);
        see(r, TCP, 70, (uint16_t)(33000 + 89 * i), 72, 443, CMSEDGE_APP_TLS, none);
        see(r, TCP, 70, (uint16_t)(34000 + 61 * i), 72, 443, CMSEDGE_HINT_NONE, none);
    }
    assert_int_equal(cmsedge_infer_count(r->in), 0);
}

static void generic_services_are_no_evidence(void **state)
{
    struct run *r = *state;
    struct cmsedge_facts coturn = {
        .stun_type = CMSEDGE_STUN_ALLOCATE_SUCCESS, .has_relayed = true, .relayed_port = 49160};
    for (uint16_t i = 0; i < 20; i++) {
        /* a TURN server whose relays are outside the Expressway range */
        see(r, UDP, 60, 3478, 61, (uint16_t)(40060 + i), CMSEDGE_APP_STUN, coturn);
        /* Teams-like clients from 50000+ to 3478-3481 */
        see(r, UDP, 61, (uint16_t)(50010 + i), 60, (uint16_t)(3478 + i % 4), CMSEDGE_APP_STUN,
            none);
        /* a SIP trunk, SIP over TLS, HTTPS */
        see(r, UDP, 63, 5060, 64, 5060, CMSEDGE_APP_SIP, none);
        see(r, TCP, 63, (uint16_t)(45000 + i), 64, 5061, CMSEDGE_APP_TLS, none);
        see(r, TCP, 61, (uint16_t)(45000 + i), 64, 443, CMSEDGE_APP_TLS, none);
        /* media between ephemeral ports, some inside 36000-59999 */
        see(r, UDP, 63, (uint16_t)(36000 + 2 * i), 64, (uint16_t)(36100 + 2 * i), CMSEDGE_APP_RTP,
            none);
    }
    assert_int_equal(cmsedge_infer_count(r->in), 0);
}

static void configured_ends_are_not_inferred(void **state)
{
    struct run *r = *state;
    struct cmsedge_verdict v;
    struct cmsedge_facts facts = {0};
    for (uint16_t i = 0; i < 3; i++) {
        struct cmsedge_flow f = test_flow(TCP, CMSEDGE_ROLE_EXPRESSWAY_C, (uint16_t)(25001 + i),
                                          NONE, 7001, CMSEDGE_APP_TLS);
        f.src = test_host(20);
        f.dst = test_host(10);
        facts.frame = ++r->frame;
        cmsedge_classify(&r->s, &f, &v);
        cmsedge_infer_observe(r->in, &r->s, &f, &v, &facts);
    }
    /* the configured Expressway-C's peer becomes an Expressway-E; the C itself is untouched */
    assert_int_equal(cmsedge_infer_count(r->in), 1);
    assert_int_equal(role_of(r, 10), CMSEDGE_ROLE_EXPRESSWAY_E);
    assert_int_equal(role_of(r, 20), NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_distinct_flows_make_a_role, setup, teardown),
        cmocka_unit_test_setup_teardown(meeting_server_from_the_webbridge_of_a_known_c, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(media_into_the_relays_is_no_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(turn_server_with_relays_that_carry_traffic, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(dual_nic_interfaces_are_told_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(a_laptop_is_no_expressway, setup, teardown),
        cmocka_unit_test_setup_teardown(generic_services_are_no_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(configured_ends_are_not_inferred, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
