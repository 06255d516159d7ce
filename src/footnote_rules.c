/* cmsedge: the reference's six footnotes as rules.
 *
 * Each rule looks at the flow and the rows it matched and adds a note or a warning that quotes
 * what the footnote requires. Ports come from the table (the element a footnote is attached
 * to), never from numbers written here.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>

#include "cmsedge/classify.h"

/* The port of the first destination element carrying footnote n: 443 for fn 1 (T1-01). */
static uint16_t footnote_port(unsigned n)
{
    for (size_t i = 0; i < cmsedge_n_rows; i++) {
        const struct cmsedge_port_cell *cell = &cmsedge_rows[i].dst.ports;
        for (unsigned k = 0; k < cell->n_items; k++) {
            if (cell->items[k].footnote == n)
                return cell->items[k].lo;
        }
    }
    return 0;
}

static bool has_finding(const struct cmsedge_verdict *v, unsigned footnote)
{
    for (size_t i = 0; i < v->findings.n; i++) {
        if (v->findings.items[i].footnote == footnote)
            return true;
    }
    return false;
}

/* The frame's port on the row's destination (service) side. */
static uint16_t service_port(const struct cmsedge_flow *f, const struct cmsedge_match *m)
{
    return m->reverse ? f->sport : f->dport;
}

static enum cmsedge_role service_host(const struct cmsedge_flow *f, const struct cmsedge_match *m)
{
    return m->reverse ? f->src_role : f->dst_role;
}

/* fn 1, 2: an administrator PC talking to the Expressway-E on the web app's port. */
static void admin_on_webapp_port(const struct cmsedge_flow *f, struct cmsedge_verdict *v)
{
    uint16_t web = footnote_port(1);
    bool fwd = f->src_role == CMSEDGE_ROLE_ADMIN_PC && cmsedge_role_is_expressway_e(f->dst_role) &&
               f->dport == web;
    bool rev = f->dst_role == CMSEDGE_ROLE_ADMIN_PC && cmsedge_role_is_expressway_e(f->src_role) &&
               f->sport == web;
    if (f->transport == CMSEDGE_TRANSPORT_TCP && (fwd || rev))
        cmsedge_verdict_add_finding(v, 1, CMSEDGE_WARNING,
                                    "web administration on port %u: WebRTC clients use %u, so the "
                                    "administration port must change (footnotes 1 and 2)",
                                    web, web);
}

static void per_match_rules(const struct cmsedge_settings *s, const struct cmsedge_flow *f,
                            const struct cmsedge_match *m, struct cmsedge_verdict *v)
{
    const struct cmsedge_row *row = m->row;
    uint16_t port = service_port(f, m);
    bool exact = m->src_fit == CMSEDGE_FIT_EXACT || m->dst_fit == CMSEDGE_FIT_EXACT;

    if ((row->footnotes & (1u << 2)) && service_host(f, m) == CMSEDGE_ROLE_EXPRESSWAY_E_PUBLIC &&
        !has_finding(v, 2))
        cmsedge_verdict_add_finding(v, 2, CMSEDGE_NOTE,
                                    "management port %u reached on the Expressway-E public IP: "
                                    "the reference strongly advises against it (footnote 2)",
                                    port);

    if (m->footnote == 3 && s->mra && port == footnote_port(3) && !has_finding(v, 3))
        cmsedge_verdict_add_finding(v, 3, CMSEDGE_WARNING,
                                    "web administration on %u while coexisting with MRA: the "
                                    "reference says not to use %u (footnote 3)",
                                    port, port);

    if (m->footnote == 4 && port == footnote_port(1) && !has_finding(v, 4)) {
        char ver[32];
        cmsedge_version_format(s->version, ver, sizeof ver);
        if (s->version != 0 && s->version < CMSEDGE_VERSION_X8_11)
            cmsedge_verdict_add_finding(v, 4, CMSEDGE_WARNING,
                                        "TURN on TCP %u with Expressway %s: before X8.11 it cannot "
                                        "listen for TURN and web app signaling on TCP %u at once "
                                        "(footnote 4)",
                                        port, ver, port);
        else
            cmsedge_verdict_add_finding(v, 4, CMSEDGE_NOTE,
                                        "TURN over TCP %u shares the port with web app signaling, "
                                        "supported from X8.11 (footnote 4)",
                                        port);
    }

    if ((row->footnotes & (1u << 5)) && exact && !has_finding(v, 5)) {
        const char *same = cmsedge_addr_equal(&f->src, &f->dst)
                               ? "; source and destination address are the same, which "
                                 "firewalls typically mistrust"
                               : "";
        if (row->version_op == CMSEDGE_VERSION_BEFORE && s->version >= row->version) {
            char ver[32];
            cmsedge_version_format(row->version, ver, sizeof ver);
            cmsedge_verdict_add_finding(v, 5, CMSEDGE_NOTE,
                                        "relay traffic through the Expressway-E public IP: from %s "
                                        "NAT reflection is no longer needed (footnote 5)%s",
                                        ver, same);
        } else {
            cmsedge_verdict_add_finding(v, 5, CMSEDGE_NOTE,
                                        "relay traffic through the Expressway-E public IP: the "
                                        "external firewall must allow NAT reflection (footnote "
                                        "5)%s",
                                        same);
        }
    }

    /* fn 6: a Meeting Server pushing media through the TURN port instead of the relays */
    bool ms_end_exact =
        m->reverse ? m->dst_fit == CMSEDGE_FIT_EXACT : m->src_fit == CMSEDGE_FIT_EXACT;
    if (row->src.role == CMSEDGE_ROLE_MEETING_SERVER && ms_end_exact &&
        (row->apps & CMSEDGE_APP_BIT(CMSEDGE_APP_TURN_DATA)) && f->hint == CMSEDGE_APP_TURN_DATA &&
        f->transport == CMSEDGE_TRANSPORT_UDP && !has_finding(v, 6)) {
        cmsedge_verdict_add_finding(v, 6, CMSEDGE_NOTE,
                                    "Meeting Server relays media through TURN port %u rather "
                                    "than relay ports %u-%u: are the relay ports open? "
                                    "(footnote 6)",
                                    port, s->relay.lo, s->relay.hi);
        v->checks |= CMSEDGE_CHECK_RELAYS_IDLE;
    }
}

/* fn 4 again: STUN over TCP to the web app's port when no TURN TCP override port is set. */
static void turn_on_webapp_port_unconfigured(const struct cmsedge_flow *f,
                                             struct cmsedge_verdict *v)
{
    uint16_t web = footnote_port(1);
    if (!v->unmatched || f->transport != CMSEDGE_TRANSPORT_TCP || f->hint != CMSEDGE_APP_STUN)
        return;
    if (f->dport == web || f->sport == web)
        cmsedge_verdict_add_finding(v, 4, CMSEDGE_NOTE,
                                    "TURN over TCP %u needs the TURN TCP override port set to %u, "
                                    "from X8.11 (footnote 4; preference turn_tcp_port)",
                                    web, web);
}

void cmsedge_apply_footnote_rules(const struct cmsedge_settings *s, const struct cmsedge_flow *flow,
                                  struct cmsedge_verdict *v)
{
    admin_on_webapp_port(flow, v);
    for (size_t i = 0; i < v->n_matches; i++)
        per_match_rules(s, flow, &v->matches[i], v);
    turn_on_webapp_port_unconfigured(flow, v);
}
