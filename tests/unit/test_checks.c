/* cmsedge unit tests: per-flow checks (blocked attempts, Assent latching, TURN, idle relays,
 * TURN to the public address) and their silence on clean flows.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/checks.h"

#define E     CMSEDGE_ROLE_EXPRESSWAY_E
#define EPUB  CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC
#define EPRIV CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE
#define C     CMSEDGE_ROLE_EXPRESSWAY_C
#define MS    CMSEDGE_ROLE_MEETING_SERVER
#define EP    CMSEDGE_ROLE_SIP_ENDPOINT
#define NONE  CMSEDGE_ROLE_NONE

struct run {
    struct cmsedge_settings s;
    struct cmsedge_tracker *t;
    uint32_t frame;
    bool private_known;
};

static struct cmsedge_flow flow(unsigned transport, uint8_t a, enum cmsedge_role ra, uint16_t pa,
                                uint8_t b, enum cmsedge_role rb, uint16_t pb, int hint)
{
    struct cmsedge_flow f = test_flow(transport, ra, pa, rb, pb, hint);
    const uint8_t src[4] = {192, 0, 2, a}, dst[4] = {192, 0, 2, b};
    cmsedge_addr_from_ipv4(&f.src, src);
    cmsedge_addr_from_ipv4(&f.dst, dst);
    return f;
}

static struct cmsedge_flow reversed(const struct cmsedge_flow *f, int hint)
{
    struct cmsedge_flow r = *f;
    r.src = f->dst, r.dst = f->src, r.sport = f->dport, r.dport = f->sport;
    r.src_role = f->dst_role, r.dst_role = f->src_role;
    r.hint = hint;
    return r;
}

/* Feeds one frame; returns what the checks reported. */
static struct cmsedge_findings frame(struct run *r, const struct cmsedge_flow *f,
                                     struct cmsedge_facts facts)
{
    struct cmsedge_verdict v;
    struct cmsedge_findings rep;
    facts.frame = ++r->frame;
    cmsedge_classify(&r->s, f, &v);
    cmsedge_tracker_observe(r->t, &r->s, f, &v, &facts, r->private_known, &rep);
    return rep;
}

static int setup(void **state)
{
    struct run *r = calloc(1, sizeof *r);
    cmsedge_settings_defaults(&r->s);
    r->t = cmsedge_tracker_new();
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct run *r = *state;
    cmsedge_tracker_free(r->t);
    free(r);
    return 0;
}

/* A TCP segment's facts: its flags and sequence number. */
static struct cmsedge_facts tcp_seg(uint8_t flags, uint32_t seq)
{
    return (struct cmsedge_facts){.tcp_flags = flags, .tcp_seq = seq};
}

/* Feeds one frame that must report one finding, a blocked attempt; returns it. */
static struct cmsedge_finding blocked(struct run *r, const struct cmsedge_flow *f,
                                      struct cmsedge_facts facts)
{
    struct cmsedge_findings rep = frame(r, f, facts);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].kind, CMSEDGE_FINDING_BLOCKED);
    return rep.items[0];
}

static void retransmitted_syn_is_blocked_once(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(TCP, 21, EP, 40040, 10, EPUB, 5061, CMSEDGE_HINT_NONE);
    /* the capture shows the other direction (here: TLS on another connection) */
    struct cmsedge_flow other = flow(TCP, 10, EPUB, 5061, 21, EP, 40039, CMSEDGE_APP_TLS);
    assert_int_equal(frame(r, &other, tcp_seg(CMSEDGE_TCP_ACK, 7000)).n, 0);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    /* the same SYN again: its sequence number says it is the same attempt */
    struct cmsedge_finding fd = blocked(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000));
    assert_int_equal(fd.severity, CMSEDGE_WARNING);
    assert_string_equal(fd.row->id, "T2-05");
    assert_string_equal(fd.text,
                        "blocked? TCP SYN to 192.0.2.10:5061 retransmitted with no answer: "
                        "the reference needs T2-05 (SIP signaling) open");
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0); /* once per flow */
}

/* A SYN with another initial sequence number on the same ports is a new connection, not a
 * retransmission; the new one retransmitted is. */
static void syn_with_a_new_isn_is_a_new_connection(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(TCP, 21, EP, 40041, 10, EPUB, 5061, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 900000)).n, 0);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    struct cmsedge_finding fd = blocked(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000));
    assert_non_null(strstr(fd.text, "retransmitted with no answer"));
}

/* A capture of one direction only shows no answer to anything: a note, not a warning. */
static void unanswered_syn_in_a_one_way_capture_is_a_note(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(TCP, 21, EP, 40040, 10, EPUB, 5061, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    struct cmsedge_finding fd = blocked(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000));
    assert_int_equal(fd.severity, CMSEDGE_NOTE);
    assert_non_null(strstr(fd.text, "one direction only?"));
}

static void answered_syn_and_rst_after_it_are_fine(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(TCP, 20, C, 30010, 10, EPRIV, 2222, CMSEDGE_HINT_NONE);
    struct cmsedge_flow back = reversed(&f, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    assert_int_equal(frame(r, &back, tcp_seg(CMSEDGE_TCP_SYN | CMSEDGE_TCP_ACK, 5000)).n, 0);
    /* a retransmitted SYN after the answer (lost ACK) and a later reset are no blocking */
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    assert_int_equal(frame(r, &back, tcp_seg(CMSEDGE_TCP_RST | CMSEDGE_TCP_ACK, 5001)).n, 0);
    /* a new connection on the same ports is checked afresh: nobody answers this one */
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 64000)).n, 0);
    assert_string_equal(blocked(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 64000)).row->id, "T1-04");
}

static void rst_to_syn_is_refused(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(TCP, 20, C, 30011, 10, EPRIV, 2222, CMSEDGE_HINT_NONE);
    struct cmsedge_flow back = reversed(&f, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    struct cmsedge_finding fd = blocked(r, &back, tcp_seg(CMSEDGE_TCP_RST | CMSEDGE_TCP_ACK, 0));
    assert_string_equal(fd.row->id, "T1-04");
    assert_non_null(strstr(fd.text, "refused (RST)"));
    /* a RST without a SYN before it (mid-capture) says nothing */
    f = flow(TCP, 20, C, 30012, 10, EPRIV, 2222, CMSEDGE_HINT_NONE);
    back = reversed(&f, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &back, tcp_seg(CMSEDGE_TCP_RST, 0)).n, 0);
}

static void icmp_unreachable_for_documented_udp(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(UDP, 30, MS, 50010, 10, EPRIV, 24030, CMSEDGE_HINT_NONE);
    struct cmsedge_facts facts = {.icmp = CMSEDGE_ICMP_PORT_UNREACHABLE};
    struct cmsedge_findings rep = frame(r, &f, facts);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.items[0].row->id, "T2-15");
    assert_string_equal(rep.items[0].text,
                        "blocked? ICMP port unreachable for UDP to 192.0.2.10:24030: the reference "
                        "needs T2-15 (TURN media) open");
    /* about an undocumented flow: not the reference's business */
    f = flow(UDP, 30, MS, 50010, 10, EPRIV, 9999, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &f, facts).n, 0);
}

static void assent_latching(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow in = flow(UDP, 21, EP, 40032, 10, E, 36034, CMSEDGE_APP_RTP);
    struct cmsedge_flow out = reversed(&in, CMSEDGE_APP_RTP);
    /* latched: answers where the endpoint's media came from */
    assert_int_equal(frame(r, &in, (struct cmsedge_facts){0}).n, 0);
    assert_int_equal(frame(r, &out, (struct cmsedge_facts){0}).n, 0);
    /* to another port */
    out.dport = 40033;
    struct cmsedge_findings rep = frame(r, &out, (struct cmsedge_facts){0});
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].kind, CMSEDGE_FINDING_LATCHING);
    assert_non_null(strstr(rep.items[0].text, "the endpoint's media came from port 40032"));
    assert_int_equal(rep.items[0].severity, CMSEDGE_WARNING);
    /* before anything came from the endpoint: the capture may have started mid-call */
    out = flow(UDP, 10, E, 36030, 22, EP, 40030, CMSEDGE_APP_RTP);
    rep = frame(r, &out, (struct cmsedge_facts){0});
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].severity, CMSEDGE_NOTE);
    assert_non_null(strstr(rep.items[0].text, "started mid-call?"));
}

static void turn_relayed_port_and_repeated_errors(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow req = flow(UDP, 31, NONE, 40050, 10, EPUB, 3478, CMSEDGE_APP_STUN);
    struct cmsedge_flow ans = reversed(&req, CMSEDGE_APP_STUN);
    struct cmsedge_facts ok = {
        .stun_type = CMSEDGE_STUN_ALLOCATE_SUCCESS, .has_relayed = true, .relayed_port = 24100};
    assert_int_equal(frame(r, &ans, ok).n, 0); /* in the relay range */
    ok.relayed_port = 30000;
    req.sport = ans.dport = 40051;
    struct cmsedge_findings rep = frame(r, &ans, ok);
    assert_int_equal(rep.n, 1);
    assert_string_equal(rep.items[0].text,
                        "TURN relayed port 30000 is outside the Expressway-E relay range "
                        "24000-29999 (T1-06 CMA Cisco Meeting WebRTC App TURN requests)");
    /* a relay range configured otherwise */
    r->s.relay.lo = 30000, r->s.relay.hi = 30100;
    ans.dport = 40052;
    assert_int_equal(frame(r, &ans, ok).n, 0);
    cmsedge_settings_defaults(&r->s);

    /* 401 then success is the normal handshake; three refusals are not */
    struct cmsedge_facts e401 = {.stun_type = CMSEDGE_STUN_ALLOCATE_ERROR, .stun_error = 401};
    ans.dport = 40053;
    assert_int_equal(frame(r, &ans, e401).n, 0);
    ok.relayed_port = 24102;
    assert_int_equal(frame(r, &ans, ok).n, 0);
    assert_int_equal(frame(r, &ans, e401).n, 0);
    assert_int_equal(frame(r, &ans, e401).n, 0); /* a success was seen on this flow */
    ans.dport = 40054;
    assert_int_equal(frame(r, &ans, e401).n, 0);
    struct cmsedge_facts e438 = {.stun_type = CMSEDGE_STUN_ALLOCATE_ERROR, .stun_error = 438};
    assert_int_equal(frame(r, &ans, e438).n, 0);
    rep = frame(r, &ans, e401);
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].kind, CMSEDGE_FINDING_TURN);
    assert_non_null(strstr(rep.items[0].text, "refused 3 times (last: 401)"));
}

static void meeting_server_media_through_turn_port(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow chan = flow(UDP, 30, MS, 40100, 10, EPRIV, 3478, CMSEDGE_APP_TURN_DATA);
    struct cmsedge_findings rep = frame(r, &chan, (struct cmsedge_facts){0});
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].kind, CMSEDGE_FINDING_IDLE_RELAYS);
    assert_int_equal(rep.items[0].severity, CMSEDGE_NOTE); /* footnote 6 is an inference */
    assert_non_null(strstr(rep.items[0].text, "(footnote 6)"));

    /* once the relay ports carried media, it is only footnote 6's note, not a warning */
    struct run fresh = {.t = cmsedge_tracker_new()};
    cmsedge_settings_defaults(&fresh.s);
    struct cmsedge_flow relay = flow(UDP, 30, MS, 50000, 10, EPRIV, 24014, CMSEDGE_APP_RTP);
    assert_int_equal(frame(&fresh, &relay, (struct cmsedge_facts){0}).n, 0);
    assert_int_equal(frame(&fresh, &chan, (struct cmsedge_facts){0}).n, 0);
    cmsedge_tracker_free(fresh.t);
}

static void meeting_server_turn_to_public_address(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(UDP, 30, MS, 40101, 11, EPUB, 3478, CMSEDGE_APP_STUN);
    assert_int_equal(frame(r, &f, (struct cmsedge_facts){0}).n, 0); /* private one unknown */
    r->private_known = true;
    f.sport = 40102;
    struct cmsedge_findings rep = frame(r, &f, (struct cmsedge_facts){0});
    assert_int_equal(rep.n, 1);
    assert_int_equal(rep.items[0].kind, CMSEDGE_FINDING_PUBLIC_TURN);
    assert_int_equal(rep.items[0].severity, CMSEDGE_NOTE);
    /* to the private address: as Tables 1 and 4 say */
    f = flow(UDP, 30, MS, 40103, 10, EPRIV, 3478, CMSEDGE_APP_STUN);
    assert_int_equal(frame(r, &f, (struct cmsedge_facts){0}).n, 0);
}

static void unrelated_hosts_are_not_checked(void **state)
{
    struct run *r = *state;
    struct cmsedge_flow f = flow(TCP, 200, NONE, 40000, 201, NONE, 5061, CMSEDGE_HINT_NONE);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    assert_int_equal(frame(r, &f, tcp_seg(CMSEDGE_TCP_SYN, 1000)).n, 0);
    assert_int_equal(cmsedge_tracker_flows(r->t), 0);
    cmsedge_tracker_reset(r->t);
}

/* The annotation copies findings on every frame: only the counted ones, and never more than the
 * list holds, whatever the count says. */
static void findings_copy_takes_the_counted_items(void **state)
{
    (void)state;
    struct cmsedge_findings *src = calloc(1, sizeof *src);
    struct cmsedge_findings *dst = malloc(sizeof *dst);
    assert_non_null(src);
    assert_non_null(dst);
    memset(dst, 0x55, sizeof *dst);
    cmsedge_findings_add(src, CMSEDGE_FINDING_BLOCKED, CMSEDGE_WARNING, 0, NULL, "first %d", 1);
    cmsedge_findings_add(src, CMSEDGE_FINDING_FOOTNOTE, CMSEDGE_NOTE, 4, NULL, "second");
    cmsedge_findings_copy(dst, src);
    assert_int_equal(dst->n, 2);
    assert_string_equal(dst->items[0].text, "first 1");
    assert_int_equal(dst->items[0].kind, CMSEDGE_FINDING_BLOCKED);
    assert_string_equal(dst->items[1].text, "second");
    assert_int_equal(dst->items[1].footnote, 4);
    src->n = CMSEDGE_MAX_FINDINGS + 3;
    cmsedge_findings_copy(dst, src);
    assert_int_equal(dst->n, CMSEDGE_MAX_FINDINGS);
    free(src);
    free(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(retransmitted_syn_is_blocked_once, setup, teardown),
        cmocka_unit_test_setup_teardown(unanswered_syn_in_a_one_way_capture_is_a_note, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(syn_with_a_new_isn_is_a_new_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(answered_syn_and_rst_after_it_are_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(rst_to_syn_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(icmp_unreachable_for_documented_udp, setup, teardown),
        cmocka_unit_test_setup_teardown(assent_latching, setup, teardown),
        cmocka_unit_test_setup_teardown(turn_relayed_port_and_repeated_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(meeting_server_media_through_turn_port, setup, teardown),
        cmocka_unit_test_setup_teardown(meeting_server_turn_to_public_address, setup, teardown),
        cmocka_unit_test_setup_teardown(unrelated_hosts_are_not_checked, setup, teardown),
        cmocka_unit_test(findings_copy_takes_the_counted_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
