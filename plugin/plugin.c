/* cmsedge: the entry points Wireshark's plugin loader looks for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <wireshark.h>

#include <epan/proto.h>

#if __has_include(<wsutil/plugins.h>)
#include <wsutil/plugins.h>
#endif

#include "cmsedge-plugin.h"

WS_DLL_PUBLIC_DEF const char plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_cmsedge;
    plug.register_handoff = proto_reg_handoff_cmsedge;
    proto_register_plugin(&plug);
    cmsedge_audit_register();
    cmsedge_firewall_register();
    cmsedge_calls_register();
}

#ifdef WS_PLUGIN_DESC_DISSECTOR
/* 4.4 and later: lets "tshark -G plugins" say what kind of plugin this is. */
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
