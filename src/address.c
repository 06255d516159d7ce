/* cmsedge: IPv4/IPv6 address and prefix parsing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include "cmsedge/address.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cmsedge_addr_from_ipv4(struct cmsedge_addr *a, const uint8_t bytes[4])
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    memcpy(a->bytes, bytes, 4);
}

void cmsedge_addr_from_ipv6(struct cmsedge_addr *a, const uint8_t bytes[16])
{
    memset(a, 0, sizeof *a);
    a->family = 6;
    memcpy(a->bytes, bytes, 16);
}

bool cmsedge_addr_equal(const struct cmsedge_addr *a, const struct cmsedge_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* Four words mixed in turn rather than sixteen bytes one by one: every frame hashes two or more
 * addresses (hosts, flows, inference), so this is on the per-frame path. */
unsigned cmsedge_addr_hash(const struct cmsedge_addr *a)
{
    uint32_t w[4];
    uint32_t h = 0x9e3779b9u * (a->family + 1u);
    memcpy(w, a->bytes, sizeof w);
    for (size_t i = 0; i < 4; i++) {
        h = (h ^ w[i]) * 0x85ebca6bu;
        h ^= h >> 15;
    }
    return h;
}

void cmsedge_addr_format(const struct cmsedge_addr *a, char *buf, size_t len)
{
    if (len == 0)
        return;
    buf[0] = '\0';
    if (a->family == 4 || a->family == 6)
        inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf, (socklen_t)len);
}

void cmsedge_endpoint_format(const struct cmsedge_addr *a, uint16_t port, char *buf, size_t len)
{
    char addr[64];
    cmsedge_addr_format(a, addr, sizeof addr);
    snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", addr, port);
}

static void clear_host_bits(struct cmsedge_prefix *p)
{
    unsigned bits = p->addr.family == 4 ? 32 : 128;
    for (unsigned i = p->len; i < bits; i++)
        p->addr.bytes[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

bool cmsedge_prefix_parse(const char *text, struct cmsedge_prefix *p, char *err, size_t errlen)
{
    char host[INET6_ADDRSTRLEN + 8];
    const char *slash;
    size_t hostlen;

    if (!text || !*text) {
        snprintf(err, errlen, "empty address");
        return false;
    }
    slash = strchr(text, '/');
    hostlen = slash ? (size_t)(slash - text) : strlen(text);
    if (hostlen >= sizeof host) {
        snprintf(err, errlen, "'%s': not an IPv4 or IPv6 address", text);
        return false;
    }
    memcpy(host, text, hostlen);
    host[hostlen] = '\0';

    memset(p, 0, sizeof *p);
    if (inet_pton(AF_INET, host, p->addr.bytes) == 1) {
        p->addr.family = 4;
    } else if (inet_pton(AF_INET6, host, p->addr.bytes) == 1) {
        p->addr.family = 6;
    } else {
        snprintf(err, errlen, "'%s': not an IPv4 or IPv6 address", text);
        return false;
    }

    unsigned max = p->addr.family == 4 ? 32 : 128;
    p->len = (uint8_t)max;
    if (slash) {
        char *end;
        const char *digits = slash + 1;
        long len = strtol(digits, &end, 10);
        if (*digits < '0' || *digits > '9' || *end != '\0' || len < 0 || (unsigned long)len > max) {
            snprintf(err, errlen, "'%s': prefix length must be 0-%u for IPv%u", text, max,
                     p->addr.family);
            return false;
        }
        p->len = (uint8_t)len;
    }
    clear_host_bits(p);
    return true;
}

bool cmsedge_prefix_contains(const struct cmsedge_prefix *p, const struct cmsedge_addr *a)
{
    if (p->addr.family != a->family)
        return false;
    unsigned whole = p->len / 8, rest = p->len % 8;
    if (memcmp(p->addr.bytes, a->bytes, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (p->addr.bytes[whole] & mask) == (a->bytes[whole] & mask);
}
