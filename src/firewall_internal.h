/* cmsedge: the firewall verdict inside, shared by its counting (firewall.c) and its writers
 * (firewall_text.c, firewall_render.c). Not installed: see include/cmsedge/firewall.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CMSEDGE_FIREWALL_INTERNAL_H
#define CMSEDGE_FIREWALL_INTERNAL_H

#include "cmsedge/firewall.h"

/* A flow no rule covers: a near miss (off-spec) or another documented service. */
struct cmsedge_fw_other {
    uint8_t transport;
    struct cmsedge_addr src, dst;
    uint16_t sport, dport;
    uint8_t src_role, dst_role;
    uint64_t frames;
    uint32_t first_frame;
    const char *service; /* another documented service's name, or NULL for a near miss */
    const char *nearest; /* near miss: the row it comes closest to, or NULL */
    bool translated;     /* near miss by a translated source port */
    char reason[256];    /* near miss: the first frame's reason */
};

/* A relay that sent this many datagrams and got none back is blocked inbound; this many frames
 * to the Expressway-E's public address and none reflected is NAT reflection missing. Fewer are
 * what ICE checks on an unused candidate, or a capture's last moments, can show. */
#define CMSEDGE_FW_UNANSWERED 10

/* A TURN relay that sent a peer media and got nothing back from any peer: the rule that would
 * let the peer's media in to the relay is blocked. */
struct cmsedge_fw_relay {
    unsigned transport;
    struct cmsedge_addr relay, peer;
    uint16_t relay_port, peer_port;
    size_t n_frames;
    uint32_t frames[3]; /* the allocation, the relay's first and last datagram to the peer */
    char text[320];
};
/* The relays' evidence (firewall_relays.c), replacing any earlier. */
void cmsedge_fw_relays_set(struct cmsedge_firewall *fw, const struct cmsedge_fw_relay *relays,
                           size_t n);

/* Appends the near misses (or the other services) to into, by first frame. */
void cmsedge_fw_others(const struct cmsedge_firewall *fw, bool services, GPtrArray *into);
uint64_t cmsedge_fw_frames(const struct cmsedge_firewall *fw);

/* "127.0.2.30", "127.0.2.30, 127.0.2.31 (inferred)", "(address not seen)", or "" for any. */
void cmsedge_fw_end_addrs(const struct cmsedge_fw_end *e, GString *out);
/* "1024-65535", "2776", "36000, 36002, 36004" */
void cmsedge_fw_ports_text(const struct cmsedge_fw_ports *p, GString *out);
/* "T1-05, T2-01, T3-01, T4-01" */
void cmsedge_fw_rows_text(const struct cmsedge_fw_rule *r, GString *out);
/* "1, 2" for the footnote bits, "" for none */
void cmsedge_fw_footnotes_text(uint32_t footnotes, GString *out);
/* "small, 1 traversal zone(s), relays 24000-29999, dual-NIC Expressway-E" */
void cmsedge_fw_deployment_text(const struct cmsedge_settings *s,
                                const struct cmsedge_fw_rules *rules, GString *out);

void cmsedge_fw_write_text(const struct cmsedge_firewall *fw, const struct cmsedge_settings *s,
                           const struct cmsedge_fw_rules *rules, GString *out);
void cmsedge_fw_write_csv(const struct cmsedge_firewall *fw, const struct cmsedge_fw_rules *rules,
                          GString *out);
void cmsedge_fw_write_json(const struct cmsedge_firewall *fw, const struct cmsedge_settings *s,
                           const struct cmsedge_fw_rules *rules, GString *out);
void cmsedge_fw_write_nft(const struct cmsedge_settings *s, const struct cmsedge_fw_rules *rules,
                          GString *out);
void cmsedge_fw_write_asa(const struct cmsedge_settings *s, const struct cmsedge_fw_rules *rules,
                          GString *out);

#endif
