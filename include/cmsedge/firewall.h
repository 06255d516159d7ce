/* cmsedge: the firewall verdict. The rules each firewall of the deployment must allow, taken
 * from the reference rows that apply to it, and what a capture proves about each.
 *
 * A rule is one flow a firewall must let through: one transport, a source and a destination
 * (addresses from the hosts table or inferred, "any" for outside clients, or the role with
 * "address not seen"), their ports under the settings, the firewall it crosses, and every row
 * (of any table) that describes that same flow. Rows are merged when they agree on all of it.
 *
 * The capture is counted per row and transport (cmsedge_firewall_add), so the rule set can be
 * built at the end, when the inferred hosts are known. A rule is
 *   - blocked: a per-flow check found a blocked attempt (SYN unanswered while the other
 *     direction is seen, RST, ICMP unreachable) on one of its rows, or a TURN relay sent a
 *     peer media that the rule would let back in and no peer sent the relay anything
 *     (cmsedge_firewall_relays);
 *   - translated: traffic of its rows came from a source port a translating firewall rewrote,
 *     or (footnote 5) frames went to the Expressway-E's own public address and none came back
 *     reflected (NAT reflection missing);
 *   - works: traffic both ways (for UDP: the rule's direction, and the capture shows traffic
 *     back between the same hosts);
 *   - one-way: traffic in the rule's direction only, and nothing back between those hosts (the
 *     capture may hold one direction);
 *   - not exercised: no traffic at all; the capture cannot tell.
 * Each verdict carries the frames that prove it. Flows no rule covers are listed apart: near
 * misses (off-spec, with the reason) and other documented services.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FIREWALL_H
#define CMSEDGE_FIREWALL_H

#include <glib.h>

#include "cmsedge/capture.h"
#include "cmsedge/hostmap.h"
#include "cmsedge/infer.h"

/* The firewall a rule crosses. */
enum cmsedge_fw_wall {
    CMSEDGE_FW_OUTSIDE = 0, /* outside -> Expressway-E public (and NAT reflection) */
    CMSEDGE_FW_INTERNAL,    /* Expressway-E private <-> inside (Expressway-C, Meeting Server) */
    CMSEDGE_FW_INSIDE,      /* Expressway-C <-> Meeting Server / Unified CM */
    CMSEDGE_FW_LOCAL,       /* within the Expressway-E itself: no firewall */
    CMSEDGE_FW_WALL_COUNT
};

enum cmsedge_fw_verdict {
    CMSEDGE_FW_NOT_EXERCISED = 0,
    CMSEDGE_FW_ONE_WAY,
    CMSEDGE_FW_WORKS,
    CMSEDGE_FW_TRANSLATED,
    CMSEDGE_FW_BLOCKED,
};

enum cmsedge_fw_format {
    CMSEDGE_FW_TEXT = 0,
    CMSEDGE_FW_CSV,
    CMSEDGE_FW_JSON,
    CMSEDGE_FW_NFT,
    CMSEDGE_FW_ASA,
};

#define CMSEDGE_FW_MAX_RANGES 24
#define CMSEDGE_FW_MAX_HOSTS  8
#define CMSEDGE_FW_MAX_ROWS   8
#define CMSEDGE_FW_MAX_FRAMES 6

struct cmsedge_fw_ports {
    size_t n;
    struct cmsedge_port_range r[CMSEDGE_FW_MAX_RANGES]; /* ascending, disjoint */
};

/* One end of a rule. */
struct cmsedge_fw_end {
    uint8_t role;   /* enum cmsedge_role the end plays (an Expressway-E with its interface) */
    bool any;       /* any address: an outside client or "Any IP address" */
    size_t n_hosts; /* known addresses: configured, then inferred */
    struct cmsedge_prefix hosts[CMSEDGE_FW_MAX_HOSTS];
    bool inferred[CMSEDGE_FW_MAX_HOSTS];
    char label[64];       /* "Expressway-C", "any guest", "Expressway-E private IP" */
    char ports_text[112]; /* the cell as cmsedge_cell_describe writes it */
    struct cmsedge_fw_ports ports;
};

struct cmsedge_fw_rule {
    unsigned number; /* 1, 2...: "R01" */
    enum cmsedge_fw_wall wall;
    unsigned transport; /* CMSEDGE_TRANSPORT_UDP or _TCP */
    struct cmsedge_fw_end src, dst;
    size_t n_rows;
    const struct cmsedge_row *rows[CMSEDGE_FW_MAX_ROWS]; /* in the reference's order */
    uint32_t footnotes;                                  /* bit n: footnote n concerns the rule */
};

struct cmsedge_fw_rules;

/* The rules the deployment needs: rows that apply to s, hosts from the table and, when infer is
 * given, the inferred ones. */
struct cmsedge_fw_rules *cmsedge_fw_rules_new(const struct cmsedge_settings *s,
                                              const struct cmsedge_hostmap *hosts,
                                              const struct cmsedge_infer *infer);
void cmsedge_fw_rules_free(struct cmsedge_fw_rules *rules);
size_t cmsedge_fw_rules_count(const struct cmsedge_fw_rules *rules);
const struct cmsedge_fw_rule *cmsedge_fw_rule_at(const struct cmsedge_fw_rules *rules, size_t i);
/* The rule a row's traffic over a transport belongs to, or NULL (row does not apply). */
const struct cmsedge_fw_rule *cmsedge_fw_rule_for(const struct cmsedge_fw_rules *rules,
                                                  const struct cmsedge_row *row,
                                                  unsigned transport);
/* Is the Expressway-E dual-NIC (public and private addresses known apart)? */
bool cmsedge_fw_rules_dual_nic(const struct cmsedge_fw_rules *rules);

/* What the capture proves about one rule. */
struct cmsedge_fw_judgement {
    enum cmsedge_fw_verdict verdict;
    uint64_t forward, reverse; /* frames in the rule's direction, and back */
    size_t n_frames;
    uint32_t frames[CMSEDGE_FW_MAX_FRAMES]; /* the frames that prove the verdict */
    char evidence[256];
};

struct cmsedge_firewall;

struct cmsedge_firewall *cmsedge_firewall_new(void);
void cmsedge_firewall_free(struct cmsedge_firewall *fw);
void cmsedge_firewall_reset(struct cmsedge_firewall *fw);
/* Counts one annotated frame (frames in order). */
void cmsedge_firewall_add(struct cmsedge_firewall *fw, const struct cmsedge_annotation *ann,
                          const struct cmsedge_facts *facts);
struct cmsedge_calls;
/* Takes the relays' evidence from the calls the capture's first pass followed (src/calls.c),
 * replacing any earlier; call it before judging. calls may be NULL (no relay evidence). */
void cmsedge_firewall_relays(struct cmsedge_firewall *fw, const struct cmsedge_calls *calls);
void cmsedge_firewall_judge(const struct cmsedge_firewall *fw, const struct cmsedge_fw_rules *rules,
                            const struct cmsedge_fw_rule *r, struct cmsedge_fw_judgement *out);

/* "text", "csv", "json", "nft", "asa"; false if unknown. */
bool cmsedge_fw_format_parse(const char *text, enum cmsedge_fw_format *format);
const char *cmsedge_fw_verdict_keyword(enum cmsedge_fw_verdict v); /* "works", "not-exercised" */
const char *cmsedge_fw_wall_title(enum cmsedge_fw_wall w);
const char *cmsedge_fw_wall_keyword(enum cmsedge_fw_wall w); /* "outside", "internal"... */

void cmsedge_firewall_write(const struct cmsedge_firewall *fw, const struct cmsedge_settings *s,
                            const struct cmsedge_hostmap *hosts, const struct cmsedge_infer *infer,
                            enum cmsedge_fw_format format, GString *out);

#endif
