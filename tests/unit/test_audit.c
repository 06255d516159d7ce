/* cmsedge unit tests: the edge audit's counting and its text, CSV and JSON forms.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "test_util.h"

#include "cmsedge/audit.h"

#define C    CMSEDGE_ROLE_EXPRESSWAY_C
#define E    CMSEDGE_ROLE_EXPRESSWAY_E
#define EPUB CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC

/* The audit's input for one frame: the classification of f, plus one finding of a per-flow
 * check when extra is given (the audit is under test here, not the checks). */
static void add(struct cmsedge_audit *a, const struct cmsedge_settings *s,
                const struct cmsedge_flow *f, uint32_t frame, double time, uint32_t len,
                const struct cmsedge_finding *extra)
{
    struct cmsedge_annotation ann;
    struct cmsedge_facts facts = {.frame = frame, .time = time, .length = len};
    memset(&ann, 0, sizeof ann);
    ann.flow = *f;
    ann.traffic = true;
    cmsedge_classify(s, f, &ann.verdict);
    ann.findings = ann.verdict.findings;
    if (ann.verdict.near_miss)
        ann.offspec_reason = ann.verdict.reason;
    if (extra) {
        ann.findings.items[ann.findings.n++] = *extra;
        if (!ann.offspec_reason && extra->severity == CMSEDGE_WARNING)
            ann.offspec_reason = ann.findings.items[ann.findings.n - 1].text;
    }
    cmsedge_audit_add(a, &ann, &facts);
}

static unsigned count_lines(const char *text, const char *prefix)
{
    unsigned n = 0;
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            n++;
    }
    return n;
}

static void counts_flows_per_row_in_both_directions(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_audit *a = cmsedge_audit_new();
    GString *out = g_string_new(NULL);
    cmsedge_settings_defaults(&s);

    struct cmsedge_flow f = test_flow(TCP, C, 25001, E, 7001, CMSEDGE_APP_TLS);
    struct cmsedge_flow back = f;
    back.src = f.dst, back.dst = f.src, back.sport = f.dport, back.dport = f.sport;
    back.src_role = f.dst_role, back.dst_role = f.src_role;
    add(a, &s, &f, 1, 0.5, 100, NULL);
    add(a, &s, &back, 2, 0.75, 60, NULL);
    add(a, &s, &f, 3, 1.25, 40, NULL);
    struct cmsedge_flow off = test_flow(TCP, C, 4401, E, 7001, CMSEDGE_APP_TLS);
    add(a, &s, &off, 4, 2.0, 200, NULL);
    struct cmsedge_finding rep = {.kind = CMSEDGE_FINDING_BLOCKED,
                                  .severity = CMSEDGE_WARNING,
                                  .row = cmsedge_row_by_id("T2-05")};
    strcpy(rep.text, "blocked? a test finding, with a comma and \"quotes\"");
    struct cmsedge_flow syn =
        test_flow(TCP, CMSEDGE_ROLE_SIP_ENDPOINT, 40040, E, 5061, CMSEDGE_HINT_NONE);
    add(a, &s, &syn, 5, 2.5, 54, &rep);

    cmsedge_audit_write(a, &s, NULL, CMSEDGE_AUDIT_TEXT, out);
    /* one flow under each of the four tables' traversal rows, three frames, 200 bytes */
    assert_non_null(strstr(out->str, "  T1-05  SIP signaling  [Expressway-C 25000-29999 -> "
                                     "Expressway-E 7001, TCP or TLS]\n"
                                     "      1 flow(s), 3 frames, 200 bytes\n"
                                     "      tcp 192.0.2.1:25001 (expressway-c) -> 192.0.2.2:7001 "
                                     "(expressway-e): 3 frames, 200 bytes, 0.500-1.250 s\n"));
    assert_non_null(strstr(out->str, "  T4-01  SIP Signaling"));
    assert_non_null(strstr(out->str, "Frames: 5 annotated, 5 judged, 2 off-spec\n"));
    assert_non_null(strstr(out->str, "Off-spec flows: 2\n  tcp 192.0.2.1:4401 (expressway-c) "
                                     "-> 192.0.2.2:7001 (expressway-e): 1 frames from "
                                     "frame 4: SIP signaling (T1-05)"));
    assert_non_null(strstr(out->str, "Blocked attempts: 1\n  frame 5 [blocked]: blocked? a test"));
    assert_non_null(strstr(out->str, "Flow checks: 0\n"));
    assert_non_null(strstr(out->str, "Rows with no traffic: "));
    assert_null(strstr(out->str, "no traffic: 53"));

    /* CSV: a header, then one line per row flow, off-spec flow, check and idle row */
    g_string_truncate(out, 0);
    cmsedge_audit_write(a, &s, NULL, CMSEDGE_AUDIT_CSV, out);
    assert_int_equal(count_lines(out->str, "kind,"), 1);
    /* the traversal flow under T1-05, T2-01, T3-01, T4-01; the SYN under T2-05, T3-04, T4-04 */
    assert_int_equal(count_lines(out->str, "flow,"), 4 + 3);
    assert_int_equal(count_lines(out->str, "offspec,"), 2);
    assert_int_equal(count_lines(out->str, "check,"), 1);
    assert_non_null(strstr(out->str, ",blocked,warning,\"blocked? a test finding, with a comma "
                                     "and \"\"quotes\"\"\"\n"));
    /* T4-09 applies to small and medium only: no "no traffic" line for it on large */
    assert_int_equal(count_lines(out->str, "no_traffic,4,T4-09,"), 1);
    struct cmsedge_settings large = s;
    large.size = CMSEDGE_SIZE_LARGE;
    g_string_truncate(out, 0);
    cmsedge_audit_write(a, &large, NULL, CMSEDGE_AUDIT_CSV, out);
    assert_int_equal(count_lines(out->str, "no_traffic,4,T4-09,"), 0);

    /* JSON: escaped strings, every row listed */
    g_string_truncate(out, 0);
    cmsedge_audit_write(a, &s, NULL, CMSEDGE_AUDIT_JSON, out);
    assert_non_null(strstr(out->str, "\"text\":\"blocked? a test finding, with a comma and "
                                     "\\\"quotes\\\"\""));
    assert_non_null(strstr(out->str, "{\"table\":4,\"rule\":\"T4-13\""));
    assert_non_null(strstr(out->str, "\"frames\":5,\"judged\":5,\"offspec_frames\":2"));

    cmsedge_audit_reset(a);
    g_string_truncate(out, 0);
    cmsedge_audit_write(a, &s, NULL, CMSEDGE_AUDIT_TEXT, out);
    assert_non_null(strstr(out->str, "Frames: 0 annotated"));
    g_string_free(out, TRUE);
    cmsedge_audit_free(a);
}

/* An allocation whose relay carries media one way only is reported; one used both ways is not. */
static void one_way_relays(void **state)
{
    (void)state;
    struct cmsedge_settings s;
    struct cmsedge_audit *a = cmsedge_audit_new();
    GString *out = g_string_new(NULL);
    cmsedge_settings_defaults(&s);

    /* two allocations answered by the TURN server (its reply to the client) */
    struct cmsedge_flow ans =
        test_flow(UDP, EPUB, 3478, CMSEDGE_ROLE_WEBAPP_CLIENT, 50001, CMSEDGE_APP_STUN);
    struct cmsedge_facts facts = {.frame = 1,
                                  .stun_type = CMSEDGE_STUN_ALLOCATE_SUCCESS,
                                  .has_relayed = true,
                                  .relayed_port = 24100};
    struct cmsedge_annotation ann;
    memset(&ann, 0, sizeof ann);
    ann.flow = ans;
    ann.traffic = true;
    cmsedge_classify(&s, &ans, &ann.verdict);
    cmsedge_audit_add(a, &ann, &facts);
    facts.frame = 2, facts.relayed_port = 24102;
    ann.flow.dport = 50003;
    cmsedge_classify(&s, &ann.flow, &ann.verdict);
    cmsedge_audit_add(a, &ann, &facts);
    /* relay 24100: media both ways; relay 24102: only from the relay to its peer */
    struct cmsedge_flow out_flow =
        test_flow(UDP, EPUB, 24100, CMSEDGE_ROLE_NONE, 40000, CMSEDGE_APP_RTP);
    struct cmsedge_flow in_flow =
        test_flow(UDP, CMSEDGE_ROLE_NONE, 40000, EPUB, 24100, CMSEDGE_APP_RTP);
    add(a, &s, &out_flow, 3, 0.1, 200, NULL);
    add(a, &s, &in_flow, 4, 0.2, 200, NULL);
    out_flow.sport = 24102;
    add(a, &s, &out_flow, 5, 0.3, 200, NULL);
    add(a, &s, &out_flow, 6, 0.4, 200, NULL);

    cmsedge_audit_write(a, &s, NULL, CMSEDGE_AUDIT_TEXT, out);
    assert_null(strstr(out->str, ":24100, allocated here"));
    assert_non_null(strstr(out->str,
                           "  frame 2 [turn]: TURN relay 192.0.2.1:24102, allocated here, "
                           "carried media one way only (2 frames from the relay, 0 to "
                           "it): one-way media\n"));
    g_string_free(out, TRUE);
    cmsedge_audit_free(a);
}

static void format_names(void **state)
{
    (void)state;
    enum cmsedge_audit_format f;
    assert_true(cmsedge_audit_format_parse("csv", &f));
    assert_int_equal(f, CMSEDGE_AUDIT_CSV);
    assert_true(cmsedge_audit_format_parse("JSON", &f));
    assert_int_equal(f, CMSEDGE_AUDIT_JSON);
    assert_true(cmsedge_audit_format_parse("text", &f));
    assert_int_equal(f, CMSEDGE_AUDIT_TEXT);
    assert_false(cmsedge_audit_format_parse("xml", &f));
    assert_false(cmsedge_audit_format_parse(NULL, &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_flows_per_row_in_both_directions),
        cmocka_unit_test(one_way_relays),
        cmocka_unit_test(format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
