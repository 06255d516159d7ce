/* libFuzzer harness: payload recognition, the media follower over a stream of datagrams cut
 * from the input, the STUN attribute walk and the SIP/SDP parser. Heads are heap copies of exactly
 * the bytes handed over, so reading past them is an ASan error. SPDX-License-Identifier:
 * GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/media.h"
#include "cmsedge/payload.h"
#include "cmsedge/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What any parsed SIP message holds: a Call-ID, a status only on responses, media ends with an
 * address and a port, as many as fit. */
static void check_sip(const struct cmsedge_sip_info *sip)
{
    if (!sip->call_id[0] || !memchr(sip->call_id, 0, sizeof sip->call_id) ||
        (sip->request && sip->status) ||
        (!sip->request && (sip->status < 100 || sip->status > 699)) ||
        sip->n_media > CMSEDGE_SDP_MAX_MEDIA || (sip->n_media && !sip->has_sdp))
        abort();
    for (size_t i = 0; i < sip->n_media; i++)
        if (!sip->media[i].port ||
            (sip->media[i].addr.family != 4 && sip->media[i].addr.family != 6) ||
            !memchr(sip->media[i].media, 0, sizeof sip->media[i].media))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t head_len = size < CMSEDGE_PAYLOAD_HEAD ? size : CMSEDGE_PAYLOAD_HEAD;
    uint8_t *head = malloc(head_len ? head_len : 1);
    struct cmsedge_media m;
    struct cmsedge_media_track track = {0};
    if (!head)
        return 0;
    /* datagrams: a length byte, then that many bytes, each one the next of a flow direction;
     * the datagram may be longer than the head the follower sees, as in the plugin */
    for (size_t off = 0; off < size;) {
        size_t len = data[off++], avail = size - off < len ? size - off : len;
        size_t seen = avail < CMSEDGE_MEDIA_HEAD ? avail : CMSEDGE_MEDIA_HEAD;
        uint8_t *dgram = malloc(seen ? seen : 1);
        if (!dgram)
            break;
        memcpy(dgram, data + off, seen);
        if (cmsedge_media_follow(&track, dgram, seen, len, ~0u, &m) &&
            (m.kind == CMSEDGE_MEDIA_NONE || (m.offset != 0 && m.offset != 4)))
            abort();
        free(dgram);
        off += avail;
    }
    memcpy(head, data, head_len);
    cmsedge_looks_like_tls(head, head_len);
    cmsedge_looks_like_sip(head, head_len);
    cmsedge_looks_like_ssh(head, head_len);
    free(head);

    /* STUN attribute walk: a heap copy of the whole input, so over-reads are caught */
    uint8_t *msg = malloc(size ? size : 1);
    struct cmsedge_stun_info info;
    if (!msg)
        return 0;
    memcpy(msg, data, size);
    if (cmsedge_parse_stun(msg, size, &info) && info.error > 7 * 100 + 255)
        abort(); /* the error class is 3 bits, the number one byte */
    if ((info.has_peer && info.peer_addr.family != 4 && info.peer_addr.family != 6) ||
        (!info.has_peer && (info.peer_port || info.peer_addr.family)) ||
        (info.relayed_addr.family && !info.has_relayed) ||
        (info.relayed_addr.family && info.relayed_addr.family != 4 &&
         info.relayed_addr.family != 6) ||
        (!info.has_lifetime && info.lifetime))
        abort(); /* an address only with its attribute, and only IPv4 or IPv6 */
    free(msg);

    /* SIP and SDP: a heap copy of the whole input again */
    uint8_t *text = malloc(size ? size : 1);
    struct cmsedge_sip_info sip;
    if (!text)
        return 0;
    memcpy(text, data, size);
    if (cmsedge_parse_sip(text, size, &sip)) {
        check_sip(&sip);
    }
    free(text);
    return 0;
}
