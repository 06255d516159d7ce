/* cmsedge unit tests: joins and calls (src/calls.c) fed frame by frame by hand.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/calls.h"

#define WEB   1 /* 198.51.100.1, a browser nobody configured */
#define EPUB  2 /* 203.0.113.2, Expressway-E public */
#define EPRIV 3 /* 192.0.2.3, Expressway-E private */
#define MS    4 /* 192.0.2.4, Meeting Server */

struct feeder {
    struct cmsedge_calls *calls;
    uint32_t frame;
};

static void host(int h, struct cmsedge_addr *a, enum cmsedge_role *role)
{
    static const uint8_t ips[][4] = {
        {0}, {198, 51, 100, 1}, {203, 0, 113, 2}, {192, 0, 2, 3}, {192, 0, 2, 4}};
    static const enum cmsedge_role roles[] = {
        CMSEDGE_ROLE_NONE, CMSEDGE_ROLE_NONE, CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC,
        CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE, CMSEDGE_ROLE_MEETING_SERVER};
    cmsedge_addr_from_ipv4(a, ips[h]);
    *role = roles[h];
}

/* One UDP frame; stun_type 0 for media. Returns the call it is part of (0 for none). */
static unsigned feed(struct feeder *fd, int src, uint16_t sport, int dst, uint16_t dport,
                     uint16_t stun_type, int relayed, uint16_t relayed_port, int peer,
                     uint16_t peer_port, struct cmsedge_call_ref *ref)
{
    struct cmsedge_frame fr;
    struct cmsedge_annotation a;
    memset(&fr, 0, sizeof fr);
    memset(&a, 0, sizeof a);
    fr.transport = CMSEDGE_TRANSPORT_UDP;
    host(src, &fr.src, &a.src.role);
    host(dst, &fr.dst, &a.dst.role);
    fr.sport = sport, fr.dport = dport;
    fr.facts.frame = ++fd->frame;
    fr.facts.length = 100;
    fr.facts.stun_type = stun_type;
    if (relayed) {
        enum cmsedge_role r;
        fr.facts.has_relayed = true;
        fr.facts.relayed_port = relayed_port;
        host(relayed, &fr.facts.relayed_addr, &r);
    }
    if (peer) {
        enum cmsedge_role r;
        fr.facts.has_peer = true;
        fr.facts.peer_port = peer_port;
        host(peer, &fr.facts.peer_addr, &r);
    }
    a.traffic = true;
    struct cmsedge_call_ref local;
    if (!ref)
        ref = &local;
    cmsedge_calls_feed(fd->calls, &fr, &a, ref);
    return ref->call;
}

static void a_join_is_one_call(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0};
    struct cmsedge_call_ref ref;
    char buf[256];
    assert_int_equal(
        feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL), 1);
    assert_int_equal(
        feed(&fd, EPUB, 3478, WEB, 50000, CMSEDGE_STUN_ALLOCATE_SUCCESS, EPUB, 24000, 0, 0, NULL),
        1);
    assert_int_equal(
        feed(&fd, MS, 40000, EPRIV, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL), 2);
    feed(&fd, EPRIV, 3478, MS, 40000, CMSEDGE_STUN_ALLOCATE_SUCCESS, EPRIV, 24002, 0, 0, NULL);
    assert_non_null(cmsedge_calls_problem(fd.calls, 1, buf, sizeof buf));
    assert_string_equal(buf, "missing: the Meeting Server's allocation on the Expressway-E "
                             "private side");
    /* the browser's permission names the Meeting Server's relay: one call from here on */
    assert_int_equal(feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_PERMISSION_REQUEST, 0, 0, EPRIV,
                          24002, NULL),
                     1);
    assert_int_equal(cmsedge_calls_final(fd.calls, 2), 1);
    assert_int_equal(cmsedge_calls_get(fd.calls, 2)->joined_frame, 5);
    /* media one way between the relays */
    assert_int_equal(feed(&fd, EPUB, 24000, EPRIV, 24002, 0, 0, 0, 0, 0, &ref), 1);
    assert_int_equal(ref.kind, CMSEDGE_LEG_RELAY_RELAY);
    assert_non_null(cmsedge_calls_problem(fd.calls, 1, buf, sizeof buf));
    assert_non_null(strstr(buf, "one-way: leg"));
    assert_non_null(strstr(buf, "(relay-relay) 203.0.113.2:24000 -> 192.0.2.3:24002"));
    /* and back: complete, every leg carries both ways */
    feed(&fd, EPRIV, 24002, EPUB, 24000, 0, 0, 0, 0, 0, NULL);
    assert_null(cmsedge_calls_problem(fd.calls, 1, buf, sizeof buf));
    feed(&fd, MS, 40000, EPRIV, 3478, CMSEDGE_STUN_SEND_INDICATION, 0, 0, EPUB, 24000, NULL);
    assert_null(cmsedge_calls_problem(fd.calls, 1, buf, sizeof buf));
    const struct cmsedge_leg *legs;
    assert_int_equal(cmsedge_calls_legs(fd.calls, &legs), 3);
    assert_int_equal(legs[2].packets[0], 1);
    assert_int_equal(legs[2].packets[1], 1);
    assert_int_equal(legs[2].bytes[0], 100);
    char *text = cmsedge_calls_text(fd.calls);
    assert_non_null(strstr(text, "Call 1 (from frame 1); joined by call 2 at frame 5"));
    assert_non_null(strstr(text, "Verdict: complete"));
    free(text);
    cmsedge_calls_free(fd.calls);
}

static void no_call_without_an_expressway(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0};
    /* a TURN server nobody configured: no allocation, no call */
    assert_int_equal(
        feed(&fd, WEB, 50000, MS, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL), 0);
    assert_int_equal(
        feed(&fd, WEB, 50000, WEB, 3478, CMSEDGE_STUN_ALLOCATE_SUCCESS, WEB, 24000, 0, 0, NULL), 0);
    assert_int_equal(cmsedge_calls_count(fd.calls), 0);
    char *text = cmsedge_calls_text(fd.calls);
    assert_non_null(strstr(text, "No TURN allocation at a known Expressway-E."));
    free(text);
    /* a refused allocation is a call with its error */
    feed(&fd, WEB, 50002, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    cmsedge_calls_reset(fd.calls);
    assert_int_equal(cmsedge_calls_count(fd.calls), 0);
    cmsedge_calls_free(fd.calls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_join_is_one_call),
        cmocka_unit_test(no_call_without_an_expressway),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
