/* cmsedge: the Call-ID, method, status and SDP media of a clear-text SIP message
 * (see include/cmsedge/sip.h).
 *
 * RFC 3261 section 7 gives the message's shape: a start line, header fields up to an empty
 * line, then the body. Compact header names (section 7.3.3: i, l, c) are accepted, header
 * names in any case. Lines end in CRLF; a bare LF is taken too, as the SIP dissector does.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "cmsedge/sip.h"

#include <string.h>

#define SIP_VERSION     "SIP/2.0"
#define SIP_VERSION_LEN 7

struct line {
    const char *p;
    size_t len;
};

/* The line at *pos, without its end; advances *pos past it. False at the end of the text. */
static bool next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
    if (*pos >= len)
        return false;
    const char *start = text + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t n = nl ? (size_t)(nl - start) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    if (n && start[n - 1] == '\r')
        n--;
    l->p = start;
    l->len = n;
    return true;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool equal_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != b[i])
            return false;
    return true;
}

static bool starts_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen >= blen && equal_nocase(a, blen, b);
}

static void skip_space(struct line *l)
{
    while (l->len && (l->p[0] == ' ' || l->p[0] == '\t'))
        l->p++, l->len--;
}

static void trim_end(struct line *l)
{
    while (l->len && (l->p[l->len - 1] == ' ' || l->p[l->len - 1] == '\t'))
        l->len--;
}

static enum cmsedge_sip_method method_of(const char *p, size_t len)
{
    static const struct {
        const char *name;
        enum cmsedge_sip_method method;
    } methods[] = {{"INVITE", CMSEDGE_SIP_INVITE},
                   {"ACK", CMSEDGE_SIP_ACK},
                   {"BYE", CMSEDGE_SIP_BYE},
                   {"CANCEL", CMSEDGE_SIP_CANCEL}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strlen(methods[i].name) == len && memcmp(p, methods[i].name, len) == 0)
            return methods[i].method;
    return CMSEDGE_SIP_OTHER;
}

/* A decimal number of at most `digits` digits at the start of l; advances past it. */
static bool number(struct line *l, unsigned digits, unsigned long *out)
{
    unsigned long v = 0;
    size_t n = 0;
    while (n < l->len && n < digits && l->p[n] >= '0' && l->p[n] <= '9')
        v = v * 10 + (unsigned long)(l->p[n++] - '0');
    if (!n || (n < l->len && l->p[n] >= '0' && l->p[n] <= '9'))
        return false;
    l->p += n, l->len -= n;
    *out = v;
    return true;
}

/* "SIP/2.0 200 OK" or "INVITE sip:x SIP/2.0". */
static bool start_line(struct line l, struct cmsedge_sip_info *info)
{
    if (l.len > SIP_VERSION_LEN && memcmp(l.p, SIP_VERSION " ", SIP_VERSION_LEN + 1) == 0) {
        unsigned long code;
        l.p += SIP_VERSION_LEN + 1, l.len -= SIP_VERSION_LEN + 1;
        if (!number(&l, 3, &code) || code < 100 || code > 699)
            return false;
        info->request = false;
        info->status = (uint16_t)code;
        return true;
    }
    size_t m = 0;
    while (m < l.len && ((l.p[m] >= 'A' && l.p[m] <= 'Z') || l.p[m] == '-'))
        m++;
    if (!m || m >= l.len || l.p[m] != ' ' || l.len < m + 1 + SIP_VERSION_LEN + 1 ||
        memcmp(l.p + l.len - SIP_VERSION_LEN - 1, " " SIP_VERSION, SIP_VERSION_LEN + 1) != 0)
        return false;
    info->request = true;
    info->method = (uint8_t)method_of(l.p, m);
    return true;
}

/* An address of an SDP c= line: "IN IP4 192.0.2.1" (a multicast "/ttl" is dropped). */
static bool connection_address(struct line l, struct cmsedge_addr *out)
{
    if (!starts_nocase(l.p, l.len, "in ip4 ") && !starts_nocase(l.p, l.len, "in ip6 "))
        return false;
    l.p += 7, l.len -= 7;
    skip_space(&l);
    trim_end(&l);
    char text[64];
    size_t n = 0;
    while (n < l.len && n < sizeof text - 1 && l.p[n] != '/' && l.p[n] != ' ')
        text[n] = l.p[n], n++;
    text[n] = '\0';
    struct cmsedge_prefix prefix;
    char err[8];
    if (!n || !cmsedge_prefix_parse(text, &prefix, err, sizeof err))
        return false;
    static const uint8_t zero[16];
    if (memcmp(prefix.addr.bytes, zero, sizeof zero) == 0)
        return false; /* 0.0.0.0: a call on hold says where no media goes */
    *out = prefix.addr;
    return true;
}

/* "audio 49170 RTP/AVP 0" (the port may carry "/count"). */
static bool media_line(struct line l, struct cmsedge_sdp_media *m)
{
    size_t n = 0;
    memset(m, 0, sizeof *m);
    while (n < l.len && l.p[n] != ' ')
        n++;
    if (!n || n >= l.len)
        return false;
    size_t keep = n < sizeof m->media - 1 ? n : sizeof m->media - 1;
    memcpy(m->media, l.p, keep);
    l.p += n, l.len -= n;
    skip_space(&l);
    unsigned long port;
    if (!number(&l, 5, &port) || port > 65535)
        return false;
    m->port = (uint16_t)port;
    return true;
}

static void sdp(const char *body, size_t len, struct cmsedge_sip_info *info)
{
    struct cmsedge_addr session = {0};
    struct cmsedge_sdp_media all[CMSEDGE_SDP_MAX_MEDIA];
    bool own[CMSEDGE_SDP_MAX_MEDIA] = {false};
    size_t n = 0, pos = 0;
    bool in_media = false, skipping = false; /* past the last kept m= line */
    struct line l;
    while (next_line(body, len, &pos, &l)) {
        if (l.len < 2 || l.p[1] != '=')
            continue;
        struct line value = {l.p + 2, l.len - 2};
        if (l.p[0] == 'm') {
            in_media = true;
            skipping = n >= CMSEDGE_SDP_MAX_MEDIA || !media_line(value, &all[n]);
            if (!skipping)
                own[n++] = false;
        } else if (l.p[0] == 'c') {
            struct cmsedge_addr a;
            if (!connection_address(value, &a))
                a.family = 0; /* unreadable or on hold: no address for what it governs */
            if (!in_media)
                session = a;
            else if (!skipping)
                all[n - 1].addr = a, own[n - 1] = true;
        }
    }
    info->has_sdp = true;
    for (size_t i = 0; i < n; i++) {
        if (!own[i])
            all[i].addr = session;
        if (all[i].addr.family && all[i].port)
            info->media[info->n_media++] = all[i];
    }
}

bool cmsedge_parse_sip(const uint8_t *msg, size_t len, struct cmsedge_sip_info *info)
{
    const char *text = (const char *)msg;
    size_t pos = 0;
    struct line l;
    memset(info, 0, sizeof *info);
    if (!msg || !next_line(text, len, &pos, &l) || !start_line(l, info))
        return false;
    bool has_length = false, is_sdp = false, ended = false;
    unsigned long length = 0;
    while (next_line(text, len, &pos, &l)) {
        if (!l.len) {
            ended = true;
            break;
        }
        const char *colon = memchr(l.p, ':', l.len);
        if (!colon)
            continue;
        struct line name = {l.p, (size_t)(colon - l.p)}, value = {colon + 1, 0};
        value.len = l.len - name.len - 1;
        trim_end(&name);
        skip_space(&value);
        trim_end(&value);
        if (equal_nocase(name.p, name.len, "call-id") || equal_nocase(name.p, name.len, "i")) {
            size_t n =
                value.len < CMSEDGE_SIP_CALL_ID_MAX - 1 ? value.len : CMSEDGE_SIP_CALL_ID_MAX - 1;
            memcpy(info->call_id, value.p, n);
            info->call_id[n] = '\0';
        } else if (equal_nocase(name.p, name.len, "cseq")) {
            unsigned long seq;
            if (number(&value, 10, &seq)) {
                skip_space(&value);
                if (!info->request)
                    info->method = (uint8_t)method_of(value.p, value.len);
            }
        } else if (equal_nocase(name.p, name.len, "content-length") ||
                   equal_nocase(name.p, name.len, "l")) {
            has_length = number(&value, 9, &length);
        } else if (equal_nocase(name.p, name.len, "content-type") ||
                   equal_nocase(name.p, name.len, "c")) {
            is_sdp = starts_nocase(value.p, value.len, "application/sdp");
        }
    }
    if (!info->call_id[0])
        return false;
    /* without Content-Length (allowed over UDP) the body is the rest of the datagram; a body
     * longer than what is here was cut short, and a part of an SDP could mislead */
    size_t rest = len - pos;
    if (ended && is_sdp && (!has_length || length <= rest))
        sdp(text + pos, has_length ? (size_t)length : rest, info);
    return true;
}

const char *cmsedge_sip_method_name(enum cmsedge_sip_method method)
{
    switch (method) {
    case CMSEDGE_SIP_INVITE:
        return "INVITE";
    case CMSEDGE_SIP_ACK:
        return "ACK";
    case CMSEDGE_SIP_BYE:
        return "BYE";
    case CMSEDGE_SIP_CANCEL:
        return "CANCEL";
    default:
        return "other";
    }
}
