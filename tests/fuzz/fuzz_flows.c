/* libFuzzer harness: a capture's worth of arbitrary frames through the core's per-frame entry
 * point, as the plugin drives it (classification, services, per-flow checks, role inference),
 * every frame annotated again as a second pass would, the audit, and the audit written in one of
 * its three forms; the calls and the firewall verdict (with the relays' evidence from the calls)
 * follow the same frames (SIP messages among them, for the traversal calls), the verdict is
 * written in one of its five forms and the calls in one of their three.
 *
 * Each frame takes 16 bytes of input. Hosts come from a pool of four, so flows repeat and
 * state builds up. Memory errors and leaks are the sanitizers'; the invariants are checked here.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsedge/audit.h"
#include "cmsedge/calls.h"
#include "cmsedge/capture.h"
#include "cmsedge/firewall.h"

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

/* Invariants of any annotation. */
static void check_annotation(const struct cmsedge_annotation *an)
{
    check(an->findings.n <= CMSEDGE_MAX_FINDINGS && an->n_new_roles <= CMSEDGE_MAX_NEW_ROLES);
    for (size_t i = 0; i < an->findings.n; i++)
        check(an->findings.items[i].kind < CMSEDGE_FINDING_COUNT && an->findings.items[i].text[0] &&
              memchr(an->findings.items[i].text, 0, sizeof an->findings.items[i].text));
    check((an->offspec == CMSEDGE_OFFSPEC_NONE) == (an->offspec_reason == NULL));
    check(an->offspec != CMSEDGE_OFFSPEC_NEAR_MISS || (an->verdict.nearest && an->verdict.judged));
    check(!an->verdict.near_miss || an->verdict.n_matches == 0);
    check(!an->service.service || an->verdict.n_matches == 0);
    /* between hosts with no role, only Expressway-specific rows, and never a warning */
    if (!an->verdict.judged && !an->icmp_error) {
        check(an->offspec == CMSEDGE_OFFSPEC_NONE || an->offspec == CMSEDGE_OFFSPEC_CHECK);
        for (size_t i = 0; i < an->verdict.n_matches; i++)
            check(an->verdict.matches[i].row->evidence == CMSEDGE_EVIDENCE_SPECIFIC);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cmsedge_settings s;
    struct cmsedge_hostmap *hosts = cmsedge_hostmap_new();
    struct cmsedge_capture *c = cmsedge_capture_new();
    struct cmsedge_audit *a = cmsedge_audit_new();
    struct cmsedge_calls *calls = cmsedge_calls_new();
    struct cmsedge_firewall *fw = cmsedge_firewall_new();
    struct cmsedge_annotation *an = malloc(sizeof *an), *again = malloc(sizeof *again);
    size_t n_frames = size / FRAME_BYTES;
    struct cmsedge_frame *frames = calloc(n_frames ? n_frames : 1, sizeof *frames);
    struct cmsedge_sip_info *sips = calloc(n_frames ? n_frames : 1, sizeof *sips);

    cmsedge_settings_defaults(&s);
    /* the first byte configures the role of host 192.0.2.0 (or nobody's) */
    if (size) {
        enum cmsedge_role role = (enum cmsedge_role)(data[0] % CMSEDGE_ROLE_ANY);
        if (role != CMSEDGE_ROLE_NONE) {
            struct cmsedge_prefix pfx;
            const uint8_t h[4] = {192, 0, 2, 0};
            cmsedge_addr_from_ipv4(&pfx.addr, h);
            pfx.len = 32;
            check(cmsedge_hostmap_add(hosts, &pfx, role, "", CMSEDGE_ORIGIN_CONFIGURED));
        }
    }
    cmsedge_capture_configure(c, &s, hosts, true);
    for (size_t k = 0; k < n_frames; k++) {
        const uint8_t *p = data + k * FRAME_BYTES;
        struct cmsedge_frame *fr = &frames[k];
        const uint8_t src[4] = {192, 0, 2, (uint8_t)(p[0] & 3)};
        const uint8_t dst[4] = {192, 0, 2, (uint8_t)((p[0] >> 2) & 3)};

        cmsedge_addr_from_ipv4(&fr->src, src);
        cmsedge_addr_from_ipv4(&fr->dst, dst);
        fr->transport = p[0] & 0x10 ? CMSEDGE_TRANSPORT_TCP : CMSEDGE_TRANSPORT_UDP;
        fr->sport = be16(p + 1);
        fr->dport = be16(p + 3);
        fr->hint = (int)(p[5] % (CMSEDGE_APP_COUNT + 3)) - 3;
        fr->facts.frame = (uint32_t)k + 1;
        fr->facts.length = p[6];
        fr->facts.tcp_flags = p[7];
        fr->facts.tcp_seq = p[8] & 1; /* two values: SYNs both repeat and start anew */
        fr->facts.icmp = (uint8_t)((p[8] >> 1) % 5); /* includes one value past the enum */
        fr->facts.quoted_src = fr->dst;
        fr->facts.quoted_dst = fr->src;
        fr->facts.stun_type = be16(p + 9);
        fr->facts.stun_error = be16(p + 11);
        fr->facts.has_relayed = p[13] & 1;
        fr->facts.relayed_port = be16(p + 14);
        /* a SIP message: four Call-IDs and SDP ends among the hosts, so dialogs and media meet */
        if (fr->hint == CMSEDGE_APP_SIP && (p[13] & 2)) {
            struct cmsedge_sip_info *sip = &sips[k];
            const uint8_t at[4] = {192, 0, 2, (uint8_t)(p[14] & 3)};
            sip->request = p[10] & 0x80;
            sip->method = (uint8_t)(p[10] % 6); /* one value past the enum */
            sip->status = sip->request ? 0 : (uint16_t)(100 + be16(p + 11) % 600);
            sip->call_id[0] = (char)('a' + (p[12] & 3));
            sip->has_sdp = p[13] & 4;
            sip->n_media = sip->has_sdp ? (size_t)(p[13] >> 6) : 0;
            for (size_t m = 0; m < sip->n_media; m++) {
                cmsedge_addr_from_ipv4(&sip->media[m].addr, at);
                sip->media[m].port = (uint16_t)(be16(p + 14) + m);
            }
            fr->sip = sip;
        }
        fr->facts.time = (double)(k + 1) * (p[15] & 0x80 ? 0.4 : 0.001); /* timing windows */

        cmsedge_capture_annotate(c, fr, true, an);
        check_annotation(an);
        cmsedge_audit_add(a, an, &fr->facts);
        struct cmsedge_call_ref ref;
        if (cmsedge_calls_feed(calls, fr, an, &ref))
            check(ref.call >= 1 && ref.call <= cmsedge_calls_count(calls));
        cmsedge_firewall_add(fw, an, &fr->facts);
    }
    /* a second pass, in another order, reads back what the first pass found */
    for (size_t k = n_frames; k-- > 0;) {
        cmsedge_capture_annotate(c, &frames[k], false, again);
        check_annotation(again);
    }
    const struct cmsedge_infer *in = cmsedge_capture_inferred(c);
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
    {
        int format = size ? data[0] % 5 : CMSEDGE_FW_TEXT;
        GString *out = g_string_new(NULL);
        cmsedge_firewall_relays(fw, calls);
        cmsedge_firewall_write(fw, &s, hosts, in, (enum cmsedge_fw_format)format, out);
        check(out->len > 0 && out->str[out->len - 1] == '\n');
        g_string_free(out, TRUE);
    }
    {
        int format = size > 1 ? data[1] % 3 : CMSEDGE_CALLS_TEXT;
        GString *out = g_string_new(NULL);
        check(cmsedge_calls_write(calls, (enum cmsedge_calls_format)format, out));
        check(out->len > 0 && out->str[out->len - 1] == '\n');
        g_string_free(out, TRUE);
    }
    cmsedge_firewall_free(fw);
    cmsedge_calls_free(calls);
    free(sips);
    cmsedge_audit_free(a);
    cmsedge_capture_free(c);
    cmsedge_hostmap_free(hosts);
    free(frames);
    free(an);
    free(again);
    return 0;
}
