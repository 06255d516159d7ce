/* libFuzzer harness: first-byte payload recognition. The head is a heap copy of exactly the
 * bytes handed over, so reading past it is an ASan error.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t head_len = size < CMSEDGE_PAYLOAD_HEAD ? size : CMSEDGE_PAYLOAD_HEAD;
    uint8_t *head = malloc(head_len ? head_len : 1);
    struct cmsedge_media m;
    if (!head)
        return 0;
    memcpy(head, data, head_len);
    /* the datagram may be longer than the head we see, as in the plugin */
    size_t total = size + (size ? data[0] : 0);
    if (cmsedge_demux_media(head, head_len, total, &m)) {
        if (m.kind == CMSEDGE_MEDIA_NONE || (m.offset != 0 && m.offset != 4) || m.offset > total)
            abort();
    }
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
    free(msg);
    return 0;
}
