/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test_util.h"

#include <string.h>

struct cmsedge_flow test_flow(unsigned transport, enum cmsedge_role src_role, uint16_t sport,
                              enum cmsedge_role dst_role, uint16_t dport, int hint)
{
    static const uint8_t a[4] = {192, 0, 2, 1}, b[4] = {192, 0, 2, 2};
    struct cmsedge_flow f;
    memset(&f, 0, sizeof f);
    f.transport = transport;
    cmsedge_addr_from_ipv4(&f.src, a);
    cmsedge_addr_from_ipv4(&f.dst, b);
    f.sport = sport, f.dport = dport;
    f.src_role = src_role, f.dst_role = dst_role;
    f.hint = hint;
    return f;
}

struct cmsedge_addr test_host(uint8_t last)
{
    struct cmsedge_addr a;
    const uint8_t b[4] = {192, 0, 2, last};
    cmsedge_addr_from_ipv4(&a, b);
    return a;
}

void test_classify(const struct cmsedge_settings *s, const struct cmsedge_flow *f,
                   struct cmsedge_verdict *v)
{
    struct cmsedge_settings defaults;
    if (!s) {
        cmsedge_settings_defaults(&defaults);
        s = &defaults;
    }
    cmsedge_classify(s, f, v);
}

const struct cmsedge_match *test_find(const struct cmsedge_verdict *v, const char *id)
{
    for (size_t i = 0; i < v->n_matches; i++) {
        if (strcmp(v->matches[i].row->id, id) == 0)
            return &v->matches[i];
    }
    return NULL;
}

const struct cmsedge_finding *test_finding(const struct cmsedge_verdict *v, unsigned footnote)
{
    for (size_t i = 0; i < v->findings.n; i++) {
        if (v->findings.items[i].footnote == footnote)
            return &v->findings.items[i];
    }
    return NULL;
}
