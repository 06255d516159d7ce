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

/* RFC 5389 section 6 header, section 15 attributes; RFC 5766 XOR-RELAYED-ADDRESS. */
#define STUN_ATTR_ERROR_CODE          0x0009u
#define STUN_ATTR_XOR_RELAYED_ADDRESS 0x0016u

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
        else if (type == STUN_ATTR_XOR_RELAYED_ADDRESS && alen >= 4) {
            info->has_relayed = true;
            info->relayed_port = be16(msg + value + 2) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16);
        }
        off = value + ((alen + 3u) & ~3u); /* attributes are padded to 4 bytes */
    }
    return true;
}
