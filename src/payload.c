/* cmsedge: first-byte payload recognition (RFC 7983 and friends).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/payload.h"

#include <string.h>

#define STUN_HEADER_LEN   20
#define STUN_MAGIC_COOKIE 0x2112A442u /* RFC 5389 section 6 */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

const char *cmsedge_media_kind_name(enum cmsedge_media_kind kind)
{
    switch (kind) {
    case CMSEDGE_MEDIA_STUN:
        return "STUN";
    case CMSEDGE_MEDIA_DTLS:
        return "DTLS";
    case CMSEDGE_MEDIA_CHANNEL_DATA:
        return "TURN ChannelData";
    case CMSEDGE_MEDIA_RTP:
        return "RTP";
    case CMSEDGE_MEDIA_RTCP:
        return "RTCP";
    default:
        return "unrecognised";
    }
}

/* TLS record header: content type 20-23, version 3.x (SSL 3.0 to TLS 1.3 all say 3.x), and a
 * length no larger than a record may be (2^14 plus expansion). */
bool cmsedge_looks_like_tls(const uint8_t *head, size_t head_len)
{
    if (head_len < 5 || head[0] < 20 || head[0] > 23 || head[1] != 3 || head[2] > 4)
        return false;
    return be16(head + 3) <= 16384 + 2048;
}

/* A SIP request line ("INVITE sip:...") or status line ("SIP/2.0 200 OK"). */
bool cmsedge_looks_like_sip(const uint8_t *head, size_t head_len)
{
    static const char *const starts[] = {"SIP/2.0 ", "INVITE ",  "ACK ",       "BYE ",
                                         "CANCEL ",  "OPTIONS ", "REGISTER ",  "INFO ",
                                         "UPDATE ",  "PRACK ",   "SUBSCRIBE ", "NOTIFY ",
                                         "REFER ",   "MESSAGE ", "PUBLISH ",   "SERVICE "};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t n = strlen(starts[i]);
        if (head_len >= n && memcmp(head, starts[i], n) == 0)
            return true;
    }
    return false;
}

/* RFC 4253 section 4.2: the identification string starts "SSH-". */
bool cmsedge_looks_like_ssh(const uint8_t *head, size_t head_len)
{
    return head_len >= 4 && memcmp(head, "SSH-", 4) == 0;
}

/* RFC 5389 section 6 header, section 15 attributes; RFC 8656 section 18 TURN attributes. */
#define STUN_ATTR_ERROR_CODE          0x0009u
#define STUN_ATTR_CHANNEL_NUMBER      0x000Cu
#define STUN_ATTR_LIFETIME            0x000Du
#define STUN_ATTR_XOR_PEER_ADDRESS    0x0012u
#define STUN_ATTR_XOR_RELAYED_ADDRESS 0x0016u
#define STUN_FAMILY_IPV4              0x01u
#define STUN_FAMILY_IPV6              0x02u

/* An XOR-*-ADDRESS value (RFC 5389 section 15.2): reserved byte, family, port and address,
 * each XORed with the magic cookie (and for IPv6 the transaction id, which follows it in the
 * header). Returns false when the family or length does not fit. */
static bool xor_address(const uint8_t *msg, const uint8_t *value, size_t alen, uint16_t *port,
                        struct cmsedge_addr *addr)
{
    uint8_t bytes[16];
    if (alen < 4) /* not even the family and port: nothing here may be read */
        return false;
    size_t n = value[1] == STUN_FAMILY_IPV4 ? 4 : value[1] == STUN_FAMILY_IPV6 ? 16 : 0;
    if (n == 0 || alen < 4 + n)
        return false;
    *port = be16(value + 2) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16);
    for (size_t i = 0; i < n; i++)
        bytes[i] = value[4 + i] ^ msg[4 + i]; /* cookie, then transaction id: header bytes 4-19 */
    if (n == 4)
        cmsedge_addr_from_ipv4(addr, bytes);
    else
        cmsedge_addr_from_ipv6(addr, bytes);
    return true;
}

bool cmsedge_parse_stun(const uint8_t *msg, size_t len, struct cmsedge_stun_info *info)
{
    memset(info, 0, sizeof *info);
    if (len < STUN_HEADER_LEN || (msg[0] & 0xc0) != 0 || be32(msg + 4) != STUN_MAGIC_COOKIE)
        return false;
    info->type = be16(msg);
    size_t end = STUN_HEADER_LEN + (size_t)be16(msg + 2);
    if (end > len)
        end = len;
    for (size_t off = STUN_HEADER_LEN; off + 4 <= end;) {
        uint16_t type = be16(msg + off), alen = be16(msg + off + 2);
        size_t value = off + 4;
        if (value + alen > end)
            break;
        if (type == STUN_ATTR_ERROR_CODE && alen >= 4)
            info->error = (uint16_t)((msg[value + 2] & 0x07) * 100 + msg[value + 3]);
        else if (type == STUN_ATTR_XOR_RELAYED_ADDRESS && alen >= 4 && !info->has_relayed) {
            info->has_relayed = true;
            info->relayed_port = be16(msg + value + 2) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16);
            uint16_t port;
            if (!xor_address(msg, msg + value, alen, &port, &info->relayed_addr))
                memset(&info->relayed_addr, 0, sizeof info->relayed_addr);
        } else if (type == STUN_ATTR_LIFETIME && alen >= 4) {
            info->has_lifetime = true;
            info->lifetime = be32(msg + value);
        } else if (type == STUN_ATTR_XOR_PEER_ADDRESS && !info->has_peer) {
            info->has_peer =
                xor_address(msg, msg + value, alen, &info->peer_port, &info->peer_addr);
        } else if (type == STUN_ATTR_CHANNEL_NUMBER && alen >= 4) {
            info->channel = be16(msg + value);
        }
        off = value + ((alen + 3u) & ~3u); /* attributes are padded to 4 bytes */
    }
    return true;
}
