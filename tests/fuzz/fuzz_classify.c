/* libFuzzer harness: classification of arbitrary flows under arbitrary settings.
 *
 * The input's first bytes choose the settings and the flow; the rest is ignored. Besides
 * memory errors (ASan/UBSan), it checks the verdict's invariants.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/classify.h"

struct reader {
    const uint8_t *p;
    size_t n;
};

static unsigned take(struct reader *r, unsigned bytes)
{
    unsigned v = 0;
    while (bytes--) {
        v = v << 8 | (r->n ? *r->p : 0);
        if (r->n)
            r->p++, r->n--;
    }
    return v;
}

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = {data, size};
    struct cmsedge_settings s;
    struct cmsedge_flow f;
    struct cmsedge_verdict v;
    char text[256];

    cmsedge_settings_defaults(&s);
    s.size = (enum cmsedge_size)(take(&r, 1) % CMSEDGE_SIZE_COUNT);
    s.traversal_zones = take(&r, 1) % (CMSEDGE_MAX_TRAVERSAL_ZONES + 1);
    s.demux_ports = take(&r, 1) & 1;
    s.relay.lo = (uint16_t)take(&r, 2);
    s.relay.hi = (uint16_t)take(&r, 2);
    s.ms_media.lo = (uint16_t)take(&r, 2);
    s.ms_media.hi = (uint16_t)take(&r, 2);
    s.turn_tcp_port = (uint16_t)take(&r, 2);
    s.admin_port = (uint16_t)take(&r, 2);
    s.mra = take(&r, 1) & 1;
    s.version = take(&r, 3);

    memset(&f, 0, sizeof f);
    f.transport = take(&r, 1) & 1 ? CMSEDGE_TRANSPORT_TCP : CMSEDGE_TRANSPORT_UDP;
    f.src.family = f.dst.family = take(&r, 1) & 1 ? 6 : 4;
    for (int i = 0; i < 16; i++)
        f.src.bytes[i] = (uint8_t)take(&r, 1),
        f.dst.bytes[i] = f.src.bytes[i] ^ (uint8_t)take(&r, 1);
    f.sport = (uint16_t)take(&r, 2);
    f.dport = (uint16_t)take(&r, 2);
    f.src_role = (enum cmsedge_role)(take(&r, 1) % CMSEDGE_ROLE_ANY);
    f.dst_role = (enum cmsedge_role)(take(&r, 1) % CMSEDGE_ROLE_ANY);
    f.hint = (int)(take(&r, 1) % (CMSEDGE_APP_COUNT + 3)) - 3;

    cmsedge_classify(&s, &f, &v);

    check(v.n_matches <= CMSEDGE_MAX_MATCHES && v.findings.n <= CMSEDGE_MAX_FINDINGS);
    check(!v.offspec || v.judged);
    check(!v.unmatched || v.n_matches == 0);
    check(!v.near_miss || (v.unmatched && v.offspec && v.reason[0] && v.nearest));
    check(memchr(v.reason, 0, sizeof v.reason) != NULL);
    for (size_t i = 0; i < v.n_matches; i++) {
        cmsedge_match_label(&v.matches[i], text, sizeof text);
        check(text[0] != 0);
        cmsedge_cell_describe(&v.matches[i].row->dst.ports, &s, text, sizeof text);
        check(memchr(text, 0, sizeof text) != NULL);
    }
    for (size_t i = 0; i < v.findings.n; i++)
        check(v.findings.items[i].footnote >= 1 && v.findings.items[i].footnote <= 6);
    return 0;
}
