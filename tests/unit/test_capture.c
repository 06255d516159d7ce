/* cmsedge unit tests: the per-frame entry point, as the plugin drives it. Roles from the host
 * map or inference, a service before silence, a near miss before a wide service, an ICMP error
 * about a documented flow, and later passes that read back the first pass.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/capture.h"

struct run {
    struct cmsedge_settings s;
    struct cmsedge_hostmap *hosts;
    struct cmsedge_capture *c;
    uint32_t frame;
};

static void configure(struct run *r, uint8_t last, const char *role)
{
    char addr[32], err[128];
    snprintf(addr, sizeof addr, "192.0.2.%u", last);
    assert_true(cmsedge_hostmap_add_text(r->hosts, addr, role, "", CMSEDGE_ORIGIN_CONFIGURED, err,
                                         sizeof err));
}

static struct cmsedge_frame frame(struct run *r, unsigned transport, uint8_t a, uint16_t pa,
                                  uint8_t b, uint16_t pb, int hint)
{
    struct cmsedge_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.transport = transport;
    fr.src = test_host(a), fr.dst = test_host(b);
    fr.sport = pa, fr.dport = pb;
    fr.hint = hint;
    fr.facts.frame = ++r->frame;
    fr.facts.length = 100;
    return fr;
}

static void see(struct run *r, const struct cmsedge_frame *fr, struct cmsedge_annotation *a)
{
    cmsedge_capture_annotate(r->c, fr, true, a);
}

static int setup(void **state)
{
    struct run *r = calloc(1, sizeof *r);
    cmsedge_settings_defaults(&r->s);
    r->hosts = cmsedge_hostmap_new();
    r->c = cmsedge_capture_new();
    cmsedge_capture_configure(r->c, &r->s, r->hosts, true);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct run *r = *state;
    cmsedge_capture_free(r->c);
    cmsedge_hostmap_free(r->hosts);
    free(r);
    return 0;
}

static void configured_roles_purpose_and_origin(void **state)
{
    struct run *r = *state;
    struct cmsedge_annotation a;
    configure(r, 20, "expressway-c");
    configure(r, 10, "expressway-e-private");
    struct cmsedge_frame fr = frame(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS);
    see(r, &fr, &a);
    assert_true(a.shown && a.verdict.judged);
    assert_string_equal(a.purpose, "SIP signaling (traversal zone 1)");
    assert_int_equal(a.src.origin, CMSEDGE_ORIGIN_CONFIGURED);
    assert_int_equal(a.dst.role, CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE);
    assert_int_equal(a.offspec, CMSEDGE_OFFSPEC_NONE);
    assert_null(a.offspec_reason);
}

/* The capture keeps recent host lookups: a row added to (or a table cleared of) the hosts it
 * reads must show on the next frame, as when the user edits cmsedge_hosts mid-capture. */
static void hosts_table_edits_apply_at_once(void **state)
{
    struct run *r = *state;
    struct cmsedge_annotation a;
    struct cmsedge_frame fr = frame(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS);
    see(r, &fr, &a);
    assert_int_equal(a.src.origin, CMSEDGE_ORIGIN_NONE);
    configure(r, 20, "expressway-c");
    configure(r, 10, "expressway-e-private");
    fr = frame(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS);
    see(r, &fr, &a);
    assert_int_equal(a.src.role, CMSEDGE_ROLE_EXPRESSWAY_C);
    assert_int_equal(a.src.origin, CMSEDGE_ORIGIN_CONFIGURED);
    assert_string_equal(a.purpose, "SIP signaling (traversal zone 1)");
    cmsedge_hostmap_clear(r->hosts);
    fr = frame(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS);
    see(r, &fr, &a);
    assert_int_not_equal(a.src.origin, CMSEDGE_ORIGIN_CONFIGURED);
    /* another table at once: its own answers, none of the first table's */
    struct cmsedge_hostmap *other = cmsedge_hostmap_new();
    char err[128];
    assert_true(cmsedge_hostmap_add_text(other, "192.0.2.20", "meeting-server", "ms",
                                         CMSEDGE_ORIGIN_CONFIGURED, err, sizeof err));
    cmsedge_capture_configure(r->c, &r->s, other, true);
    fr = frame(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS);
    see(r, &fr, &a);
    assert_int_equal(a.src.role, CMSEDGE_ROLE_MEETING_SERVER);
    assert_string_equal(a.src.name, "ms");
    cmsedge_capture_configure(r->c, &r->s, r->hosts, true);
    cmsedge_hostmap_free(other);
}

static void services_and_near_misses(void **state)
{
    struct run *r = *state;
    struct cmsedge_annotation a;
    configure(r, 20, "expressway-c");
    configure(r, 10, "expressway-e-private");
    /* DNS from the Expressway-E: another documented service, never off-spec */
    struct cmsedge_frame fr = frame(r, UDP, 10, 40002, 53, 53, CMSEDGE_HINT_FOREIGN);
    see(r, &fr, &a);
    assert_non_null(a.service.service);
    assert_string_equal(a.service.service->name, "DNS");
    assert_int_equal(a.offspec, CMSEDGE_OFFSPEC_NONE);
    /* a second traversal zone that is not configured: a near miss of T1-05, though a wide
     * service row (SIP from 25000-29999 to any port) fits too */
    fr = frame(r, TCP, 20, 25005, 10, 7002, CMSEDGE_APP_SIP);
    see(r, &fr, &a);
    assert_null(a.service.service);
    assert_int_equal(a.offspec, CMSEDGE_OFFSPEC_NEAR_MISS);
    assert_string_equal(a.verdict.nearest->id, "T1-05");
    assert_string_equal(a.offspec_reason, a.verdict.reason);
    /* SSH to port 22 from an administrator: a service on its own port beats any near miss */
    configure(r, 50, "admin-pc");
    fr = frame(r, TCP, 50, 33000, 10, 22, CMSEDGE_APP_SSH);
    see(r, &fr, &a);
    assert_non_null(a.service.service);
    assert_int_equal(a.offspec, CMSEDGE_OFFSPEC_NONE);
}

static void strangers_are_left_alone(void **state)
{
    struct run *r = *state;
    struct cmsedge_annotation a;
    struct cmsedge_frame fr = frame(r, TCP, 70, 33001, 71, 443, CMSEDGE_APP_TLS);
    assert_false(cmsedge_capture_annotate(r->c, &fr, true, &a));
    fr = frame(r, UDP, 70, 40000, 71, 36010, CMSEDGE_APP_RTP);
    assert_false(cmsedge_capture_annotate(r->c, &fr, true, &a));
    assert_false(cmsedge_capture_expects_media(r->c, &fr.src, &fr.dst, fr.facts.frame));
    /* the SSH tunnel's banner between strangers is Expressway-specific */
    fr = frame(r, TCP, 72, 30001, 73, 2222, CMSEDGE_APP_SSH);
    assert_true(cmsedge_capture_annotate(r->c, &fr, true, &a));
    assert_string_equal(a.purpose, "SSH tunnels for firewall traversal");
    assert_false(a.verdict.judged);
}

static void inference_and_later_passes(void **state)
{
    struct run *r = *state;
    struct cmsedge_annotation a, again;
    struct cmsedge_frame zone = frame(r, TCP, 20, 25001, 10, 7001, CMSEDGE_APP_TLS);
    see(r, &zone, &a);
    assert_int_equal(a.n_new_roles, 0);
    struct cmsedge_frame ssh = frame(r, TCP, 20, 30001, 10, 2222, CMSEDGE_APP_SSH);
    see(r, &ssh, &a);
    assert_int_equal(a.n_new_roles, 2); /* this frame completed both hosts' evidence */
    assert_int_equal(a.src.origin, CMSEDGE_ORIGIN_NONE); /* ... from the next frame on */
    struct cmsedge_frame after = frame(r, TCP, 20, 25002, 10, 7001, CMSEDGE_APP_SIP);
    see(r, &after, &a);
    assert_int_equal(a.src.origin, CMSEDGE_ORIGIN_INFERRED);
    assert_int_equal(a.src.role, CMSEDGE_ROLE_EXPRESSWAY_C);
    assert_true(a.verdict.judged);
    assert_true(cmsedge_capture_expects_media(r->c, &after.src, &after.dst, after.facts.frame));
    /* a later pass, in any order, shows what the first pass showed */
    cmsedge_capture_annotate(r->c, &ssh, false, &again);
    assert_int_equal(again.n_new_roles, 2);
    assert_int_equal(again.src.origin, CMSEDGE_ORIGIN_NONE);
    cmsedge_capture_annotate(r->c, &zone, false, &again);
    assert_int_equal(again.n_new_roles, 0);
    assert_int_equal(again.src.origin, CMSEDGE_ORIGIN_NONE);
    /* a new file forgets */
    cmsedge_capture_reset(r->c);
    cmsedge_capture_annotate(r->c, &after, true, &again);
    assert_int_equal(again.src.origin, CMSEDGE_ORIGIN_NONE);
}

static void icmp_error_about_a_documented_flow(void **state)
{
    struct run *r = *state;
    struct cmsedge_annotation a, again;
    configure(r, 30, "meeting-server");
    configure(r, 10, "expressway-e-private");
    struct cmsedge_frame media = frame(r, UDP, 30, 50010, 10, 24030, CMSEDGE_APP_RTP);
    see(r, &media, &a);
    assert_string_equal(a.purpose, "TURN media");
    /* the Expressway-E answers with a port unreachable quoting it */
    struct cmsedge_frame icmp = frame(r, UDP, 10, 50010, 30, 24030, CMSEDGE_HINT_NONE);
    icmp.facts.icmp = CMSEDGE_ICMP_PORT_UNREACHABLE;
    icmp.facts.quoted_src = test_host(30);
    icmp.facts.quoted_dst = test_host(10);
    see(r, &icmp, &a);
    assert_true(a.shown && a.icmp_error && !a.traffic);
    assert_int_equal(a.verdict.n_matches, 0); /* the quoted flow's rows are not its purpose */
    assert_int_equal(a.findings.n, 1);
    assert_int_equal(a.findings.items[0].kind, CMSEDGE_FINDING_BLOCKED);
    assert_int_equal(a.offspec, CMSEDGE_OFFSPEC_CHECK);
    assert_non_null(strstr(a.offspec_reason, "ICMP port unreachable for UDP to 192.0.2.10:24030"));
    cmsedge_capture_annotate(r->c, &icmp, false, &again);
    assert_int_equal(again.offspec, CMSEDGE_OFFSPEC_CHECK);
    assert_string_equal(again.offspec_reason, a.offspec_reason);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(configured_roles_purpose_and_origin, setup, teardown),
        cmocka_unit_test_setup_teardown(hosts_table_edits_apply_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(services_and_near_misses, setup, teardown),
        cmocka_unit_test_setup_teardown(strangers_are_left_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(inference_and_later_passes, setup, teardown),
        cmocka_unit_test_setup_teardown(icmp_error_about_a_documented_flow, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
