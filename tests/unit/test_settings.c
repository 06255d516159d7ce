/* cmsedge unit tests: settings defaults (from the table), parsing and sanity checks.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "cmsedge_generated.h"
#include "test_util.h"

static void defaults_are_the_references(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    cmsedge_settings_defaults(&s);
    assert_int_equal(s.size, CMSEDGE_SIZE_SMALL);
    assert_int_equal(s.traversal_zones, 1);
    assert_true(s.demux_ports);
    assert_int_equal(s.relay.lo, 24000);
    assert_int_equal(s.relay.hi, 29999);
    assert_int_equal(s.ms_media.lo, 50000);
    assert_int_equal(s.ms_media.hi, 51000);
    assert_int_equal(s.admin_port, 8443);
    assert_int_equal(s.turn_tcp_port, 0);
    assert_false(s.mra);
    assert_int_equal(s.version, 0);
    assert_int_equal(CMSEDGE_DEFAULT_ZONE_BASE, 7001);
}

static void versions_parse(void **state)
{
    (void)state;
    uint32_t v;
    char err[128], text[32];
    assert_true(cmsedge_version_parse("X12.5.3", &v, err, sizeof err));
    assert_int_equal(v, 120503);
    assert_true(cmsedge_version_parse("x8.11", &v, err, sizeof err));
    assert_int_equal(v, CMSEDGE_VERSION_X8_11);
    assert_true(cmsedge_version_parse(" 8.10 ", &v, err, sizeof err));
    assert_true(v < CMSEDGE_VERSION_X8_11);
    cmsedge_version_format(120503, text, sizeof text);
    assert_string_equal(text, "X12.5.3");
    assert_false(cmsedge_version_parse("X12.5.3.1", &v, err, sizeof err));
    assert_string_equal(err, "'X12.5.3.1': not an Expressway version (expected e.g. X12.5.3)");
    assert_false(cmsedge_version_parse("X", &v, err, sizeof err));
    assert_false(cmsedge_version_parse("X8.100", &v, err, sizeof err));
    assert_false(cmsedge_version_parse("", &v, err, sizeof err));
}

static void sizes_parse(void **state)
{
    (void)state;
    enum cmsedge_size z;
    assert_true(cmsedge_size_parse("large", &z));
    assert_int_equal(z, CMSEDGE_SIZE_LARGE);
    assert_true(cmsedge_size_parse("Medium", &z));
    assert_int_equal(z, CMSEDGE_SIZE_MEDIUM);
    assert_false(cmsedge_size_parse("huge", &z));
    assert_string_equal(cmsedge_size_keyword(CMSEDGE_SIZE_SMALL), "small");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_references),
        cmocka_unit_test(versions_parse),
        cmocka_unit_test(sizes_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
