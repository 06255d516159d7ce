/* cmsedge unit tests: building flows and reading verdicts.
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_TEST_UTIL_H
#define CMSEDGE_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the includes above first */
#include <cmocka.h>

#include "cmsedge/classify.h"

#define UDP CMSEDGE_TRANSPORT_UDP
#define TCP CMSEDGE_TRANSPORT_TCP

/* A flow between two fixed IPv4 hosts (192.0.2.1 -> 192.0.2.2). */
struct cmsedge_flow test_flow(unsigned transport, enum cmsedge_role src_role, uint16_t sport,
                              enum cmsedge_role dst_role, uint16_t dport, int hint);
/* The IPv4 address 192.0.2.<last>. */
struct cmsedge_addr test_host(uint8_t last);
/* Classify under s (defaults when NULL). */
void test_classify(const struct cmsedge_settings *s, const struct cmsedge_flow *f,
                   struct cmsedge_verdict *v);
/* The match for row id, or NULL. */
const struct cmsedge_match *test_find(const struct cmsedge_verdict *v, const char *id);
/* The finding for a footnote, or NULL. */
const struct cmsedge_finding *test_finding(const struct cmsedge_verdict *v, unsigned footnote);

#endif
