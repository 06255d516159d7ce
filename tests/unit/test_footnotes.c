/* cmsedge unit tests: the six footnotes as rules.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "test_util.h"

#define E     CMSEDGE_ROLE_EXPRESSWAY_E
#define EPUB  CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC
#define EPRIV CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE
#define MS    CMSEDGE_ROLE_MEETING_SERVER
#define ADMIN CMSEDGE_ROLE_ADMIN_PC

static void fn1_admin_on_443_warns(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_flow f = test_flow(TCP, ADMIN, 50000, E, 443, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    const struct cmsedge_finding *fd = test_finding(&v, 1);
    assert_non_null(fd);
    assert_int_equal(fd->severity, CMSEDGE_WARNING);
    assert_non_null(strstr(fd->text, "footnotes 1 and 2"));
    assert_true(v.offspec);
    /* the reply too */
    f = test_flow(TCP, E, 443, ADMIN, 50000, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_non_null(test_finding(&v, 1));
    /* administration on 8443 is fine */
    f = test_flow(TCP, ADMIN, 50000, E, 8443, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_null(test_finding(&v, 1));
    assert_false(v.offspec);
}

static void fn2_admin_on_public_ip_notes(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_flow f = test_flow(TCP, ADMIN, 50000, EPUB, 8443, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    const struct cmsedge_finding *fd = test_finding(&v, 2);
    assert_non_null(fd);
    assert_int_equal(fd->severity, CMSEDGE_NOTE);
    assert_false(v.offspec);
    f = test_flow(TCP, ADMIN, 50000, EPRIV, 8443, CMSEDGE_APP_TLS);
    test_classify(NULL, &f, &v);
    assert_null(test_finding(&v, 2));
}

static void fn3_8443_with_mra_warns(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_verdict v;
    cmsedge_settings_defaults(&s);
    struct cmsedge_flow f = test_flow(TCP, ADMIN, 50000, EPRIV, 8443, CMSEDGE_APP_TLS);
    test_classify(&s, &f, &v);
    assert_null(test_finding(&v, 3));
    s.mra = true;
    test_classify(&s, &f, &v);
    assert_non_null(test_finding(&v, 3));
    assert_int_equal(test_finding(&v, 3)->severity, CMSEDGE_WARNING);
    assert_true(v.offspec);
    /* anyone else's HTTPS to 8443 is MRA's then, not web administration */
    struct cmsedge_flow mra =
        test_flow(TCP, CMSEDGE_ROLE_NONE, 50000, EPRIV, 8443, CMSEDGE_APP_TLS);
    test_classify(&s, &mra, &v);
    assert_null(test_find(&v, "T1-03"));
    assert_null(test_finding(&v, 3));
    assert_false(v.offspec);
    s.admin_port = 7443; /* moved, as the footnote asks */
    f.dport = 7443;
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T1-03"));
    assert_null(test_finding(&v, 3));
    assert_false(v.offspec);
}

static void fn4_turn_on_tcp_443_depends_on_version(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_verdict v;
    char err[64];
    cmsedge_settings_defaults(&s);
    struct cmsedge_flow f = test_flow(TCP, CMSEDGE_ROLE_NONE, 50000, EPUB, 443, CMSEDGE_APP_STUN);

    test_classify(&s, &f, &v); /* no override port: off-spec, and the footnote explains */
    assert_true(v.unmatched);
    assert_non_null(test_finding(&v, 4));
    assert_non_null(strstr(test_finding(&v, 4)->text, "turn_tcp_port"));

    s.turn_tcp_port = 443;
    assert_true(cmsedge_version_parse("X8.10", &s.version, err, sizeof err));
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T1-07"));
    assert_int_equal(test_finding(&v, 4)->severity, CMSEDGE_WARNING);
    assert_true(v.offspec);

    assert_true(cmsedge_version_parse("X8.11", &s.version, err, sizeof err));
    test_classify(&s, &f, &v);
    assert_int_equal(test_finding(&v, 4)->severity, CMSEDGE_NOTE);
    assert_false(v.offspec);

    /* TCP TURN on 3478 says nothing */
    f.dport = 3478;
    test_classify(&s, &f, &v);
    assert_null(test_finding(&v, 4));
}

static void fn5_nat_reflection_depends_on_version(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_verdict v;
    char err[64];
    cmsedge_settings_defaults(&s);
    struct cmsedge_flow f = test_flow(UDP, EPRIV, 24000, EPUB, 24002, CMSEDGE_APP_RTP);
    test_classify(&s, &f, &v);
    assert_non_null(test_find(&v, "T1-11"));
    assert_non_null(strstr(test_finding(&v, 5)->text, "must allow NAT reflection"));
    assert_true(cmsedge_version_parse("X12.5.3", &s.version, err, sizeof err));
    test_classify(&s, &f, &v);
    assert_non_null(
        strstr(test_finding(&v, 5)->text, "from X12.5.3 NAT reflection is no longer needed"));
    /* hairpin with the same address on both sides */
    f.dst = f.src;
    test_classify(&s, &f, &v);
    assert_non_null(strstr(test_finding(&v, 5)->text, "same"));
    assert_false(v.offspec);
}

static void fn6_meeting_server_media_through_3478(void **state)
{
    (void)state;
    struct cmsedge_verdict v;
    struct cmsedge_flow f = test_flow(UDP, MS, 50000, EPRIV, 3478, CMSEDGE_APP_TURN_DATA);
    test_classify(NULL, &f, &v);
    assert_non_null(test_finding(&v, 6));
    assert_true(v.checks & CMSEDGE_CHECK_RELAYS_IDLE);
    assert_false(v.offspec);
    /* TURN requests from the Meeting Server are just that */
    f.hint = CMSEDGE_APP_STUN;
    test_classify(NULL, &f, &v);
    assert_null(test_finding(&v, 6));
    assert_int_equal(v.checks, 0);
    /* an unconfigured host pushing ChannelData is no Meeting Server evidence */
    f = test_flow(UDP, CMSEDGE_ROLE_NONE, 50000, EPRIV, 3478, CMSEDGE_APP_TURN_DATA);
    test_classify(NULL, &f, &v);
    assert_null(test_finding(&v, 6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fn1_admin_on_443_warns),
        cmocka_unit_test(fn2_admin_on_public_ip_notes),
        cmocka_unit_test(fn3_8443_with_mra_warns),
        cmocka_unit_test(fn4_turn_on_tcp_443_depends_on_version),
        cmocka_unit_test(fn5_nat_reflection_depends_on_version),
        cmocka_unit_test(fn6_meeting_server_media_through_3478),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
