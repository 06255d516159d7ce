/* cmsedge: media over the packets of one flow direction (see include/cmsedge/media.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/media.h"

#include <string.h>

#define STUN_HEADER_LEN   20
#define STUN_MAGIC_COOKIE 0x2112A442u /* RFC 5389 section 6 */
#define DTLS_HEADER_LEN   13
#define RTP_HEADER_LEN    12
#define MUX_ID_LEN        4
#define RTCP_SR           200
#define RTCP_RR           201
#define SEQ_AHEAD         64 /* how far a sequence number may jump between packets of a stream */

enum { TRACK_NOTHING = 0, TRACK_CANDIDATE, TRACK_STREAM };

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static bool is_stun(const uint8_t *h, size_t hl, size_t total)
{
    if (hl < 8 || total < STUN_HEADER_LEN || (h[0] & 0xC0) != 0)
        return false;
    size_t len = be16(h + 2);
    return len % 4 == 0 && STUN_HEADER_LEN + len == total && be32(h + 4) == STUN_MAGIC_COOKIE;
}

/* Content types 20-25 (RFC 6347, RFC 9147), DTLS 1.0 or 1.2, a length that fits. */
static bool is_dtls(const uint8_t *h, size_t hl, size_t total)
{
    if (hl < DTLS_HEADER_LEN || h[0] < 20 || h[0] > 25)
        return false;
    return h[1] == 0xFE && (h[2] == 0xFF || h[2] == 0xFD) &&
           DTLS_HEADER_LEN + (size_t)be16(h + 11) <= total;
}

/* RFC 3550 section 6.1: a compound packet starts with SR or RR; each packet's length (in
 * 32-bit words, minus one) leads to the next, and the last one ends the datagram. Report
 * blocks are 6 words each, after 6 words of sender info (SR) or 1 word of SSRC (RR). */
static bool is_rtcp(const uint8_t *h, size_t hl, size_t total)
{
    if (hl < 4 || (h[0] & 0xC0) != 0x80 || (h[1] != RTCP_SR && h[1] != RTCP_RR))
        return false;
    size_t rc = h[0] & 0x1F, words = be16(h + 2);
    if (words < (h[1] == RTCP_SR ? 6 : 1) + 6 * rc)
        return false;
    size_t off = 0;
    while (off + 4 <= hl && off < total) {
        const uint8_t *p = h + off;
        if ((p[0] & 0xC0) != 0x80 || p[1] < 192 || p[1] > 223)
            return false;
        off += ((size_t)be16(p + 2) + 1) * 4;
    }
    /* walked to the end, or to the end of what head holds; never past the datagram */
    return off <= total;
}

/* RFC 3550 section 5.1: version 2, payload types outside RTCP's 64-95 (RFC 5761 section 4),
 * CSRCs and a header extension that fit. */
static bool rtp_header(const uint8_t *h, size_t hl, size_t total)
{
    if (hl < RTP_HEADER_LEN || total < RTP_HEADER_LEN || (h[0] & 0xC0) != 0x80)
        return false;
    unsigned pt = h[1] & 0x7F, cc = h[0] & 0x0F;
    if (pt >= 64 && pt <= 95)
        return false;
    size_t len = RTP_HEADER_LEN + 4u * cc;
    if ((h[0] & 0x10) && len + 4 <= hl)
        len += 4 + 4u * be16(h + len + 2);
    return len <= total;
}

/* Does this RTP packet continue the track's stream or candidate? */
static bool continues(const struct cmsedge_media_track *t, uint32_t ssrc, uint16_t seq, bool muxed,
                      uint32_t mux_id)
{
    if (t->state == TRACK_NOTHING || t->ssrc != ssrc || t->muxed != muxed ||
        (muxed && t->mux_id != mux_id))
        return false;
    if (t->state == TRACK_STREAM)
        return true;
    uint16_t ahead = (uint16_t)(seq - t->seq);
    return ahead >= 1 && ahead <= SEQ_AHEAD;
}

static bool follow_rtp(struct cmsedge_media_track *t, const uint8_t *head, size_t hl, size_t total,
                       struct cmsedge_media *m)
{
    bool muxed = false;
    const uint8_t *h = head;
    if (!rtp_header(head, hl, total)) {
        if (hl <= MUX_ID_LEN || total <= MUX_ID_LEN ||
            !rtp_header(head + MUX_ID_LEN, hl - MUX_ID_LEN, total - MUX_ID_LEN))
            return false;
        muxed = true;
        h = head + MUX_ID_LEN;
    }
    uint32_t ssrc = be32(h + 8), mux_id = muxed ? be32(head) : 0;
    uint16_t seq = be16(h + 2);
    bool ok = continues(t, ssrc, seq, muxed, mux_id);
    t->state = ok ? TRACK_STREAM : TRACK_CANDIDATE;
    t->ssrc = ssrc, t->seq = seq, t->muxed = muxed, t->mux_id = mux_id;
    if (!ok)
        return false;
    m->kind = CMSEDGE_MEDIA_RTP;
    m->offset = muxed ? MUX_ID_LEN : 0;
    m->mux_id = mux_id;
    return true;
}

bool cmsedge_media_follow(struct cmsedge_media_track *t, const uint8_t *head, size_t head_len,
                          size_t total_len, unsigned allow, struct cmsedge_media *m)
{
    memset(m, 0, sizeof *m);
    if (!head || head_len > total_len || head_len == 0)
        return false;
    if ((allow & CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_STUN)) && is_stun(head, head_len, total_len)) {
        m->kind = CMSEDGE_MEDIA_STUN;
        return true;
    }
    if ((allow & CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_DTLS)) && is_dtls(head, head_len, total_len)) {
        m->kind = CMSEDGE_MEDIA_DTLS;
        return true;
    }
    if (allow & CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTCP)) {
        if (is_rtcp(head, head_len, total_len)) {
            m->kind = CMSEDGE_MEDIA_RTCP;
            return true;
        }
        if (head_len > MUX_ID_LEN && t->muxed && t->state == TRACK_STREAM &&
            be32(head) == t->mux_id &&
            is_rtcp(head + MUX_ID_LEN, head_len - MUX_ID_LEN, total_len - MUX_ID_LEN)) {
            m->kind = CMSEDGE_MEDIA_RTCP;
            m->offset = MUX_ID_LEN;
            m->mux_id = t->mux_id;
            return true;
        }
    }
    if (allow & CMSEDGE_MEDIA_BIT(CMSEDGE_MEDIA_RTP))
        return follow_rtp(t, head, head_len, total_len, m);
    return false;
}
