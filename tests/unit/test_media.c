/* cmsedge unit tests: media told from look-alikes over the packets of a flow direction.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "cmsedge/media.h"

#define ALL                                                                                        \
    (CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_STUN) | CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_DTLS) |               \
     CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTP) | CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTCP))

/* A 172-byte RTP packet (12-byte header, 160 bytes of PCMU). */
static size_t rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc, uint8_t pt)
{
    memset(buf, 0xd5, 172);
    buf[0] = 0x80, buf[1] = pt;
    buf[2] = (uint8_t)(seq >> 8), buf[3] = (uint8_t)seq;
    memset(buf + 4, 0, 4);
    buf[8] = (uint8_t)(ssrc >> 24), buf[9] = (uint8_t)(ssrc >> 16);
    buf[10] = (uint8_t)(ssrc >> 8), buf[11] = (uint8_t)ssrc;
    return 172;
}

static bool see(struct cmsedge_media_track *t, const uint8_t *buf, size_t len, unsigned allow,
                struct cmsedge_media *m)
{
    size_t head = len < CMSEDGE_MEDIA_HEAD ? len : CMSEDGE_MEDIA_HEAD;
    return cmsedge_media_follow(t, buf, head, len, allow, m);
}

static void rtp_from_the_second_packet_of_a_stream(void **state)
{
    (void)state;
    struct cmsedge_media_track t = {0};
    struct cmsedge_media m;
    uint8_t buf[200];
    size_t n = rtp(buf, 1000, 0x1234, 0);
    assert_false(see(&t, buf, n, ALL, &m)); /* one packet proves nothing */
    n = rtp(buf, 1001, 0x1234, 0);
    assert_true(see(&t, buf, n, ALL, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_RTP);
    assert_int_equal(m.offset, 0);
    n = rtp(buf, 1010, 0x1234, 13); /* loss, and comfort noise: the stream goes on */
    assert_true(see(&t, buf, n, ALL, &m));
    /* another SSRC starts over */
    n = rtp(buf, 5, 0x9999, 0);
    assert_false(see(&t, buf, n, ALL, &m));
    n = rtp(buf, 6, 0x9999, 0);
    assert_true(see(&t, buf, n, ALL, &m));
}

static void look_alikes_are_not_rtp(void **state)
{
    (void)state;
    struct cmsedge_media m;
    uint8_t buf[200];
    /* random datagrams whose first byte says "RTP version 2" */
    srand(7);
    struct cmsedge_media_track t = {0};
    unsigned taken = 0;
    for (int i = 0; i < 2000; i++) {
        for (size_t k = 0; k < sizeof buf; k++)
            buf[k] = (uint8_t)rand();
        buf[0] = (uint8_t)(0x80 | (buf[0] & 0x3f));
        taken += see(&t, buf, 60 + (size_t)(rand() % 140), ALL, &m);
    }
    assert_int_equal(taken, 0);
    /* a sequence number that jumps by more than a stream's loss allows */
    memset(&t, 0, sizeof t);
    size_t n = rtp(buf, 1000, 0x1234, 0);
    assert_false(see(&t, buf, n, ALL, &m));
    n = rtp(buf, 3000, 0x1234, 0);
    assert_false(see(&t, buf, n, ALL, &m));
    /* QUIC short and long headers: versions 1 and 3, never 2 */
    memset(&t, 0, sizeof t);
    memset(buf, 0x41, sizeof buf);
    buf[0] = 0x43;
    assert_false(see(&t, buf, 100, ALL, &m));
    buf[0] = 0xc3;
    assert_false(see(&t, buf, 100, ALL, &m));
    /* WireGuard message types 1-4 are in STUN's first-byte range, with no magic cookie */
    for (uint8_t type = 1; type <= 4; type++) {
        memset(buf, 0, sizeof buf);
        buf[0] = type;
        assert_false(see(&t, buf, 148, ALL, &m));
    }
    /* TURN ChannelData (0x40-0x4F) and MPEG-TS (0x47) are not taken from bare UDP */
    memset(buf, 0, sizeof buf);
    buf[0] = 0x47, buf[3] = 16;
    assert_false(see(&t, buf, 188, ALL, &m));
}

static void multiplex_id_only_when_it_repeats(void **state)
{
    (void)state;
    struct cmsedge_media_track t = {0};
    struct cmsedge_media m;
    uint8_t buf[200];
    rtp(buf + 4, 1, 0x42, 0);
    buf[0] = 0xde, buf[1] = 0xad, buf[2] = 0xbe, buf[3] = 0xef;
    assert_false(see(&t, buf, 176, ALL, &m));
    rtp(buf + 4, 2, 0x42, 0);
    assert_true(see(&t, buf, 176, ALL, &m));
    assert_int_equal(m.offset, 4);
    assert_int_equal(m.mux_id, 0xdeadbeef);
    /* another id in front of the same stream is not its multiplex id */
    rtp(buf + 4, 3, 0x42, 0);
    buf[3] = 0x00;
    assert_false(see(&t, buf, 176, ALL, &m));
}

static void rtcp_stun_and_dtls_on_their_own(void **state)
{
    (void)state;
    struct cmsedge_media_track t = {0};
    struct cmsedge_media m;
    /* SR with no report blocks (7 words) followed by an SDES of 2 words */
    uint8_t rtcp[40] = {0x80, 200, 0, 6};
    rtcp[28] = 0x81, rtcp[29] = 202, rtcp[31] = 2;
    assert_true(see(&t, rtcp, 40, ALL, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_RTCP);
    assert_false(see(&t, rtcp, 36, ALL, &m)); /* the SDES runs past the datagram */
    rtcp[0] = 0x81;                           /* one report block claimed, none there */
    assert_false(see(&t, rtcp, 40, ALL, &m));
    /* RTCP must start with SR or RR */
    uint8_t app[12] = {0x80, 204, 0, 2};
    assert_false(see(&t, app, 12, ALL, &m));

    uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    assert_true(see(&t, stun, 20, ALL, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_STUN);
    /* what the caller does not ask for is not taken */
    assert_false(see(&t, stun, 20, CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTP), &m));
    uint8_t dtls[40] = {22, 0xfe, 0xfd};
    dtls[12] = 27;
    assert_true(see(&t, dtls, 40, ALL, &m));
    assert_int_equal(m.kind, CMSEDGE_MEDIA_DTLS);
    dtls[12] = 28; /* a record longer than the datagram */
    assert_false(see(&t, dtls, 40, ALL, &m));
    assert_false(cmsedge_media_follow(&t, stun, 0, 0, ALL, &m));
    assert_false(cmsedge_media_follow(&t, NULL, 0, 10, ALL, &m));
    assert_false(cmsedge_media_follow(&t, stun, 20, 8, ALL, &m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rtp_from_the_second_packet_of_a_stream),
        cmocka_unit_test(look_alikes_are_not_rtp),
        cmocka_unit_test(multiplex_id_only_when_it_repeats),
        cmocka_unit_test(rtcp_stun_and_dtls_on_their_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
