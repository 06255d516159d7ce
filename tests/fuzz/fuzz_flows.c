/* libFuzzer harness: a capture's worth of arbitrary frames through the stateful core, as the
 * plugin drives it: classification, per-flow checks, role inference (with inferred roles fed
 * back), the audit, and the audit written in one of its three forms.
 *
 * Each frame takes 16 bytes of input. Hosts come from a pool of four, so flows repeat and
 * state builds up. Memory errors and leaks are the sanitizers'; the invariants are checked here.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/audit.h"
#include "cmsedge/checks.h"
#include "cmsedge/infer.h"

#define FRAME_BYTES 16

static void check(int ok)
{
    if (!ok)
        abort();
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cmsedge_settings s;
    struct cmsedge_tracker *t = cmsedge_tracker_new();
    struct cmsedge_infer *in = cmsedge_infer_new();
    struct cmsedge_audit *a = cmsedge_audit_new();
    struct cmsedge_verdict v;
    struct cmsedge_findings rep;
    uint32_t frame = 0;

    cmsedge_settings_defaults(&s);
    for (size_t off = 0; off + FRAME_BYTES <= size; off += FRAME_BYTES) {
        const uint8_t *p = data + off;
        struct cmsedge_flow f;
        struct cmsedge_facts facts;
        const uint8_t src[4] = {192, 0, 2, (uint8_t)(p[0] & 3)};
        const uint8_t dst[4] = {192, 0, 2, (uint8_t)((p[0] >> 2) & 3)};

        memset(&f, 0, sizeof f);
        memset(&facts, 0, sizeof facts);
        cmsedge_addr_from_ipv4(&f.src, src);
        cmsedge_addr_from_ipv4(&f.dst, dst);
        f.transport = p[0] & 0x10 ? CMSEDGE_TRANSPORT_TCP : CMSEDGE_TRANSPORT_UDP;
        f.sport = be16(p + 1);
        f.dport = be16(p + 3);
        f.hint = (int)(p[5] % (CMSEDGE_APP_COUNT + 2)) - 2;
        facts.frame = ++frame;
        facts.time = frame / 1000.0;
        facts.length = p[6];
        facts.tcp_flags = p[7];
        facts.tcp_retransmission = p[8] & 1;
        facts.icmp = (uint8_t)((p[8] >> 1) % 5); /* includes one value past the enum */
        facts.quoted_src = f.src;
        facts.quoted_dst = f.dst;
        facts.stun_type = be16(p + 9);
        facts.stun_error = be16(p + 11);
        facts.has_relayed = p[13] & 1;
        facts.relayed_port = be16(p + 14);

        /* roles: configured ones from the input (or none), else what inference found */
        enum cmsedge_role configured = (enum cmsedge_role)(p[0] >> 5);
        const struct cmsedge_inferred *is = cmsedge_infer_lookup(in, &f.src, frame);
        const struct cmsedge_inferred *id = cmsedge_infer_lookup(in, &f.dst, frame);
        f.src_role = configured ? configured : is ? is->role : CMSEDGE_ROLE_NONE;
        f.dst_role = id ? id->role : CMSEDGE_ROLE_NONE;

        cmsedge_classify(&s, &f, &v);
        cmsedge_tracker_observe(t, &s, &f, &v, &facts, p[13] & 2, &rep);
        check(rep.n <= CMSEDGE_MAX_FINDINGS);
        for (size_t i = 0; i < rep.n; i++)
            check(rep.items[i].kind < CMSEDGE_FINDING_COUNT && rep.items[i].text[0] &&
                  memchr(rep.items[i].text, 0, sizeof rep.items[i].text));
        cmsedge_infer_observe(in, &s, &f, &v, &facts);
        cmsedge_audit_add(a, &f, &v, &rep, &facts);
    }
    /* an inferred role is never applied to the frame that decided it, nor before */
    for (size_t i = 0; i < cmsedge_infer_count(in); i++) {
        const struct cmsedge_inferred *inf = cmsedge_infer_at(in, i);
        check(cmsedge_role_is_edge(inf->role));
        check(cmsedge_infer_lookup(in, &inf->addr, inf->since) == NULL);
        check(cmsedge_infer_lookup(in, &inf->addr, inf->since + 1) == inf);
    }
    /* one of the three forms per input: writing all 53 rows three times would dominate */
    {
        int format = size ? data[0] % 3 : CMSEDGE_AUDIT_TEXT;
        GString *out = g_string_new(NULL);
        cmsedge_audit_write(a, &s, in, (enum cmsedge_audit_format)format, out);
        check(out->len > 0 && out->str[out->len - 1] == '\n');
        if (format == CMSEDGE_AUDIT_JSON)
            check(out->str[0] == '{' && out->str[out->len - 2] == '}');
        g_string_free(out, TRUE);
    }
    cmsedge_audit_free(a);
    cmsedge_infer_free(in);
    cmsedge_tracker_free(t);
    return 0;
}
