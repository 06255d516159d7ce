/* cmsedge: the required rules as an nftables ruleset and as a Cisco ASA access list, text for
 * an engineer to review (see include/cmsedge/firewall.h). Never applied by cmsedge. An address
 * nobody knows becomes a named set (nftables) or an object group (ASA) left empty, with a
 * comment saying so.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "firewall_internal.h"

#include <stdio.h>
#include <string.h>

/* "meeting_server" (nftables) or "CMSEDGE-MEETING-SERVER" (ASA) for an end's role. */
static void group_name(const struct cmsedge_fw_end *e, bool asa, char *buf, size_t len)
{
    const char *k = cmsedge_role_keyword((enum cmsedge_role)e->role);
    size_t n = (size_t)snprintf(buf, len, "%s", asa ? "CMSEDGE-" : "");
    for (; *k && n + 1 < len; k++)
        buf[n++] = asa ? (char)g_ascii_toupper(*k) : (*k == '-' ? '_' : *k);
    buf[n] = '\0';
}

static bool unknown(const struct cmsedge_fw_end *e)
{
    return !e->any && e->n_hosts == 0;
}

/* Declares the empty groups the unknown ends need, once per role. */
static void declare_groups(const struct cmsedge_fw_rules *rules, bool asa, GString *out)
{
    bool done[CMSEDGE_ROLE_COUNT] = {false};
    char name[64];
    for (size_t i = 0; i < cmsedge_fw_rules_count(rules); i++) {
        const struct cmsedge_fw_rule *r = cmsedge_fw_rule_at(rules, i);
        const struct cmsedge_fw_end *ends[2] = {&r->src, &r->dst};
        for (int k = 0; k < 2; k++) {
            const struct cmsedge_fw_end *e = ends[k];
            if (!unknown(e) || done[e->role])
                continue;
            done[e->role] = true;
            group_name(e, asa, name, sizeof name);
            if (asa)
                g_string_append_printf(out,
                                       "object-group network %s\n description %s: address not "
                                       "seen; add its network-object lines\n",
                                       name, e->label);
            else
                g_string_append_printf(out,
                                       "\t# %s: address not seen in the capture or the hosts "
                                       "table: add it here\n\tset %s {\n\t\ttype ipv4_addr\n\t}\n",
                                       e->label, name);
        }
    }
}

static void nft_ports(GString *out, const char *proto, const char *dir,
                      const struct cmsedge_fw_ports *p)
{
    g_string_append_printf(out, " %s %s ", proto, dir);
    if (p->n > 1)
        g_string_append(out, "{ ");
    cmsedge_fw_ports_text(p, out);
    if (p->n > 1)
        g_string_append(out, " }");
}

/* " ip saddr { 192.0.2.1, 192.0.2.2 }" for the end's addresses of one family. */
static void nft_addr(GString *out, const struct cmsedge_fw_end *e, unsigned family, const char *dir)
{
    char a[64], name[64];
    size_t n = 0;
    if (e->any)
        return;
    if (unknown(e)) {
        group_name(e, false, name, sizeof name);
        g_string_append_printf(out, " ip %saddr @%s", dir, name);
        return;
    }
    for (size_t i = 0; i < e->n_hosts; i++)
        n += e->hosts[i].addr.family == family;
    g_string_append_printf(out, " %s %saddr %s", family == 4 ? "ip" : "ip6", dir,
                           n > 1 ? "{ " : "");
    for (size_t i = 0, k = 0; i < e->n_hosts; i++) {
        const struct cmsedge_prefix *p = &e->hosts[i];
        if (p->addr.family != family)
            continue;
        cmsedge_addr_format(&p->addr, a, sizeof a);
        g_string_append_printf(out, "%s%s", k++ ? ", " : "", a);
        if (p->len != (family == 4 ? 32 : 128))
            g_string_append_printf(out, "/%u", p->len);
    }
    if (n > 1)
        g_string_append(out, " }");
}

/* Can the end take part in a rule of this address family? */
static bool has_family(const struct cmsedge_fw_end *e, unsigned family)
{
    if (e->any)
        return true;
    if (unknown(e))
        return family == 4;
    for (size_t i = 0; i < e->n_hosts; i++) {
        if (e->hosts[i].addr.family == family)
            return true;
    }
    return false;
}

static void rule_comment(GString *out, const char *lead, const struct cmsedge_fw_rule *r)
{
    g_string_append_printf(out, "%sR%02u: ", lead, r->number);
    cmsedge_fw_rows_text(r, out);
    g_string_append_printf(out, " %s", r->rows[0]->purpose);
    if (r->footnotes) {
        g_string_append(out, " (footnote ");
        cmsedge_fw_footnotes_text(r->footnotes, out);
        g_string_append(out, ")");
    }
    g_string_append_printf(out, ": %s -> %s\n", r->src.label, r->dst.label);
}

void cmsedge_fw_write_nft(const struct cmsedge_settings *s, const struct cmsedge_fw_rules *rules,
                          GString *out)
{
    g_string_append(out, "#!/usr/sbin/nft -f\n# cmsedge: the rules the Cisco Meeting Server edge "
                         "needs, from the port reference.\n# Text to review, never applied by "
                         "cmsedge. Deployment: ");
    cmsedge_fw_deployment_text(s, rules, out);
    g_string_append(out, "\n# One chain per firewall: jump to it from that firewall's forward "
                         "chain, before its drop.\ntable inet cmsedge {\n");
    declare_groups(rules, false, out);
    for (unsigned w = 0; w < CMSEDGE_FW_WALL_COUNT; w++) {
        g_string_append_printf(out, "\n\t# %s\n\tchain %s {\n",
                               cmsedge_fw_wall_title((enum cmsedge_fw_wall)w),
                               cmsedge_fw_wall_keyword((enum cmsedge_fw_wall)w));
        for (size_t i = 0; i < cmsedge_fw_rules_count(rules); i++) {
            const struct cmsedge_fw_rule *r = cmsedge_fw_rule_at(rules, i);
            const char *proto = r->transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp";
            if (r->wall != w)
                continue;
            rule_comment(out, "\t\t# ", r);
            for (unsigned family = 4; family <= 6; family += 2) {
                if (!has_family(&r->src, family) || !has_family(&r->dst, family))
                    continue;
                if (r->src.any && r->dst.any && family == 6)
                    continue; /* the IPv4 line matched no address: it stands for both */
                g_string_append(out, "\t\t");
                gsize start = out->len;
                if (r->src.any && r->dst.any)
                    g_string_append_printf(out, "meta l4proto %s", proto);
                nft_addr(out, &r->src, family, "s");
                nft_addr(out, &r->dst, family, "d");
                nft_ports(out, proto, "sport", &r->src.ports);
                nft_ports(out, proto, "dport", &r->dst.ports);
                if (out->str[start] == ' ')
                    g_string_erase(out, (gssize)start, 1); /* the first match's separator */
                g_string_append_printf(out, " accept comment \"R%02u ", r->number);
                cmsedge_fw_rows_text(r, out);
                g_string_append(out, "\"\n");
            }
        }
        g_string_append(out, "\t}\n");
    }
    g_string_append(out, "}\n");
}

/* ---- Cisco ASA --------------------------------------------------------------------------- */

static void asa_addr(GString *out, const struct cmsedge_fw_end *e, size_t i)
{
    char a[64], name[64];
    if (e->any) {
        g_string_append(out, " any");
        return;
    }
    if (unknown(e)) {
        group_name(e, true, name, sizeof name);
        g_string_append_printf(out, " object-group %s", name);
        return;
    }
    const struct cmsedge_prefix *p = &e->hosts[i];
    cmsedge_addr_format(&p->addr, a, sizeof a);
    if (p->len == (p->addr.family == 4 ? 32 : 128)) {
        g_string_append_printf(out, " host %s", a);
    } else if (p->addr.family == 4) {
        uint32_t mask = p->len ? 0xffffffffu << (32 - p->len) : 0;
        g_string_append_printf(out, " %s %u.%u.%u.%u", a, mask >> 24, (mask >> 16) & 0xff,
                               (mask >> 8) & 0xff, mask & 0xff);
    } else {
        g_string_append_printf(out, " %s/%u", a, p->len);
    }
}

static void asa_port(GString *out, const struct cmsedge_port_range *r)
{
    if (r->lo == r->hi)
        g_string_append_printf(out, " eq %u", r->lo);
    else
        g_string_append_printf(out, " range %u %u", r->lo, r->hi);
}

/* One address choice per end: its hosts, or a single "any" / object group. */
static size_t choices(const struct cmsedge_fw_end *e)
{
    return e->any || unknown(e) ? 1 : e->n_hosts;
}

static unsigned family_of(const struct cmsedge_fw_end *e, size_t i)
{
    return e->any || unknown(e) ? 0 : e->hosts[i].addr.family;
}

void cmsedge_fw_write_asa(const struct cmsedge_settings *s, const struct cmsedge_fw_rules *rules,
                          GString *out)
{
    char acl[48];
    g_string_append(out, "! cmsedge: the rules the Cisco Meeting Server edge needs, from the "
                         "port reference.\n! Text to review, never applied by cmsedge. "
                         "Deployment: ");
    cmsedge_fw_deployment_text(s, rules, out);
    g_string_append(out, "\n! One access list per firewall; bind each to the interface the "
                         "traffic enters.\n");
    declare_groups(rules, true, out);
    for (unsigned w = 0; w < CMSEDGE_FW_WALL_COUNT; w++) {
        snprintf(acl, sizeof acl, "CMSEDGE-%s", cmsedge_fw_wall_keyword((enum cmsedge_fw_wall)w));
        for (char *c = acl; *c; c++)
            *c = (char)g_ascii_toupper(*c);
        g_string_append_printf(out, "!\n! %s\n", cmsedge_fw_wall_title((enum cmsedge_fw_wall)w));
        for (size_t i = 0; i < cmsedge_fw_rules_count(rules); i++) {
            const struct cmsedge_fw_rule *r = cmsedge_fw_rule_at(rules, i);
            if (r->wall != w)
                continue;
            g_string_append_printf(out, "access-list %s remark ", acl);
            rule_comment(out, "", r);
            for (size_t a = 0; a < choices(&r->src); a++) {
                for (size_t b = 0; b < choices(&r->dst); b++) {
                    unsigned fa = family_of(&r->src, a), fb = family_of(&r->dst, b);
                    if (fa && fb && fa != fb)
                        continue;
                    for (size_t p = 0; p < r->src.ports.n; p++) {
                        for (size_t q = 0; q < r->dst.ports.n; q++) {
                            g_string_append_printf(out, "access-list %s extended permit %s", acl,
                                                   r->transport == CMSEDGE_TRANSPORT_TCP ? "tcp"
                                                                                         : "udp");
                            asa_addr(out, &r->src, a);
                            asa_port(out, &r->src.ports.r[p]);
                            asa_addr(out, &r->dst, b);
                            asa_port(out, &r->dst.ports.r[q]);
                            g_string_append_c(out, '\n');
                        }
                    }
                }
            }
        }
    }
}
