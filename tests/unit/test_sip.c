/* cmsedge unit tests: the Call-ID, method, status and SDP media of SIP messages (src/sip.c).
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/sip.h"
#include "test_util.h"

static bool parse(const char *text, struct cmsedge_sip_info *info)
{
    return cmsedge_parse_sip((const uint8_t *)text, strlen(text), info);
}

static void assert_media(const struct cmsedge_sdp_media *m, const char *addr, uint16_t port,
                         const char *kind)
{
    char text[64];
    cmsedge_addr_format(&m->addr, text, sizeof text);
    assert_string_equal(text, addr);
    assert_int_equal(m->port, port);
    assert_string_equal(m->media, kind);
}

static void an_invite_with_sdp(void **state)
{
    (void)state;
    struct cmsedge_sip_info info;
    const char *invite = "INVITE sip:meeting@example.com SIP/2.0\r\n"
                         "Via: SIP/2.0/TCP 198.51.100.21;branch=z9hG4bK1\r\n"
                         "Call-ID: abc@198.51.100.21\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Content-Type: application/sdp\r\n"
                         "Content-Length: 144\r\n\r\n"
                         "v=0\r\no=- 1 1 IN IP4 198.51.100.21\r\ns=-\r\n"
                         "c=IN IP4 198.51.100.21\r\nt=0 0\r\n"
                         "m=audio 40010 RTP/AVP 0\r\n"
                         "m=video 0 RTP/AVP 96\r\n" /* declined: not kept */
                         "m=video 40012 RTP/AVP 97\r\n";
    assert_int_equal(strlen(strstr(invite, "v=0")), 144);
    assert_true(parse(invite, &info));
    assert_true(info.request);
    assert_int_equal(info.method, CMSEDGE_SIP_INVITE);
    assert_string_equal(info.call_id, "abc@198.51.100.21");
    assert_true(info.has_sdp);
    assert_int_equal(info.n_media, 2);
    assert_media(&info.media[0], "198.51.100.21", 40010, "audio");
    assert_media(&info.media[1], "198.51.100.21", 40012, "video");
}

static void a_response_takes_its_method_from_cseq(void **state)
{
    (void)state;
    struct cmsedge_sip_info info;
    /* compact header names, any case, a bare LF, a media-level c= over the session's */
    const char *ok = "SIP/2.0 200 OK\n"
                     "i: xyz\n"
                     "cseq: 7 INVITE\n"
                     "c: application/sdp\n"
                     "l: 90\n\n"
                     "v=0\nc=IN IP4 192.0.2.10\nm=audio 2776 RTP/AVP 0\nc=IN IP4 192.0.2.11\n"
                     "m=audio 2778 RTP/AVP 0\n";
    assert_int_equal(strlen(strstr(ok, "v=0")), 90);
    assert_true(parse(ok, &info));
    assert_false(info.request);
    assert_int_equal(info.status, 200);
    assert_int_equal(info.method, CMSEDGE_SIP_INVITE);
    assert_string_equal(info.call_id, "xyz");
    assert_int_equal(info.n_media, 2);
    assert_media(&info.media[0], "192.0.2.11", 2776, "audio");
    assert_media(&info.media[1], "192.0.2.10", 2778, "audio");
    /* IPv6 */
    assert_true(parse("SIP/2.0 183 Session Progress\r\nCall-ID: v6\r\nCSeq: 1 INVITE\r\n"
                      "Content-Type: application/sdp\r\n\r\n"
                      "c=IN IP6 2001:db8::10\r\nm=audio 36020 RTP/AVP 0\r\n",
                      &info));
    assert_media(&info.media[0], "2001:db8::10", 36020, "audio");
}

static void what_is_not_taken(void **state)
{
    (void)state;
    struct cmsedge_sip_info info;
    /* a body longer than the segment holds: no SDP from the part that is here */
    assert_true(parse("INVITE sip:a SIP/2.0\r\nCall-ID: cut\r\nContent-Type: application/sdp\r\n"
                      "Content-Length: 500\r\n\r\nv=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 R",
                      &info));
    assert_false(info.has_sdp);
    assert_int_equal(info.n_media, 0);
    /* headers cut short: the Call-ID is there, no body at all */
    assert_true(parse("BYE sip:a SIP/2.0\r\nCall-ID: half\r\nContent-Type: applic", &info));
    assert_int_equal(info.method, CMSEDGE_SIP_BYE);
    assert_false(info.has_sdp);
    /* on hold (0.0.0.0), an unreadable address, a body that is not SDP */
    assert_true(parse("INVITE sip:a SIP/2.0\r\nCall-ID: hold\r\nContent-Type: application/sdp"
                      "\r\n\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 0\r\n",
                      &info));
    assert_true(info.has_sdp);
    assert_int_equal(info.n_media, 0);
    assert_true(parse("INVITE sip:a SIP/2.0\r\nCall-ID: bad\r\nContent-Type: application/sdp"
                      "\r\n\r\nc=IN IP4 300.1.1.1\r\nm=audio 4000 RTP/AVP 0\r\n",
                      &info));
    assert_int_equal(info.n_media, 0);
    assert_true(parse("MESSAGE sip:a SIP/2.0\r\nCall-ID: text\r\nContent-Type: text/plain\r\n"
                      "\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n",
                      &info));
    assert_int_equal(info.method, CMSEDGE_SIP_OTHER);
    assert_false(info.has_sdp);
    /* no SIP: HTTP, a status out of range, no Call-ID, nothing */
    assert_false(parse("GET / HTTP/1.1\r\nCall-ID: x\r\n\r\n", &info));
    assert_false(parse("SIP/2.0 999 What\r\nCall-ID: x\r\n\r\n", &info));
    assert_false(parse("OPTIONS sip:a SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n", &info));
    assert_false(parse("", &info));
    assert_false(cmsedge_parse_sip(NULL, 0, &info));
    /* a Call-ID longer than kept is truncated, still NUL-terminated */
    char longer[400];
    snprintf(longer, sizeof longer, "ACK sip:a SIP/2.0\r\nCall-ID: %0200d\r\n\r\n", 7);
    assert_true(parse(longer, &info));
    assert_int_equal(strlen(info.call_id), CMSEDGE_SIP_CALL_ID_MAX - 1);
}

/* Every prefix of a message parses without reading past its end (ASan checks the reads). */
static void every_prefix(void **state)
{
    (void)state;
    const char *msg = "SIP/2.0 200 OK\r\nCall-ID: p\r\nCSeq: 1 INVITE\r\n"
                      "Content-Type: application/sdp\r\nContent-Length: 51\r\n\r\n"
                      "c=IN IP4 192.0.2.10\r\nm=audio 2776 RTP/AVP 0 8 101\r\n";
    size_t n = strlen(msg);
    struct cmsedge_sip_info info;
    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, msg, len);
        bool ok = cmsedge_parse_sip(copy, len, &info);
        if (len == n) {
            assert_true(ok);
            assert_int_equal(info.n_media, 1);
        } else {
            assert_int_equal(info.n_media, 0);
        }
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_invite_with_sdp),
        cmocka_unit_test(a_response_takes_its_method_from_cseq),
        cmocka_unit_test(what_is_not_taken),
        cmocka_unit_test(every_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
