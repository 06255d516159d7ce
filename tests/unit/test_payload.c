/* cmsedge unit tests: first-byte payload recognition (RFC 7983) and stream starts.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include "cmsedge/payload.h"
#include "test_util.h"

static const uint8_t rtp[] = {0x80, 0x00, 0x00, 0x01, 0,    0,    0,    160,
                              0x11, 0x22, 0x33, 0x44, 0xff, 0xff, 0xff, 0xff};
static const uint8_t rtcp_sr[] = {0x80, 200, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0, 0,
                                  0,    0,   0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0};
static const uint8_t stun[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1,  2,
                               3,    4,    5,    6,    7,    8,    9,    10,   11, 12};

static void recognises_rtp_and_rtcp(void **state)
{
    (void)state;
    struct cmsedge_media m;
    assert_true(cmsedge_demux_media(rtp, sizeof rtp, sizeof rtp, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_RTP);
    assert_int_equal(m.offset, 0);
    assert_true(cmsedge_demux_media(rtcp_sr, sizeof rtcp_sr, sizeof rtcp_sr, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_RTCP);
    /* an RTCP length that overruns the datagram is not RTCP */
    assert_false(cmsedge_demux_media(rtcp_sr, 8, 8, &m));
    /* RTP shorter than its CSRC list */
    const uint8_t csrc[] = {0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_false(cmsedge_demux_media(csrc, sizeof csrc, sizeof csrc, &m));
}

static void recognises_multiplex_id_form(void **state)
{
    (void)state;
    uint8_t buf[4 + sizeof rtp];
    struct cmsedge_media m;
    buf[0] = 0x00, buf[1] = 0x00, buf[2] = 0x01, buf[3] = 0x02;
    memcpy(buf + 4, rtp, sizeof rtp);
    assert_true(cmsedge_demux_media(buf, sizeof buf, sizeof buf, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_RTP);
    assert_int_equal(m.offset, 4);
    assert_int_equal(m.mux_id, 0x102);
    /* the head may be shorter than the datagram */
    assert_true(cmsedge_demux_media(buf, 8, 400, &m));
    assert_int_equal(m.offset, 4);
}

static void recognises_stun_dtls_channel_data(void **state)
{
    (void)state;
    struct cmsedge_media m;
    assert_true(cmsedge_demux_media(stun, sizeof stun, sizeof stun, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_STUN);
    uint8_t bad_cookie[sizeof stun];
    memcpy(bad_cookie, stun, sizeof stun);
    bad_cookie[4] = 0;
    assert_false(cmsedge_demux_media(bad_cookie, sizeof bad_cookie, sizeof bad_cookie, &m));

    const uint8_t dtls[] = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 1, 0};
    assert_true(cmsedge_demux_media(dtls, sizeof dtls, sizeof dtls, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_DTLS);

    const uint8_t cd[] = {0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4};
    assert_true(cmsedge_demux_media(cd, sizeof cd, sizeof cd, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_CHANNEL_DATA);
    const uint8_t cd_long[] = {0x40, 0x00, 0x00, 0x40, 1, 2, 3, 4};
    assert_false(cmsedge_demux_media(cd_long, sizeof cd_long, sizeof cd_long, &m));
}

static void rejects_garbage_and_short_input(void **state)
{
    (void)state;
    struct cmsedge_media m;
    const uint8_t junk[] = {0xC7, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
    assert_false(cmsedge_demux_media(junk, sizeof junk, sizeof junk, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_NONE);
    assert_false(cmsedge_demux_media(rtp, 0, 0, &m));
    assert_false(cmsedge_demux_media(rtp, 1, 1, &m));
    assert_false(cmsedge_demux_media(NULL, 0, 10, &m));
    assert_false(cmsedge_demux_media(rtp, 12, 8, &m)); /* head longer than the datagram */
    assert_string_equal(cmsedge_media_kind_name(CMSEDGE_MEDIA_CHANNEL_DATA), "TURN ChannelData");
}

static void stream_starts(void **state)
{
    (void)state;
    const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0x2f};
    const uint8_t not_tls[] = {0x16, 0x02, 0x01, 0x00, 0x2f};
    assert_true(cmsedge_looks_like_tls(hello, sizeof hello));
    assert_false(cmsedge_looks_like_tls(not_tls, sizeof not_tls));
    assert_false(cmsedge_looks_like_tls(hello, 4));
    assert_true(cmsedge_looks_like_sip((const uint8_t *)"OPTIONS sip:a@b SIP/2.0", 23));
    assert_true(cmsedge_looks_like_sip((const uint8_t *)"SIP/2.0 200 OK", 14));
    assert_false(cmsedge_looks_like_sip((const uint8_t *)"GET / HTTP/1.1", 14));
    assert_false(cmsedge_looks_like_sip((const uint8_t *)"INVITE", 6));
    assert_true(cmsedge_looks_like_ssh((const uint8_t *)"SSH-2.0-x", 9));
    assert_false(cmsedge_looks_like_ssh((const uint8_t *)"SSH", 3));
}

/* An Allocate success (RFC 5766): XOR-RELAYED-ADDRESS 203.0.113.10:24100, then LIFETIME. */
static void stun_attributes(void **state)
{
    (void)state;
    uint8_t
        msg[] =
            {
                0x01,        0x03,        0x00,       0x14,      0x21, 0x12,
                0xa4,        0x42, /* type, length 20, cookie */
                1,           2,           3,          4,         5,    6,
                7,           8,           9,          10,        11,   12, /* transaction id */
                0x00,        0x16,        0x00,       0x08,      0x00, 0x01,
                0x5e ^ 0x21, 0x24 ^ 0x12, /* port 0x5e24 = 24100 */
                203 ^ 0x21,  0 ^ 0x12,    113 ^ 0xa4, 10 ^ 0x42, 0x00, 0x0d,
                0x00,        0x04,        0x00,       0x00,      0x02, 0x58, /* LIFETIME 600 */
            };
    struct cmsedge_stun_info info;
    assert_true(cmsedge_parse_stun(msg, sizeof msg, &info));
    assert_int_equal(info.type, 0x0103);
    assert_true(info.has_relayed);
    assert_int_equal(info.relayed_port, 24100);
    assert_int_equal(info.error, 0);
    /* cut short inside the attribute: the header is still read, the attribute is not */
    assert_true(cmsedge_parse_stun(msg, 26, &info));
    assert_false(info.has_relayed);

    /* an error response with ERROR-CODE 438 (class 4, number 38) */
    uint8_t err[] = {0x01, 0x13, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1,    2,    3, 4, 5, 6,
                     7,    8,    9,    10,   11,   12,   0x00, 0x09, 0x00, 0x04, 0, 0, 4, 38};
    assert_true(cmsedge_parse_stun(err, sizeof err, &info));
    assert_int_equal(info.type, 0x0113);
    assert_int_equal(info.error, 438);

    /* no magic cookie: not STUN */
    err[4] = 0;
    assert_false(cmsedge_parse_stun(err, sizeof err, &info));
    assert_false(cmsedge_parse_stun(err, 10, &info));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recognises_rtp_and_rtcp),
        cmocka_unit_test(recognises_multiplex_id_form),
        cmocka_unit_test(recognises_stun_dtls_channel_data),
        cmocka_unit_test(rejects_garbage_and_short_input),
        cmocka_unit_test(stream_starts),
        cmocka_unit_test(stun_attributes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
