/* cmsedge: IPv4/IPv6 addresses and prefixes, independent of Wireshark's address type.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_ADDRESS_H
#define CMSEDGE_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cmsedge_addr {
    uint8_t family;    /* 4 or 6; 0 = none */
    uint8_t bytes[16]; /* network order; IPv4 uses the first 4 */
};

struct cmsedge_prefix {
    struct cmsedge_addr addr; /* host bits cleared */
    uint8_t len;              /* prefix length in bits */
};

void cmsedge_addr_from_ipv4(struct cmsedge_addr *a, const uint8_t bytes[4]);
void cmsedge_addr_from_ipv6(struct cmsedge_addr *a, const uint8_t bytes[16]);
bool cmsedge_addr_equal(const struct cmsedge_addr *a, const struct cmsedge_addr *b);
/* A hash of the address, for hash tables keyed by address. */
unsigned cmsedge_addr_hash(const struct cmsedge_addr *a);
/* Writes the textual form ("192.0.2.1", "2001:db8::1") into buf. */
void cmsedge_addr_format(const struct cmsedge_addr *a, char *buf, size_t len);
/* "192.0.2.1:5061", or "[2001:db8::1]:5061" for IPv6. */
void cmsedge_endpoint_format(const struct cmsedge_addr *a, uint16_t port, char *buf, size_t len);

/* Parses "ADDR" or "ADDR/LEN". On failure returns false and writes a message fit for a user
 * into err, e.g. "'10.0.0.300/24': not an IPv4 or IPv6 address". */
bool cmsedge_prefix_parse(const char *text, struct cmsedge_prefix *p, char *err, size_t errlen);
bool cmsedge_prefix_contains(const struct cmsedge_prefix *p, const struct cmsedge_addr *a);

#endif
