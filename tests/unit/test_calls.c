/* cmsedge unit tests: joins and calls (src/calls.c) fed frame by frame by hand.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "calls_internal.h"
#include "cmsedge/calls.h"
#include "cmsedge/reference.h"
#include "text_escape.h"

#define WEB   1 /* 198.51.100.1, a browser nobody configured */
#define EPUB  2 /* 203.0.113.2, Expressway-E public */
#define EPRIV 3 /* 192.0.2.3, Expressway-E private */
#define MS    4 /* 192.0.2.4, Meeting Server */
#define EXPC  5 /* 192.0.2.5, Expressway-C */

struct feeder {
    struct cmsedge_calls *calls;
    uint32_t frame;
    /* given to the next frame fed, then cleared */
    uint32_t lifetime;
    uint16_t channel, error;
};

static void host(int h, struct cmsedge_addr *a, enum cmsedge_role *role)
{
    static const uint8_t ips[][4] = {
        {0}, {198, 51, 100, 1}, {203, 0, 113, 2}, {192, 0, 2, 3}, {192, 0, 2, 4}, {192, 0, 2, 5}};
    static const enum cmsedge_role roles[] = {CMSEDGE_ROLE_NONE,
                                              CMSEDGE_ROLE_NONE,
                                              CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC,
                                              CMSEDGE_ROLE_EXPRESSWAY_E_PRIVATE,
                                              CMSEDGE_ROLE_MEETING_SERVER,
                                              CMSEDGE_ROLE_EXPRESSWAY_C};
    cmsedge_addr_from_ipv4(a, ips[h]);
    *role = roles[h];
}

/* The next UDP frame between two hosts, with their roles; traffic of its flow. */
static void udp_frame(struct feeder *fd, int src, uint16_t sport, int dst, uint16_t dport,
                      struct cmsedge_frame *fr, struct cmsedge_annotation *a)
{
    memset(fr, 0, sizeof *fr);
    memset(a, 0, sizeof *a);
    fr->transport = CMSEDGE_TRANSPORT_UDP;
    host(src, &fr->src, &a->src.role);
    host(dst, &fr->dst, &a->dst.role);
    fr->sport = sport, fr->dport = dport;
    fr->facts.frame = ++fd->frame;
    a->traffic = true;
}

/* Feeds the frame; returns the call it is part of (0 for none), *ref if ref is given. */
static unsigned feed_frame(struct feeder *fd, const struct cmsedge_frame *fr,
                           const struct cmsedge_annotation *a, struct cmsedge_call_ref *ref)
{
    struct cmsedge_call_ref local;
    if (!ref)
        ref = &local;
    cmsedge_calls_feed(fd->calls, fr, a, ref);
    return ref->call;
}

/* One UDP frame; stun_type 0 for media. Returns the call it is part of (0 for none). */
static unsigned feed(struct feeder *fd, int src, uint16_t sport, int dst, uint16_t dport,
                     uint16_t stun_type, int relayed, uint16_t relayed_port, int peer,
                     uint16_t peer_port, struct cmsedge_call_ref *ref)
{
    struct cmsedge_frame fr;
    struct cmsedge_annotation a;
    udp_frame(fd, src, sport, dst, dport, &fr, &a);
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
    fr.facts.has_lifetime = fd->lifetime != 0;
    fr.facts.lifetime = fd->lifetime;
    fr.facts.channel = fd->channel;
    fr.facts.stun_error = fd->error;
    fd->lifetime = fd->channel = fd->error = 0;
    return feed_frame(fd, &fr, &a, ref);
}

static void a_join_is_one_call(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
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
                             "private side (T1-10)");
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
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    /* a TURN server nobody configured: no allocation, no call */
    assert_int_equal(
        feed(&fd, WEB, 50000, MS, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL), 0);
    assert_int_equal(
        feed(&fd, WEB, 50000, WEB, 3478, CMSEDGE_STUN_ALLOCATE_SUCCESS, WEB, 24000, 0, 0, NULL), 0);
    assert_int_equal(cmsedge_calls_count(fd.calls), 0);
    char *text = cmsedge_calls_text(fd.calls);
    assert_non_null(
        strstr(text, "No TURN allocation at a known Expressway-E, and no traversal call."));
    free(text);
    /* a refused allocation is a call with its error */
    feed(&fd, WEB, 50002, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    cmsedge_calls_reset(fd.calls);
    assert_int_equal(cmsedge_calls_count(fd.calls), 0);
    cmsedge_calls_free(fd.calls);
}

/* A join with a one-way leg, and a browser alone whose allocation is refused. */
static struct cmsedge_calls *join_and_refusal(void)
{
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    fd.lifetime = 600;
    feed(&fd, EPUB, 3478, WEB, 50000, CMSEDGE_STUN_ALLOCATE_SUCCESS, EPUB, 24000, 0, 0, NULL);
    feed(&fd, MS, 40000, EPRIV, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    feed(&fd, EPRIV, 3478, MS, 40000, CMSEDGE_STUN_ALLOCATE_SUCCESS, EPRIV, 24002, 0, 0, NULL);
    fd.channel = 0x4000;
    feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_CHANNELBIND_REQUEST, 0, 0, EPRIV, 24002, NULL);
    feed(&fd, EPUB, 24000, EPRIV, 24002, 0, 0, 0, 0, 0, NULL);
    feed(&fd, WEB, 50002, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    fd.error = 401;
    feed(&fd, EPUB, 3478, WEB, 50002, CMSEDGE_STUN_ALLOCATE_ERROR, 0, 0, 0, 0, NULL);
    return fd.calls;
}

static char *written(const struct cmsedge_calls *c, enum cmsedge_calls_format format)
{
    GString *out = g_string_new(NULL);
    assert_true(cmsedge_calls_write(c, format, out));
    return g_string_free(out, FALSE);
}

#define CSV_HEADER                                                                                 \
    "record,call,call_kind,call_first_frame,joined_by,verdict,call_tied_by,confidence,id,"         \
    "first_frame,transport,client_role,client,server,server_role,relayed,refused,lifetime,"        \
    "refreshes,released_frame,"                                                                    \
    "permissions,channels,allocation,leg_kind,a,b,packets,bytes,packets_back,bytes_back,"          \
    "last_frame,hop,rule,tied_by,tie_dialog,tie_leg,tie_frame,call_id,status,status_frame,"        \
    "bye_frame,sdp_media\n"

static void csv_of_a_join(void **state)
{
    (void)state;
    struct cmsedge_calls *c = join_and_refusal();
    char *csv = written(c, CMSEDGE_CALLS_CSV);
    /* the verdict holds a comma: quoted; the call's columns on each of its lines */
    assert_string_equal(
        csv, CSV_HEADER
        "allocation,1,join,1,call 2 at frame 5,\"one-way: leg 3 (relay-relay) 203.0.113.2:24000 "
        "-> 192.0.2.3:24002, nothing back\",,,1,1,udp,unconfigured,198.51.100.1:50000,"
        "203.0.113.2:3478,expressway-e-public,203.0.113.2:24000,,600,0,,192.0.2.3:24002,"
        "0x4000 -> 192.0.2.3:24002,,,,,,,,,,,,,,,,,,,,\n"
        "allocation,1,join,1,call 2 at frame 5,\"one-way: leg 3 (relay-relay) 203.0.113.2:24000 "
        "-> 192.0.2.3:24002, nothing back\",,,2,3,udp,meeting-server,192.0.2.4:40000,"
        "192.0.2.3:3478,expressway-e-private,192.0.2.3:24002,,,0,,,,,,,,,,,,,,,,,,,,,,,\n"
        "leg,1,join,1,call 2 at frame 5,\"one-way: leg 3 (relay-relay) 203.0.113.2:24000 -> "
        "192.0.2.3:24002, nothing back\",,,1,1,,,,,,,,,,,,,1,client-turn,198.51.100.1:50000,"
        "203.0.113.2:3478,2,200,1,100,5,,,,,,,,,,,\n"
        "leg,1,join,1,call 2 at frame 5,\"one-way: leg 3 (relay-relay) 203.0.113.2:24000 -> "
        "192.0.2.3:24002, nothing back\",,,2,3,,,,,,,,,,,,,2,client-turn,192.0.2.4:40000,"
        "192.0.2.3:3478,1,100,1,100,4,,,,,,,,,,,\n"
        "leg,1,join,1,call 2 at frame 5,\"one-way: leg 3 (relay-relay) 203.0.113.2:24000 -> "
        "192.0.2.3:24002, nothing back\",,,3,6,,,,,,,,,,,,,1,relay-relay,203.0.113.2:24000,"
        "192.0.2.3:24002,1,100,0,0,6,,,,,,,,,,,\n"
        "allocation,3,call,7,,missing: a relayed address for allocation 3 (refused: 401),,,3,7,udp,"
        "unconfigured,198.51.100.1:50002,203.0.113.2:3478,expressway-e-public,,401,,0,,,,,,,,,,,,,,"
        ",,,"
        ",,,,,,\n"
        "leg,3,call,7,,missing: a relayed address for allocation 3 (refused: "
        "401),,,4,7,,,,,,,,,,,,,3,"
        "client-turn,198.51.100.1:50002,203.0.113.2:3478,1,100,1,100,8,,,,,,,,,,,\n");
    g_free(csv);
    cmsedge_calls_free(c);
}

static void json_of_a_join(void **state)
{
    (void)state;
    struct cmsedge_calls *c = join_and_refusal();
    char *json = written(c, CMSEDGE_CALLS_JSON);
    assert_string_equal(
        json,
        "{\"calls\":[\n"
        "{\"id\":1,\"kind\":\"join\",\"first_frame\":1,\"joined_by\":[{\"call\":2,\"frame\":5}],"
        "\"verdict\":\"one-way: leg 3 (relay-relay) 203.0.113.2:24000 -> 192.0.2.3:24002, "
        "nothing back\",\"tied_by\":[],\"confidence\":null,\"allocations\":["
        "{\"id\":1,\"first_frame\":1,\"transport\":\"udp\",\"client_role\":\"unconfigured\","
        "\"client\":\"198.51.100.1:50000\",\"server\":\"203.0.113.2:3478\",\"server_role\":"
        "\"expressway-e-public\",\"relayed\":\"203.0.113.2:24000\",\"refused\":null,\"lifetime\":"
        "600,\"refreshes\":0,\"released_frame\":null,\"permissions\":[\"192.0.2.3:24002\"],"
        "\"channels\":[{\"number\":16384,\"peer\":"
        "\"192.0.2.3:24002\"}]},"
        "{\"id\":2,\"first_frame\":3,\"transport\":\"udp\",\"client_role\":\"meeting-server\","
        "\"client\":\"192.0.2.4:40000\",\"server\":\"192.0.2.3:3478\",\"server_role\":"
        "\"expressway-e-private\",\"relayed\":\"192.0.2.3:24002\",\"refused\":null,\"lifetime\":"
        "null,\"refreshes\":0,\"released_frame\":null,\"permissions\":[],\"channels\":[]}],"
        "\"dialogs\":[],\"legs\":["
        "{\"id\":1,\"kind\":\"client-turn\",\"allocation\":1,\"rule\":null,\"a\":\"198.51.100.1:"
        "50000\",\"b\":"
        "\"203.0.113.2:3478\",\"packets\":2,\"bytes\":200,\"packets_back\":1,\"bytes_back\":100,"
        "\"first_frame\":1,\"last_frame\":5},"
        "{\"id\":2,\"kind\":\"client-turn\",\"allocation\":2,\"rule\":null,\"a\":\"192.0.2.4:"
        "40000\",\"b\":"
        "\"192.0.2.3:3478\",\"packets\":1,\"bytes\":100,\"packets_back\":1,\"bytes_back\":100,"
        "\"first_frame\":3,\"last_frame\":4},"
        "{\"id\":3,\"kind\":\"relay-relay\",\"allocation\":1,\"rule\":null,\"a\":\"203.0.113.2:"
        "24000\",\"b\":"
        "\"192.0.2.3:24002\",\"packets\":1,\"bytes\":100,\"packets_back\":0,\"bytes_back\":0,"
        "\"first_frame\":6,\"last_frame\":6}]},\n"
        "{\"id\":3,\"kind\":\"call\",\"first_frame\":7,\"joined_by\":[],\"verdict\":\"missing: a "
        "relayed address for allocation 3 (refused: "
        "401)\",\"tied_by\":[],\"confidence\":null,\"allocations\":["
        "{\"id\":3,\"first_frame\":7,\"transport\":\"udp\",\"client_role\":\"unconfigured\","
        "\"client\":\"198.51.100.1:50002\",\"server\":\"203.0.113.2:3478\",\"server_role\":"
        "\"expressway-e-public\",\"relayed\":null,\"refused\":401,\"lifetime\":null,"
        "\"refreshes\":0,\"released_frame\":null,\"permissions\":[],\"channels\":[]}],\"dialogs\":["
        "],\"legs\":["
        "{\"id\":4,\"kind\":\"client-turn\",\"allocation\":3,\"rule\":null,\"a\":\"198.51.100.1:"
        "50002\",\"b\":"
        "\"203.0.113.2:3478\",\"packets\":1,\"bytes\":100,\"packets_back\":1,\"bytes_back\":100,"
        "\"first_frame\":7,\"last_frame\":8}]}\n"
        "]}\n");
    g_free(json);
    /* the text says the same */
    char *text = written(c, CMSEDGE_CALLS_TEXT);
    assert_non_null(strstr(text, "Call 1 (from frame 1); joined by call 2 at frame 5\n"));
    assert_non_null(strstr(text, "relayed 203.0.113.2:24000, lifetime 600 s\n    permissions: "
                                 "192.0.2.3:24002; channels: 0x4000 -> 192.0.2.3:24002\n"));
    assert_non_null(strstr(text, "Leg 3 (relay-relay, allocation 1): 203.0.113.2:24000 -> "
                                 "192.0.2.3:24002: 1 packets 100 bytes; back: 0 packets 0 bytes; "
                                 "frames 6-6\n"));
    assert_non_null(strstr(text, "\nCall 3 (from frame 7)\n"));
    assert_non_null(strstr(text, "refused (401)\n"));
    g_free(text);
    cmsedge_calls_free(c);
}

static void writers_of_an_empty_capture(void **state)
{
    (void)state;
    struct cmsedge_calls *c = cmsedge_calls_new();
    char *csv = written(c, CMSEDGE_CALLS_CSV), *json = written(c, CMSEDGE_CALLS_JSON);
    char *text = written(c, CMSEDGE_CALLS_TEXT), *plain = cmsedge_calls_text(c);
    assert_string_equal(csv, CSV_HEADER);
    assert_string_equal(json, "{\"calls\":[]}\n");
    assert_string_equal(text, plain);
    g_free(csv);
    g_free(json);
    g_free(text);
    free(plain);
    cmsedge_calls_free(c);
}

static void formats_and_quoting(void **state)
{
    (void)state;
    enum cmsedge_calls_format f = CMSEDGE_CALLS_TEXT;
    assert_true(cmsedge_calls_format_parse("csv", &f));
    assert_int_equal(f, CMSEDGE_CALLS_CSV);
    assert_true(cmsedge_calls_format_parse("JSON", &f));
    assert_int_equal(f, CMSEDGE_CALLS_JSON);
    assert_true(cmsedge_calls_format_parse("text", &f));
    assert_int_equal(f, CMSEDGE_CALLS_TEXT);
    assert_false(cmsedge_calls_format_parse("xml", &f));
    assert_false(cmsedge_calls_format_parse(NULL, &f));
    assert_int_equal(f, CMSEDGE_CALLS_TEXT);
    /* what the writers quote with: quotes and commas in CSV, quotes and controls in JSON */
    GString *out = g_string_new(NULL);
    cmsedge_csv_field(out, "say \"hi\", then", false);
    cmsedge_csv_field(out, "plain", true);
    cmsedge_json_string(out, "say \"hi\", \\ then\n");
    assert_string_equal(out->str,
                        "\"say \"\"hi\"\", then\",plain\n\"say \\\"hi\\\", \\\\ then\\u000a\"");
    g_string_free(out, TRUE);
}

/* A join's allocation kept by Refreshes and released by one with LIFETIME 0; the Meeting
 * Server's allocation sent to the public side is noted in the verdict, with the rule. */
static void refreshes_release_and_the_wrong_side(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    char buf[256];
    feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    fd.lifetime = 600;
    feed(&fd, EPUB, 3478, WEB, 50000, CMSEDGE_STUN_ALLOCATE_SUCCESS, EPUB, 24000, 0, 0, NULL);
    for (int i = 0; i < 2; i++) {
        feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_REFRESH_REQUEST, 0, 0, 0, 0, NULL);
        fd.lifetime = 300;
        feed(&fd, EPUB, 3478, WEB, 50000, 0x0104, 0, 0, 0, 0, NULL);
    }
    const struct cmsedge_allocation *als;
    assert_int_equal(cmsedge_calls_allocations(fd.calls, &als), 1);
    assert_int_equal(als[0].refreshes, 2);
    assert_int_equal(als[0].lifetime, 300);
    assert_int_equal(als[0].released_frame, 0);
    /* LIFETIME 0: released; the lifetime shown stays the last one granted */
    feed(&fd, WEB, 50000, EPUB, 3478, CMSEDGE_STUN_REFRESH_REQUEST, 0, 0, 0, 0, NULL);
    feed(&fd, EPUB, 3478, WEB, 50000, 0x0104, 0, 0, 0, 0, NULL); /* no LIFETIME: a refresh */
    assert_int_equal(als[0].refreshes, 3);
    struct cmsedge_call_ref ref;
    feed(&fd, EPUB, 3478, WEB, 50000, 0, 0, 0, 0, 0, &ref);
    assert_int_equal(ref.kind, CMSEDGE_LEG_TURN);
    /* a Refresh success with LIFETIME 0 (the feeder gives 0 as "none": set it by hand) */
    struct cmsedge_frame fr;
    struct cmsedge_annotation a;
    udp_frame(&fd, EPUB, 3478, WEB, 50000, &fr, &a);
    fr.facts.stun_type = 0x0104;
    fr.facts.has_lifetime = true;
    fr.facts.lifetime = 0;
    feed_frame(&fd, &fr, &a, NULL);
    assert_int_equal(als[0].released_frame, fd.frame);
    assert_int_equal(als[0].lifetime, 300);
    char *text = cmsedge_calls_text(fd.calls);
    assert_non_null(strstr(text, "lifetime 300 s, 3 refreshes, released at frame 10"));
    free(text);
    /* the Meeting Server allocating on the public side */
    feed(&fd, MS, 40000, EPUB, 3478, CMSEDGE_STUN_ALLOCATE_REQUEST, 0, 0, 0, 0, NULL);
    assert_string_equal(cmsedge_calls_verdict(fd.calls, 2, buf, sizeof buf),
                        "missing: the web app's allocation on the Expressway-E public TURN port "
                        "(T1-06); note: the Meeting Server's allocation 2 went to the "
                        "Expressway-E's public side (203.0.113.2:3478), Tables 1 and 4 have it on "
                        "the private side (T1-10)");
    cmsedge_calls_free(fd.calls);
}

/* ---- traversal calls ------------------------------------------------------------------ */

/* A SIP message (transport UDP, as the feeder's frames are); sdp_host 0 for no SDP. */
static unsigned feed_sip(struct feeder *fd, double t, int src, uint16_t sport, int dst,
                         uint16_t dport, bool request, uint8_t method, uint16_t status,
                         const char *call_id, int sdp_host, uint16_t sdp_port,
                         struct cmsedge_call_ref *ref)
{
    struct cmsedge_frame fr;
    struct cmsedge_annotation a;
    struct cmsedge_sip_info sip;
    udp_frame(fd, src, sport, dst, dport, &fr, &a);
    memset(&sip, 0, sizeof sip);
    fr.facts.time = t;
    fr.facts.length = 500;
    sip.request = request;
    sip.method = method;
    sip.status = status;
    snprintf(sip.call_id, sizeof sip.call_id, "%s", call_id);
    if (sdp_host) {
        enum cmsedge_role r;
        sip.has_sdp = true;
        sip.n_media = 1;
        host(sdp_host, &sip.media[0].addr, &r);
        sip.media[0].port = sdp_port;
    }
    fr.sip = &sip;
    return feed_frame(fd, &fr, &a, ref);
}

/* A media frame; rule: the reference row it matched, or NULL. */
static unsigned feed_media(struct feeder *fd, double t, int src, uint16_t sport, int dst,
                           uint16_t dport, const char *rule, struct cmsedge_call_ref *ref)
{
    struct cmsedge_frame fr;
    struct cmsedge_annotation a;
    udp_frame(fd, src, sport, dst, dport, &fr, &a);
    fr.facts.time = t;
    fr.facts.length = 200;
    if (rule) {
        a.shown = true;
        a.verdict.n_matches = 1;
        a.verdict.matches[0].row = cmsedge_row_by_id(rule);
        assert_non_null(a.verdict.matches[0].row);
    }
    return feed_frame(fd, &fr, &a, ref);
}

/* One hop's INVITE with an offer and 200 OK with an answer. */
static void dialog(struct feeder *fd, double t, int caller, uint16_t cport, int callee,
                   uint16_t sport, const char *call_id, uint16_t offer, uint16_t answer)
{
    feed_sip(fd, t, caller, cport, callee, sport, true, CMSEDGE_SIP_INVITE, 0, call_id, caller,
             offer, NULL);
    feed_sip(fd, t + 0.01, callee, sport, caller, cport, false, CMSEDGE_SIP_INVITE, 200, call_id,
             callee, answer, NULL);
}

static void a_traversal_call_by_call_id_and_sdp(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    struct cmsedge_call_ref ref;
    char buf[256];
    dialog(&fd, 1.0, WEB, 41000, EPUB, 5060, "one", 40010, 36100);
    dialog(&fd, 1.1, EPRIV, 7001, EXPC, 25010, "one", 2776, 36200);
    dialog(&fd, 1.2, EXPC, 5060, MS, 5060, "one", 36300, 50100);
    const struct cmsedge_dialog *dialogs;
    assert_int_equal(cmsedge_calls_dialogs(fd.calls, &dialogs), 3);
    assert_int_equal(dialogs[0].hop, CMSEDGE_HOP_ENDPOINT);
    assert_int_equal(dialogs[1].hop, CMSEDGE_HOP_ZONE);
    assert_int_equal(dialogs[1].tied_by, CMSEDGE_TIE_CALL_ID);
    assert_int_equal(dialogs[2].hop, CMSEDGE_HOP_MEETING_SERVER);
    assert_int_equal(dialogs[2].call, 1);
    assert_int_equal(dialogs[0].status, 200);
    /* media on each hop to what the SDP named; RTCP one port above */
    for (int i = 0; i < CMSEDGE_CALLS_ONE_WAY_MIN; i++) {
        assert_int_equal(feed_media(&fd, 1.5, WEB, 40010, EPUB, 36100, NULL, &ref), 1);
        assert_int_equal(ref.hop, CMSEDGE_HOP_ENDPOINT);
        assert_int_equal(ref.kind, CMSEDGE_LEG_MEDIA);
        feed_media(&fd, 1.5, EXPC, 36200, EPRIV, 2776, NULL, NULL);
        assert_int_equal(feed_media(&fd, 1.5, EXPC, 36300, MS, 50100, NULL, &ref), 1);
        assert_int_equal(ref.hop, CMSEDGE_HOP_MEETING_SERVER);
        feed_media(&fd, 1.5, EPUB, 36100, WEB, 40010, NULL, NULL);
        feed_media(&fd, 1.5, EPRIV, 2776, EXPC, 36200, NULL, NULL);
    }
    assert_int_equal(feed_media(&fd, 1.6, WEB, 40011, EPUB, 36101, NULL, &ref), 1);
    /* the Meeting Server sends nothing back: one-way, named by its hop */
    assert_non_null(cmsedge_calls_problem(fd.calls, 1, buf, sizeof buf));
    assert_string_equal(buf, "one-way: leg 6 (media, expressway-c-meeting-server) "
                             "192.0.2.5:36300 -> 192.0.2.4:50100, nothing back");
    feed_media(&fd, 1.7, MS, 50100, EXPC, 36300, NULL, NULL);
    assert_null(cmsedge_calls_problem(fd.calls, 1, buf, sizeof buf));
    char *text = cmsedge_calls_text(fd.calls);
    assert_non_null(strstr(text, "Call 1 (traversal, from frame 1)"));
    assert_non_null(strstr(text, "Tied by: Call-ID, SDP, SDP (RTCP on the next port) "
                                 "(confidence high)"));
    assert_non_null(strstr(text, "Verdict: complete: 3 hops, no media leg one-way (4 leg(s))"));
    free(text);
    /* after the BYE, new media to the same ends is no longer that call's */
    feed_sip(&fd, 2.0, WEB, 41000, EPUB, 5060, true, CMSEDGE_SIP_BYE, 0, "one", 0, 0, NULL);
    assert_int_equal(feed_media(&fd, 2.5, WEB, 40020, EPUB, 36100, NULL, NULL), 0);
    /* an OPTIONS ping is no call */
    assert_int_equal(feed_sip(&fd, 3.0, EXPC, 25010, EPRIV, 7001, true, CMSEDGE_SIP_OTHER, 0,
                              "ping", 0, 0, NULL),
                     0);
    cmsedge_calls_free(fd.calls);
}

static void the_demultiplexing_port_alone_ties_nothing(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    /* two calls in progress whose traversal zone SDP both name the Expressway-E's port 2776 */
    dialog(&fd, 1.0, EPRIV, 7001, EXPC, 25010, "a", 2776, 36200);
    dialog(&fd, 5.0, EPRIV, 7001, EXPC, 25010, "b", 2776, 36210);
    assert_int_equal(cmsedge_calls_count(fd.calls), 2);
    /* the Expressway-C's own end names the call; 2776 alone names none */
    assert_int_equal(feed_media(&fd, 5.5, EXPC, 36210, EPRIV, 2776, NULL, NULL), 2);
    assert_int_equal(feed_media(&fd, 5.5, EXPC, 36200, EPRIV, 2776, NULL, NULL), 1);
    assert_int_equal(feed_media(&fd, 5.5, EXPC, 36220, EPRIV, 2776, NULL, NULL), 0);
    /* an INVITE on another hop inside the window of one call's INVITE only: tied by timing */
    dialog(&fd, 5.2, WEB, 41000, EPUB, 5060, "c", 40010, 36100);
    const struct cmsedge_dialog *dialogs;
    assert_int_equal(cmsedge_calls_dialogs(fd.calls, &dialogs), 3);
    assert_int_equal(dialogs[2].tied_by, CMSEDGE_TIE_TIMING);
    assert_int_equal(dialogs[2].call, 2); /* call a's INVITE was 4.2 s earlier */
    cmsedge_calls_free(fd.calls);
}

static void media_without_sdp_tied_by_timing_only_when_one_call_fits(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    struct cmsedge_call_ref ref;
    /* one call: the endpoint's media, then Assent RTP and its RTCP */
    assert_int_equal(feed_media(&fd, 1.0, WEB, 40030, EPUB, 36130, "T2-08", NULL), 1);
    assert_int_equal(feed_media(&fd, 1.3, EXPC, 36230, EPRIV, 2776, "T2-06", &ref), 1);
    assert_int_equal(ref.hop, CMSEDGE_HOP_ZONE);
    assert_int_equal(feed_media(&fd, 1.4, EXPC, 36231, EPRIV, 2777, "T2-07", NULL), 1);
    const struct cmsedge_leg *legs;
    assert_int_equal(cmsedge_calls_legs(fd.calls, &legs), 3);
    assert_int_equal(legs[1].tied_by, CMSEDGE_TIE_TIMING);
    assert_int_equal(legs[2].tied_by, CMSEDGE_TIE_PORT_PAIR);
    assert_string_equal(legs[1].rule, "T2-06");
    /* too late for the window: a call of its own */
    assert_int_equal(feed_media(&fd, 3.0, EXPC, 36240, EPRIV, 2776, "T2-06", NULL), 2);
    /* two endpoints' media at once, then one Assent leg: which call? none */
    assert_int_equal(feed_media(&fd, 10.0, WEB, 40050, EPUB, 36150, "T2-08", NULL), 3);
    assert_int_equal(feed_media(&fd, 10.1, WEB, 40060, EPUB, 36160, "T2-08", NULL), 4);
    assert_int_equal(feed_media(&fd, 10.2, EXPC, 36250, EPRIV, 2776, "T2-06", NULL), 5);
    /* media on no RTP row (a relay's, say) makes no call */
    assert_int_equal(feed_media(&fd, 11.0, WEB, 40070, EPUB, 24000, "T2-14", NULL), 0);
    assert_int_equal(feed_media(&fd, 11.0, WEB, 40070, EPUB, 36170, NULL, NULL), 0);
    char buf[256];
    const char *v = cmsedge_calls_verdict(fd.calls, 1, buf, sizeof buf);
    assert_string_equal(v, "complete: 2 hops, no media leg one-way (3 leg(s))");
    char *text = cmsedge_calls_text(fd.calls);
    assert_non_null(strstr(text, "Tied by: timing, RTP/RTCP port pairing (confidence low)"));
    assert_non_null(strstr(text, "Tied by: nothing (one part in the capture)"));
    free(text);
    cmsedge_calls_free(fd.calls);
}

/* RTCP first, then its RTP one port below, one way: the RTP leg is judged, not the RTCP. */
static void rtcp_before_its_rtp(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    const struct cmsedge_leg *legs;
    char why[256];
    assert_int_equal(feed_media(&fd, 1.0, WEB, 40030, EPUB, 36130, "T2-08", NULL), 1);
    feed_media(&fd, 1.0, EPUB, 36130, WEB, 40030, "T2-10", NULL);
    assert_int_equal(feed_media(&fd, 1.5, EXPC, 36301, EPRIV, 2777, "T2-07", NULL), 1);
    assert_int_equal(feed_media(&fd, 1.6, EPRIV, 2777, EXPC, 36301, "T2-07", NULL), 1);
    for (int i = 0; i < CMSEDGE_CALLS_ONE_WAY_MIN; i++)
        assert_int_equal(feed_media(&fd, 1.6, EXPC, 36300, EPRIV, 2776, "T2-06", NULL), 1);
    assert_int_equal(cmsedge_calls_legs(fd.calls, &legs), 3);
    assert_true(legs[1].rtcp && !legs[2].rtcp);
    assert_int_equal(legs[1].tied_by, CMSEDGE_TIE_TIMING);
    assert_int_equal(legs[2].tied_by, CMSEDGE_TIE_PORT_PAIR);
    assert_non_null(cmsedge_calls_problem(fd.calls, 1, why, sizeof why));
    assert_string_equal(why, "one-way: leg 3 (media, traversal-zone, T2-06) 192.0.2.5:36300 -> "
                             "192.0.2.3:2776, nothing back");
    feed_media(&fd, 1.7, EPRIV, 2776, EXPC, 36300, "T2-06", NULL); /* and back: complete */
    assert_null(cmsedge_calls_problem(fd.calls, 1, why, sizeof why));
    cmsedge_calls_free(fd.calls);
}

static void a_refused_invite_fails_the_call(void **state)
{
    (void)state;
    struct feeder fd = {cmsedge_calls_new(), 0, 0, 0, 0};
    char buf[256];
    feed_sip(&fd, 1.0, WEB, 41000, EPUB, 5060, true, CMSEDGE_SIP_INVITE, 0, "busy", WEB, 40010,
             NULL);
    feed_sip(&fd, 1.1, EPUB, 5060, WEB, 41000, false, CMSEDGE_SIP_INVITE, 486, "busy", 0, 0, NULL);
    assert_string_equal(cmsedge_calls_verdict(fd.calls, 1, buf, sizeof buf),
                        "failed: the INVITE on the endpoint-expressway-e (frame 1) was answered "
                        "486 at frame 2");
    /* an authentication challenge then success: the last final answer counts */
    feed_sip(&fd, 2.0, WEB, 41000, EPUB, 5060, true, CMSEDGE_SIP_INVITE, 0, "auth", WEB, 40012,
             NULL);
    feed_sip(&fd, 2.1, EPUB, 5060, WEB, 41000, false, CMSEDGE_SIP_INVITE, 407, "auth", 0, 0, NULL);
    feed_sip(&fd, 2.2, EPUB, 5060, WEB, 41000, false, CMSEDGE_SIP_INVITE, 200, "auth", EPUB, 36100,
             NULL);
    assert_string_equal(cmsedge_calls_verdict(fd.calls, 2, buf, sizeof buf),
                        "signalled: 1 hop(s), no media in the capture");
    cmsedge_calls_free(fd.calls);
}

/* Many joins at once: each client's frames, both ways, go to its own TURN leg, in the right
 * direction, however many legs came before: what the index of legs by their ends answers must
 * be what walking every leg answered. */
static void many_clients_each_on_its_own_leg(void **state)
{
    (void)state;
    enum { CLIENTS = 3000 };
    struct cmsedge_calls *calls = cmsedge_calls_new();
    struct cmsedge_addr e;
    enum cmsedge_role e_role;
    uint32_t frame = 0;
    host(EPUB, &e, &e_role);
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < CLIENTS; i++) {
            struct cmsedge_frame fr;
            struct cmsedge_annotation a;
            struct cmsedge_call_ref ref;
            const uint8_t ip[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
            bool back = round == 2; /* the server's answers, after two rounds of the clients' */
            memset(&fr, 0, sizeof fr);
            memset(&a, 0, sizeof a);
            fr.transport = CMSEDGE_TRANSPORT_UDP;
            fr.facts.frame = ++frame;
            fr.facts.length = 100;
            a.traffic = true;
            cmsedge_addr_from_ipv4(back ? &fr.dst : &fr.src, ip);
            *(back ? &fr.src : &fr.dst) = e;
            (back ? &a.src : &a.dst)->role = e_role;
            fr.sport = back ? 3478 : (uint16_t)(40000 + i % 20000);
            fr.dport = back ? (uint16_t)(40000 + i % 20000) : 3478;
            if (round == 0)
                fr.facts.stun_type = CMSEDGE_STUN_ALLOCATE_REQUEST;
            assert_true(cmsedge_calls_feed(calls, &fr, &a, &ref));
            assert_int_equal(ref.leg, i + 1);
            assert_int_equal(ref.kind, CMSEDGE_LEG_TURN);
        }
    }
    const struct cmsedge_leg *legs;
    assert_int_equal(cmsedge_calls_legs(calls, &legs), CLIENTS);
    for (unsigned i = 0; i < CLIENTS; i += 997) {
        assert_int_equal(legs[i].packets[0], 2);
        assert_int_equal(legs[i].packets[1], 1);
        assert_int_equal(legs[i].bytes[0], 200);
    }
    cmsedge_calls_free(calls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_join_is_one_call),
        cmocka_unit_test(no_call_without_an_expressway),
        cmocka_unit_test(csv_of_a_join),
        cmocka_unit_test(json_of_a_join),
        cmocka_unit_test(writers_of_an_empty_capture),
        cmocka_unit_test(formats_and_quoting),
        cmocka_unit_test(refreshes_release_and_the_wrong_side),
        cmocka_unit_test(a_traversal_call_by_call_id_and_sdp),
        cmocka_unit_test(the_demultiplexing_port_alone_ties_nothing),
        cmocka_unit_test(media_without_sdp_tied_by_timing_only_when_one_call_fits),
        cmocka_unit_test(rtcp_before_its_rtp),
        cmocka_unit_test(a_refused_invite_fails_the_call),
        cmocka_unit_test(many_clients_each_on_its_own_leg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
