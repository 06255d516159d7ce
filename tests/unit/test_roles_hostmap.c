/* cmsedge unit tests: role keywords, how hosts fit row ends, and the host map.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "cmsedge/hostmap.h"
#include "test_util.h"

static struct cmsedge_addr addr(const char *text)
{
    struct cmsedge_prefix p;
    char err[128];
    assert_true(cmsedge_prefix_parse(text, &p, err, sizeof err));
    return p.addr;
}

static void role_keywords_round_trip(void **state)
{
    (void)state;
    for (int r = CMSEDGE_ROLE_EXPRESSWAY_E; r < CMSEDGE_ROLE_ANY; r++) {
        enum cmsedge_role back;
        assert_true(cmsedge_role_parse(cmsedge_role_keyword((enum cmsedge_role)r), &back));
        assert_int_equal(back, r);
    }
    enum cmsedge_role r;
    assert_false(cmsedge_role_parse("any", &r));
    assert_false(cmsedge_role_parse("Expressway-E", &r));
    assert_false(cmsedge_role_parse(NULL, &r));
}

static void client_ends_take_any_non_edge_host(void **state)
{
    (void)state;
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_SIP_ENDPOINT, CMSEDGE_ROLE_NONE),
                     CMSEDGE_FIT_GENERIC);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_SIP_ENDPOINT, CMSEDGE_ROLE_SIP_ENDPOINT),
                     CMSEDGE_FIT_EXACT);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_SIP_ENDPOINT, CMSEDGE_ROLE_ADMIN_PC),
                     CMSEDGE_FIT_GENERIC);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_WEBAPP_CLIENT, CMSEDGE_ROLE_MEETING_SERVER),
                     CMSEDGE_FIT_NO);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_ADMIN_PC, CMSEDGE_ROLE_EXPRESSWAY_E),
                     CMSEDGE_FIT_NO);
}

static void any_ends_take_every_host(void **state)
{
    (void)state;
    for (int r = CMSEDGE_ROLE_NONE; r < CMSEDGE_ROLE_ANY; r++)
        assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_ANY, (enum cmsedge_role)r),
                         CMSEDGE_FIT_GENERIC);
}

static void expressway_e_addresses(void **state)
{
    (void)state;
    /* a single-NIC Expressway-E is both public and private */
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC, CMSEDGE_ROLE_EXPRESSWAY_E),
                     CMSEDGE_FIT_EXACT);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, CMSEDGE_ROLE_EXPRESSWAY_E),
                     CMSEDGE_FIT_EXACT);
    /* plain "Expressway-E" in a row accepts either address of a dual-NIC one */
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_EXPRESSWAY_E, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC),
                     CMSEDGE_FIT_EXACT);
    /* but a public address is not the private one */
    assert_int_equal(
        cmsedge_role_fit(CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC),
        CMSEDGE_FIT_NO);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_EXPRESSWAY_C, CMSEDGE_ROLE_NONE),
                     CMSEDGE_FIT_STAND_IN);
    assert_int_equal(cmsedge_role_fit(CMSEDGE_ROLE_EXPRESSWAY_C, CMSEDGE_ROLE_MEETING_SERVER),
                     CMSEDGE_FIT_NO);
    assert_true(cmsedge_role_is_edge(CMSEDGE_ROLE_UNIFIED_CM));
    assert_false(cmsedge_role_is_edge(CMSEDGE_ROLE_ADMIN_PC));
}

static void hostmap_exact_and_prefixes(void **state)
{
    (void)state;
    struct cmsedge_hostmap *m = cmsedge_hostmap_new();
    char err[256];
    assert_true(cmsedge_hostmap_add_text(m, "198.51.100.0/24", "sip-endpoint", "lab",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(m, "198.51.100.0/28", "expressway-c", "dmz",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(m, "198.51.100.10", "expressway-e-public", "edge1",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(m, "2001:db8::/32", "meeting-server", "",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_add_text(m, "2001:db8::5/128", "unified-cm", "cucm",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_int_equal(cmsedge_hostmap_size(m), 5);

    struct cmsedge_addr a = addr("198.51.100.10");
    const struct cmsedge_host *h = cmsedge_hostmap_lookup(m, &a);
    assert_non_null(h);
    assert_int_equal(h->role, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC);
    assert_string_equal(h->name, "edge1");
    a = addr("198.51.100.3"); /* /28 beats /24 */
    assert_int_equal(cmsedge_hostmap_lookup(m, &a)->role, CMSEDGE_ROLE_EXPRESSWAY_C);
    a = addr("198.51.100.200");
    assert_int_equal(cmsedge_hostmap_lookup(m, &a)->role, CMSEDGE_ROLE_SIP_ENDPOINT);
    a = addr("198.51.101.1");
    assert_null(cmsedge_hostmap_lookup(m, &a));
    a = addr("2001:db8::5");
    assert_int_equal(cmsedge_hostmap_lookup(m, &a)->role, CMSEDGE_ROLE_UNIFIED_CM);
    a = addr("2001:db8:1::9");
    assert_int_equal(cmsedge_hostmap_lookup(m, &a)->role, CMSEDGE_ROLE_MEETING_SERVER);
    a = addr("2001:db9::1");
    assert_null(cmsedge_hostmap_lookup(m, &a));
    /* an IPv4 prefix never covers an IPv6 address with the same leading bytes */
    a = addr("c633:640a::");
    assert_null(cmsedge_hostmap_lookup(m, &a));
    cmsedge_hostmap_clear(m);
    assert_int_equal(cmsedge_hostmap_size(m), 0);
    cmsedge_hostmap_free(m);
}

static void hostmap_configured_beats_inferred(void **state)
{
    (void)state;
    struct cmsedge_hostmap *m = cmsedge_hostmap_new();
    char err[256];
    assert_true(cmsedge_hostmap_add_text(m, "192.0.2.7", "expressway-c", "",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    struct cmsedge_prefix p;
    assert_true(cmsedge_prefix_parse("192.0.2.7", &p, err, sizeof err));
    assert_false(
        cmsedge_hostmap_add(m, &p, CMSEDGE_ROLE_MEETING_SERVER, "", CMSEDGE_ORIGIN_INFERRED));
    assert_int_equal(cmsedge_hostmap_lookup(m, &p.addr)->role, CMSEDGE_ROLE_EXPRESSWAY_C);
    /* a later configured row replaces an earlier one */
    assert_true(
        cmsedge_hostmap_add(m, &p, CMSEDGE_ROLE_MEETING_SERVER, "ms", CMSEDGE_ORIGIN_CONFIGURED));
    assert_int_equal(cmsedge_hostmap_lookup(m, &p.addr)->role, CMSEDGE_ROLE_MEETING_SERVER);
    /* which roles the map holds follows replacements, prefixes and clearing */
    assert_true(cmsedge_hostmap_has_role(m, CMSEDGE_ROLE_MEETING_SERVER));
    assert_false(cmsedge_hostmap_has_role(m, CMSEDGE_ROLE_EXPRESSWAY_C));
    assert_true(cmsedge_hostmap_add_text(m, "198.51.100.0/24", "expressway-e-private", "",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_true(cmsedge_hostmap_has_role(m, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE));
    cmsedge_hostmap_clear(m);
    assert_false(cmsedge_hostmap_has_role(m, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE));
    assert_false(cmsedge_hostmap_has_role(m, CMSEDGE_ROLE_MEETING_SERVER));
    cmsedge_hostmap_free(m);
}

static void hostmap_bad_input_messages(void **state)
{
    (void)state;
    struct cmsedge_hostmap *m = cmsedge_hostmap_new();
    char err[256];
    assert_false(cmsedge_hostmap_add_text(m, "10.0.0.300/24", "expressway-c", "",
                                          CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_string_equal(err, "'10.0.0.300/24': not an IPv4 or IPv6 address");
    assert_false(cmsedge_hostmap_add_text(m, "10.0.0.0/33", "expressway-c", "",
                                          CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_string_equal(err, "'10.0.0.0/33': prefix length must be 0-32 for IPv4");
    assert_false(cmsedge_hostmap_add_text(m, "2001:db8::/129", "expressway-c", "",
                                          CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_string_equal(err, "'2001:db8::/129': prefix length must be 0-128 for IPv6");
    assert_false(cmsedge_hostmap_add_text(m, "10.0.0.1/", "expressway-c", "",
                                          CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_false(cmsedge_hostmap_add_text(m, "10.0.0.1/-1", "expressway-c", "",
                                          CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_false(cmsedge_hostmap_add_text(m, "", "expressway-c", "", CMSEDGE_ORIGIN_CONFIGURED, err,
                                          sizeof err));
    assert_false(cmsedge_hostmap_add_text(m, "10.0.0.1", "expressway", "",
                                          CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    assert_non_null(strstr(err, "'expressway': unknown role; expected one of expressway-e,"));
    assert_int_equal(cmsedge_hostmap_size(m), 0);
    cmsedge_hostmap_free(m);
}

static void prefix_host_bits_cleared(void **state)
{
    (void)state;
    struct cmsedge_prefix p;
    char err[128], text[64];
    assert_true(cmsedge_prefix_parse("10.1.2.3/8", &p, err, sizeof err));
    cmsedge_addr_format(&p.addr, text, sizeof text);
    assert_string_equal(text, "10.0.0.0");
    assert_int_equal(p.len, 8);
    assert_true(cmsedge_prefix_parse("2001:db8::1/0", &p, err, sizeof err));
    struct cmsedge_addr any = addr("ffff::1");
    assert_true(cmsedge_prefix_contains(&p, &any));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(role_keywords_round_trip),
        cmocka_unit_test(client_ends_take_any_non_edge_host),
        cmocka_unit_test(any_ends_take_every_host),
        cmocka_unit_test(expressway_e_addresses),
        cmocka_unit_test(hostmap_exact_and_prefixes),
        cmocka_unit_test(hostmap_configured_beats_inferred),
        cmocka_unit_test(hostmap_bad_input_messages),
        cmocka_unit_test(prefix_host_bits_cleared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
