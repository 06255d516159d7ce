/* cmsedge unit tests: stream starts (TLS, SIP, SSH) and STUN attributes.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "cmsedge/payload.h"
#include "test_util.h"

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

/* TURN attributes the calls read: XOR-RELAYED-ADDRESS's address, LIFETIME, XOR-PEER-ADDRESS
 * (IPv4 and IPv6) and CHANNEL-NUMBER. */
static void turn_attributes(void **state)
{
    (void)state;
    uint8_t
        bind
            [] =
                {
                    0x00,        0x09,        0x00,     0x28,      0x21, 0x12,
                    0xa4,        0x42, /* ChannelBind, length 40 */
                    1,           2,           3,        4,         5,    6,
                    7,           8,           9,        10,        11,   12, /* transaction id */
                    0x00,        0x0c,        0x00,     0x04,      0x40, 0x01,
                    0x00,        0x00, /* CHANNEL-NUMBER 0x4001 */
                    0x00,        0x12,        0x00,     0x08,      0x00, 0x01,
                    0x5e ^ 0x21, 0x20 ^ 0x12,                      /* peer port 24096 */
                    192 ^ 0x21,  0 ^ 0x12,    2 ^ 0xa4, 10 ^ 0x42, /* peer 192.0.2.10 */
                    0x00,        0x0d,        0x00,     0x04,      0x00, 0x00,
                    0x01,        0x2c, /* LIFETIME 300 */
                    0x00,        0x16,        0x00,     0x08,      0x00, 0x01,
                    0x5e ^ 0x21, 0x24 ^ 0x12, /* relayed port 24100 */
                };
    uint8_t peer[4] = {192, 0, 2, 10};
    struct cmsedge_addr want;
    struct cmsedge_stun_info info;
    /* the relayed address is cut off: its port is read, its address is not */
    assert_true(cmsedge_parse_stun(bind, sizeof bind, &info));
    assert_int_equal(info.channel, 0x4001);
    assert_true(info.has_peer);
    assert_int_equal(info.peer_port, 24096);
    cmsedge_addr_from_ipv4(&want, peer);
    assert_true(cmsedge_addr_equal(&info.peer_addr, &want));
    assert_true(info.has_lifetime);
    assert_int_equal(info.lifetime, 300);
    assert_false(info.has_relayed); /* it runs past the message's length */

    /* an IPv6 peer: XORed with the cookie and the transaction id */
    uint8_t v6[20 + 24] = {0x00, 0x08, 0x00, 0x18, 0x21, 0x12, 0xa4,        0x42,       1,  2,
                           3,    4,    5,    6,    7,    8,    9,           10,         11, 12,
                           0x00, 0x12, 0x00, 0x14, 0x00, 0x02, 0x9c ^ 0x21, 0x40 ^ 0x12};
    uint8_t addr6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    for (size_t i = 0; i < 16; i++)
        v6[28 + i] = addr6[i] ^ v6[4 + i];
    assert_true(cmsedge_parse_stun(v6, sizeof v6, &info));
    assert_true(info.has_peer);
    assert_int_equal(info.peer_port, 40000);
    cmsedge_addr_from_ipv6(&want, addr6);
    assert_true(cmsedge_addr_equal(&info.peer_addr, &want));
    /* a family that is neither: no peer */
    v6[25] = 3;
    assert_true(cmsedge_parse_stun(v6, sizeof v6, &info));
    assert_false(info.has_peer);
}

/* An XOR-PEER-ADDRESS with no value, the last bytes of the buffer: nothing past them is read
 * (a heap copy of exactly the message, so ASan sees any over-read). */
static void empty_peer_address_at_the_end(void **state)
{
    (void)state;
    static const uint8_t header[] = {0x00, 0x08, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42,
                                     1,    2,    3,    4,    5,    6,    7,    8,
                                     9,    10,   11,   12,   0x00, 0x12, 0x00, 0x00};
    uint8_t *msg = malloc(sizeof header);
    struct cmsedge_stun_info info;
    memcpy(msg, header, sizeof header);
    assert_true(cmsedge_parse_stun(msg, sizeof header, &info));
    assert_false(info.has_peer);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_starts),
        cmocka_unit_test(stun_attributes),
        cmocka_unit_test(empty_peer_address_at_the_end),
        cmocka_unit_test(turn_attributes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
