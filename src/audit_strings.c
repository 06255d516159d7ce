/* cmsedge: the words the edge audit's writers share (see src/audit_internal.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "audit_internal.h"

const char *cmsedge_audit_transport(unsigned transport)
{
    return transport == CMSEDGE_TRANSPORT_TCP ? "tcp" : "udp";
}

const char *cmsedge_audit_role(uint8_t role)
{
    return cmsedge_role_keyword((enum cmsedge_role)role);
}

const char *cmsedge_audit_check_kind(const struct cmsedge_audit_check *c)
{
    return cmsedge_finding_keyword((enum cmsedge_finding_kind)c->finding.kind);
}

const char *cmsedge_audit_severity(const struct cmsedge_audit_check *c)
{
    return c->finding.severity == CMSEDGE_WARNING ? "warning" : "note";
}

void cmsedge_audit_row_ports(GString *out, const struct cmsedge_row *row,
                             const struct cmsedge_settings *s)
{
    char sports[112], dports[112];
    cmsedge_cell_describe(&row->src.ports, s, sports, sizeof sports);
    cmsedge_cell_describe(&row->dst.ports, s, dports, sizeof dports);
    g_string_append_printf(out, "%s %s -> %s %s, %s", row->src.label, sports, row->dst.label,
                           dports, row->protocol);
}
